-- Retires a guest cart after its merge: deletes it and remembers which user it went to (30 days),
-- so that a repeat is a no-op and another user presenting the session is refused.
-- KEYS[1] guest cart hash  KEYS[2] merged-into record (guest slot)
-- ARGV[1] user cart id
-- Returns 1
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'EX', 2592000)
return 1
