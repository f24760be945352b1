"""Cached hot reads (issue 4 targets): the workflow list and detail answers and token checks are
cached in the process. A write through this server is seen by the very next read; a write through
another process (another server on the same database) within RESPONSE_CACHE_MS / AUTH_CACHE_MS."""
import time

from helpers import Account, assert_envelope, assert_error
import wf_support as W


def names(account, query="include_archived=true"):
    return [w["name"] for w in assert_envelope(account.get(f"/api/workflows?{query}"), 200)]


def test_own_writes_are_seen_by_the_next_read(server):
    admin, regular = server.company_team()
    wf = W.create(admin, name="Before")
    for i in range(20):  # every read right after a write: never the cached answer from before
        assert names(admin) == [f"Name {i - 1}" if i else "Before"]
        r = W.put(admin, wf, {"name": f"Name {i}"})
        assert r.status == 200, r.body
        assert W.detail(admin, wf)[0]["name"] == f"Name {i}"
    assert names(admin) == ["Name 19"]
    # A step edit shows in the detail at once.
    d = W.detail(admin, wf)[0]
    step_id = d["steps"][0]["id"]
    assert admin.patch(f"/api/workflows/{wf}/steps/{step_id}", {"field_label": "Vendor"}).status == 200
    assert W.detail(admin, wf)[0]["steps"][0]["field_label"] == "Vendor"
    # Deleting a step, then the workflow.
    assert admin.delete(f"/api/workflows/{wf}/steps/{step_id}").status == 204
    assert W.detail(admin, wf)[0]["step_count"] == len(d["steps"]) - 1
    assert admin.delete(f"/api/workflows/{wf}").status == 204
    assert names(admin) == []
    assert_error(admin.get(f"/api/workflows/{wf}"), 404)


def test_admin_answer_is_never_served_to_a_regular_user(server):
    admin, regular = server.company_team()
    draft = W.create(admin, name="Draft one")
    active = W.create(admin, name="Active one")
    W.activate(admin, active)
    for _ in range(3):
        assert sorted(names(admin, "")) == ["Active one", "Draft one"]
        assert names(regular, "") == ["Active one"]
        assert W.detail(admin, draft)[0]["name"] == "Draft one"
        assert_error(regular.get(f"/api/workflows/{draft}"), 404)


def test_answers_are_per_company(server):
    a_admin, _ = server.company_team()
    b_admin, _ = server.company_team()
    W.create(a_admin, name="A's")
    W.create(b_admin, name="B's")
    for _ in range(3):
        assert names(a_admin) == ["A's"]
        assert names(b_admin) == ["B's"]


def test_role_change_and_removal_take_effect_at_once(server):
    admin, regular = server.company_team()
    second = server.signup_invited(admin)
    assert admin.patch(f"/api/users/{second.id}", {"role": "admin"}).status == 200
    assert second.get("/api/users").status == 200  # cached as admin now
    assert admin.patch(f"/api/users/{second.id}", {"role": "regular"}).status == 200
    assert_error(second.get("/api/users"), 403)
    assert second.get("/api/workflows").status == 200
    assert admin.delete(f"/api/users/{second.id}").status == 204
    assert_error(second.get("/api/workflows"), 401)


def poll(fn, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_another_process_write_is_seen_within_the_cache_time(server_factory):
    a = server_factory(RESPONSE_CACHE_MS="300", AUTH_CACHE_MS="300")
    b = server_factory(database=a.db, RESPONSE_CACHE_MS="300", AUTH_CACHE_MS="300")
    admin_a, regular_a = a.company_team()
    admin_b = Account(b, admin_a.email, admin_a.password, {"token": admin_a.token, "user": admin_a.user})
    regular_b = Account(b, regular_a.email, regular_a.password, {"token": regular_a.token, "user": regular_a.user})
    wf = W.create(admin_a, name="Old name")
    assert names(admin_b) == ["Old name"]  # cached in b
    assert W.put(admin_a, wf, {"name": "New name"}).status == 200
    started = time.monotonic()
    assert poll(lambda: names(admin_b) == ["New name"]), "b never saw a's rename"
    assert time.monotonic() - started < 2.0
    # A demotion through a reaches b's token check within the auth cache time.
    second = a.signup_invited(admin_a)
    assert admin_a.patch(f"/api/users/{second.id}", {"role": "admin"}).status == 200
    second_b = Account(b, second.email, second.password, {"token": second.token, "user": second.user})
    assert second_b.get("/api/users").status == 200
    assert admin_a.patch(f"/api/users/{second.id}", {"role": "regular"}).status == 200
    assert poll(lambda: second_b.get("/api/users").status == 403), "b kept the old role"
    assert regular_b.get("/api/workflows").status == 200


def test_caches_can_be_turned_off(server_factory):
    a = server_factory()
    b = server_factory(database=a.db, RESPONSE_CACHE_MS="0", AUTH_CACHE_MS="0")
    admin_a, _ = a.company_team()
    admin_b = Account(b, admin_a.email, admin_a.password, {"token": admin_a.token, "user": admin_a.user})
    wf = W.create(admin_a, name="One")
    for i in range(5):
        assert names(admin_b) == [f"v{i - 1}" if i else "One"]
        assert W.put(admin_a, wf, {"name": f"v{i}"}).status == 200
        assert names(admin_b) == [f"v{i}"]  # no cache in b: at once
        assert W.detail(admin_b, wf)[0]["name"] == f"v{i}"
