"""GET/PATCH /api/company and invite-token rotation: success, errors, role rules."""
import pytest

from helpers import PASSWORD, TIMESTAMP_RE, assert_envelope, assert_error, assert_validation_error, unique_email

COMPANY_KEYS = {"id", "name", "settings", "invite_token", "created_at", "user_count"}


def test_get_company_admin(server):
    admin = server.signup_admin(company="Get Co")
    server.signup_invited(admin)
    r = admin.get("/api/company")
    data = assert_envelope(r, 200)
    assert set(data) >= COMPANY_KEYS, data
    assert data["id"] == admin.company_id and data["name"] == "Get Co"
    assert isinstance(data["settings"], dict)
    assert isinstance(data["invite_token"], str) and 1 <= len(data["invite_token"]) <= 128
    assert TIMESTAMP_RE.match(data["created_at"]), data
    assert data["user_count"] == 2


def test_company_admin_endpoints_forbidden_for_regular(server):
    admin, regular = server.company_team()
    before = assert_envelope(admin.get("/api/company"), 200)
    assert_error(regular.get("/api/company"), 403, "FORBIDDEN")
    assert_error(regular.patch("/api/company", {"name": "Hijacked"}), 403, "FORBIDDEN")
    assert_error(regular.patch("/api/company", {"settings": {"webhook_url": "https://evil.example/x"}}),
                 403, "FORBIDDEN")
    assert_error(regular.post("/api/company/invite-token/rotate"), 403, "FORBIDDEN")
    after = assert_envelope(admin.get("/api/company"), 200)
    assert after["name"] == before["name"] and after["invite_token"] == before["invite_token"]
    assert after["settings"] == before["settings"]


def test_company_endpoints_need_token(server):
    for method, path in (("GET", "/api/company"), ("PATCH", "/api/company"),
                         ("POST", "/api/company/invite-token/rotate")):
        r = server.request(method, path, body={"name": "x"} if method == "PATCH" else None)
        assert_error(r, 401, "UNAUTHORIZED")


def test_patch_company_name(server):
    admin = server.signup_admin(company="Old Name")
    invite = server.invite_token(admin)
    r = admin.patch("/api/company", {"name": "  New Name  "})
    data = assert_envelope(r, 200)
    assert set(data) >= COMPANY_KEYS
    assert data["name"] == "New Name"
    assert assert_envelope(admin.get("/api/company"), 200)["name"] == "New Name"
    assert assert_envelope(admin.get("/api/auth/me"), 200)["company"]["name"] == "New Name"
    assert assert_envelope(server.request("GET", f"/api/auth/invites/{invite}"), 200)["company_name"] == "New Name"


def test_patch_company_settings_merge_and_remove(server):
    admin = server.signup_admin()
    url = "https://93.184.216.34/stepwise?x=1"  # a public address: no DNS needed here
    data = assert_envelope(admin.patch("/api/company", {"settings": {"webhook_url": url}}), 200)
    assert data["settings"].get("webhook_url") == url
    # Changing only the name keeps settings.
    data = assert_envelope(admin.patch("/api/company", {"name": "Renamed"}), 200)
    assert data["settings"].get("webhook_url") == url and data["name"] == "Renamed"
    # Empty settings object merges nothing.
    data = assert_envelope(admin.patch("/api/company", {"settings": {}}), 200)
    assert data["settings"].get("webhook_url") == url
    # null removes the key.
    data = assert_envelope(admin.patch("/api/company", {"settings": {"webhook_url": None}}), 200)
    assert "webhook_url" not in data["settings"] or data["settings"]["webhook_url"] is None
    got = assert_envelope(admin.get("/api/company"), 200)
    assert got["settings"] == data["settings"]


@pytest.mark.parametrize("body", [
    {}, {"name": ""}, {"name": "   "}, {"name": "n" * 201}, {"name": None}, {"name": 5},
    {"settings": None}, {"settings": "x"}, {"settings": {"webhook_url": "not a uri"}},
    {"settings": {"webhook_url": "https://e.example/" + "a" * 2048}},
    {"settings": {"webhook_url": 5}}, {"settings": {"unknown_key": 1}},
    {"id": 5}, {"invite_token": "mine"}, {"name": "ok", "extra": True},
], ids=lambda b: str(b)[:40])
def test_patch_company_validation_422(server, body):
    admin = server.signup_admin(company="Stable Name")
    before = assert_envelope(admin.get("/api/company"), 200)
    assert_validation_error(admin.patch("/api/company", body))
    after = assert_envelope(admin.get("/api/company"), 200)
    assert after == before, "a rejected PATCH changed the company"


def test_patch_company_name_200_chars(server):
    admin = server.signup_admin()
    assert assert_envelope(admin.patch("/api/company", {"name": "x" * 200}), 200)["name"] == "x" * 200


def test_rotate_invite_token(server):
    admin = server.signup_admin(company="Rotate Co")
    old = server.invite_token(admin)
    r = admin.post("/api/company/invite-token/rotate")
    data = assert_envelope(r, 200)
    new = data["invite_token"]
    assert isinstance(new, str) and new and new != old
    assert assert_envelope(admin.get("/api/company"), 200)["invite_token"] == new
    # The old token stops working at once, for lookup and signup.
    assert_error(server.request("GET", f"/api/auth/invites/{old}"), 404, "INVALID_INVITE_TOKEN")
    email = unique_email("late")
    r = server.request("POST", "/api/auth/signup",
                       {"email": email, "password": PASSWORD, "name": "Late", "invite_token": old})
    assert_error(r, 400, "INVALID_INVITE_TOKEN")
    assert_error(server.login(email), 401, "INVALID_CREDENTIALS")
    # The new one works.
    assert assert_envelope(server.request("GET", f"/api/auth/invites/{new}"), 200)["company_name"] == "Rotate Co"
    joined = server.signup_invited(invite_token=new)
    assert joined.company_id == admin.company_id and joined.user["role"] == "regular"


def test_rotate_accepts_empty_json_body(server):
    admin = server.signup_admin()
    old = server.invite_token(admin)
    r = admin.post("/api/company/invite-token/rotate", {})
    assert assert_envelope(r, 200)["invite_token"] != old


def test_invite_tokens_unique_and_unguessable(server):
    tokens = set()
    for _ in range(5):
        admin = server.signup_admin()
        tokens.add(server.invite_token(admin))
        tokens.add(assert_envelope(admin.post("/api/company/invite-token/rotate"), 200)["invite_token"])
    assert len(tokens) == 10
    assert all(len(t) >= 16 for t in tokens), tokens
