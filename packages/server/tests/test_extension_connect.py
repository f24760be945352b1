"""Connect the extension without typing (issue 15, item 4), server side: the extension zip made
for this server (GET /api/extension.zip) and the one-time connect code the dashboard hands the
extension (POST /api/auth/connect-codes → POST /api/auth/connect). Black box, both engines."""
import io
import json
import zipfile

import pytest

from helpers import assert_envelope, assert_error


@pytest.fixture
def co(server):
    return server.company_team()


# ------------------------------------------------------------------------------------------------
# Connect codes
# ------------------------------------------------------------------------------------------------

def test_a_code_signs_in_once_as_its_maker(server, co):
    admin, regular = co
    r = regular.post("/api/auth/connect-codes")
    data = assert_envelope(r, 201)
    assert set(data) == {"code", "expires_at"} and len(data["code"]) == 43, data
    got = assert_envelope(server.request("POST", "/api/auth/connect", {"code": data["code"]}), 200)
    assert got["user"]["id"] == regular.id and got["user"]["role"] == "regular"
    me = assert_envelope(server.request("GET", "/api/auth/me", token=got["token"]), 200)
    assert me["id"] == regular.id and me["company_id"] == regular.company_id
    # Used: never again.
    assert_error(server.request("POST", "/api/auth/connect", {"code": data["code"]}), 401, "INVALID_CONNECT_CODE")


def test_codes_are_per_request_and_unguessable(server, co):
    admin, _ = co
    a = assert_envelope(admin.post("/api/auth/connect-codes"), 201)["code"]
    b = assert_envelope(admin.post("/api/auth/connect-codes"), 201)["code"]
    assert a != b
    # Asking again does not revoke the first.
    assert assert_envelope(server.request("POST", "/api/auth/connect", {"code": a}), 200)["user"]["id"] == admin.id
    assert assert_envelope(server.request("POST", "/api/auth/connect", {"code": b}), 200)["user"]["id"] == admin.id
    for bad in ("x", a[:-1] + ("A" if a[-1] != "A" else "B"), "0" * 43):
        assert_error(server.request("POST", "/api/auth/connect", {"code": bad}), 401, "INVALID_CONNECT_CODE")


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 5}, {"code": "x" * 65}, {"code": "a", "user_id": 1}])
def test_connect_bad_input(server, body):
    assert server.request("POST", "/api/auth/connect", body).status == 422


def test_a_code_needs_a_signed_in_caller(server):
    assert_error(server.request("POST", "/api/auth/connect-codes"), 401, "UNAUTHORIZED")


def test_a_removed_users_code_signs_nobody_in(server, co):
    admin, regular = co
    code = assert_envelope(regular.post("/api/auth/connect-codes"), 201)["code"]
    assert admin.delete(f"/api/users/{regular.id}").status == 204
    assert_error(server.request("POST", "/api/auth/connect", {"code": code}), 401, "INVALID_CONNECT_CODE")


# ------------------------------------------------------------------------------------------------
# The extension zip
# ------------------------------------------------------------------------------------------------

def built_extension(tmp_path):
    d = tmp_path / "dist"
    (d / "assets").mkdir(parents=True)
    manifest = {"manifest_version": 3, "name": "Stepwise", "version": "0.1.0",
                "externally_connectable": {"matches": ["http://localhost/*"]}}
    (d / "manifest.json").write_text(json.dumps(manifest))
    (d / "background.js").write_text("console.log('bg');\n")
    (d / "assets" / "popup.js").write_bytes(b"\x00\x01binary\xff" * 1000)
    (d / "server.json").write_text('{"server_url": "http://evil.example"}')  # replaced, not kept
    return d


def test_the_zip_is_the_built_extension_pointed_at_this_server(server_factory, tmp_path):
    dist = built_extension(tmp_path)
    srv = server_factory(EXTENSION_DIR=str(dist), PUBLIC_URL="https://stepwise.example.com:8443/")
    r = srv.request("GET", "/api/extension.zip")
    assert r.status == 200, r
    assert r.header("Content-Type") == "application/zip"
    assert "stepwise-extension.zip" in r.header("Content-Disposition")
    z = zipfile.ZipFile(io.BytesIO(r.raw))
    assert z.testzip() is None
    assert sorted(z.namelist()) == ["assets/popup.js", "background.js", "manifest.json", "server.json"]
    assert z.read("background.js") == (dist / "background.js").read_bytes()
    assert z.read("assets/popup.js") == (dist / "assets" / "popup.js").read_bytes()
    assert json.loads(z.read("server.json")) == {"server_url": "https://stepwise.example.com:8443"}
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["name"] == "Stepwise" and manifest["version"] == "0.1.0"
    # The dashboard's origin may connect it (a match pattern's port is any port); what the build
    # allowed stays.
    assert manifest["externally_connectable"]["matches"] == ["http://localhost/*", "https://stepwise.example.com/*"]
    # Made once and kept: the same bytes again.
    assert srv.request("GET", "/api/extension.zip").raw == r.raw


def test_no_built_extension_is_a_clear_404(server_factory, tmp_path):
    srv = server_factory(EXTENSION_DIR=str(tmp_path / "nothing-here"))
    assert_error(srv.request("GET", "/api/extension.zip"), 404, "EXTENSION_NOT_BUILT")


# ------------------------------------------------------------------------------------------------
# The launcher setting, as every member reads it
# ------------------------------------------------------------------------------------------------

def test_the_launcher_is_off_by_default_and_every_member_sees_the_setting(co):
    admin, regular = co
    for who in (admin, regular):
        assert assert_envelope(who.get("/api/auth/me"), 200)["company"]["launcher_enabled"] is False
    r = admin.patch("/api/company", {"settings": {"launcher_enabled": True}})
    assert assert_envelope(r, 200)["settings"]["launcher_enabled"] is True
    for who in (admin, regular):
        assert assert_envelope(who.get("/api/auth/me"), 200)["company"]["launcher_enabled"] is True
    assert regular.patch("/api/company", {"settings": {"launcher_enabled": False}}).status == 403
    assert admin.patch("/api/company", {"settings": {"launcher_enabled": "yes"}}).status == 422
    assert_envelope(admin.patch("/api/company", {"settings": {"launcher_enabled": None}}), 200)
    assert assert_envelope(regular.get("/api/auth/me"), 200)["company"]["launcher_enabled"] is False
