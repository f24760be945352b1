"""The JSON access log: one line per request with method, route template, status, duration and
request id; secrets (passwords, tokens) never appear in the server's output."""
import json
import secrets
import time

from helpers import assert_envelope, unique_email


def log_lines(server):
    with open(server.stdout_path, "rb") as f:
        text = f.read().decode(errors="replace")
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def find_request_line(server, request_id, timeout=5):
    deadline = time.monotonic() + timeout
    while True:
        for rec in log_lines(server):
            if isinstance(rec, dict) and rec.get("request_id") == request_id:
                return rec
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)


def test_access_log_line_per_request(server, team):
    admin, regular = team["a_admin"], team["a_regular"]
    rid = "log-" + secrets.token_hex(6)
    r = admin.patch(f"/api/users/{regular.id}", {"name": regular.user["name"]}, headers={"X-Request-Id": rid})
    assert_envelope(r, 200)
    rec = find_request_line(server, rid)
    assert rec is not None, f"no JSON log line with request_id {rid}"
    assert rec.get("method") == "PATCH", rec
    assert rec.get("route") == "/api/users/{id}", f"route should be the template, not the path: {rec}"
    assert rec.get("status") == 200, rec
    assert any(k.startswith("duration") and isinstance(v, (int, float)) for k, v in rec.items()), rec


def test_access_log_for_errors(server):
    rid = "log-err-" + secrets.token_hex(6)
    server.request("GET", "/api/nope-" + secrets.token_hex(3), headers={"X-Request-Id": rid})
    rec = find_request_line(server, rid)
    assert rec is not None and rec.get("status") == 404, rec


def test_no_secrets_in_server_output(server):
    password = "Leak-Canary-" + secrets.token_hex(8)
    email = unique_email("canary")
    acct = server.signup_admin(email=email, password=password)
    login = assert_envelope(server.login(email, password), 200)
    server.login(email, password + "-wrong")
    acct.get("/api/auth/me")
    invite = server.invite_token(acct)
    assert server.request("GET", f"/api/auth/invites/{invite}").status == 200
    rid = "log-canary-" + secrets.token_hex(6)
    acct.get("/api/auth/me", headers={"X-Request-Id": rid})
    assert find_request_line(server, rid) is not None
    with open(server.stdout_path, "rb") as f:
        out = f.read().decode(errors="replace")
    out += server.stderr_text()
    assert password not in out, "a password appears in the server output"
    assert acct.token not in out and login["token"] not in out, "a JWT appears in the server output"
    assert acct.token.split(".")[2] not in out, "a JWT signature appears in the server output"
    # The access log names the route template, so an invite token in a path is not written out.
    assert invite not in out, "an invite token appears in the server output"
