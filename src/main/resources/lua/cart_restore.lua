-- Brings a cart back into Redis from its durable copy, unless Redis has it (a concurrent restore or
-- write won). A line holds what the caller could reserve again on the SKU's slot (its hold had not
-- lapsed, and stock allowed), else nothing: checkout reserves it then.
-- KEYS[1] cart hash
-- ARGV[1] version  ARGV[2] updatedAt ms  ARGV[3] currency or ''  ARGV[4] hot-set idle ms
-- then per line, 8 values: sku, quantity, unit price, addedAt, updatedAt, units held,
-- hold expiresAt ms, variant JSON or ''
-- Returns 1 when restored, 0 when Redis had the cart
local cart = KEYS[1]
if redis.call('EXISTS', cart) == 1 then
  return 0
end
local updated = tonumber(ARGV[2])
local n = 0
for i = 5, #ARGV, 8 do
  local sku = ARGV[i]
  local line = {q = tonumber(ARGV[i + 1]), p = ARGV[i + 2], a = tonumber(ARGV[i + 3]),
                u = tonumber(ARGV[i + 4]), h = tonumber(ARGV[i + 5]), hx = tonumber(ARGV[i + 6])}
  redis.call('HSET', cart, 'l:' .. sku, encode_line(line))
  if ARGV[i + 7] ~= '' then
    redis.call('HSET', cart, 'var:' .. sku, ARGV[i + 7])
  end
  n = n + 1
end
redis.call('HSET', cart, 'v', ARGV[1], 'u', updated, 'sc', updated, 'n', n)
if ARGV[3] ~= '' and n > 0 then
  redis.call('HSET', cart, 'cur', ARGV[3])
end
redis.call('PEXPIRE', cart, ARGV[4])
return 1
