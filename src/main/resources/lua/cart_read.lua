-- A cart read in one round trip: a token from the reader's bucket (token_bucket.lua), then the
-- cart's hash. The bucket shares the cart's hash tag, so both keys are on one slot. A reader with a
-- near cache asks for more tokens, to spend on reads it serves from memory; they are taken only
-- when there is a cart to keep.
-- KEYS[1] cart hash  KEYS[2] read bucket
-- ARGV[1] rate per second (0: reads are not limited)  ARGV[2] burst  ARGV[3] now ms
-- ARGV[4] tokens wanted (1 is taken, more only if the cart exists and the bucket holds them)
-- Returns {1, tokens taken, fields and values} when allowed (0 tokens when not limited), or
-- {0, milliseconds until a token is back}
local rate = tonumber(ARGV[1])
local taken = 0
if rate > 0 then
  local wait
  taken, wait = take_token(KEYS[2], rate, tonumber(ARGV[2]), tonumber(ARGV[3]), 1)
  if taken == 0 then
    return {0, wait}
  end
end
local cart = redis.call('HGETALL', KEYS[1])
local more = tonumber(ARGV[4]) - 1
if rate > 0 and more > 0 and #cart > 0 then
  taken = taken + take_token(KEYS[2], rate, tonumber(ARGV[2]), tonumber(ARGV[3]), more)
end
return {1, taken, cart}
