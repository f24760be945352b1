"""Two companies: nothing of one is readable or writable by the other, on every endpoint."""
import time

import jwt
import pytest

from helpers import JWT_SECRET, assert_envelope, assert_error


@pytest.fixture
def two(server):
    """Fresh companies per test, since these tests write."""
    a_admin, a_regular = server.company_team()
    b_admin, b_regular = server.company_team()
    return a_admin, a_regular, b_admin, b_regular


def snapshot(acct):
    """What company A looks like through its own admin."""
    company = assert_envelope(acct.get("/api/company"), 200)
    users = assert_envelope(acct.get("/api/users?limit=200"), 200)
    return company, users


def test_reads_are_scoped(two):
    a_admin, a_regular, b_admin, b_regular = two
    a_company, a_users = snapshot(a_admin)
    b_company = assert_envelope(b_admin.get("/api/company"), 200)
    assert b_company["id"] == b_admin.company_id != a_admin.company_id
    assert b_company["invite_token"] != a_company["invite_token"]
    b_list = b_admin.get("/api/users?limit=200")
    b_users = assert_envelope(b_list, 200)
    assert b_list.body["meta"]["total"] == 2
    assert {u["id"] for u in b_users} == {b_admin.id, b_regular.id}
    assert all(u["company_id"] == b_admin.company_id for u in b_users)
    a_emails = {u["email"] for u in a_users}
    assert not a_emails & {u["email"] for u in b_users}
    me = assert_envelope(b_regular.get("/api/auth/me"), 200)
    assert me["company"]["id"] == b_admin.company_id


@pytest.mark.parametrize("target", ["a_regular", "a_admin"])
def test_patch_other_company_user_404(two, target):
    a_admin, a_regular, b_admin, _ = two
    victim = {"a_regular": a_regular, "a_admin": a_admin}[target]
    before = snapshot(a_admin)
    r_other = b_admin.patch(f"/api/users/{victim.id}", {"role": "admin" if target == "a_regular" else "regular"})
    e_other = assert_error(r_other, 404, "USER_NOT_FOUND")
    r_name = b_admin.patch(f"/api/users/{victim.id}", {"name": "Pwned"})
    assert_error(r_name, 404, "USER_NOT_FOUND")
    # Indistinguishable from a missing id.
    e_missing = assert_error(b_admin.patch("/api/users/99999999", {"role": "admin"}), 404, "USER_NOT_FOUND")
    assert e_other["code"] == e_missing["code"] and e_other["details"] == e_missing["details"]
    assert snapshot(a_admin) == before


@pytest.mark.parametrize("target", ["a_regular", "a_admin"])
def test_delete_other_company_user_404(two, target):
    a_admin, a_regular, b_admin, _ = two
    victim = {"a_regular": a_regular, "a_admin": a_admin}[target]
    before = snapshot(a_admin)
    assert_error(b_admin.delete(f"/api/users/{victim.id}"), 404, "USER_NOT_FOUND")
    assert assert_envelope(victim.get("/api/auth/me"), 200)["id"] == victim.id
    assert snapshot(a_admin) == before


def test_company_writes_stay_in_own_company(two):
    a_admin, _, b_admin, _ = two
    before = snapshot(a_admin)
    assert_envelope(b_admin.patch("/api/company", {"name": "B Renamed",
                                                   "settings": {"webhook_url": "https://93.184.216.34/hook"}}), 200)
    assert_envelope(b_admin.post("/api/company/invite-token/rotate"), 200)
    assert snapshot(a_admin) == before


def test_invite_joins_the_inviting_company_only(server, two):
    a_admin, _, b_admin, _ = two
    before = snapshot(a_admin)
    joined = server.signup_invited(b_admin)
    assert joined.company_id == b_admin.company_id
    assert snapshot(a_admin) == before
    assert assert_envelope(b_admin.get("/api/company"), 200)["user_count"] == 3


def test_regular_of_other_company_gets_nothing(two):
    a_admin, a_regular, _, b_regular = two
    before = snapshot(a_admin)
    for r in (b_regular.get("/api/company"), b_regular.get("/api/users"),
              b_regular.patch(f"/api/users/{a_regular.id}", {"role": "admin"}),
              b_regular.delete(f"/api/users/{a_regular.id}"),
              b_regular.post("/api/company/invite-token/rotate")):
        assert_error(r, {403, 404}, {"FORBIDDEN", "USER_NOT_FOUND"})
        assert a_admin.email.encode() not in r.raw
    assert snapshot(a_admin) == before


def test_token_company_claim_cannot_switch_company(server, two):
    """A token correctly signed for B's admin but claiming A's company_id still acts on B only."""
    a_admin, a_regular, b_admin, _ = two
    now = int(time.time())
    token = jwt.encode({"sub": str(b_admin.id), "company_id": a_admin.company_id, "role": "admin",
                        "iat": now, "exp": now + 600}, JWT_SECRET, algorithm="HS256")
    before = snapshot(a_admin)
    r = server.request("GET", "/api/company", token=token)
    if r.status == 200:
        assert r.body["data"]["id"] == b_admin.company_id, r
    else:
        assert_error(r, 401, "UNAUTHORIZED")
    r = server.request("GET", "/api/users", token=token)
    if r.status == 200:
        assert a_regular.id not in {u["id"] for u in r.body["data"]}, r
    r = server.request("DELETE", f"/api/users/{a_regular.id}", token=token)
    assert_error(r, {401, 404}, {"UNAUTHORIZED", "USER_NOT_FOUND"})
    assert snapshot(a_admin) == before
