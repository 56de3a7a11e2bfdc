-- Removes a cart from an idle index shard only if its score is still the one the sweep saw (a
-- change meanwhile re-armed it with a newer score, which must stay).
-- KEYS[1] idle index shard
-- ARGV[1] cart id  ARGV[2] the score seen
-- Returns 1 when removed, else 0
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
