-- Sets one line's quantity; the caller has already held (or will release) the difference.
-- KEYS[1] cart hash   KEYS[2] op record
-- ARGV[1] sku  ARGV[2] new quantity  ARGV[3] quantity the caller read  ARGV[4] held delta
-- ARGV[5] hold expiresAt ms  ARGV[6] now ms  ARGV[7] If-Match version or ''
-- Returns {'ok', '', state} | {'version_conflict', v} | {'line_not_found'} | {'moved', quantity}
--       | {'vanished'}
-- ('moved': a concurrent write changed the line since the caller read it; nothing applied)
local cart, op = KEYS[1], KEYS[2]
if redis.call('EXISTS', op) == 1 then
  return {'ok', 'replayed', state(cart)}
end
-- The caller read the line from Redis, so the cart was there.
if vanished(cart, '1') then
  return {'vanished'}
end
local conflict = stale(cart, ARGV[7])
if conflict then
  return conflict
end
local field = 'l:' .. ARGV[1]
local raw = redis.call('HGET', cart, field)
if not raw then
  return {'line_not_found'}
end
local line = decode_line(raw)
if line.q ~= tonumber(ARGV[3]) then
  return {'moved', line.q}
end
local now = tonumber(ARGV[6])
line.q, line.u = tonumber(ARGV[2]), now
line.h = math.max(0, live_held(line, now) + tonumber(ARGV[4]))
line.hx = line.h > 0 and tonumber(ARGV[5]) or 0
redis.call('HSET', cart, field, encode_line(line))
commit(cart, op, now)
return {'ok', '', state(cart)}
