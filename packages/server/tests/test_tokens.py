"""JWT interop and rejection of forged tokens; bcrypt interop of stored password hashes."""
import hashlib
import hmac
import json
import time

import bcrypt
import jwt
import pytest

from helpers import (JWT_SECRET, assert_envelope, assert_error, b64url, b64url_decode, jwt_parts,
                     unique_email)

WEEK = 7 * 24 * 3600


def hs256(header, payload, secret=JWT_SECRET):
    signing_input = b64url(json.dumps(header, separators=(",", ":"))) + "." + \
        b64url(json.dumps(payload, separators=(",", ":")))
    sig = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(sig)


@pytest.fixture(scope="module")
def accounts(server):
    admin = server.signup_admin()
    regular = server.signup_invited(admin)
    return admin, regular


def claims_for(acct, **over):
    now = int(time.time())
    c = {"sub": str(acct.id), "company_id": acct.company_id, "role": acct.user["role"],
         "iat": now, "exp": now + 3600}
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def me(server, token):
    return server.request("GET", "/api/auth/me", token=token)


def test_server_token_verifies_with_pyjwt(server, accounts):
    admin, regular = accounts
    for acct in (admin, regular):
        claims = jwt.decode(acct.token, JWT_SECRET, algorithms=["HS256"],
                            options={"require": ["sub", "iat", "exp"]})
        header = jwt.get_unverified_header(acct.token)
        assert header["alg"] == "HS256", header
        assert claims["sub"] == str(acct.id) and isinstance(claims["sub"], str), claims
        assert claims["company_id"] == acct.company_id and isinstance(claims["company_id"], int), claims
        assert claims["role"] == acct.user["role"], claims
        assert isinstance(claims["iat"], int) and isinstance(claims["exp"], int), claims
        assert claims["exp"] - claims["iat"] == WEEK, claims
        assert abs(claims["iat"] - time.time()) < 300, claims


def test_login_token_verifies_with_pyjwt(server, accounts):
    admin, _ = accounts
    token = assert_envelope(server.login(admin.email), 200)["token"]
    claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == str(admin.id) and claims["exp"] - claims["iat"] == WEEK


def test_pyjwt_forged_valid_token_is_accepted(server, accounts):
    """Proves the forging below uses the server's real secret, so the rejections are meaningful."""
    admin, _ = accounts
    token = jwt.encode(claims_for(admin), JWT_SECRET, algorithm="HS256")
    assert assert_envelope(me(server, token), 200)["id"] == admin.id
    assert assert_envelope(me(server, hs256({"alg": "HS256", "typ": "JWT"}, claims_for(admin))), 200)["id"] == admin.id


def forged_tokens(admin, regular):
    now = int(time.time())
    good = admin.token
    h, p, s = good.split(".")
    payload = json.loads(b64url_decode(p))
    tampered_role = dict(json.loads(b64url_decode(regular.token.split(".")[1])), role="admin")
    rh, rp, rs = regular.token.split(".")
    tampered_sub = dict(payload, sub=str(regular.id))
    none_header = b64url(json.dumps({"alg": "none", "typ": "JWT"}))
    none_body = b64url(json.dumps(claims_for(admin)))
    return {
        "expired": jwt.encode(claims_for(admin, iat=now - 2 * WEEK, exp=now - WEEK), JWT_SECRET, algorithm="HS256"),
        "expired-1-minute": jwt.encode(claims_for(admin, iat=now - 3600, exp=now - 60), JWT_SECRET,
                                       algorithm="HS256"),
        "no-exp": hs256({"alg": "HS256", "typ": "JWT"}, claims_for(admin, exp=None)),
        "wrong-signature": jwt.encode(claims_for(admin), "another-secret-" + "x" * 40, algorithm="HS256"),
        "signature-flipped": h + "." + p + "." + (s[:-2] + ("AA" if s[-2:] != "AA" else "BB")),
        "signature-stripped": h + "." + p + ".",
        "alg-none": none_header + "." + none_body + ".",
        "alg-none-no-dot": none_header + "." + none_body,
        "alg-None": b64url(json.dumps({"alg": "None"})) + "." + none_body + ".",
        "alg-HS512": jwt.encode(claims_for(admin), JWT_SECRET, algorithm="HS512"),
        "tampered-role": rh + "." + b64url(json.dumps(tampered_role)) + "." + rs,
        "tampered-sub": h + "." + b64url(json.dumps(tampered_sub)) + "." + s,
        "tampered-exp": h + "." + b64url(json.dumps(dict(payload, exp=payload["exp"] + WEEK))) + "." + s,
        "sub-unknown-user": jwt.encode(claims_for(admin, sub="999999999"), JWT_SECRET, algorithm="HS256"),
        "sub-not-a-number": jwt.encode(claims_for(admin, sub="abc"), JWT_SECRET, algorithm="HS256"),
        "sub-missing": jwt.encode(claims_for(admin, sub=None), JWT_SECRET, algorithm="HS256"),
        "sub-huge": jwt.encode(claims_for(admin, sub="9" * 40), JWT_SECRET, algorithm="HS256"),
        "garbage": "not-a-jwt",
        "two-parts": h + "." + p,
        "four-parts": good + ".xyz",
        "bad-base64": "%%%." + p + "." + s,
        "header-not-json": b64url("nope") + "." + p + "." + s,
    }


