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

-- Lapsed holds not yet returned go back to stock first.
local total = hold_live(sku, holds, expiry, guest, guest_marker)
  + hold_live(sku, holds, expiry, user, user_marker)
hold_record(holds, expiry, guest, guest_marker, 0, ARGV[4])
local released, taken = 0, 0
if total > target then
  released = total - target
  hold_reserve(sku, -released)
  total = target
elseif total < target then
  local available = tonumber(redis.call('HGET', sku, 'avail') or '0')
  taken = math.min(target - total, math.max(available, 0))
  hold_reserve(sku, taken)
  total = total + taken
end
hold_record(holds, expiry, user, user_marker, total, ARGV[4])
return {total, released, taken}
