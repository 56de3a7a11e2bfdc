-- A token bucket: `rate` tokens a second, holding at most `burst`; one request takes one token.
-- A caller may ask for up to `want` tokens (default 1), to spend the rest in its own memory.
-- Returns how many were taken (at least 1) and 0, or 0 and the milliseconds until one is back.
local function take_token(key, rate, burst, now, want)
  local bucket = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens, ts = tonumber(bucket[1]), tonumber(bucket[2])
  if not tokens then
    tokens, ts = burst, now
  end
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
  local allowed, wait = 0, 0
  if tokens >= 1 then
    allowed = math.min(want or 1, math.floor(tokens))
    tokens = tokens - allowed
  else
    wait = math.ceil((1 - tokens) * 1000 / rate)
  end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', now)
  -- An idle bucket refills completely in burst / rate seconds; keep it no longer than that.
  redis.call('PEXPIRE', key, math.ceil(burst * 1000 / rate) + 1000)
  return allowed, wait
end

-- For a script that guards a command with a token: nil when a token was taken (or `rate` is 0,
-- no limit), else the script's refusal {0, milliseconds until a token is back}.
local function refusal(key, rate, burst, now)
  rate = tonumber(rate)
  if rate == 0 then
    return nil
  end
  local allowed, wait = take_token(key, rate, tonumber(burst), tonumber(now))
  if allowed == 0 then
    return {0, wait}
  end
  return nil
end
