-- Returns the units of a lapsed hold to stock. Idempotent: the expiry notification and the sweep
-- may both run it, and a hold renewed in the meantime (its marker exists again) is left alone.
-- KEYS[1] sku hash  KEYS[2] holds hash  KEYS[3] hold marker  KEYS[4] expiry index
-- ARGV[1] cart id
-- Returns the units returned (0 when there was nothing to return)
local sku, holds, marker, expiry = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local cart = ARGV[1]
if redis.call('EXISTS', marker) == 1 then
  return 0
end
redis.call('ZREM', expiry, cart)
local held = tonumber(redis.call('HGET', holds, cart) or '0')
if held <= 0 then
  return 0
end
redis.call('HDEL', holds, cart)
redis.call('HINCRBY', sku, 'avail', held)
redis.call('HINCRBY', sku, 'res', -held)
return held
