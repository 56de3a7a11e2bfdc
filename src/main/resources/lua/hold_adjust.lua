-- Holds or releases units of one SKU for one cart (a soft hold: a counter move, no lock).
-- Safe to retry: the op record replays the first reply.
-- KEYS[1] sku hash  KEYS[2] holds hash (cart id -> units held)
-- KEYS[3] hold marker (expires with the hold; its expiry event returns the units)
-- KEYS[4] expiry index (zset cart id -> expiresAt ms)  KEYS[5] op record
-- ARGV[1] cart id  ARGV[2] delta (negative releases; a release is capped at what is held)
-- ARGV[3] hold expiresAt ms  ARGV[4] now ms
-- ARGV[5] most units one cart may hold of this SKU (a larger delta holds only up to it)
-- Returns {'ok', price, currency, units now held, delta applied}
--       | {'unknown_sku'} | {'out_of_stock', available}
local sku, holds, marker, expiry, op = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local done = redis.call('GET', op)
if done then
  return cjson.decode(done)
end
local cart, delta = ARGV[1], tonumber(ARGV[2])
local held = tonumber(redis.call('HGET', holds, cart) or '0')
if held > 0 and redis.call('EXISTS', marker) == 0 then
  -- The hold lapsed and the timer has not returned its units yet: return them now, so that the
  -- delta applies to what the cart really holds (nothing).
  redis.call('HINCRBY', sku, 'avail', held)
  redis.call('HINCRBY', sku, 'res', -held)
  redis.call('HDEL', holds, cart)
  redis.call('ZREM', expiry, cart)
  held = 0
end
if delta > 0 then
  delta = math.max(0, math.min(delta, tonumber(ARGV[5]) - held))
end
local entry = redis.call('HMGET', sku, 'price', 'cur', 'avail')
if not entry[1] then
  return {'unknown_sku'}
end
local available = tonumber(entry[3])
if delta > available then
  -- Holds of other carts that lapsed but that the timer has not returned yet are free stock:
  -- return them here (their expiry index score is their lapse time), then look again.
  local due = redis.call('ZRANGEBYSCORE', expiry, '-inf', ARGV[4], 'LIMIT', 0, 100)
  for _, other in ipairs(due) do
    local units = tonumber(redis.call('HGET', holds, other) or '0')
    if units > 0 then
      redis.call('HINCRBY', sku, 'avail', units)
      redis.call('HINCRBY', sku, 'res', -units)
      available = available + units
    end
    redis.call('HDEL', holds, other)
    redis.call('ZREM', expiry, other)
  end
  if delta > available then
    return {'out_of_stock', available}
  end
end
if -delta > held then
  delta = -held
end
if delta ~= 0 then
  redis.call('HINCRBY', sku, 'avail', -delta)
  redis.call('HINCRBY', sku, 'res', delta)
end
held = held + delta
if held > 0 then
  redis.call('HSET', holds, cart, held)
  redis.call('SET', marker, held, 'PXAT', ARGV[3])
  redis.call('ZADD', expiry, ARGV[3], cart)
else
  redis.call('HDEL', holds, cart)
  redis.call('DEL', marker)
  redis.call('ZREM', expiry, cart)
end
local reply = {'ok', entry[1], entry[2], held, delta}
redis.call('SET', op, cjson.encode(reply), 'EX', 3600)
return reply
