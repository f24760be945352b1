"""GET /api/users, PATCH and DELETE /api/users/{id}: success, errors, role and last-admin rules."""
import concurrent.futures

import pytest

from helpers import TIMESTAMP_RE, assert_envelope, assert_error, assert_validation_error

USER_KEYS = {"id", "email", "name", "role", "company_id", "created_at", "last_login_at"}


@pytest.fixture(scope="module")
def big_team(server):
    """One admin and four regular users."""
    admin = server.signup_admin()
    regulars = [server.signup_invited(admin) for _ in range(4)]
    return admin, regulars


def test_list_users(server, big_team):
    admin, regulars = big_team
    r = admin.get("/api/users")
    data = assert_envelope(r, 200)
    assert r.body["meta"] == {"total": 5, "limit": 50, "offset": 0}, r.body["meta"]
    ids = [u["id"] for u in data]
    assert ids == sorted(ids) and ids == [admin.id] + [u.id for u in regulars]
    for u in data:
        assert set(u) >= USER_KEYS, u
        assert u["company_id"] == admin.company_id
        assert TIMESTAMP_RE.match(u["created_at"]), u
        assert u["last_login_at"] is None or TIMESTAMP_RE.match(u["last_login_at"]), u
        assert "password_hash" not in u
    assert [u["role"] for u in data] == ["admin"] + ["regular"] * 4
    assert data[1]["email"] == regulars[0].email


def test_list_users_pagination(server, big_team):
    admin, regulars = big_team
    all_ids = [admin.id] + [u.id for u in regulars]
    r = admin.get("/api/users?limit=2&offset=1")
    assert [u["id"] for u in assert_envelope(r, 200)] == all_ids[1:3]
    assert r.body["meta"] == {"total": 5, "limit": 2, "offset": 1}
    r = admin.get("/api/users?limit=200&offset=4")
    assert [u["id"] for u in assert_envelope(r, 200)] == all_ids[4:]
    r = admin.get("/api/users?offset=100")
    assert assert_envelope(r, 200) == [] and r.body["meta"]["total"] == 5
    r = admin.get("/api/users?limit=1")
    assert [u["id"] for u in assert_envelope(r, 200)] == all_ids[:1]


@pytest.mark.parametrize("query,name", [
    ("limit=0", "limit"), ("limit=201", "limit"), ("limit=-1", "limit"), ("limit=abc", "limit"),
    ("limit=1e30", "limit"), ("limit=1.5", "limit"), ("limit=99999999999999999999", "limit"),
    ("limit=", "limit"), ("limit=%00", "limit"), ("limit=0x10", "limit"), ("limit=+5%20", "limit"),
    ("offset=-1", "offset"), ("offset=abc", "offset"), ("offset=1e30", "offset"),
    ("offset=99999999999999999999", "offset"), ("offset=1.0", "offset"),
])
def test_list_users_bad_query_422(server, big_team, query, name):
    admin, _ = big_team
    assert_validation_error(admin.get(f"/api/users?{query}"), f"/query/{name}")


def test_list_users_forbidden_for_regular(server, big_team):
    _, regulars = big_team
    assert_error(regulars[0].get("/api/users"), 403, "FORBIDDEN")
    assert_error(server.request("GET", "/api/users"), 401, "UNAUTHORIZED")


# --- PATCH ----------------------------------------------------------------------------------

def test_promote_and_demote(server):
    admin, regular = server.company_team()
    r = admin.patch(f"/api/users/{regular.id}", {"role": "admin"})
    u = assert_envelope(r, 200)
    assert set(u) >= USER_KEYS and u["id"] == regular.id and u["role"] == "admin"
    # The promoted user's existing token works on admin endpoints at once.
    assert assert_envelope(regular.get("/api/company"), 200)["id"] == admin.company_id
    # Demote again: their next request is 403 on admin endpoints (role re-read every request).
    assert assert_envelope(admin.patch(f"/api/users/{regular.id}", {"role": "regular"}), 200)["role"] == "regular"
    assert_error(regular.get("/api/company"), 403, "FORBIDDEN")
    assert_error(regular.get("/api/users"), 403, "FORBIDDEN")
    assert assert_envelope(regular.get("/api/auth/me"), 200)["role"] == "regular"


