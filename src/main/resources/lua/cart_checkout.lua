-- Commits a checkout: only if the cart is still at the version the order was computed from,
-- empties it, bumps the version and keeps the order (so a retry with the same key finds it).
-- KEYS[1] cart hash  KEYS[2] order record
-- ARGV[1] version the order was computed from  ARGV[2] now ms  ARGV[3] order JSON
-- Returns {'ok', state} | {'moved', version} | {'placed', order JSON} (already committed)
local cart, order = KEYS[1], KEYS[2]
local placed = redis.call('GET', order)
if placed then
  return {'placed', placed}
end
local v = version(cart)
if v ~= tonumber(ARGV[1]) then
  return {'moved', v}
end
local fields = redis.call('HGETALL', cart)
for i = 1, #fields, 2 do
  local name = fields[i]
  if string.sub(name, 1, 2) == 'l:' or string.sub(name, 1, 4) == 'var:' then
    redis.call('HDEL', cart, name)
  end
end
set_line_count(cart, 0)
commit(cart, nil, tonumber(ARGV[2]))
redis.call('SET', order, ARGV[3], 'EX', 86400)
return {'ok', state(cart)}
