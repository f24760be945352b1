-- POST /api/workflows/{WF}/auto-heal with a clear winner (score 92, next 40: no AI).
-- Env: TOKEN, WF, STEP, MODE = fresh (a new page state per request: decided, applied, cached)
--      | cached (one page state, decided before the run: every request is a cache hit)
--      | nostate (no page state: decided and applied every time, nothing cached),
--      SHOT (optional file holding a base64 screenshot sent as current_screenshot), SCENARIO.
SCENARIO = os.getenv("SCENARIO") or "heal"
dofile(os.getenv("HEALTH_BENCH_DIR") .. "/common.lua")

local token = os.getenv("TOKEN")
local wf = os.getenv("WF")
local step = os.getenv("STEP")
local mode = os.getenv("MODE") or "fresh"
local shot = ""
local shot_file = os.getenv("SHOT")
if shot_file and shot_file ~= "" then
  local f = assert(io.open(shot_file, "rb"))
  shot = ',"current_screenshot":"' .. f:read("*a"):gsub("%s", "") .. '"'
  f:close()
end
local path = "/api/workflows/" .. wf .. "/auto-heal"
local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
local candidates = '[{"selector":"#heal-a","deterministic_score":92,' ..
  '"element_meta":{"tag_name":"button","inner_text":"Save","bounding_box":{"x":1,"y":2,"width":80,"height":30}}},' ..
  '{"selector":"#heal-b","deterministic_score":40,"element_meta":{"tag_name":"a","inner_text":"Cancel"}}]'
local counter = 0
local tag = ""
local fixed = nil

function init(args)
  tag = (os.getenv("RUN_TAG") or run_tag) .. "t" .. thread_no
  if mode == "cached" then
    fixed = wrk.format("POST", path, headers, '{"step_id":' .. step .. ',"candidates":' .. candidates ..
      ',"current_page_state_hash":"' .. (os.getenv("STATE") or "bench-cached") .. '"' .. shot .. '}')
  end
end

function request()
  if fixed then return fixed end
  counter = counter + 1
  local state = ""
  if mode == "fresh" then state = string.format(',"current_page_state_hash":"ps-%s-%d"', tag, counter) end
  return wrk.format("POST", path, headers,
    '{"step_id":' .. step .. ',"candidates":' .. candidates .. state .. shot .. '}')
end
