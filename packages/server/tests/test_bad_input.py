"""Hostile and malformed input: every case gets a clear 4xx envelope (never a 500, never a dropped
connection) and writes nothing. The last test checks the server still answers."""
import json
import socket

import pytest

from helpers import PASSWORD, assert_envelope, assert_error, assert_validation_error, unique_email

MB = 1024 * 1024


def signup_body(email, **over):
    body = {"email": email, "password": PASSWORD, "name": "Bad Input", "company_name": "Bad Input Co"}
    body.update(over)
    return body


def assert_nothing_written(server, email):
    assert_error(server.login(email), 401, "INVALID_CREDENTIALS")


def counts(server):
    return server.db.count("users"), server.db.count("companies")


def http_request(method, path, body=b"", headers=None, port=None):
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    hdrs = dict(headers or {})
    if body is not None and "Transfer-Encoding" not in hdrs:
        hdrs.setdefault("Content-Length", str(len(body)))
    lines += [f"{k}: {v}" for k, v in hdrs.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


# --- malformed JSON -------------------------------------------------------------------------

MALFORMED = [b'{"email": ', b"not json", b'{"email": "a@example.com",}', b"[1, 2", b'{"a": 1} trailing',
             b"{'email': 'single@quotes.com'}", b'{"a": NaN}', b'{"a": Infinity}', b'{"a": 01}',
             b'{"a": "unterminated}', b'{"a": "\\x41"}', b"\x00", b'{"a":1}{"b":2}', b"{" * 3]


@pytest.mark.parametrize("raw", MALFORMED, ids=[repr(m)[:30] for m in MALFORMED])
def test_malformed_json_400(server, raw):
    r = server.request("POST", "/api/auth/signup", raw=raw, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "INVALID_JSON")


def test_malformed_json_on_every_body_endpoint(server):
    admin, regular = server.company_team()
    for method, path in (("POST", "/api/auth/signup"), ("POST", "/api/auth/login"),
                         ("PATCH", "/api/company"), ("PATCH", f"/api/users/{regular.id}")):
        r = server.request(method, path, raw=b'{"name": ', token=admin.token,
                           headers={"Content-Type": "application/json"})
        assert_error(r, 400, "INVALID_JSON")
    assert assert_envelope(regular.get("/api/auth/me"), 200)["role"] == "regular"


def test_empty_body_is_client_error(server):
    r = server.request("POST", "/api/auth/signup", raw=b"", headers={"Content-Type": "application/json"})
    assert_error(r, {400, 422}, {"INVALID_JSON", "VALIDATION_ERROR"})


@pytest.mark.parametrize("raw", [b"[]", b'"string"', b"null", b"1", b"true", b'[{"email": "a@b.co"}]'])
def test_json_not_an_object_422(server, raw):
    r = server.request("POST", "/api/auth/signup", raw=raw, headers={"Content-Type": "application/json"})
    assert_validation_error(r)


# --- content type ---------------------------------------------------------------------------

@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded",
                                   "multipart/form-data; boundary=x", "application/jsonx", "text/json",
                                   "application/xml", ""])
def test_wrong_content_type_415(server, ctype):
    email = unique_email("ct")
    r = server.request("POST", "/api/auth/signup", raw=json.dumps(signup_body(email)).encode(),
                       headers={"Content-Type": ctype})
    assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert_nothing_written(server, email)


