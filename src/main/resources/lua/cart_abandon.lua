-- The abandonment marks of one cart, changed atomically on the cart's own slot.
-- ab: the idle period (its sc) reported on cart.abandoned. While the report is being written it
--     holds a claim, '<sc>@<claimed at ms>'; a claim older than the lease belongs to a sweep that
--     died before the event was written, and the next sweep takes it over (at least once).
-- rec: a change after a report (set by commit in cart_common), announced on cart.recovered.
-- KEYS[1] cart hash
-- ARGV[1] operation, then by operation:
--   'claim'   ARGV[2] idle since at most (ms: now - threshold)  ARGV[3] now ms  ARGV[4] lease ms
--             -> {'claimed', idle since, claim, state} | {'empty'} | {'active', last change}
--                | {'reported'} | {'pending'} (another sweep's claim, still within its lease)
--   'done'    ARGV[2] claim: the event is written -> {'reported'} | {'superseded'} (the claim is
--             no longer ours: a change ended the period, or another sweep took it over)
--   'release' ARGV[2] claim: the event could not be written, the next sweep tries again
--             -> {'released'}
--   'restore_rec' ARGV[2] the rec value whose announcement could not be written: puts it back,
--             unless the cart is gone or has a mark again -> {'restored'} | {'kept'}
local cart = KEYS[1]
local op = ARGV[1]

if op == 'done' then
  if redis.call('HGET', cart, 'ab') == ARGV[2] then
    redis.call('HSET', cart, 'ab', string.match(ARGV[2], '^(%d+)@'))
    return {'reported'}
  end
  return {'superseded'}
end

if op == 'release' then
  if redis.call('HGET', cart, 'ab') == ARGV[2] then
    redis.call('HDEL', cart, 'ab')
  end
  return {'released'}
end

if op == 'restore_rec' then
  -- HSETNX alone would bring back a deleted cart as a hash holding only the mark.
  if redis.call('EXISTS', cart) == 1 and redis.call('HSETNX', cart, 'rec', ARGV[2]) == 1 then
    return {'restored'}
  end
  return {'kept'}
end

if op ~= 'claim' then
  return redis.error_reply('unknown operation ' .. tostring(op))
end
local n = tonumber(redis.call('HGET', cart, 'n') or '0')
if n == 0 then
  return {'empty'}
end
local since = redis.call('HGET', cart, 'sc') or redis.call('HGET', cart, 'u')
if tonumber(since) > tonumber(ARGV[2]) then
  return {'active', since}
end
local now = tonumber(ARGV[3])
local ab = redis.call('HGET', cart, 'ab')
if ab == since then
  return {'reported'}
end
if ab then
  local period, claimed_at = string.match(ab, '^(%d+)@(%d+)$')
  if period == since and now - tonumber(claimed_at) < tonumber(ARGV[4]) then
    return {'pending'}
  end
end
-- ARGV[3] as sent: the claim is compared as text, so no number formatting may creep in.
local claim = since .. '@' .. ARGV[3]
redis.call('HSET', cart, 'ab', claim)
return {'claimed', since, claim, redis.call('HGETALL', cart)}
