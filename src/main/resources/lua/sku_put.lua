-- Creates or updates a SKU: its price and the units on hand now, held units included.
-- Setting the stock starts a new count: sold returns to 0, so available + reserved + sold = stock.
-- Bumps the SKU's version, which orders its states on catalog.events.
-- KEYS[1] sku hash
-- ARGV[1] price (minor units)  ARGV[2] currency  ARGV[3] stock  ARGV[4] now ms
-- Returns {'ok', price, currency, stock, available, reserved, sold} | {'below_reserved', reserved}
local sku = KEYS[1]
local reserved = tonumber(redis.call('HGET', sku, 'res') or '0')
local stock = tonumber(ARGV[3])
if stock < reserved then
  return {'below_reserved', reserved}
end
redis.call('HSET', sku, 'price', ARGV[1], 'cur', ARGV[2], 'stock', stock,
  'avail', stock - reserved, 'res', reserved, 'sold', 0, 'upd', ARGV[4])
redis.call('HINCRBY', sku, 'ver', 1)
return {'ok', ARGV[1], ARGV[2], stock, stock - reserved, reserved, 0}
