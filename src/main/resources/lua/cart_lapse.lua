-- Marks a line's hold as lapsed (held 0) once its expiry has passed, bumping the version so that
-- the cart's ETag changes with its representation. Not a change by the shopper: the idle clock
-- runs on. Idempotent; a renewed hold is left alone.
-- KEYS[1] cart hash
-- ARGV[1] sku  ARGV[2] now ms
-- Returns 1 when the line changed, else 0
local cart = KEYS[1]
local field = 'l:' .. ARGV[1]
local raw = redis.call('HGET', cart, field)
if not raw then
  return 0
end
local line = decode_line(raw)
local now = tonumber(ARGV[2])
if line.h == 0 or line.hx > now then
  return 0
end
line.h, line.hx = 0, 0
redis.call('HSET', cart, field, encode_line(line))
redis.call('HINCRBY', cart, 'v', 1)
redis.call('HSET', cart, 'u', now)
return 1
