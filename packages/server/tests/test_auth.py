"""Signup, login, /me and invite lookup: success paths, documented errors, input rules."""
import secrets

import pytest

from helpers import (PASSWORD, TIMESTAMP_RE, assert_envelope, assert_error, assert_validation_error,
                     unique_email)

USER_KEYS = {"id", "email", "name", "role", "company_id"}


def signup_body(**over):
    body = {"email": unique_email("su"), "password": PASSWORD, "name": "Sam Signup",
            "company_name": "Signup Co"}
    body.update(over)
    return {k: v for k, v in body.items() if v is not None}


def assert_no_account(server, email, password=PASSWORD):
    """Nothing was written: the credentials do not log in."""
    r = server.login(email, password)
    assert_error(r, 401, "INVALID_CREDENTIALS")


# --- signup ---------------------------------------------------------------------------------

def test_signup_company_creates_admin(server):
    body = signup_body(name="  Ada Lovelace  ", company_name="  Analytical Engines  ")
    r = server.request("POST", "/api/auth/signup", body)
    data = assert_envelope(r, 201)
    assert r.body["meta"] == {}, r
    assert set(data) >= {"token", "user"}, data
    user = data["user"]
    assert set(user) >= USER_KEYS, user
    assert isinstance(user["id"], int) and isinstance(user["company_id"], int), user
    assert user["role"] == "admin"
    assert user["email"] == body["email"]
    assert user["name"] == "Ada Lovelace", "name is trimmed"
    assert "password" not in user and "password_hash" not in user
    assert isinstance(data["token"], str) and data["token"].count(".") == 2
    me = assert_envelope(server.request("GET", "/api/auth/me", token=data["token"]), 200)
    assert me["id"] == user["id"] and me["company"]["id"] == user["company_id"]
    assert me["company"]["name"] == "Analytical Engines", "company name is trimmed"


def test_signup_each_company_is_new(server):
    a = server.signup_admin(company="Same Name")
    b = server.signup_admin(company="Same Name")
    assert a.company_id != b.company_id


def test_signup_with_invite_joins_as_regular(server):
    admin = server.signup_admin()
    invite = server.invite_token(admin)
    email = unique_email("joiner")
    r = server.request("POST", "/api/auth/signup",
                       {"email": email, "password": PASSWORD, "name": "Joe", "invite_token": invite})
    data = assert_envelope(r, 201)
    assert data["user"]["role"] == "regular"
    assert data["user"]["company_id"] == admin.company_id
    assert data["user"]["email"] == email
    me = assert_envelope(server.request("GET", "/api/auth/me", token=data["token"]), 200)
    assert me["role"] == "regular" and me["company"]["id"] == admin.company_id


def test_signup_unknown_invite_token(server):
    body = signup_body(company_name=None, invite_token="no-such-invite-" + secrets.token_hex(8))
    assert_error(server.request("POST", "/api/auth/signup", body), 400, "INVALID_INVITE_TOKEN")
    assert_no_account(server, body["email"])


def test_signup_email_taken_across_case_and_whitespace(server):
    email = unique_email("taken")
    server.signup_admin(email=email)
    for variant in (email, email.upper(), f"  {email.title()}  "):
        r = server.request("POST", "/api/auth/signup", signup_body(email=variant))
        assert_error(r, 409, "EMAIL_TAKEN")
    # Also when joining through an invite.
    other = server.signup_admin()
    r = server.request("POST", "/api/auth/signup",
                       signup_body(email=email.upper(), company_name=None, invite_token=server.invite_token(other)))
    assert_error(r, 409, "EMAIL_TAKEN")
    assert other.get("/api/company").body["data"]["user_count"] == 1


def test_signup_email_normalised(server):
    local = "Mixed.Case-" + secrets.token_hex(4)
    raw = f"  {local}@Example.COM \t"
    r = server.request("POST", "/api/auth/signup", signup_body(email=raw))
    data = assert_envelope(r, 201)
    expected = f"{local}@example.com".lower()
    assert data["user"]["email"] == expected
    # Login with any case and surrounding whitespace finds the same user.
    for variant in (expected, expected.upper(), f" {raw} "):
        d = assert_envelope(server.login(variant), 200)
        assert d["user"]["id"] == data["user"]["id"]


