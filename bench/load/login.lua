-- POST /api/auth/login with $EMAIL / $PASSWORD: one bcrypt verification per request.
SCENARIO = os.getenv("SCENARIO") or "login"
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "POST"
wrk.path = "/api/auth/login"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"email":"%s","password":"%s"}',
  assert(os.getenv("EMAIL"), "EMAIL not set"), assert(os.getenv("PASSWORD"), "PASSWORD not set"))
