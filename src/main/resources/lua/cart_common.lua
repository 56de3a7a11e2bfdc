-- Shared prelude of the cart scripts (the loader prepends it to each of them).
-- A cart is one hash: v (version), n (line count), cur (currency), c (created ms), u (updated ms),
-- sc (last change by the shopper), ab (sc of the idle period reported abandoned), rec (recovered
-- since: a change after the report, not yet announced),
-- l:<sku> = "quantity,unitPrice,addedAt,updatedAt,held,holdExpiresAt" and var:<sku> = variant JSON.
-- A line's unitPrice (p) stays the digit string it came as: tonumber would make a double of it,
-- and a price that a double does not hold exactly would no longer equal the catalog's.
-- An applied write leaves an op record (same slot) so that a retry with the same op id is a no-op.

local function decode_line(raw)
  local q, p, a, u, h, hx = string.match(raw, '^(%d+),(%d+),(%d+),(%d+),(%d+),(%d+)$')
  return {q = tonumber(q), p = p, a = tonumber(a), u = tonumber(u),
          h = tonumber(h), hx = tonumber(hx)}
end

local function encode_line(l)
  return string.format('%d,%s,%d,%d,%d,%d', l.q, l.p, l.a, l.u, l.h, l.hx)
end

-- Units a line still holds at `now`: a lapsed hold counts as none, whether or not the timer
-- has returned its units yet.
local function live_held(line, now)
  if line.hx <= now then
    return 0
  end
  return line.h
end

local function version(cart)
  return tonumber(redis.call('HGET', cart, 'v') or '0')
end

-- nil when the caller's If-Match (ARGV value, '' for none) names the current version.
local function stale(cart, if_match)
  local v = version(cart)
  if if_match ~= '' and tonumber(if_match) ~= v then
    return {'version_conflict', v}
  end
  return nil
end

-- A change by the shopper: bumps the version, restarts the idle clock (sc), and turns a reported
-- abandonment (ab) into a pending recovery (rec) for the gateway to announce.
local function commit(cart, op, now)
  redis.call('HINCRBY', cart, 'v', 1)
  redis.call('HSET', cart, 'u', now, 'sc', now)
  if redis.call('HEXISTS', cart, 'c') == 0 then
    redis.call('HSET', cart, 'c', now)
  end
  if redis.call('HDEL', cart, 'ab') == 1 then
    redis.call('HSET', cart, 'rec', now)
  end
  if op then
    redis.call('SET', op, '1', 'EX', op_keep(op))
  end
end

local function state(cart)
  return redis.call('HGETALL', cart)
end

local function set_line_count(cart, n)
  redis.call('HSET', cart, 'n', n)
  if n == 0 then
    redis.call('HDEL', cart, 'cur')
  end
end

-- Whether a cart the caller found in Redis (existing == '1') is gone: Redis lost its data in
-- between, and a change applied now would start the cart afresh, or answer as if it were empty,
-- over its durable copy.
local function vanished(cart, existing)
  return existing == '1' and redis.call('EXISTS', cart) == 0
end