def test_wrong_content_type_on_patch_and_login(server):
    admin, regular = server.company_team()
    r = server.request("PATCH", "/api/company", raw=b'{"name": "x"}', token=admin.token,
                       headers={"Content-Type": "text/plain"})
    assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")
    r = server.request("PATCH", f"/api/users/{regular.id}", raw=b'{"role": "admin"}', token=admin.token,
                       headers={"Content-Type": "text/plain"})
    assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")
    r = server.request("POST", "/api/auth/login", raw=json.dumps({"email": admin.email, "password": PASSWORD}).encode(),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert assert_envelope(regular.get("/api/auth/me"), 200)["role"] == "regular"


@pytest.mark.parametrize("ctype", ["application/json; charset=utf-8", "application/json;charset=UTF-8",
                                   "application/json"])
def test_json_content_type_with_charset_ok(server, ctype):
    email = unique_email("cs")
    r = server.request("POST", "/api/auth/signup", raw=json.dumps(signup_body(email)).encode(),
                       headers={"Content-Type": ctype})
    assert assert_envelope(r, 201)["user"]["email"] == email


# --- size limits ----------------------------------------------------------------------------

def test_10mb_body_413(server):
    email = unique_email("big")
    filler = "x" * (10 * MB)
    body = json.dumps(signup_body(email, name=filler)).encode()
    data = http_request("POST", "/api/auth/signup", body, {"Content-Type": "application/json"}, port=server.port)
    resp, err = server.raw(data)
    assert resp is not None, f"connection dropped without a response: {err}"
    assert_error(resp, 413, "PAYLOAD_TOO_LARGE")
    assert_nothing_written(server, email)


def test_10mb_declared_content_length_413(server):
    """Only the header says 10 MB: the server must answer from the header, not wait for the body."""
    data = http_request("POST", "/api/auth/signup", None,
                        {"Content-Type": "application/json", "Content-Length": str(10 * MB)}, port=server.port)
    resp, err = server.raw(data + b'{"email": "x')
    assert resp is not None, f"connection dropped without a response: {err}"
    assert_error(resp, 413, "PAYLOAD_TOO_LARGE")


def test_10mb_chunked_body_413(server):
    email = unique_email("chunk")
    head = http_request("POST", "/api/auth/signup", None,
                        {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}, port=server.port)
    prefix = json.dumps(signup_body(email))[:-1].encode() + b', "x": "'
    piece = b"y" * (256 * 1024)
    chunks = [head, b"%x\r\n%s\r\n" % (len(prefix), prefix)]
    chunks += [b"%x\r\n%s\r\n" % (len(piece), piece)] * 40
    chunks += [b'2\r\n"}\r\n0\r\n\r\n']
    resp, err = server.raw(None, chunks=chunks)
    assert resp is not None, f"connection dropped without a response: {err}"
    assert_error(resp, 413, "PAYLOAD_TOO_LARGE")
    assert_nothing_written(server, email)


@pytest.mark.parametrize("field", ["name", "email", "password", "company_name"])
def test_1mb_string_field_422(server, field):
    email = unique_email("mb")
    body = signup_body(email)
    body[field] = "é" * (MB // 2)
    r = server.request("POST", "/api/auth/signup", body)
    assert_validation_error(r, f"/{field}")
    assert_nothing_written(server, email)


def test_1mb_strings_elsewhere_422(server):
    admin, regular = server.company_team()
    big = "z" * MB
    assert_validation_error(server.request("POST", "/api/auth/login", {"email": admin.email, "password": big}),
                            "/password")
    assert_validation_error(server.request("POST", "/api/auth/login", {"email": big, "password": PASSWORD}),
                            "/email")
    assert_validation_error(admin.patch("/api/company", {"name": big}), "/name")
    assert_validation_error(admin.patch("/api/company", {"settings": {"webhook_url": "https://e.example/" + big}}))
    assert_validation_error(admin.patch(f"/api/users/{regular.id}", {"name": big}), "/name")
    assert_validation_error(server.request("POST", "/api/auth/signup",
                                           {"email": unique_email(), "password": PASSWORD, "name": "x",
                                            "invite_token": big}), "/invite_token")
    r = server.request("GET", "/api/auth/invites/" + "t" * 4000)
    assert_error(r, {404, 414, 422, 431}, {"INVALID_INVITE_TOKEN", "VALIDATION_ERROR", "URI_TOO_LONG",
                                           "HEADER_TOO_LARGE", "HEADERS_TOO_LARGE", "REQUEST_HEADER_FIELDS_TOO_LARGE"})
    assert assert_envelope(admin.get("/api/company"), 200)["name"] != big


def test_many_properties_422(server):
    email = unique_email("props")
    body = signup_body(email)
    body.update({f"k{i}": i for i in range(50000)})
    r = server.request("POST", "/api/auth/signup", body)
    assert_validation_error(r)
    assert_nothing_written(server, email)


def test_small_body_limit_setting(server_factory):
    srv = server_factory(MAX_JSON_BODY_BYTES="1024")
    email = unique_email("tiny")
    small = signup_body(email)
    # A body that is valid in every field, padded with JSON whitespace past the 1024-byte limit:
    # the 413 comes from the size alone.
    big_raw = json.dumps(small).encode() + b" " * 1100
    r = srv.request("POST", "/api/auth/signup", raw=big_raw, headers={"Content-Type": "application/json"})
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")
    assert_nothing_written(srv, email)
    assert assert_envelope(srv.request("POST", "/api/auth/signup", small), 201)["user"]["email"] == email


# --- deep nesting ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", ["array-body", "object-body", "array-in-field", "object-in-field",
                                   "unclosed"])
