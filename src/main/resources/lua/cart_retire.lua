-- Retires a guest cart after its merge: empties it into a tombstone one version further (so that
-- its cart.events record supersedes every earlier one, and a later change by the same session
-- continues the versions), and remembers which user it went to (30 days), so that a repeat is a
-- no-op and another user presenting the session is refused.
-- KEYS[1] guest cart hash  KEYS[2] merged-into record (guest slot)
-- ARGV[1] user cart id  ARGV[2] now ms
-- Returns the tombstone's version
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0') + 1
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', v, 'u', ARGV[2])
redis.call('SET', KEYS[2], ARGV[1], 'EX', 2592000)
return v
