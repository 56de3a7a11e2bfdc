-- What a write of one cart reads on the cart's slot before it changes anything, in one round trip:
-- a token from the writer's bucket (token_bucket.lua; it shares the cart's hash tag), whether Redis
-- has the cart (if not, the caller brings it back first), and the cart itself. Nothing is read or
-- changed without a token.
-- KEYS[1] cart hash  KEYS[2] write bucket
-- ARGV[1] rate per second (0: not limited here)  ARGV[2] burst  ARGV[3] now ms
-- Returns {1, 0, exists (0|1), fields and values or {}} | {0, milliseconds until a token is back}
local refused = refusal(KEYS[2], ARGV[1], ARGV[2], ARGV[3])
if refused then
  return refused
end
local exists = redis.call('EXISTS', KEYS[1])
if exists == 1 then
  return {1, 0, 1, redis.call('HGETALL', KEYS[1])}
end
return {1, 0, exists, {}}
