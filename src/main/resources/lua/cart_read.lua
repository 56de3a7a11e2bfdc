-- A cart read in one round trip: a token from the reader's bucket (token_bucket.lua), then the
-- cart's hash. The bucket shares the cart's hash tag, so both keys are on one slot.
-- KEYS[1] cart hash  KEYS[2] read bucket
-- ARGV[1] rate per second (0: reads are not limited)  ARGV[2] burst  ARGV[3] now ms
-- Returns {1, 0, fields and values} when allowed, or {0, milliseconds until a token is back}
local refused = refusal(KEYS[2], ARGV[1], ARGV[2], ARGV[3])
if refused then
  return refused
end
return {1, 0, redis.call('HGETALL', KEYS[1])}
