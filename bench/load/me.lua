-- GET /api/auth/me with the bearer token in $TOKEN: token check + user lookup per request.
SCENARIO = os.getenv("SCENARIO") or "me"
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "GET"
wrk.path = "/api/auth/me"
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("TOKEN"), "TOKEN not set")