@pytest.mark.parametrize("email", [
    "", "   ", "plainaddress", "@example.com", "user@", "user@@example.com", "us er@example.com",
    "user@exa mple.com", "user@localhost", "user@example", "a" * 250 + "@example.com",
])
def test_signup_invalid_email_422(server, email):
    body = signup_body(email=email)
    assert_validation_error(server.request("POST", "/api/auth/signup", body), "/email")


PASSWORD_CASES = [
    ("7 ascii bytes", "a" * 7, 422),
    ("8 ascii bytes", "a" * 8, 201),
    ("72 ascii bytes", "p" * 72, 201),
    ("73 ascii bytes", "p" * 73, 422),
    ("72 bytes of 2-byte chars", "é" * 36, 201),
    ("73 bytes: 36 x 2-byte + 1", "é" * 36 + "x", 422),
    ("37 chars but 74 bytes", "é" * 37, 422),
    ("72 bytes of 4-byte chars", "\U0001F600" * 18, 201),
    ("76 bytes of 4-byte chars (19 chars)", "\U0001F600" * 19, 422),
    ("4 chars but 8 bytes", "éééé", 201),
    ("3 chars, 6 bytes", "ééé", 422),
]


@pytest.mark.parametrize("label,password,status", PASSWORD_CASES, ids=[c[0] for c in PASSWORD_CASES])
def test_signup_password_length_in_bytes(server, label, password, status):
    email = unique_email("pw")
    r = server.request("POST", "/api/auth/signup", signup_body(email=email, password=password))
    if status == 201:
        assert_envelope(r, 201)
        d = assert_envelope(server.login(email, password), 200)
        assert d["user"]["email"] == email
        # bcrypt truncation must not make a longer password equal: the last byte matters.
        if len(password.encode()) == 72:
            assert_error(server.login(email, password[:-1] + ("q" if password[-1] != "q" else "r")), 401,
                         "INVALID_CREDENTIALS")
    else:
        assert_validation_error(r, "/password")
        assert_no_account(server, email, password)


@pytest.mark.parametrize("field,value", [
    ("name", ""), ("name", "   "), ("name", "n" * 201), ("name", 42), ("name", None),
    ("company_name", ""), ("company_name", "  "), ("company_name", "c" * 201), ("company_name", ["x"]),
    ("email", 12345), ("password", 12345678), ("password", None), ("email", None),
])
def test_signup_field_rules_422(server, field, value):
    email = unique_email("fr")
    body = signup_body(email=email if field != "email" else None)
    if value is None:
        body.pop(field, None)
    else:
        body[field] = value
    r = server.request("POST", "/api/auth/signup", body)
    assert_validation_error(r)
    if field != "email":
        assert_no_account(server, email)


def test_signup_name_limits_ok(server):
    r = server.request("POST", "/api/auth/signup",
                       signup_body(name="n" * 200, company_name="c" * 200))
    data = assert_envelope(r, 201)
    assert data["user"]["name"] == "n" * 200


@pytest.mark.parametrize("shape", ["both", "neither", "extra-property", "invite-empty", "invite-too-long"])
def test_signup_shape_rules_422(server, shape):
    admin = server.signup_admin()
    invite = server.invite_token(admin)
    email = unique_email("shape")
    body = {"email": email, "password": PASSWORD, "name": "S"}
    if shape == "both":
        body.update(company_name="X", invite_token=invite)
    elif shape == "extra-property":
        body.update(company_name="X", role="admin")
    elif shape == "invite-empty":
        body.update(invite_token="")
    elif shape == "invite-too-long":
        body.update(invite_token="i" * 129)
    r = server.request("POST", "/api/auth/signup", body)
    assert_validation_error(r)
    assert_no_account(server, email)
    assert admin.get("/api/company").body["data"]["user_count"] == 1


def test_signup_cannot_choose_role(server):
    admin = server.signup_admin()
    r = server.request("POST", "/api/auth/signup",
                       {"email": unique_email(), "password": PASSWORD, "name": "X",
                        "invite_token": server.invite_token(admin), "role": "admin"})
    assert_validation_error(r)


# --- login ----------------------------------------------------------------------------------