def test_deeply_nested_json(server, shape):
    depth = 10000
    email = unique_email("deep")
    if shape == "array-body":
        raw = b"[" * depth + b"]" * depth
    elif shape == "object-body":
        raw = b'{"a":' * depth + b"1" + b"}" * depth
    elif shape == "array-in-field":
        raw = (b'{"email": "' + email.encode() + b'", "password": "' + PASSWORD.encode() +
               b'", "company_name": "D", "name": ' + b"[" * depth + b"]" * depth + b"}")
    elif shape == "object-in-field":
        raw = (b'{"email": "' + email.encode() + b'", "password": "' + PASSWORD.encode() +
               b'", "company_name": "D", "name": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}")
    else:
        raw = b"[" * (depth * 10)
    r = server.request("POST", "/api/auth/signup", raw=raw, headers={"Content-Type": "application/json"})
    assert_error(r, {400, 422}, {"INVALID_JSON", "VALIDATION_ERROR"})
    assert_nothing_written(server, email)


def test_deep_nesting_in_settings(server):
    admin = server.signup_admin()
    before = assert_envelope(admin.get("/api/company"), 200)
    raw = b'{"settings": {"webhook_url": ' + b"[" * 10000 + b"]" * 10000 + b"}}"
    r = server.request("PATCH", "/api/company", raw=raw, token=admin.token,
                       headers={"Content-Type": "application/json"})
    assert_error(r, {400, 422}, {"INVALID_JSON", "VALIDATION_ERROR"})
    assert assert_envelope(admin.get("/api/company"), 200) == before


# --- encodings ------------------------------------------------------------------------------

INVALID_UTF8 = {
    "lone-continuation": b"\x80",
    "ff-fe": b"\xff\xfe",
    "overlong-slash": b"\xc0\xaf",
    "truncated-2-byte": b"\xc3",
    "surrogate-encoded": b"\xed\xa0\x80",
    "above-10ffff": b"\xf4\x90\x80\x80",
}


@pytest.mark.parametrize("name", list(INVALID_UTF8))
def test_invalid_utf8_400(server, name):
    bad = INVALID_UTF8[name]
    email = unique_email("utf")
    raw = (b'{"email": "' + email.encode() + b'", "password": "' + PASSWORD.encode() +
           b'", "name": "N' + bad + b'N", "company_name": "U"}')
    r = server.request("POST", "/api/auth/signup", raw=raw, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "INVALID_JSON")
    assert_nothing_written(server, email)


def test_invalid_utf8_in_password_400(server):
    email = unique_email("utfpw")
    raw = b'{"email": "' + email.encode() + b'", "password": "abc\xffdefgh", "name": "N", "company_name": "U"}'
    r = server.request("POST", "/api/auth/signup", raw=raw, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "INVALID_JSON")
    assert_nothing_written(server, email)


@pytest.mark.parametrize("escape", [b"\\ud800", b"\\udc00", b"\\ud800\\u0041", b"\\u0000", b"\\uZZZZ"])
def test_json_escapes_never_500(server, escape):
    """Lone surrogates and NUL in escapes: rejected (400/422) or accepted (201), never a 500."""
    email = unique_email("esc")
    raw = (b'{"email": "' + email.encode() + b'", "password": "' + PASSWORD.encode() +
           b'", "name": "N' + escape + b'N", "company_name": "E"}')
    r = server.request("POST", "/api/auth/signup", raw=raw, headers={"Content-Type": "application/json"})
    if r.status == 201:
        assert_envelope(r, 201)
    else:
        assert_error(r, {400, 422}, {"INVALID_JSON", "VALIDATION_ERROR"})
        assert_nothing_written(server, email)


# --- numbers --------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [b"1e400", b"-1e400", b"99999999999999999999999999", b"1.5", b"-0", b"1e30"])
def test_numbers_out_of_range_in_body(server, value):
    admin, regular = server.company_team()
    raw = b'{"role": ' + value + b"}"
    r = server.request("PATCH", f"/api/users/{regular.id}", raw=raw, token=admin.token,
                       headers={"Content-Type": "application/json"})
    assert_error(r, {400, 422}, {"INVALID_JSON", "VALIDATION_ERROR"})
    raw = b'{"email": ' + value + b', "password": "' + PASSWORD.encode() + b'"}'
    r = server.request("POST", "/api/auth/login", raw=raw, headers={"Content-Type": "application/json"})
    assert_error(r, {400, 422}, {"INVALID_JSON", "VALIDATION_ERROR"})
    assert assert_envelope(regular.get("/api/auth/me"), 200)["role"] == "regular"


@pytest.mark.parametrize("query", ["limit=1e30", "limit=-1", "limit=abc", "offset=-5", "limit=18446744073709551616",
                                   "limit=9223372036854775808", "offset=9223372036854775808",
                                   "limit=1&limit=2000"])
def test_query_numbers_out_of_range_422(server, team, query):
    r = team["a_admin"].get(f"/api/users?{query}")
    if query == "limit=1&limit=2000":
        # A repeated parameter: either rejected, or one of the values used within bounds.
        if r.status == 200:
            assert r.body["meta"]["limit"] in (1,), r
            return
    assert_validation_error(r)


# --- path ids -------------------------------------------------------------------------------

@pytest.mark.parametrize("path_id", ["abc", "1.5", "99999999999999999999", "9223372036854775808",
                                     "%F0%9F%98%80", "1;drop", "1 OR 1=1".replace(" ", "%20")])
def test_non_integer_path_ids_422(server, team, path_id):
    admin = team["a_admin"]
    assert_validation_error(admin.patch(f"/api/users/{path_id}", {"role": "admin"}), "/path/id")
    assert_validation_error(admin.delete(f"/api/users/{path_id}"), "/path/id")


# --- routing --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/does-not-exist", "/api/users/1/2/3", "/api/auth/signup/extra",
                                  "/api/" + "a" * 1000])