def test_demoted_admin_next_request_forbidden(server):
    admin, second = server.company_team()
    assert_envelope(admin.patch(f"/api/users/{second.id}", {"role": "admin"}), 200)
    assert assert_envelope(second.get("/api/users"), 200)
    # The second admin demotes the first, whose token (role=admin claim) must not keep admin rights.
    assert_envelope(second.patch(f"/api/users/{admin.id}", {"role": "regular"}), 200)
    assert_error(admin.get("/api/users"), 403, "FORBIDDEN")
    assert_error(admin.patch(f"/api/users/{second.id}", {"role": "regular"}), 403, "FORBIDDEN")
    assert_error(admin.post("/api/company/invite-token/rotate"), 403, "FORBIDDEN")


def test_patch_name(server):
    admin, regular = server.company_team()
    u = assert_envelope(admin.patch(f"/api/users/{regular.id}", {"name": "  Renamed  "}), 200)
    assert u["name"] == "Renamed" and u["role"] == "regular"
    assert assert_envelope(regular.get("/api/auth/me"), 200)["name"] == "Renamed"


def test_last_admin_cannot_be_demoted(server):
    admin, regular = server.company_team()
    assert_error(admin.patch(f"/api/users/{admin.id}", {"role": "regular"}), 409, "LAST_ADMIN")
    assert assert_envelope(admin.get("/api/auth/me"), 200)["role"] == "admin"
    # Setting the same role is fine.
    assert assert_envelope(admin.patch(f"/api/users/{admin.id}", {"role": "admin"}), 200)["role"] == "admin"
    # With a second admin, demoting one is allowed; then the other is the last one.
    assert_envelope(admin.patch(f"/api/users/{regular.id}", {"role": "admin"}), 200)
    assert_envelope(admin.patch(f"/api/users/{admin.id}", {"role": "regular"}), 200)
    assert_error(regular.patch(f"/api/users/{regular.id}", {"role": "regular"}), 409, "LAST_ADMIN")


def test_last_admin_rule_holds_under_concurrency(server):
    """Two admins demote each other at the same moment: at least one admin must remain."""
    for _ in range(3):
        a, b = server.company_team()
        assert_envelope(a.patch(f"/api/users/{b.id}", {"role": "admin"}), 200)
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            f1 = ex.submit(a.patch, f"/api/users/{b.id}", {"role": "regular"})
            f2 = ex.submit(b.patch, f"/api/users/{a.id}", {"role": "regular"})
            r1, r2 = f1.result(), f2.result()
        statuses = sorted([r1.status, r2.status])
        assert statuses in ([200, 403], [200, 409], [403, 409], [409, 409]), (r1, r2)
        roles = []
        for acct in (a, b):
            token = assert_envelope(server.login(acct.email), 200)["token"]
            roles.append(assert_envelope(server.request("GET", "/api/auth/me", token=token), 200)["role"])
        assert "admin" in roles, f"company left without an admin: {r1!r} {r2!r}"


@pytest.mark.parametrize("body", [
    {}, {"role": "superuser"}, {"role": "ADMIN"}, {"role": None}, {"role": 1}, {"name": ""},
    {"name": "   "}, {"name": "n" * 201}, {"email": "new@example.com"}, {"company_id": 1},
    {"role": "admin", "extra": 1}, {"password": "12345678"},
], ids=lambda b: str(b)[:40])
def test_patch_user_validation_422(server, body):
    admin, regular = server.company_team()
    assert_validation_error(admin.patch(f"/api/users/{regular.id}", body))
    me = assert_envelope(regular.get("/api/auth/me"), 200)
    assert me["role"] == "regular" and me["email"] == regular.email and me["name"] == regular.user["name"]


