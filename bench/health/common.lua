-- Shared by ingest.lua and heal.lua: per-thread ids (unique client ids across threads), non-2xx
-- counting, and the result line
--   scenario=<name> rps=<n> p50_ms=<n> p99_ms=<n> p999_ms=<n> max_ms=<n> errors=<n> requests=<n>
threads = {}
local seq = 0

function setup(thread)
  seq = seq + 1
  thread:set("thread_no", seq)
  thread:set("run_tag", string.format("%x", os.time()))
  table.insert(threads, thread)
end

non2xx = 0
first_error = nil

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_error == nil then first_error = status .. " " .. string.sub(body or "", 1, 300) end
  end
end

function done(summary, latency, requests)
  local errors = 0
  for _, t in ipairs(threads) do
    errors = errors + (t:get("non2xx") or 0)
    local fe = t:get("first_error")
    if fe then io.stderr:write("first error: " .. fe .. "\n") end
  end
  local e = summary.errors
  errors = errors + e.connect + e.read + e.write + e.timeout
  if summary.requests == 0 then errors = errors + 1 end
  local secs = summary.duration / 1e6
  io.write(string.format(
    "scenario=%s rps=%.2f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%d requests=%d\n",
    SCENARIO, summary.requests / secs, latency:percentile(50) / 1000.0, latency:percentile(99) / 1000.0,
    latency:percentile(99.9) / 1000.0, latency.max / 1000.0, errors, summary.requests))
end
