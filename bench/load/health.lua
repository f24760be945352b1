-- GET /api/health, no token.
SCENARIO = os.getenv("SCENARIO") or "health"
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "GET"
wrk.path = "/api/health"
