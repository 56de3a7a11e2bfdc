-- Turns units of a cart's live hold into a sale (or, with a negative count, undoes such a sale
-- back into the hold). Safe to retry: the op record replays the first reply.
-- KEYS[1] sku hash  KEYS[2] holds hash  KEYS[3] hold marker  KEYS[4] expiry index  KEYS[5] op record
-- ARGV[1] cart id  ARGV[2] units to sell (negative: unsell)  ARGV[3] hold expiresAt ms (for an unsell)
-- ARGV[4] now ms
-- Returns {'ok', units still held} | {'short', units held} (nothing applied)
local sku, holds, marker, expiry, op = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local done = redis.call('GET', op)
if done then
  return cjson.decode(done)
end
local cart, units = ARGV[1], tonumber(ARGV[2])
local held = 0
if redis.call('EXISTS', marker) == 1 then
  held = tonumber(redis.call('HGET', holds, cart) or '0')
end
if units > held then
  return {'short', held}
end
redis.call('HINCRBY', sku, 'res', -units)
redis.call('HINCRBY', sku, 'sold', units)
-- a sale (or its undoing) is a change of the SKU's durable state: catalog.events orders it
redis.call('HINCRBY', sku, 'ver', 1)
redis.call('HSET', sku, 'upd', ARGV[4])
held = held - units
if held > 0 then
  redis.call('HSET', holds, cart, held)
  if units < 0 then
    redis.call('SET', marker, held, 'PXAT', ARGV[3])
    redis.call('ZADD', expiry, ARGV[3], cart)
  end
else
  redis.call('HDEL', holds, cart)
  redis.call('DEL', marker)
  redis.call('ZREM', expiry, cart)
end
local reply = {'ok', held}
redis.call('SET', op, cjson.encode(reply), 'EX', op_keep(op))
return reply
