-- Empties a cart; idempotent (an empty cart changes nothing, not even the version).
-- KEYS[1] cart hash
-- ARGV[1] now ms  ARGV[2] If-Match version or ''
-- ARGV[3] '1' when the caller found the cart in Redis
-- Returns {'ok', {sku, units held, sku, units held, ...}, state} | {'version_conflict', v}
--       | {'vanished'}
local cart = KEYS[1]
if vanished(cart, ARGV[3]) then
  return {'vanished'}
end
local conflict = stale(cart, ARGV[2])
if conflict then
  return conflict
end
local released = {}
local fields = redis.call('HGETALL', cart)
for i = 1, #fields, 2 do
  local name = fields[i]
  if string.sub(name, 1, 2) == 'l:' then
    released[#released + 1] = string.sub(name, 3)
    released[#released + 1] = live_held(decode_line(fields[i + 1]), tonumber(ARGV[1]))
    redis.call('HDEL', cart, name, 'var:' .. string.sub(name, 3))
  end
end
if #released > 0 then
  set_line_count(cart, 0)
  commit(cart, nil, tonumber(ARGV[1]))
end
return {'ok', released, state(cart)}
