-- Holds or releases units of one SKU for one cart (a soft hold: a counter move, no lock).
-- Safe to retry: the op record replays the first reply.
-- KEYS[1] sku hash  KEYS[2] holds hash (cart id -> units held)
-- KEYS[3] hold marker (expires with the hold; its expiry event returns the units)
-- KEYS[4] expiry index (zset cart id -> expiresAt ms)  KEYS[5] op record
-- KEYS[6] (optional) the client's holds (zset cart id -> expiresAt ms of the hold it took)
-- ARGV[1] cart id  ARGV[2] delta (negative releases; a release is capped at what is held)
-- ARGV[3] hold expiresAt ms  ARGV[4] now ms
-- ARGV[5] most units one cart may hold of this SKU (a larger delta holds only up to it)
-- ARGV[6] with KEYS[6]: most units the client's carts may hold of this SKU together
-- Returns {'ok', price, currency, units now held, delta applied}
--       | {'unknown_sku'} | {'out_of_stock', available}
local sku, holds, marker, expiry, op = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local done = redis.call('GET', op)
if done then
  return cjson.decode(done)
end
local cart, delta = ARGV[1], tonumber(ARGV[2])
-- A lapsed hold the timer has not returned yet goes back first: the delta applies to what the
-- cart really holds.
local held = hold_live(sku, holds, expiry, cart, marker)
if delta > 0 then
  delta = math.max(0, math.min(delta, tonumber(ARGV[5]) - held))
end
local client = KEYS[6]
if client and delta > 0 then
  -- What the client's other carts hold now (the holds hash is the truth; the zset only says which
  -- carts to look at): carts whose hold lapsed or went are dropped on the way, so the walk stays
  -- within the carts that hold something, at most the cap's worth.
  redis.call('ZREMRANGEBYSCORE', client, '-inf', ARGV[4])
  local others = 0
  for _, other in ipairs(redis.call('ZRANGE', client, 0, -1)) do
    if other ~= cart then
      local units = tonumber(redis.call('HGET', holds, other) or '0')
      if units > 0 then
        others = others + units
      else
        redis.call('ZREM', client, other)
      end
    end
  end
  delta = math.max(0, math.min(delta, tonumber(ARGV[6]) - others - held))
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
      hold_reserve(sku, -units)
      available = available + units
    end
    hold_forget(holds, expiry, other)
  end
  if delta > available then
    return {'out_of_stock', available}
  end
end
if -delta > held then
  delta = -held
end
hold_reserve(sku, delta)
held = held + delta
hold_record(holds, expiry, cart, marker, held, ARGV[3])
if client and held > 0 then
  redis.call('ZADD', client, ARGV[3], cart)
  -- Every hold lasts as long, so the newest one's lapse is the last of them.
  redis.call('PEXPIREAT', client, ARGV[3])
end
local reply = {'ok', entry[1], entry[2], held, delta}
redis.call('SET', op, cjson.encode(reply), 'EX', op_keep(op))
return reply