def test_login_success_shape(server):
    acct = server.signup_admin()
    r = server.login(acct.email)
    data = assert_envelope(r, 200)
    assert r.body["meta"] == {}
    assert set(data["user"]) >= USER_KEYS
    assert data["user"]["id"] == acct.id and data["user"]["role"] == "admin"
    assert data["user"]["company_id"] == acct.company_id
    assert assert_envelope(server.request("GET", "/api/auth/me", token=data["token"]), 200)["id"] == acct.id


def test_login_wrong_password_and_unknown_email_alike(server):
    acct = server.signup_admin()
    wrong = server.login(acct.email, "wrong password!")
    unknown = server.login(unique_email("ghost"), "wrong password!")
    e1 = assert_error(wrong, 401, "INVALID_CREDENTIALS")
    e2 = assert_error(unknown, 401, "INVALID_CREDENTIALS")
    assert e1 == e2, "unknown email and wrong password must be indistinguishable"


@pytest.mark.parametrize("body", [
    {}, {"email": "a@example.com"}, {"password": "x" * 10},
    {"email": "a@example.com", "password": ""},
    {"email": "a@example.com", "password": "p" * 1025},
    {"email": "a@example.com", "password": 12345678},
    {"email": ["a@example.com"], "password": "p" * 10},
    {"email": "a@example.com", "password": "p" * 10, "extra": 1},
])
def test_login_validation_422(server, body):
    assert_validation_error(server.request("POST", "/api/auth/login", body))


def test_login_long_password_up_to_1024_is_just_wrong(server):
    acct = server.signup_admin()
    assert_error(server.login(acct.email, "p" * 1024), 401, "INVALID_CREDENTIALS")


def test_last_login_at_set_after_login(server):
    acct = server.signup_admin()
    acct.relogin()
    me = assert_envelope(acct.get("/api/auth/me"), 200)
    assert isinstance(me["last_login_at"], str) and TIMESTAMP_RE.match(me["last_login_at"]), me
    assert TIMESTAMP_RE.match(me["created_at"]), me
    assert me["last_login_at"] >= me["created_at"], me


# --- /me ------------------------------------------------------------------------------------

def test_me_shape(server):
    acct = server.signup_admin(name="Me Myself", company="Me Co")
    r = acct.get("/api/auth/me")
    me = assert_envelope(r, 200)
    assert set(me) >= {"id", "email", "name", "role", "company_id", "created_at", "last_login_at", "company"}
    assert me["email"] == acct.email and me["name"] == "Me Myself" and me["role"] == "admin"
    assert me["company"] == {"id": acct.company_id, "name": "Me Co"} or (
        me["company"]["id"] == acct.company_id and me["company"]["name"] == "Me Co")
    assert "password_hash" not in me


AUTH_HEADERS = [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "Bearer a.b.c",
                "Bearer " + "x" * 4000, "bearer", "Bearer \xe9\xe9"]


@pytest.mark.parametrize("auth", AUTH_HEADERS, ids=[repr(a)[:24] for a in AUTH_HEADERS])
def test_me_without_valid_token_401(server, auth):
    headers = {"Authorization": auth} if auth is not None else None
    assert_error(server.request("GET", "/api/auth/me", headers=headers), 401, "UNAUTHORIZED")


# --- invite lookup --------------------------------------------------------------------------

def test_invite_lookup(server):
    admin = server.signup_admin(company="Invite Lookup Co")
    invite = server.invite_token(admin)
    r = server.request("GET", f"/api/auth/invites/{invite}")
    assert assert_envelope(r, 200) == {"company_name": "Invite Lookup Co"}


@pytest.mark.parametrize("token", ["nope", "x" * 128, "x" * 300, "%00", "..%2F..%2Fetc", "%ZZ"],
                         ids=["short", "128", "300", "nul", "dot-dot", "bad-escape"])
def test_invite_lookup_unknown_404(server, token):
    # Odd paths may be refused before routing (400 BAD_REQUEST / 404 NOT_FOUND): still a clear 4xx.
    assert_error(server.request("GET", f"/api/auth/invites/{token}"), {400, 404, 422},
                 {"INVALID_INVITE_TOKEN", "VALIDATION_ERROR", "NOT_FOUND", "BAD_REQUEST"})


def test_invite_lookup_unknown_is_invalid_invite_token(server):
    assert_error(server.request("GET", "/api/auth/invites/" + secrets.token_hex(16)), 404, "INVALID_INVITE_TOKEN")
