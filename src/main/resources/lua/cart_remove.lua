-- Removes one line; idempotent (an absent line changes nothing, not even the version).
-- KEYS[1] cart hash
-- ARGV[1] sku  ARGV[2] now ms  ARGV[3] If-Match version or ''
-- ARGV[4] '1' when the caller found the cart in Redis
-- Returns {'ok', units the line still held, state} | {'version_conflict', v} | {'vanished'}
local cart = KEYS[1]
if vanished(cart, ARGV[4]) then
  return {'vanished'}
end
local conflict = stale(cart, ARGV[3])
if conflict then
  return conflict
end
local field = 'l:' .. ARGV[1]
local raw = redis.call('HGET', cart, field)
if not raw then
  return {'ok', 0, state(cart)}
end
local line = decode_line(raw)
redis.call('HDEL', cart, field, 'var:' .. ARGV[1])
set_line_count(cart, tonumber(redis.call('HGET', cart, 'n')) - 1)
commit(cart, nil, tonumber(ARGV[2]))
return {'ok', live_held(line, tonumber(ARGV[2])), state(cart)}