def test_patch_unknown_user_404(server):
    admin = server.signup_admin()
    assert_error(admin.patch("/api/users/99999999", {"role": "admin"}), 404, "USER_NOT_FOUND")


@pytest.mark.parametrize("path_id", ["abc", "1.5", "99999999999999999999", "1e3", "0x1", "%20", "-"])
def test_user_path_id_not_integer_422(server, path_id):
    admin, regular = server.company_team()
    assert_validation_error(admin.patch(f"/api/users/{path_id}", {"role": "admin"}), "/path/id")
    assert_validation_error(admin.delete(f"/api/users/{path_id}"), "/path/id")
    assert assert_envelope(regular.get("/api/auth/me"), 200)["role"] == "regular"


@pytest.mark.parametrize("path_id", ["0", "-1"])
def test_user_path_id_out_of_range(server, path_id):
    admin = server.signup_admin()
    for r in (admin.patch(f"/api/users/{path_id}", {"role": "admin"}), admin.delete(f"/api/users/{path_id}")):
        assert_error(r, {404, 422}, {"USER_NOT_FOUND", "VALIDATION_ERROR"})


def test_patch_users_forbidden_for_regular(server):
    admin, regular = server.company_team()
    assert_error(regular.patch(f"/api/users/{regular.id}", {"role": "admin"}), 403, "FORBIDDEN")
    assert_error(regular.patch(f"/api/users/{admin.id}", {"role": "regular"}), 403, "FORBIDDEN")
    assert_error(regular.delete(f"/api/users/{admin.id}"), 403, "FORBIDDEN")
    assert_error(server.request("PATCH", f"/api/users/{admin.id}", {"role": "regular"}), 401, "UNAUTHORIZED")
    assert_error(server.request("DELETE", f"/api/users/{admin.id}"), 401, "UNAUTHORIZED")
    assert assert_envelope(admin.get("/api/auth/me"), 200)["role"] == "admin"


# --- DELETE ---------------------------------------------------------------------------------

def test_delete_user(server):
    admin, regular = server.company_team()
    r = admin.delete(f"/api/users/{regular.id}")
    assert r.status == 204 and r.raw == b"", r
    assert_error(regular.get("/api/auth/me"), 401, "UNAUTHORIZED")
    assert_error(server.login(regular.email), 401, "INVALID_CREDENTIALS")
    ids = [u["id"] for u in assert_envelope(admin.get("/api/users"), 200)]
    assert regular.id not in ids
    assert assert_envelope(admin.get("/api/company"), 200)["user_count"] == 1
    assert_error(admin.delete(f"/api/users/{regular.id}"), 404, "USER_NOT_FOUND")
    assert_error(admin.patch(f"/api/users/{regular.id}", {"role": "admin"}), 404, "USER_NOT_FOUND")


def test_delete_last_admin_409(server):
    admin, regular = server.company_team()
    assert_error(admin.delete(f"/api/users/{admin.id}"), 409, "LAST_ADMIN")
    assert assert_envelope(admin.get("/api/auth/me"), 200)["role"] == "admin"
    # With another admin the first may leave; their token dies at once.
    assert_envelope(admin.patch(f"/api/users/{regular.id}", {"role": "admin"}), 200)
    assert admin.delete(f"/api/users/{admin.id}").status == 204
    assert_error(admin.get("/api/auth/me"), 401, "UNAUTHORIZED")
    assert_error(regular.delete(f"/api/users/{regular.id}"), 409, "LAST_ADMIN")


def test_delete_unknown_user_404(server):
    admin = server.signup_admin()
    assert_error(admin.delete("/api/users/99999999"), 404, "USER_NOT_FOUND")


def test_deleted_user_email_cannot_log_in_but_others_unaffected(server):
    admin, regular = server.company_team()
    other = server.signup_invited(admin)
    assert admin.delete(f"/api/users/{regular.id}").status == 204
    assert assert_envelope(other.get("/api/auth/me"), 200)["id"] == other.id
    assert assert_envelope(server.login(other.email), 200)["user"]["id"] == other.id
