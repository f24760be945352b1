"""Health, readiness, the served contract and the docs page (no auth)."""
import json
import re
import urllib.parse

from helpers import assert_envelope, assert_error


def test_health(server):
    r = server.request("GET", "/api/health")
    assert r.body == {"data": {"status": "ok"}, "meta": {}}, r
    assert "application/json" in r.header("Content-Type"), r


def test_ready(server):
    r = server.request("GET", "/api/ready")
    assert r.status == 200, r
    assert r.body == {"data": {"status": "ready", "database": "ok", "migrations": "current"}, "meta": {}}, r


def test_health_and_ready_need_no_token_and_ignore_a_bad_one(server):
    for path in ("/api/health", "/api/ready", "/api/openapi.json", "/api/docs"):
        r = server.request("GET", path, headers={"Authorization": "Bearer not.a.token"})
        assert r.status == 200, (path, r)


def test_openapi_json(server):
    r = server.request("GET", "/api/openapi.json")
    assert r.status == 200, r
    assert "json" in (r.header("Content-Type") or ""), r
    doc = json.loads(r.raw)
    assert isinstance(doc.get("openapi"), str) and doc["openapi"].startswith("3.1"), doc.get("openapi")
    paths = doc.get("paths") or {}
    for p in ("/api/auth/signup", "/api/auth/login", "/api/auth/me", "/api/company", "/api/users",
              "/api/users/{id}", "/api/company/invite-token/rotate", "/api/health", "/api/ready"):
        # The contract may be written with or without the /api server prefix.
        assert p in paths or p[len("/api"):] in paths, (p, sorted(paths))


def test_docs_html_and_local_assets(server):
    r = server.request("GET", "/api/docs", headers={"Accept": "text/html"})
    assert r.status == 200, r
    assert "text/html" in (r.header("Content-Type") or ""), r
    html = r.raw.decode()
    assert "<html" in html.lower(), html[:500]
    # Assets are served locally (no CDN): every script/stylesheet the page references resolves here.
    refs = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert refs, "docs page references no script or stylesheet"
    for ref in refs:
        assert not ref.startswith(("http://", "https://", "//")), f"docs asset not served locally: {ref}"
        path = urllib.parse.urljoin("/api/docs", ref)  # as a browser resolves it
        a = server.request("GET", path, headers={"Accept": "*/*"})
        assert a.status == 200 and len(a.raw) > 0, (path, a.status)


def test_unknown_route_is_404_envelope(server):
    for path in ("/api/nope", "/api/users/1/extra", "/api/auth", "/api/healthz"):
        assert_error(server.request("GET", path), 404, "NOT_FOUND")


def test_wrong_method_is_405_with_allow(server):
    cases = [("DELETE", "/api/health", "GET"), ("POST", "/api/ready", "GET"),
             ("GET", "/api/auth/signup", "POST"), ("PUT", "/api/auth/login", "POST"),
             ("POST", "/api/users", "GET"), ("PUT", "/api/company", "GET")]
    for method, path, allowed in cases:
        r = server.request(method, path, raw=b"{}" if method in ("POST", "PUT") else None,
                           headers={"Content-Type": "application/json"})
        assert_error(r, 405, "METHOD_NOT_ALLOWED")
        allow = [m.strip().upper() for m in (r.header("Allow") or "").split(",")]
        assert allowed in allow, (method, path, r)


def test_success_envelope_meta_always_present(server):
    assert_envelope(server.request("GET", "/api/health"), 200)
