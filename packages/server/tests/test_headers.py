"""X-Request-Id, security headers and CORS."""
import pytest

from helpers import REQUEST_ID_RE, unique_email

EXTENSION = "chrome-extension://mjbjapkbokledfpmbiomgedmlngbdmbh"  # the manifest key's id: EXTENSION_IDS default
DASHBOARD_DEV = "http://localhost:5173"


def sample_responses(server, team):
    admin = team["a_admin"]
    regular = team["a_regular"]
    return {
        "200 health": server.request("GET", "/api/health"),
        "200 me": admin.get("/api/auth/me"),
        "201 signup": server.request("POST", "/api/auth/signup",
                                     {"email": unique_email("hdr"),
                                      "password": "x" * 9, "name": "H", "company_name": "H"}),
        "400 json": server.request("POST", "/api/auth/login", raw=b"{", headers={"Content-Type": "application/json"}),
        "401": server.request("GET", "/api/auth/me"),
        "403": regular.get("/api/users"),
        "404": server.request("GET", "/api/nope"),
        "405": server.request("DELETE", "/api/health"),
        "415": server.request("POST", "/api/auth/login", raw=b"{}", headers={"Content-Type": "text/plain"}),
        "422": server.request("POST", "/api/auth/login", {}),
        "docs": server.request("GET", "/api/docs"),
    }


def test_request_id_and_nosniff_on_every_response(server, team):
    seen = set()
    for label, r in sample_responses(server, team).items():
        rid = r.header("X-Request-Id")
        assert rid and REQUEST_ID_RE.match(rid), (label, r)
        assert rid not in seen, f"request id reused: {label}"
        seen.add(rid)
        assert (r.header("X-Content-Type-Options") or "").lower() == "nosniff", (label, r)


@pytest.mark.parametrize("rid", ["abc-123", "req_1.2-3", "A" * 128, "0"])
def test_sane_request_id_echoed(server, rid):
    for path in ("/api/health", "/api/nope"):
        r = server.request("GET", path, headers={"X-Request-Id": rid})
        assert r.header("X-Request-Id") == rid, r


@pytest.mark.parametrize("rid", ["A" * 129, "has space", "<script>", "semi;colon", "ünï", "a/b", ""])
def test_insane_request_id_replaced(server, rid):
    r = server.request("GET", "/api/health", headers={"X-Request-Id": rid.encode().decode("latin-1")})
    got = r.header("X-Request-Id")
    assert got and got != rid and REQUEST_ID_RE.match(got), r


def test_request_id_on_413(server_factory):
    srv = server_factory(MAX_JSON_BODY_BYTES="1024")
    r = srv.request("POST", "/api/auth/login", raw=b'{"email": "' + b"a" * 3000 + b'"}',
                    headers={"Content-Type": "application/json", "X-Request-Id": "big-one"})
    assert r.status == 413, r
    assert r.header("X-Request-Id") == "big-one", r
    assert (r.header("X-Content-Type-Options") or "").lower() == "nosniff", r


def preflight(server, origin, path="/api/auth/login", method="POST"):
    return server.request("OPTIONS", path, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type, x-request-id"})


def header_list(value):
    return {v.strip().lower() for v in (value or "").split(",") if v.strip()}


@pytest.mark.parametrize("origin", [EXTENSION, DASHBOARD_DEV, "http://localhost:8000"])
def test_cors_preflight_allowed_origins(server, origin):
    for path, method in (("/api/auth/login", "POST"), ("/api/users/1", "PATCH"), ("/api/users/1", "DELETE"),
                         ("/api/auth/me", "GET")):
        r = preflight(server, origin, path, method)
        assert r.status == 204, r
        assert r.raw == b"", r
        assert r.header("Access-Control-Allow-Origin") == origin, r
        assert method in {m.upper() for m in header_list(r.header("Access-Control-Allow-Methods"))}, r
        assert {"authorization", "content-type", "x-request-id"} <= header_list(
            r.header("Access-Control-Allow-Headers")), r
        assert r.header("Access-Control-Max-Age") == "600", r


@pytest.mark.parametrize("origin", ["http://evil.example", "chrome-extension://", "http://localhost:5174",
                                    "http://localhost:5173.evil.example", "null", "https://localhost:5173",
                                    "moz-extension://abcdefghijklmnopabcdefghijklmnop",
                                    "chrome-extension://abcdefghijklmnopabcdefghijklmnop"])
def test_cors_preflight_disallowed_origin(server, origin):
    r = preflight(server, origin)
    assert r.status < 500, r
    assert r.header("Access-Control-Allow-Origin") is None, r
    assert r.header("Access-Control-Allow-Credentials") is None, r


def test_cors_on_actual_requests(server, team):
    admin = team["a_admin"]
    r = admin.get("/api/auth/me", headers={"Origin": DASHBOARD_DEV})
    assert r.status == 200 and r.header("Access-Control-Allow-Origin") == DASHBOARD_DEV, r
    assert "x-request-id" in header_list(r.header("Access-Control-Expose-Headers")), r
    assert "retry-after" in header_list(r.header("Access-Control-Expose-Headers")), r
    r = server.request("GET", "/api/nope", headers={"Origin": EXTENSION})
    assert r.status == 404 and r.header("Access-Control-Allow-Origin") == EXTENSION, r
    r = admin.get("/api/auth/me", headers={"Origin": "http://evil.example"})
    assert r.status == 200 and r.header("Access-Control-Allow-Origin") is None, r
    r = server.request("GET", "/api/health")
    assert r.header("Access-Control-Allow-Origin") is None, r


def test_cors_settings(server_factory):
    srv = server_factory(CORS_ORIGINS="https://app.example.com", CORS_ALLOW_EXTENSIONS="false")
    assert preflight(srv, "https://app.example.com").header("Access-Control-Allow-Origin") == "https://app.example.com"
    assert preflight(srv, DASHBOARD_DEV).header("Access-Control-Allow-Origin") is None
    assert preflight(srv, EXTENSION).header("Access-Control-Allow-Origin") is None


def test_no_hsts_without_trusted_proxy(server):
    r = server.request("GET", "/api/health", headers={"X-Forwarded-Proto": "https"})
    assert r.header("Strict-Transport-Security") is None, r


def test_hsts_behind_trusted_tls_proxy(server_factory):
    srv = server_factory(TRUST_PROXY="true")
    r = srv.request("GET", "/api/health", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=" in (r.header("Strict-Transport-Security") or ""), r
    assert srv.request("GET", "/api/health").header("Strict-Transport-Security") is None


def test_errors_are_json_and_leak_nothing(server, team):
    for label, r in sample_responses(server, team).items():
        if r.status >= 400:
            assert "application/json" in (r.header("Content-Type") or ""), (label, r)
            text = r.raw.decode(errors="replace").lower()
            for leak in ("exception", "stack", "sqlite", "postgres", "soci", "boost", "std::", ".cpp"):
                assert leak not in text, (label, leak, r)

