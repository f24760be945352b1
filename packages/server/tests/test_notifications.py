"""/api/notifications (issue 5): the company's admin alerts — the ready-for-review alert that
labeling creates, list with cursor, unread count, mark read, read all; admins only; another
company's notifications are invisible (404)."""
import pytest

import wf_support as W
from helpers import TIMESTAMP_RE, assert_envelope, assert_error, assert_validation_error

NOTE_KEYS = {"id", "workflow_id", "type", "severity", "title", "message", "action_url", "read", "read_at",
             "created_at"}


@pytest.fixture
def co(server):
    """A fresh company (admin, regular) with 5 labeled workflows: 5 ready-for-review alerts."""
    admin, regular = server.company_team()
    wfs = [W.create(admin, W.wf_body(W.unique_steps(1), name=f"Expense report {i}")) for i in range(5)]
    return admin, regular, wfs


def _list(account, query=""):
    r = account.get("/api/notifications" + query)
    return assert_envelope(r, 200), r.body["meta"]


def test_ready_for_review_alert(co):
    admin, _, wfs = co
    items, meta = _list(admin)
    assert len(items) == 5 and meta == {"next_cursor": None, "unread": 5}, (items, meta)
    # Newest first.
    assert [n["workflow_id"] for n in items] == wfs[::-1]
    assert [n["id"] for n in items] == sorted((n["id"] for n in items), reverse=True)
    n = items[0]
    assert set(n) == NOTE_KEYS, n.keys()
    assert n["type"] == "ready_for_review" and n["severity"] == "info"
    assert "Expense report 4" in n["title"] and "review" in n["title"].lower(), n
    assert n["message"] and "1 step" in n["message"], n
    assert n["action_url"].endswith(f"/workflows/{wfs[4]}"), n
    assert n["read"] is False and n["read_at"] is None and TIMESTAMP_RE.match(n["created_at"]), n


def test_cursor_pages(co):
    admin, _, wfs = co
    seen, cursor, pages = [], None, 0
    while True:
        items, meta = _list(admin, "?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        pages += 1
        assert len(items) <= 2
        seen += [n["id"] for n in items]
        cursor = meta["next_cursor"]
        assert meta["unread"] == 5
        if cursor is None:
            break
        assert isinstance(cursor, str) and cursor.isdigit(), meta
    assert pages == 3 and len(seen) == 5 and len(set(seen)) == 5
    assert seen == sorted(seen, reverse=True)
    items, meta = _list(admin, "?limit=5")
    assert len(items) == 5 and meta["next_cursor"] is None  # exactly one page: no empty next page


def test_unread_count_read_and_read_all(co):
    admin, _, wfs = co
    items, _ = _list(admin)
    assert assert_envelope(admin.get("/api/notifications/unread-count"), 200) == {"unread": 5}
    target = items[2]
    d = assert_envelope(admin.post(f"/api/notifications/{target['id']}/read"), 200)
    assert d["id"] == target["id"] and d["read"] is True and TIMESTAMP_RE.match(d["read_at"]), d
    again = assert_envelope(admin.post(f"/api/notifications/{target['id']}/read"), 200)  # idempotent
    assert again["read"] is True and again["read_at"] == d["read_at"], again
    assert assert_envelope(admin.get("/api/notifications/unread-count"), 200) == {"unread": 4}
    unread, meta = _list(admin, "?unread=true")
    assert len(unread) == 4 and target["id"] not in [n["id"] for n in unread] and meta["unread"] == 4
    assert assert_envelope(admin.post("/api/notifications/read-all"), 200) == {"marked": 4}
    assert assert_envelope(admin.post("/api/notifications/read-all"), 200) == {"marked": 0}
    assert assert_envelope(admin.get("/api/notifications/unread-count"), 200) == {"unread": 0}
    items, meta = _list(admin)
    assert all(n["read"] and n["read_at"] for n in items) and meta["unread"] == 0
    assert _list(admin, "?unread=true")[0] == []


def test_relabel_alerts_again_only_once_read(co):
    admin, _, wfs = co
    wf = wfs[0]
    assert_envelope(admin.post(f"/api/workflows/{wf}/relabel", {}), 202)
    W.wait_labeled(admin, wf)
    items, _ = _list(admin)
    assert [n["workflow_id"] for n in items].count(wf) == 1, "an unread alert was repeated"
    note = next(n for n in items if n["workflow_id"] == wf)
    assert_envelope(admin.post(f"/api/notifications/{note['id']}/read"), 200)
    assert_envelope(admin.post(f"/api/workflows/{wf}/relabel", {}), 202)
    W.wait_labeled(admin, wf)
    items, meta = _list(admin)
    mine = [n for n in items if n["workflow_id"] == wf]
    assert len(mine) == 2 and mine[0]["read"] is False and mine[0]["id"] > note["id"], mine


def test_admins_only(server, co):
    admin, regular, _ = co
    for method, path in (("GET", "/api/notifications"), ("GET", "/api/notifications/unread-count"),
                         ("POST", "/api/notifications/read-all")):
        assert_error(server.request(method, path, token=regular.token), 403)
        assert_error(server.request(method, path), 401)
    note = _list(admin)[0][0]
    assert_error(regular.post(f"/api/notifications/{note['id']}/read"), 403)
    assert_error(server.request("POST", f"/api/notifications/{note['id']}/read"), 401)
    assert _list(admin)[0][0]["read"] is False


def test_other_company_cannot_see_or_touch(server, co):
    admin, _, wfs = co
    other = server.signup_admin()
    assert _list(other) == ([], {"next_cursor": None, "unread": 0})
    assert assert_envelope(other.get("/api/notifications/unread-count"), 200) == {"unread": 0}
    note = _list(admin)[0][0]
    assert_error(other.post(f"/api/notifications/{note['id']}/read"), 404)
    assert_error(admin.post("/api/notifications/999999999/read"), 404)
    assert assert_envelope(other.post("/api/notifications/read-all"), 200) == {"marked": 0}
    items, meta = _list(admin)
    assert meta["unread"] == 5 and all(not n["read"] for n in items)
    # A cursor from another company's ids shows nothing of theirs.
    items, _ = _list(other, f"?cursor={note['id'] + 1}")
    assert items == []


@pytest.mark.parametrize("query,pointer", [("?limit=0", None), ("?limit=201", None), ("?limit=x", None),
                                           ("?cursor=abc", None), ("?cursor=", None), ("?unread=maybe", None)])
def test_bad_query_422(server, query, pointer):
    admin = server.signup_admin()
    assert_validation_error(admin.get("/api/notifications" + query), pointer)
