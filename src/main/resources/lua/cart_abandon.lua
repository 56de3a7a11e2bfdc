-- Claims the report of a cart's idle period, once: a non-empty cart whose last change by the
-- shopper is older than the threshold, and whose idle period was not reported yet.
-- KEYS[1] cart hash
-- ARGV[1] idle since at most (ms: now - threshold)  ARGV[2] 'claim' or 'release' (give the claim
-- back when the event could not be written)  ARGV[3] (release only) the idle period's start
-- Returns {'claimed', idle since, state} | {'empty'} | {'active', last change} | {'reported'}
--       | {'released'}
local cart = KEYS[1]
if ARGV[2] == 'release' then
  if redis.call('HGET', cart, 'ab') == ARGV[3] then
    redis.call('HDEL', cart, 'ab')
  end
  return {'released'}
end
local n = tonumber(redis.call('HGET', cart, 'n') or '0')
if n == 0 then
  return {'empty'}
end
local since = redis.call('HGET', cart, 'sc') or redis.call('HGET', cart, 'u')
if tonumber(since) > tonumber(ARGV[1]) then
  return {'active', since}
end
if redis.call('HGET', cart, 'ab') == since then
  return {'reported'}
end
redis.call('HSET', cart, 'ab', since)
return {'claimed', since, redis.call('HGETALL', cart)}
