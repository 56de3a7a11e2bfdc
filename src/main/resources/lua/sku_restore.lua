-- Restores a SKU from its durable state after Redis lost its data, unless Redis has it again
-- (an admin put since the loss starts a new count, and wins). Nothing is held: holds come back with
-- the carts that hold them.
-- (The catalog index lives on another slot: the caller adds the SKU to it.)
-- KEYS[1] sku hash
-- ARGV[1] sku  ARGV[2] price  ARGV[3] currency  ARGV[4] stock  ARGV[5] sold  ARGV[6] version
-- ARGV[7] updatedAt ms
-- Returns 1 when restored, 0 when Redis had the SKU
local sku = KEYS[1]
if redis.call('EXISTS', sku) == 1 then
  return 0
end
local stock, sold = tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('HSET', sku, 'price', ARGV[2], 'cur', ARGV[3], 'stock', stock,
  'avail', stock - sold, 'res', 0, 'sold', sold, 'ver', ARGV[6], 'upd', ARGV[7])
return 1
