-- Claims an idempotency key for one request, or tells how it was used before.
-- KEYS[1] idempotency record (on the cart's slot)
-- ARGV[1] request fingerprint  ARGV[2] claim lifetime ms (a crashed request frees the key then)
-- Returns {'claimed'} | {'reused'} (another request body) | {'in_progress'}
--       | {'replay', status, body, etag}
local record = redis.call('GET', KEYS[1])
if not record then
  redis.call('SET', KEYS[1], cjson.encode({h = ARGV[1], pending = true}), 'PX', ARGV[2])
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
