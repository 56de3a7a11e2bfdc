-- One token from a bucket (token_bucket.lua).
-- KEYS[1] bucket hash (tokens, ts)
-- ARGV[1] rate per second  ARGV[2] burst  ARGV[3] now ms
-- Returns {1, 0} when allowed, or {0, milliseconds until a token is back}
local allowed, wait = take_token(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
return {allowed, wait}