FORGED = ["expired", "expired-1-minute", "no-exp", "wrong-signature", "signature-flipped",
          "signature-stripped", "alg-none", "alg-none-no-dot", "alg-None", "alg-HS512", "tampered-role",
          "tampered-sub", "tampered-exp", "sub-unknown-user", "sub-not-a-number", "sub-missing", "sub-huge",
          "garbage", "two-parts", "four-parts", "bad-base64", "header-not-json"]


@pytest.mark.parametrize("kind", FORGED)
def test_forged_token_401(server, accounts, kind):
    admin, regular = accounts
    token = forged_tokens(admin, regular)[kind]
    assert_error(me(server, token), 401, "UNAUTHORIZED")
    # An admin endpoint gives 401 too (never 403, never data).
    assert_error(server.request("GET", "/api/company", token=token), 401, "UNAUTHORIZED")


def test_role_claim_is_not_trusted(server, accounts):
    """A correctly signed token claiming admin for a regular user: the role comes from the database."""
    _, regular = accounts
    token = jwt.encode(claims_for(regular, role="admin"), JWT_SECRET, algorithm="HS256")
    r = me(server, token)
    assert assert_envelope(r, 200)["role"] == "regular"
    assert_error(server.request("GET", "/api/users", token=token), 403, "FORBIDDEN")


def test_deleted_users_token_401_at_once(server):
    admin = server.signup_admin()
    victim = server.signup_invited(admin)
    assert me(server, victim.token).status == 200
    r = admin.delete(f"/api/users/{victim.id}")
    assert r.status == 204, r
    assert_error(me(server, victim.token), 401, "UNAUTHORIZED")
    assert_error(server.login(victim.email), 401, "INVALID_CREDENTIALS")


def test_password_hash_verifies_with_python_bcrypt(server):
    email = unique_email("hash")
    password = "Pässwörd-ünïcode-✓"
    acct = server.signup_admin(email=email, password=password)
    stored = server.db.scalar("SELECT password_hash FROM users WHERE email = %s", (email,))
    assert isinstance(stored, str), stored
    assert stored.startswith("$2b$04$"), f"expected $2b$ at BCRYPT_COST=4, got {stored[:7]}"
    assert len(stored) == 60, stored
    assert bcrypt.checkpw(password.encode(), stored.encode())
    assert not bcrypt.checkpw(b"wrong", stored.encode())
    assert acct.id


def test_api_never_returns_password_hash(server):
    """The API never returns the hash."""
    acct = server.signup_admin()
    for path in ("/api/auth/me", "/api/users", "/api/company"):
        raw = acct.get(path).raw
        assert b"$2b$" not in raw and b"password" not in raw.lower(), path


def test_token_header_typ(server, accounts):
    admin, _ = accounts
    header, payload, _ = jwt_parts(admin.token)
    assert header.get("alg") == "HS256"
    assert set(payload) >= {"sub", "company_id", "role", "iat", "exp"}
