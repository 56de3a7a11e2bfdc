-- Moves a guest cart's hold on one SKU to the user's cart at merge, so that no unit is ever held
-- twice: the user ends up holding `target` units where the two holds and the stock allow it, the
-- surplus goes back to stock, and a shortfall is taken from stock as far as it goes. Absolute:
-- running it again with the same target changes nothing.
-- KEYS[1] sku hash  KEYS[2] holds hash  KEYS[3] guest marker  KEYS[4] user marker
-- KEYS[5] expiry index
-- ARGV[1] guest cart id  ARGV[2] user cart id  ARGV[3] target units for the user
-- ARGV[4] hold expiresAt ms
-- Returns {units the user now holds, units released, units taken from stock}
local sku, holds, guest_marker, user_marker, expiry = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local guest, user, target = ARGV[1], ARGV[2], tonumber(ARGV[3])

local function live(cart, marker)
  local units = tonumber(redis.call('HGET', holds, cart) or '0')
  if units > 0 and redis.call('EXISTS', marker) == 0 then
    -- lapsed, not yet returned: return it now
    redis.call('HINCRBY', sku, 'avail', units)
    redis.call('HINCRBY', sku, 'res', -units)
    redis.call('HDEL', holds, cart)
    redis.call('ZREM', expiry, cart)
    return 0
  end
  return units
end

local total = live(guest, guest_marker) + live(user, user_marker)
redis.call('HDEL', holds, guest)
redis.call('DEL', guest_marker)
redis.call('ZREM', expiry, guest)
local released, taken = 0, 0
if total > target then
  released = total - target
  redis.call('HINCRBY', sku, 'avail', released)
  redis.call('HINCRBY', sku, 'res', -released)
  total = target
elseif total < target then
  local available = tonumber(redis.call('HGET', sku, 'avail') or '0')
  taken = math.min(target - total, math.max(available, 0))
  -- (Redis refuses "-0" as an integer: move nothing when nothing is taken.)
  if taken > 0 then
    redis.call('HINCRBY', sku, 'avail', -taken)
    redis.call('HINCRBY', sku, 'res', taken)
    total = total + taken
  end
end
if total > 0 then
  redis.call('HSET', holds, user, total)
  redis.call('SET', user_marker, total, 'PXAT', ARGV[4])
  redis.call('ZADD', expiry, ARGV[4], user)
else
  redis.call('HDEL', holds, user)
  redis.call('DEL', user_marker)
  redis.call('ZREM', expiry, user)
end
return {total, released, taken}
