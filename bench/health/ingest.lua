-- POST /api/workflows/{WF}/health-logs, batches of BATCH entries with unique client_ids:
-- BATCH-1 step entries (success / healed / failed over the workflow's 3 steps) and one run outcome.
-- Env: TOKEN, WFS (comma-separated "wf:step1:step2:step3"), BATCH (100), SCENARIO.
SCENARIO = os.getenv("SCENARIO") or "ingest"
dofile(os.getenv("HEALTH_BENCH_DIR") .. "/common.lua")

local token = os.getenv("TOKEN")
local batch = tonumber(os.getenv("BATCH") or "100")
local wfs = {}
for spec in string.gmatch(os.getenv("WFS"), "[^,]+") do
  local parts = {}
  for p in string.gmatch(spec, "[^:]+") do table.insert(parts, p) end
  table.insert(wfs, parts)
end

local counter = 0
local tag = ""

function init(args)
  tag = (os.getenv("RUN_TAG") or run_tag) .. "t" .. thread_no   -- thread_no: set by setup() in common.lua
end

local statuses = {"success", "success", "success", "healed_deterministic", "healed_ai", "failed"}

function request()
  counter = counter + 1
  local wf = wfs[(counter % #wfs) + 1]
  local run = string.format("r-%s-%d", tag, counter)
  local parts = {}
  for i = 1, batch - 1 do
    local st = statuses[(i % #statuses) + 1]
    local err = st == "failed" and '"element_not_found"' or "null"
    parts[i] = string.format(
      '{"client_id":"c-%s-%d-%d","run_id":"%s","step_id":%s,"status":"%s","error_type":%s,' ..
      '"execution_time_ms":%d,"page_state_hash":"ps-%d"}',
      tag, counter, i, run, wf[(i % 3) + 2], st, err, 100 + i, i % 7)
  end
  parts[batch] = string.format('{"client_id":"c-%s-%d-run","run_id":"%s","step_id":null,"status":"%s"}',
    tag, counter, run, (counter % 5 == 0) and "failed" or "success")
  local body = '{"entries":[' .. table.concat(parts, ",") .. ']}'
  return wrk.format("POST", "/api/workflows/" .. wf[1] .. "/health-logs",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
