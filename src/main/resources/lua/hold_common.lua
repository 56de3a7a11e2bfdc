-- Shared prelude of the hold scripts (the loader prepends it to each of them): the bookkeeping of
-- a soft hold. A SKU hash counts `avail` and `res`; the holds hash maps a cart id to the units it
-- holds; a cart's marker key expires with its hold, and the expiry index scores the cart by the
-- time its hold lapses.

-- Moves units from available to reserved (negative units: back). Redis refuses "-0" as an
-- integer, so nothing moves when nothing is to.
local function hold_reserve(sku, units)
  if units ~= 0 then
    redis.call('HINCRBY', sku, 'avail', -units)
    redis.call('HINCRBY', sku, 'res', units)
  end
end

-- Forgets a cart's hold in the holds hash and the expiry index (its marker is left to expire).
local function hold_forget(holds, expiry, cart)
  redis.call('HDEL', holds, cart)
  redis.call('ZREM', expiry, cart)
end

-- The units a cart really holds: a hold whose marker expired but which the timer has not returned
-- yet goes back to stock now, and counts as nothing.
local function hold_live(sku, holds, expiry, cart, marker)
  local units = tonumber(redis.call('HGET', holds, cart) or '0')
  if units > 0 and redis.call('EXISTS', marker) == 0 then
    hold_reserve(sku, -units)
    hold_forget(holds, expiry, cart)
    return 0
  end
  return units
end

-- Records that a cart holds `units` until `expires_at` (ms), or nothing when units is 0.
local function hold_record(holds, expiry, cart, marker, units, expires_at)
  if units > 0 then
    redis.call('HSET', holds, cart, units)
    redis.call('SET', marker, units, 'PXAT', expires_at)
    redis.call('ZADD', expiry, expires_at, cart)
  else
    hold_forget(holds, expiry, cart)
    redis.call('DEL', marker)
  end
end
