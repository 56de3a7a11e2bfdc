-- A cart read in one round trip: a token from the reader's bucket (token_bucket.lua), then the
-- cart's hash. The bucket shares the cart's hash tag, so both keys are on one slot.
-- KEYS[1] cart hash  KEYS[2] read bucket
-- ARGV[1] rate per second (0: reads are not limited)  ARGV[2] burst  ARGV[3] now ms
-- Returns {1, 0, fields and values} when allowed, or {0, milliseconds until a token is back}
local rate = tonumber(ARGV[1])
if rate > 0 then
  local allowed, wait = take_token(KEYS[2], rate, tonumber(ARGV[2]), tonumber(ARGV[3]))
  if allowed == 0 then
    return {0, wait}
  end
end
return {1, 0, redis.call('HGETALL', KEYS[1])}
