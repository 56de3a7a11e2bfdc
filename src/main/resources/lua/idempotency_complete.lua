-- Replaces a claimed key's claim with its answer, and moves the key's expiry in the owner's index.
-- KEYS[1] idempotency record  KEYS[2] the owner's index of live keys (as idempotency_begin)
-- ARGV[1] the answer (JSON)  ARGV[2] how long it is kept, ms  ARGV[3] the key  ARGV[4] now ms
-- ARGV[5] index lifetime ms (the longest a record is kept)
-- Returns 1
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], tonumber(ARGV[4]) + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1
