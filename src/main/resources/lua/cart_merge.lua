-- Writes the merged lines into the user's cart, if it is still at the version the merge was
-- computed from, and records the merge so that a repeat changes nothing.
-- KEYS[1] user cart hash  KEYS[2] merge record (user slot)
-- ARGV[1] expected version  ARGV[2] now ms  ARGV[3] currency
-- then per line, 7 values: sku, quantity, unit price, addedAt, held, hold expiresAt, variant JSON or ''
-- Returns {'ok', state} | {'moved', version} | {'merged', state} (recorded before)
local cart, record = KEYS[1], KEYS[2]
if redis.call('EXISTS', record) == 1 then
  return {'merged', state(cart)}
end
local v = version(cart)
if v ~= tonumber(ARGV[1]) then
  return {'moved', v}
end
local now = tonumber(ARGV[2])
local n = tonumber(redis.call('HGET', cart, 'n') or '0')
for i = 4, #ARGV, 7 do
  local sku = ARGV[i]
  local field = 'l:' .. sku
  if redis.call('HEXISTS', cart, field) == 0 then
    n = n + 1
  end
  local line = {q = tonumber(ARGV[i + 1]), p = ARGV[i + 2], a = tonumber(ARGV[i + 3]),
                u = now, h = tonumber(ARGV[i + 4]), hx = tonumber(ARGV[i + 5])}
  if line.h == 0 then
    line.hx = 0
  end
  redis.call('HSET', cart, field, encode_line(line))
  if ARGV[i + 6] ~= '' then
    redis.call('HSET', cart, 'var:' .. sku, ARGV[i + 6])
  end
end
if ARGV[3] ~= '' then
  redis.call('HSET', cart, 'cur', ARGV[3])
end
set_line_count(cart, n)
commit(cart, nil, now)
redis.call('SET', record, '1', 'EX', 2592000)
return {'ok', state(cart)}
