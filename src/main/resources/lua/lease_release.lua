-- Releases a lease only if the caller still holds it (it may have expired and been taken since).
-- KEYS[1] lease key
-- ARGV[1] the holder's token
-- Returns 1 when released, else 0
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