def test_unknown_routes_404(server, path):
    assert_error(server.request("GET", path), 404, "NOT_FOUND")


@pytest.mark.parametrize("path", ["/api/%00", "/api/../etc/passwd", "/api/%2e%2e/%2e%2e/etc/passwd", "/api//health/.."])
def test_odd_paths_are_client_errors(server, path):
    assert_error(server.request("GET", path), {400, 404}, {"NOT_FOUND", "BAD_REQUEST", "INVALID_PATH"})


def test_methods_405(server, team):
    admin = team["a_admin"]
    for method, path in (("DELETE", "/api/company"), ("GET", "/api/company/invite-token/rotate"),
                         ("PUT", f"/api/users/{admin.id}"), ("GET", f"/api/users/{admin.id}"),
                         ("DELETE", "/api/auth/me"), ("POST", "/api/health")):
        r = server.request(method, path, token=admin.token, raw=b"{}" if method in ("PUT", "POST") else None,
                           headers={"Content-Type": "application/json"})
        assert_error(r, 405, "METHOD_NOT_ALLOWED")
        assert r.header("Allow"), r


def test_weird_methods_never_500(server):
    for method in ("TRACE", "CONNECT", "PROPFIND", "FOO"):
        resp, err = server.raw(http_request(method, "/api/health", b"", port=server.port))
        if resp is not None:
            assert 400 <= resp.status < 500, (method, resp)


