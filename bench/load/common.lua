-- Shared wrk helpers: counts non-2xx responses across threads and prints the result line
--   scenario=<name> rps=<n> p50_ms=<n> p99_ms=<n> errors=<n>
-- Scenario scripts set SCENARIO and load this file with dofile().
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

non2xx = 0

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local errors = 0
  for _, t in ipairs(threads) do
    errors = errors + (t:get("non2xx") or 0)
  end
  local e = summary.errors
  errors = errors + e.connect + e.read + e.write + e.timeout
  if summary.requests == 0 then errors = errors + 1 end
  local secs = summary.duration / 1e6
  io.write(string.format("scenario=%s rps=%.2f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
    SCENARIO, summary.requests / secs, latency:percentile(50) / 1000.0,
    latency:percentile(99) / 1000.0, errors))
end
