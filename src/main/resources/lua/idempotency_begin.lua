-- Claims an idempotency key for one request, or tells how it was used before. An owner keeps at
-- most ARGV[5] live keys: a new claim past that evicts the keys that expire first, so that a
-- client inventing keys cannot grow the owner's records without bound.
-- KEYS[1] idempotency record  KEYS[2] the owner's index of live keys (member: key, score: expiry
--   ms); both on the cart's slot. Evicted records are ARGV[7] .. key, under the same hash tag.
-- ARGV[1] request fingerprint  ARGV[2] claim lifetime ms (a crashed request frees the key then)
-- ARGV[3] the key  ARGV[4] now ms  ARGV[5] most live keys an owner keeps
-- ARGV[6] index lifetime ms (the longest a record is kept)  ARGV[7] record key prefix
-- Returns {'claimed'} | {'reused'} (another request body) | {'in_progress'}
--       | {'replay', status, body, etag}
local record = redis.call('GET', KEYS[1])
if not record then
  local now = tonumber(ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5]) + 1
  if over > 0 then
    local evicted = redis.call('ZPOPMIN', KEYS[2], over)
    for i = 1, #evicted, 2 do
      redis.call('DEL', ARGV[7] .. evicted[i])
    end
  end
  redis.call('SET', KEYS[1], cjson.encode({h = ARGV[1], pending = true}), 'PX', ARGV[2])
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
  return {'claimed'}
end
local r = cjson.decode(record)
if r.h ~= ARGV[1] then
  return {'reused'}
end
if r.pending then
  return {'in_progress'}
end
return {'replay', r.s, r.b, r.e}