# --- headers and framing --------------------------------------------------------------------

@pytest.mark.parametrize("shape", ["one-huge-header", "many-headers", "huge-cookie"])
def test_header_section_over_limit(server, shape):
    if shape == "one-huge-header":
        extra = {"X-Big": "b" * (128 * 1024)}
    elif shape == "many-headers":
        extra = {f"X-H{i}": "v" * 100 for i in range(2000)}
    else:
        extra = {"Cookie": "; ".join(f"c{i}={'v' * 50}" for i in range(3000))}
    data = http_request("GET", "/api/health", None, extra, port=server.port)
    resp, err = server.raw(data)
    assert resp is not None, f"connection dropped without a response: {err}"
    assert resp.status in (400, 431), resp
    assert isinstance(resp.body, dict) and "error" in resp.body, resp
    assert server.request("GET", "/api/health").status == 200


def test_very_long_request_line(server):
    data = http_request("GET", "/api/health?" + "q" * (256 * 1024), None, port=server.port)
    resp, err = server.raw(data)
    assert resp is not None, f"connection dropped without a response: {err}"
    assert resp.status in (400, 414, 431), resp
    assert server.request("GET", "/api/health").status == 200


@pytest.mark.parametrize("garbage", [b"HELLO\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                                     b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
                                     b"GET /api/health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                                     b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                                     b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                                     b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                     b"Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                                     b"GET /api/health HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n",
                                     b"GET /api/health HTTP/1.1\r\nHost: x\r\nX: \x00\x01\r\n\r\n"])
def test_garbage_requests_never_500(server, garbage):
    resp, err = server.raw(garbage, timeout=10)
    if resp is not None:
        assert resp.status < 500, resp
    assert server.request("GET", "/api/health").status == 200


def test_truncated_body_then_close(server):
    email = unique_email("trunc")
    body = json.dumps(signup_body(email)).encode()
    data = http_request("POST", "/api/auth/signup", None,
                        {"Content-Type": "application/json", "Content-Length": str(len(body) + 100)},
                        port=server.port) + body
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        try:
            s.recv(65536)
        except OSError:
            pass
    assert_nothing_written(server, email)


def test_idle_half_open_connections_do_not_block(server):
    socks = []
    try:
        for _ in range(30):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            s.sendall(b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")
            socks.append(s)
        for _ in range(5):
            assert server.request("GET", "/api/health").status == 200
    finally:
        for s in socks:
            s.close()


def test_keep_alive_many_requests_one_connection(server):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        for i in range(50):
            conn.request("GET", "/api/health" if i % 2 else "/api/nope")
            r = conn.getresponse()
            r.read()
            assert r.status == (200 if i % 2 else 404)
    finally:
        conn.close()


def test_bad_signups_write_no_rows(server):
    before = counts(server)
    bodies = [b'{"email": ', b"[]", json.dumps(signup_body(unique_email(), password="short")).encode(),
              json.dumps(signup_body(unique_email(), name="n" * MB)).encode(),
              json.dumps(signup_body(unique_email(), invite_token="nope")).encode(),
              json.dumps({k: v for k, v in signup_body(unique_email()).items() if k != "name"}).encode(),
              b'{"email": "x@y.co", "password": "' + PASSWORD.encode() + b'", "name": "\xff", "company_name": "Z"}']
    for raw in bodies:
        r = server.request("POST", "/api/auth/signup", raw=raw, headers={"Content-Type": "application/json"})
        assert 400 <= r.status < 500, r
        r = server.request("POST", "/api/auth/signup", raw=raw, headers={"Content-Type": "text/plain"})
        assert 400 <= r.status < 500, r
    assert counts(server) == before


def test_zz_server_still_healthy(server):
    """Runs last in this module: after everything above, the server still answers."""
    assert server.request("GET", "/api/health").body == {"data": {"status": "ok"}, "meta": {}}
    assert server.request("GET", "/api/ready").status == 200
    acct = server.signup_admin()
    assert assert_envelope(acct.get("/api/auth/me"), 200)["id"] == acct.id
