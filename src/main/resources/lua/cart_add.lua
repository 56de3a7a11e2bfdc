-- Adds units to one cart line, creating the line; the units were already held on the SKU.
-- KEYS[1] cart hash   KEYS[2] op record
-- ARGV[1] sku  ARGV[2] quantity  ARGV[3] unit price (minor units)  ARGV[4] currency
-- ARGV[5] variant JSON or ''  ARGV[6] units newly held  ARGV[7] hold expiresAt ms (0: none)
-- ARGV[8] now ms  ARGV[9] If-Match version or ''  ARGV[10] max lines  ARGV[11] max quantity
-- ARGV[12] '1' when the caller found the cart in Redis
-- Returns {'ok', '', state} | {'version_conflict', v} | {'cart_full', n}
--       | {'quantity_limit', current} | {'currency_mismatch', currency} | {'vanished'}
local cart, op = KEYS[1], KEYS[2]
if redis.call('EXISTS', op) == 1 then
  return {'ok', 'replayed', state(cart)}
end
if vanished(cart, ARGV[12]) then
  return {'vanished'}
end
local conflict = stale(cart, ARGV[9])
if conflict then
  return conflict
end
local field = 'l:' .. ARGV[1]
local qty, now = tonumber(ARGV[2]), tonumber(ARGV[8])
local held, expires = tonumber(ARGV[6]), tonumber(ARGV[7])
local n = tonumber(redis.call('HGET', cart, 'n') or '0')
local currency = redis.call('HGET', cart, 'cur')
if currency and n > 0 and currency ~= ARGV[4] then
  return {'currency_mismatch', currency}
end
local raw = redis.call('HGET', cart, field)
local line
if raw then
  line = decode_line(raw)
  if line.q + qty > tonumber(ARGV[11]) then
    return {'quantity_limit', line.q}
  end
  -- The shopper saw the current price when adding more, so the line takes it.
  line.q, line.p, line.u = line.q + qty, ARGV[3], now
  line.h = live_held(line, now) + held
  if line.h == 0 then
    line.hx = 0
  elseif expires > line.hx then
    line.hx = expires
  end
else
  if n >= tonumber(ARGV[10]) then
    return {'cart_full', n}
  end
  line = {q = qty, p = ARGV[3], a = now, u = now, h = held, hx = expires}
  n = n + 1
end
redis.call('HSET', cart, field, encode_line(line), 'cur', ARGV[4])
set_line_count(cart, n)
if ARGV[5] ~= '' then
  redis.call('HSET', cart, 'var:' .. ARGV[1], ARGV[5])
end
commit(cart, op, now)
return {'ok', '', state(cart)}
