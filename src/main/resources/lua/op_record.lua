-- Shared prelude of the scripts that record an applied op (the loader prepends it): how long that
-- record is kept. An op named after the client's Idempotency-Key (its id starts with 'key-') is
-- kept an hour, for a retry after an answer the client never got; any other op is read only by its
-- own request's steps, so a minute is plenty, and a client's writes leave no more records than
-- its write rate allows in a minute.
local function op_keep(op)
  if string.find(op, ':op:key-', 1, true) then
    return 3600
  end
  return 60
end
