"""The auto-heal decision and the heal review queue (issue 6), black-box through the API.

Without AI (the shared server: no vendor configured) the score alone decides; with AI (a server
of this module pointed at fake_vendor.FakeVendor, Anthropic only) the fake answers the heal
prompt from a per-test script and counts the heal calls. Covered: every threshold boundary
(score 79/80, margin 19/20, final 0.5999/0.60/0.7999/0.80), a heal stored as a selector variant of the
step (the recorded selectors never change; shared only for an admin or an AI sure on its own, else
pending), at most 20 variants per step, the review queue (screenshots, boxes, approve, reject, twice → 409), the
24 h decision cache (no second AI call), a rejected candidate never proposed again for that page
state, the AI's timeout, tenant isolation and roles, and bad input with nothing stored."""
import base64
import json
import secrets
import threading
import time

import pytest

import wf_support as W
from fake_vendor import ANTHROPIC, B, FakeVendor
from helpers import assert_envelope, assert_error, assert_validation_error

DECISION_FIELDS = {"found", "selector", "confidence", "method", "should_update", "candidate_index", "review_id",
                   "ask_user", "scope", "variant_id"}
REVIEW_FIELDS = {"id", "workflow_id", "workflow_name", "step_id", "step_number", "field_label", "status",
                 "confidence", "method", "selector", "previous_selector", "recorded_box", "candidate_box",
                 "recorded_screenshot_url", "current_screenshot_url", "recorded_image", "recorded_viewport",
                 "current_image", "page_url", "created_at", "decided_at", "decided_by", "resolution", "votes"}
VARIANT_FIELDS = {"id", "source", "status", "preferred", "selectors", "element_meta", "method", "confidence",
                  "page_state_hash", "created_at", "created_by", "votes"}


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------

def cand(selector, score, text=None, selectors=None, box=None):
    meta = {"tag_name": "button", "role": "button", "inner_text": text or f"Candidate {selector}",
            "bounding_box": box or {"x": 40, "y": 60, "width": 120, "height": 32}}
    c = {"selector": selector, "element_meta": meta, "deterministic_score": score}
    if selectors is not None:
        c["selectors"] = selectors
    return c


def shot_b64(image=None):
    return base64.b64encode(image if image is not None else W.png()).decode()


def heal_body(step_id, candidates, state=None, shot=None, page_url="https://app.example.com/form?v=2"):
    b = {"step_id": step_id, "candidates": candidates, "page_url": page_url}
    if state is not None:
        b["current_page_state_hash"] = state
    if shot is not None:
        b["current_screenshot"] = shot
    return b


def heal(account, wf_id, body):
    return account.post(f"/api/workflows/{wf_id}/auto-heal", body)


def heal_ok(account, wf_id, body):
    d = assert_envelope(heal(account, wf_id, body), 200)
    assert set(d) == DECISION_FIELDS, d
    return d


def new_wf(admin, n=2, status="active"):
    wf_id = W.create(admin, W.body(n))
    if status == "active":
        W.activate(admin, wf_id)
    steps = W.detail(admin, wf_id)[0]["steps"]
    return wf_id, [s["id"] for s in steps]


def step_of(admin, wf_id, step_id):
    return next(s for s in W.detail(admin, wf_id)[0]["steps"] if s["id"] == step_id)


def variants(account, wf_id, step_id):
    """The step's selector variants, the recorded one first (checked for shape)."""
    vs = step_of(account, wf_id, step_id)["selector_variants"]
    assert vs and vs[0]["id"] is None and vs[0]["source"] == "recorded", vs
    for v in vs:
        assert set(v) == VARIANT_FIELDS, v
    return vs


def stored(account, wf_id, step_id):
    """The stored variants by primary selector."""
    return {v["selectors"]["primary"]: v for v in variants(account, wf_id, step_id)[1:]}


def reviews(admin, query="status=pending"):
    r = admin.get("/api/heal-reviews?" + query)
    assert_envelope(r, 200)
    return r.body["data"], r.body["meta"]


def notes(admin, wf_id, type_):
    r = admin.get("/api/notifications?limit=200")
    assert_envelope(r, 200)
    return [n for n in r.body["data"] if n["workflow_id"] == wf_id and n["type"] == type_]


def review_rows(server, wf_id):
    return int(server.db.scalar("SELECT COUNT(*) FROM heal_reviews WHERE workflow_id = %s", (wf_id,)))


def decision_rows(server, step_id):
    return int(server.db.scalar("SELECT COUNT(*) FROM heal_decisions WHERE step_id = %s", (step_id,)))


def state():
    return "ps-" + secrets.token_hex(8)


ORIGINAL_PRIMARY = '[data-testid="btn-1"]'


# ------------------------------------------------------------------------------------------------
# Without AI: the score alone decides
# ------------------------------------------------------------------------------------------------

def test_a_heal_adds_a_variant_and_keeps_the_recorded_selectors(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    before = step_of(admin, wf_id, steps[0])
    page = state()
    d = heal_ok(admin, wf_id, heal_body(steps[0], [cand("#a", 60), cand("#b", 80)], state=page))
    assert d["variant_id"], d
    assert d == {"found": True, "selector": "#b", "confidence": 0.8, "method": "deterministic",
                 "should_update": True, "candidate_index": 1, "review_id": None, "ask_user": False,
                 "scope": "shared", "variant_id": d["variant_id"]}, d
    s = step_of(admin, wf_id, steps[0])
    assert s["selectors"] == before["selectors"], s["selectors"]        # the recorded selectors stay
    assert s["healed_selectors"] == {"primary": "#b"}, s["healed_selectors"]
    assert s["healed_at"] and s["healing_confidence"] == 0.8 and s["healing_method"] == "deterministic", s
    vs = variants(admin, wf_id, steps[0])
    assert len(vs) == 2, vs
    rec, v = vs
    assert rec == {"id": None, "source": "recorded", "status": "shared", "preferred": True,
                   "selectors": before["selectors"], "element_meta": None, "method": "recorded",
                   "confidence": None, "page_state_hash": None, "created_at": rec["created_at"],
                   "created_by": admin.id, "votes": []}, rec
    assert (v["id"], v["source"], v["status"], v["preferred"], v["method"]) == \
        (d["variant_id"], "healed", "shared", False, "deterministic"), v
    assert v["selectors"] == {"primary": "#b"} and v["element_meta"]["inner_text"] == "Candidate #b", v
    assert (v["confidence"], v["page_state_hash"], v["created_by"], v["votes"]) == (0.8, page, admin.id, []), v
    healed = notes(admin, wf_id, "workflow_healed")
    assert len(healed) == 1 and healed[0]["severity"] == "info", healed
    assert W.detail(admin, wf_id)[0]["status"] == "active"
    assert review_rows(server, wf_id) == 0

    # A second heal, another candidate with a full selectors object: a second variant.
    new_sel = {"primary": "ignored", "css": "#c-css", "xpath": "/html/body/main/button[3]"}
    d2 = heal_ok(admin, wf_id, heal_body(steps[0], [cand("#c", 95, selectors=new_sel), cand("#d", 10)]))
    assert d2["should_update"] and d2["selector"] == "#c" and d2["confidence"] == 0.95, d2
    assert d2["variant_id"] not in (None, d["variant_id"]) and d2["scope"] == "shared", d2
    s = step_of(admin, wf_id, steps[0])
    assert s["selectors"] == before["selectors"], s["selectors"]
    assert s["healed_selectors"] == {"primary": "#c"} and s["healing_confidence"] == 0.95, s
    got = stored(admin, wf_id, steps[0])
    assert set(got) == {"#b", "#c"}, got
    assert got["#c"]["selectors"] == {"primary": "#c", "css": "#c-css", "xpath": "/html/body/main/button[3]"}
    assert got["#c"]["page_state_hash"] is None, got["#c"]
    # The same candidate again: no third variant.
    heal_ok(admin, wf_id, heal_body(steps[0], [cand("#b", 90), cand("#x", 10)]))
    assert set(stored(admin, wf_id, steps[0])) == {"#b", "#c"}
    # Still one open workflow_healed alert; the other step is untouched.
    assert len(notes(admin, wf_id, "workflow_healed")) == 1
    other = step_of(admin, wf_id, steps[1])
    assert other["healed_selectors"] is None and len(other["selector_variants"]) == 1, other


def test_a_regular_users_score_does_not_heal_the_step_for_everyone(server):
    """The client's deterministic_score is its claim: a regular user sending 100 gets the element
    for their walkthrough (a pending variant), not a shared one; the same heal by an admin is."""
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    before = step_of(admin, wf_id, steps[0])
    page = state()
    d = heal_ok(regular, wf_id, heal_body(steps[0], [cand("#mine", 100), cand("#other", 10)], state=page))
    assert (d["found"], d["selector"], d["confidence"], d["ask_user"]) == (True, "#mine", 1.0, False), d
    assert (d["scope"], d["should_update"]) == ("personal", False), d
    assert d["variant_id"] and d["review_id"] is None, d
    s = step_of(admin, wf_id, steps[0])
    assert s["selectors"] == before["selectors"] and s["healed_at"] is None and s["healed_selectors"] is None, s
    v = stored(admin, wf_id, steps[0])["#mine"]
    assert (v["id"], v["status"], v["created_by"], v["votes"]) == (d["variant_id"], "pending", regular.id, []), v
    assert notes(admin, wf_id, "workflow_healed") == []
    # The same page again, the same user: from the cache, still theirs.
    d2 = heal_ok(regular, wf_id, heal_body(steps[0], [cand("#mine", 100), cand("#other", 10)], state=page))
    assert (d2["selector"], d2["scope"], d2["variant_id"], d2["should_update"]) == \
        ("#mine", "personal", d["variant_id"], False), d2
    # An admin meeting the same page: their heal is evidence, the variant becomes shared.
    d3 = heal_ok(admin, wf_id, heal_body(steps[0], [cand("#mine", 100), cand("#other", 10)], state=page))
    assert (d3["selector"], d3["scope"], d3["variant_id"], d3["should_update"]) == \
        ("#mine", "shared", d["variant_id"], True), d3
    assert stored(admin, wf_id, steps[0])["#mine"]["status"] == "shared"
    assert step_of(admin, wf_id, steps[0])["healed_selectors"] == {"primary": "#mine"}
    assert len(notes(admin, wf_id, "workflow_healed")) == 1
    # And the regular user's next answer says so.
    d4 = heal_ok(regular, wf_id, heal_body(steps[0], [cand("#mine", 100), cand("#other", 10)], state=page))
    assert (d4["scope"], d4["should_update"]) == ("shared", False), d4
    # Without a page state (no cache) an admin's heal is shared at once.
    d5 = heal_ok(admin, wf_id, heal_body(steps[1], [cand("#admins", 100)]))
    assert (d5["scope"], d5["should_update"]) == ("shared", True), d5
    assert stored(admin, wf_id, steps[1])["#admins"]["status"] == "shared"


def test_the_21st_variant_evicts_the_oldest_pending_one(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    sid = steps[0]
    # Two shared (an admin's heals) and 18 pending (a regular user's): 20 stored variants.
    for i in range(2):
        heal_ok(admin, wf_id, heal_body(sid, [cand(f"#shared{i}", 100)]))
    ids = []
    for i in range(18):
        ids.append(heal_ok(regular, wf_id, heal_body(sid, [cand(f"#p{i}", 100)]))["variant_id"])
    got = stored(admin, wf_id, sid)
    assert len(got) == 20 and len(variants(admin, wf_id, sid)) == 21
    # The 21st: the oldest pending one goes, the shared ones stay.
    d = heal_ok(regular, wf_id, heal_body(sid, [cand("#p18", 100)]))
    assert d["variant_id"] and d["scope"] == "personal", d
    got = stored(admin, wf_id, sid)
    assert len(got) == 20 and "#p0" not in got and "#p18" in got and {"#shared0", "#shared1"} <= set(got), got
    # Once every stored variant is shared (or preferred), none may go: a heal is still answered,
    # but nothing is stored; a vote or an approval that would add one is 409.
    for sel in list(got):
        if got[sel]["status"] != "shared":
            server.db.execute("UPDATE step_selector_variants SET status = 'shared' WHERE id = %s", (got[sel]["id"],))
    d = heal_ok(regular, wf_id, heal_body(sid, [cand("#one-too-many", 100)]))
    assert (d["found"], d["selector"], d["scope"], d["variant_id"]) == (True, "#one-too-many", "none", None), d
    r = regular.post(f"/api/workflows/{wf_id}/steps/{sid}/heal-votes",
                     {"vote": "confirm", "how": "acted", "selector": "#new", "page_state_hash": state()})
    assert_error(r, 409)
    assert len(stored(admin, wf_id, sid)) == 20


# (candidates' scores, found, should_update, confidence, candidate_index)
NO_AI = [
    ("best-59.99", [59.99, 10], False, False, 0.5999, None),
    ("best-60", [60, 10], True, False, 0.60, 0),
    ("best-79.99", [20, 79.99], True, False, 0.7999, 1),
    ("score-79-margin-79", [79, 0], True, False, 0.79, 0),
    ("score-80-margin-19-no-ai", [80, 61], True, True, 0.80, 0),
    ("score-80-margin-20", [60, 80], True, True, 0.80, 1),
    ("single-candidate-80", [80], True, True, 0.80, 0),
    ("ties-100", [100, 100], True, True, 1.0, 0),
    ("zero", [0, 0], False, False, 0.0, None),
]


@pytest.mark.parametrize("name,scores,found,update,conf,index", NO_AI, ids=[c[0] for c in NO_AI])
def test_thresholds_without_ai(server, name, scores, found, update, conf, index):
    admin, _ = server.company_team()
    wf_id, steps = new_wf(admin)
    cands = [cand(f"#c{i}", s) for i, s in enumerate(scores)]
    d = heal_ok(admin, wf_id, heal_body(steps[0], cands, state=state(), shot=shot_b64()))
    assert d["method"] == "deterministic", d
    assert d["found"] is found and d["should_update"] is update, d
    assert d["confidence"] == pytest.approx(conf, abs=1e-9), d
    assert d["candidate_index"] == index, d
    assert d["selector"] == (f"#c{index}" if found else None), d
    assert (d["review_id"] is not None) == (found and not update), d
    assert step_of(admin, wf_id, steps[0])["selectors"]["primary"] == ORIGINAL_PRIMARY
    # An admin's heal: a shared variant when used, a pending one when asked about.
    assert d["ask_user"] is (found and not update), d
    assert d["scope"] == ("shared" if update else "personal" if found else "none"), d
    got = stored(admin, wf_id, steps[0])
    assert list(got) == ([f"#c{index}"] if found else []), got
    if found:
        assert got[f"#c{index}"]["status"] == ("shared" if update else "pending"), got
    assert review_rows(server, wf_id) == (1 if found and not update else 0)
    # A question files a review; the workflow stays published for everyone.
    status = W.detail(admin, wf_id)[0]["status"]
    assert status == "active", status


def test_no_candidates_is_not_found(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    d = heal_ok(regular, wf_id, heal_body(steps[0], []))
    assert d == {"found": False, "selector": None, "confidence": 0.0, "method": "deterministic",
                 "should_update": False, "candidate_index": None, "review_id": None, "ask_user": False,
                 "scope": "none", "variant_id": None}, d


def test_review_queue_entry(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    W.force_status(admin, wf_id, "broken")
    image = W.png(200, 120)
    box = {"x": 300, "y": 400.5, "width": 90, "height": 24}
    d = heal_ok(regular, wf_id, heal_body(steps[1], [cand("#r", 70, box=box), cand("#s", 65)], state=state(),
                                          shot="data:image/png;base64," + shot_b64(image),
                                          page_url="https://app.example.com/form?new=1"))
    assert (d["found"], d["should_update"], d["selector"], d["candidate_index"]) == (True, False, "#r", 0), d
    assert d["confidence"] == pytest.approx(0.70) and d["review_id"], d
    # The admins get a review; the workflow keeps its status and the step its selectors.
    assert W.detail(admin, wf_id)[0]["status"] == "broken"
    assert step_of(admin, wf_id, steps[1])["selectors"]["primary"] == '[data-testid="btn-2"]'
    low = notes(admin, wf_id, "low_confidence")
    assert len(low) == 1 and low[0]["severity"] == "warning", low

    items, meta = reviews(admin, f"workflow_id={wf_id}")
    assert meta["total"] == 1 and len(items) == 1, (meta, items)
    rv = items[0]
    assert set(rv) == REVIEW_FIELDS, rv
    assert rv["id"] == d["review_id"] and rv["workflow_id"] == wf_id and rv["step_id"] == steps[1], rv
    assert rv["step_number"] == 2 and rv["field_label"] and rv["workflow_name"], rv
    assert (rv["status"], rv["method"], rv["selector"]) == ("pending", "deterministic", "#r"), rv
    assert rv["confidence"] == pytest.approx(0.70)
    assert rv["previous_selector"] == '[data-testid="btn-2"]', rv
    assert rv["recorded_box"] == {"x": 10, "y": 20.5, "width": 100, "height": 30}, rv
    assert rv["candidate_box"] == box, rv
    assert rv["recorded_viewport"] == {"width": 1280, "height": 800}, rv
    assert rv["current_image"] == {"width": 200, "height": 120}, rv
    assert rv["page_url"] == "https://app.example.com/form?new=1"
    assert rv["decided_at"] is None and rv["decided_by"] is None and rv["created_at"], rv
    st, _, got = W.fetch(rv["current_screenshot_url"])
    assert st == 200 and got == image, (st, len(got))
    # Filters.
    assert reviews(admin, "status=approved")[0] == [] or all(
        r["status"] == "approved" for r in reviews(admin, "status=approved")[0])
    assert reviews(admin, f"workflow_id={wf_id}&status=rejected")[0] == []
    for bad in ("status=done", "workflow_id=abc", "limit=0", "limit=201", "offset=-1"):
        assert_validation_error(admin.get("/api/heal-reviews?" + bad))


def test_review_list_pages_newest_first(server):
    admin, _ = server.company_team()
    wf_id, steps = new_wf(admin, n=3)
    ids = []
    for i in range(5):
        d = heal_ok(admin, wf_id, heal_body(steps[i % 3], [cand(f"#p{i}", 65)], state=state()))
        ids.append(d["review_id"])
    page1, meta1 = reviews(admin, "limit=2")
    page2, meta2 = reviews(admin, "limit=2&offset=2")
    page3, _ = reviews(admin, "limit=2&offset=4")
    assert meta1["total"] == 5 and (meta1["limit"], meta1["offset"]) == (2, 0), meta1
    assert [r["id"] for r in page1 + page2 + page3] == list(reversed(ids))
    assert len(notes(admin, wf_id, "low_confidence")) == 1  # one open alert per type


def test_approve_applies_and_deciding_twice_is_409(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    sel = {"primary": "#x", "css": "#approved-css"}
    d = heal_ok(regular, wf_id, heal_body(steps[0], [cand("#approved", 72, selectors=sel)], state=state()))
    rid = d["review_id"]
    r = admin.post(f"/api/heal-reviews/{rid}/approve")
    rv = assert_envelope(r, 200)
    assert set(rv) == REVIEW_FIELDS, rv
    assert rv["status"] == "approved" and rv["decided_by"] == admin.id and rv["decided_at"], rv
    assert rv["resolution"] == "admin", rv
    assert [(v["user_id"], v["vote"], v["how"], v["admin"]) for v in rv["votes"]] == \
        [(admin.id, "confirm", "approved", True)], rv["votes"]
    s = step_of(admin, wf_id, steps[0])
    assert s["selectors"]["primary"] == ORIGINAL_PRIMARY, s["selectors"]
    assert s["healed_selectors"] == {"primary": "#approved"}, s
    assert s["healing_confidence"] == pytest.approx(0.72) and s["healed_at"], s
    # The approved candidate: a shared variant, the preferred one; the recorded one stays.
    vs = variants(admin, wf_id, steps[0])
    assert [(v["source"], v["status"], v["preferred"]) for v in vs] == \
        [("recorded", "shared", False), ("healed", "shared", True)], vs
    assert vs[1]["selectors"] == {"primary": "#approved", "css": "#approved-css"}, vs[1]
    assert_error(admin.post(f"/api/heal-reviews/{rid}/approve"), 409)
    assert_error(admin.post(f"/api/heal-reviews/{rid}/reject"), 409)
    assert reviews(admin, f"workflow_id={wf_id}")[0] == []
    assert [x["id"] for x in reviews(admin, f"status=approved&workflow_id={wf_id}")[0]] == [rid]
    assert stored(admin, wf_id, steps[0])["#approved"]["preferred"] is True


def test_rejected_candidate_is_not_proposed_again_for_that_page(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    page = state()
    body = heal_body(steps[0], [cand("#wrong", 70), cand("#maybe", 62), cand("#no", 30)], state=page)
    d = heal_ok(regular, wf_id, body)
    assert d["selector"] == "#wrong" and d["review_id"], d
    rv = assert_envelope(admin.post(f"/api/heal-reviews/{d['review_id']}/reject"), 200)
    assert rv["status"] == "rejected" and rv["decided_by"] == admin.id, rv
    assert step_of(admin, wf_id, steps[0])["selectors"]["primary"] == ORIGINAL_PRIMARY
    assert_error(admin.post(f"/api/heal-reviews/{d['review_id']}/reject"), 409)
    assert_error(admin.post(f"/api/heal-reviews/{d['review_id']}/approve"), 409)
    # The same page again: #wrong is out, the next candidate is proposed (index in the request).
    d2 = heal_ok(regular, wf_id, body)
    assert (d2["found"], d2["selector"], d2["candidate_index"]) == (True, "#maybe", 1), d2
    assert d2["confidence"] == pytest.approx(0.62) and d2["review_id"] not in (None, d["review_id"]), d2
    # Reject that one too: only #no (0.30) is left.
    assert_envelope(admin.post(f"/api/heal-reviews/{d2['review_id']}/reject"), 200)
    d3 = heal_ok(regular, wf_id, body)
    assert d3["found"] is False and d3["selector"] is None, d3
    # Another page state: #wrong may be right there.
    d4 = heal_ok(regular, wf_id, {**body, "current_page_state_hash": state()})
    assert d4["selector"] == "#wrong", d4
    # Without a page state nothing is excluded either.
    d5 = heal_ok(regular, wf_id, {k: v for k, v in body.items() if k != "current_page_state_hash"})
    assert d5["selector"] == "#wrong", d5


def test_decision_cache_without_ai(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    page = state()
    body = heal_body(steps[0], [cand("#k", 65), cand("#l", 50)], state=page)
    d1 = heal_ok(regular, wf_id, body)
    assert d1["review_id"] and d1["found"], d1
    d2 = heal_ok(regular, wf_id, body)
    assert (d2["found"], d2["selector"], d2["confidence"], d2["should_update"], d2["candidate_index"]) == \
        (True, "#k", d1["confidence"], False, 0), d2
    assert review_rows(server, wf_id) == 1            # decided once
    # Kept 24 h.
    exp = int(server.db.scalar("SELECT expires_at FROM heal_decisions WHERE step_id = %s", (steps[0],)))
    assert abs(exp - (time.time() * 1000 + 24 * 3600 * 1000)) < 120_000, exp
    # Expired: decided again.
    server.db.execute("UPDATE heal_decisions SET expires_at = %s WHERE step_id = %s",
                      (int(time.time() * 1000) - 1000, steps[0]))
    d3 = heal_ok(regular, wf_id, body)
    assert d3["review_id"] and d3["review_id"] != d1["review_id"], d3
    assert review_rows(server, wf_id) == 2
    # An accepted decision, asked again: the selector, but no second update.
    page2 = state()
    acc = heal_body(steps[1], [cand("#win", 90), cand("#lose", 40)], state=page2)
    a1 = heal_ok(admin, wf_id, acc)
    assert a1["should_update"] is True, a1
    a2 = heal_ok(regular, wf_id, acc)
    assert (a2["found"], a2["selector"], a2["should_update"], a2["candidate_index"]) == (True, "#win", False, 0), a2
    # The cached selector is found in a reordered candidate list.
    a3 = heal_ok(regular, wf_id, {**acc, "candidates": [cand("#lose", 40), cand("#win", 90)]})
    assert a3["candidate_index"] == 1 and a3["selector"] == "#win", a3


def test_concurrent_reviews_on_one_workflow(server):
    """Walkthroughs on different pages of one workflow file reviews at the same moment: each gets
    its answer (no 500), each review is stored, the workflow needs a look, one open alert."""
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin, n=3)
    n = 10
    out = [None] * n
    barrier = threading.Barrier(n)

    def go(i):
        barrier.wait(10)
        out[i] = heal(regular, wf_id, heal_body(steps[i % 3], [cand(f"#cr{i}", 70)], state=state()))

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    bad = [r for r in out if r.status != 200]
    assert not bad, f"{len(bad)} of {n} failed: {bad[0]}\n{server.logs(3000)}"
    assert all(r.body["data"]["review_id"] for r in out), out
    assert review_rows(server, wf_id) == n
    assert W.detail(admin, wf_id)[0]["status"] == "active"
    assert len(notes(admin, wf_id, "low_confidence")) == 1


# ------------------------------------------------------------------------------------------------
# Tenants and roles
# ------------------------------------------------------------------------------------------------

def test_tenant_isolation_and_roles(server, team):
    a_admin, a_reg, b_admin, b_reg = team["a_admin"], team["a_regular"], team["b_admin"], team["b_regular"]
    wf_a, steps_a = new_wf(a_admin)
    wf_a2, steps_a2 = new_wf(a_admin)
    wf_b, steps_b = new_wf(b_admin)
    body_a = heal_body(steps_a[0], [cand("#t", 66)], state=state())
    # Another company's workflow, or its step on one's own workflow: 404.
    for acct in (b_admin, b_reg):
        assert_error(heal(acct, wf_a, body_a), 404)
    assert_error(heal(b_admin, wf_b, body_a), 404)
    # A step of another workflow of the same company; a step that does not exist.
    assert_error(heal(a_admin, wf_a2, body_a), 404)
    assert_error(heal(a_admin, wf_a, {**body_a, "step_id": 987654321}), 404)
    assert review_rows(server, wf_a) == 0 and review_rows(server, wf_a2) == 0 and review_rows(server, wf_b) == 0
    assert step_of(a_admin, wf_a, steps_a[0])["selectors"]["primary"] == ORIGINAL_PRIMARY
    # A regular user heals on an active workflow, not on a draft.
    d = heal_ok(a_reg, wf_a, body_a)
    rid = d["review_id"]
    assert rid
    draft, steps_d = new_wf(a_admin)
    W.force_status(a_admin, draft, "draft")
    assert_error(heal(a_reg, draft, heal_body(steps_d[0], [cand("#q", 90)])), 404)
    assert step_of(a_admin, draft, steps_d[0])["selectors"]["primary"] == ORIGINAL_PRIMARY
    # The queue: admins of the company only.
    assert_error(a_reg.get("/api/heal-reviews"), 403)
    assert_error(a_reg.post(f"/api/heal-reviews/{rid}/approve"), 403)
    assert_error(a_reg.post(f"/api/heal-reviews/{rid}/reject"), 403)
    assert rid not in [r["id"] for r in reviews(b_admin, "limit=200")[0]]
    assert reviews(b_admin, f"workflow_id={wf_a}")[0] == []
    assert_error(b_admin.post(f"/api/heal-reviews/{rid}/approve"), 404)
    assert_error(b_admin.post(f"/api/heal-reviews/{rid}/reject"), 404)
    assert_error(b_reg.post(f"/api/heal-reviews/{rid}/approve"), {403, 404})
    assert_error(a_admin.post("/api/heal-reviews/987654321/approve"), 404)
    assert_error(a_admin.post("/api/heal-reviews/abc/approve"), {404, 422})
    # Still pending, step unchanged.
    assert [r["id"] for r in reviews(a_admin, f"workflow_id={wf_a}")[0]] == [rid]
    assert step_of(a_admin, wf_a, steps_a[0])["selectors"]["primary"] == ORIGINAL_PRIMARY
    # Without a token.
    assert_error(a_admin.server.request("POST", f"/api/workflows/{wf_a}/auto-heal", body=body_a), 401)
    assert_error(a_admin.server.request("GET", "/api/heal-reviews"), 401)
    assert_error(a_admin.server.request("POST", f"/api/heal-reviews/{rid}/approve"), 401)


# ------------------------------------------------------------------------------------------------
# Bad input: 4xx, nothing stored
# ------------------------------------------------------------------------------------------------

def test_bad_input_stores_nothing(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    sid = steps[0]
    good = cand("#g", 70)
    cases = [
        ("11 candidates", heal_body(sid, [cand(f"#c{i}", 70) for i in range(11)]), "/candidates"),
        ("candidates missing", {"step_id": sid}, ""),
        ("candidates not array", heal_body(sid, {"0": good}), "/candidates"),
        ("step_id missing", {"candidates": [good]}, ""),
        ("step_id string", heal_body(str(sid), [good]), "/step_id"),
        ("step_id float", heal_body(sid + 0.5, [good]), "/step_id"),
        ("score > 100", heal_body(sid, [cand("#g", 100.5)]), "/candidates/0/deterministic_score"),
        ("score negative", heal_body(sid, [cand("#g", -1)]), "/candidates/0/deterministic_score"),
        ("score string", heal_body(sid, [cand("#g", "70")]), "/candidates/0/deterministic_score"),
        ("selector empty", heal_body(sid, [{**good, "selector": ""}]), "/candidates/0/selector"),
        ("selector missing", heal_body(sid, [{k: v for k, v in good.items() if k != "selector"}]),
         "/candidates/0"),
        ("element_meta no tag", heal_body(sid, [{**good, "element_meta": {"inner_text": "x"}}]),
         "/candidates/0/element_meta"),
        ("unknown candidate field", heal_body(sid, [{**good, "extra": 1}]), "/candidates/0"),
        ("bad selectors", heal_body(sid, [{**good, "selectors": {"primary": 5}}]), "/candidates/0/selectors"),
        ("hash too long", heal_body(sid, [good], state="h" * 129), "/current_page_state_hash"),
        ("screenshot number", {**heal_body(sid, [good]), "current_screenshot": 12}, "/current_screenshot"),
        ("bad base64", heal_body(sid, [good], shot="!!!! not base64 ****"), "/current_screenshot"),
        ("data url not base64", heal_body(sid, [good], shot="data:image/png,abcd"), "/current_screenshot"),
        ("unknown field", {**heal_body(sid, [good]), "x": 1}, ""),
    ]
    for name, body, pointer in cases:
        r = heal(regular, wf_id, body)
        assert_validation_error(r, pointer if pointer else None)
    assert_error(regular.post(f"/api/workflows/{wf_id}/auto-heal", raw=b'{"step_id": ', headers={
        "Content-Type": "application/json"}), 400)
    assert_error(regular.post(f"/api/workflows/{wf_id}/auto-heal", raw=b"step_id=1", headers={
        "Content-Type": "text/plain"}), 415)
    # A screenshot over 5 MB decoded: 413 (valid base64, within the body limit).
    big = base64.b64encode(b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(5 * 1024 * 1024 - 7)).decode()
    r = heal(regular, wf_id, heal_body(sid, [good], state=state(), shot=big))
    assert_error(r, 413)
    assert review_rows(server, wf_id) == 0 and decision_rows(server, sid) == 0
    assert step_of(admin, wf_id, sid)["selectors"]["primary"] == ORIGINAL_PRIMARY
    assert W.detail(admin, wf_id)[0]["status"] == "active"
    assert notes(admin, wf_id, "low_confidence") == []
    # Exactly 5 MB is fine.
    ok = base64.b64encode(secrets.token_bytes(5 * 1024 * 1024)).decode()
    d = heal_ok(regular, wf_id, heal_body(sid, [cand("#small", 30)], shot=ok))
    assert d["found"] is False, d


# ------------------------------------------------------------------------------------------------
# With AI: the fake vendor answers the heal prompt
# ------------------------------------------------------------------------------------------------

def _is_heal(call):
    return "CANDIDATES:" in (call.prompt or "")


class HealAI:
    """The fake's Anthropic default: labels for labeling prompts, scripted answers for heal prompts."""

    def __init__(self, fake):
        self.fake = fake
        self.lock = threading.Lock()
        self.queue = []
        self.fallback = B.ok(text='{"found": false, "candidate_index": null, "confidence": 0.0, '
                                  '"reason": "not scripted"}')
        fake.default(ANTHROPIC, self)

    def __call__(self, call):
        if not _is_heal(call):
            return B.ok()
        with self.lock:
            return self.queue.pop(0) if self.queue else self.fallback

    def answer(self, index, confidence, found=True, delay=0.0, times=1):
        text = json.dumps({"found": found, "candidate_index": index if found else None,
                           "confidence": confidence, "reason": "scripted"})
        with self.lock:
            self.queue += [B.ok(text=text, delay=delay)] * times

    def behave(self, *behaviours):
        with self.lock:
            self.queue += list(behaviours)

    def always(self, index, confidence, delay=0.0):
        self.fallback = B.ok(delay=delay, text=json.dumps({"found": True, "candidate_index": index,
                                                           "confidence": confidence, "reason": "always"}))

    def calls(self):
        return [c for c in self.fake.calls_of(ANTHROPIC) if _is_heal(c)]


@pytest.fixture(scope="module")
def vendor():
    fake = FakeVendor()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def aisrv(vendor, stepwise_bin, db_kind, tmp_path_factory):
    env = {**W.LABELING_ENV_CLEAN, **vendor.anthropic_env(), "JOB_QUEUE": "embedded",
           "AI_BACKOFF_BASE_MS": "5", "AI_TIMEOUT_MS": "2000", "AI_CONNECT_TIMEOUT_MS": "500",
           "AI_HEAL_TIMEOUT_MS": "600", "AI_MAX_IN_FLIGHT": "16", "WORKER_CONCURRENCY": "1"}
    srv = W.dedicated_server(stepwise_bin, db_kind, tmp_path_factory, **env)
    yield srv
    problems, logs = W.stop_dedicated(srv)
    assert not problems, "\n".join(problems) + "\n" + logs


@pytest.fixture(scope="module")
def ai_team(aisrv):
    admin, regular = aisrv.company_team()
    return admin, regular


@pytest.fixture
def ai(vendor):
    vendor.reset()
    h = HealAI(vendor)
    yield h
    vendor.wait_idle(10)


def test_ai_is_asked_only_without_a_clear_winner(aisrv, ai_team, ai):
    admin, _ = ai_team
    wf_id, steps = new_wf(admin)
    # score 80, margin 20: clear, no AI.
    d = heal_ok(admin, wf_id, heal_body(steps[0], [cand("#m0", 80), cand("#m1", 60)]))
    assert (d["method"], d["should_update"], len(ai.calls())) == ("deterministic", True, 0), d
    # score 80, margin 19: the AI is asked.
    ai.answer(1, 0.9)
    d = heal_ok(admin, wf_id, heal_body(steps[0], [cand("#m2", 80), cand("#m3", 61)]))
    assert len(ai.calls()) == 1 and d["method"] == "ai_assisted", d
    assert d["confidence"] == pytest.approx(0.85) and d["should_update"] and d["selector"] == "#m2", d
    # score 79, margin 79: asked too.
    ai.answer(1, 0.9)
    d = heal_ok(admin, wf_id, heal_body(steps[1], [cand("#m4", 79), cand("#m5", 0)]))
    assert len(ai.calls()) == 2 and d["method"] == "ai_assisted", d
    assert d["confidence"] == pytest.approx(0.845), d
    # score 80 alone (margin 80): clear.
    d = heal_ok(admin, wf_id, heal_body(steps[1], [cand("#m6", 80)]))
    assert (d["method"], len(ai.calls())) == ("deterministic", 2), d


# (scores, AI answer (1-based index, confidence, found), found, should_update, final, chosen 0-based)
WITH_AI = [
    ("final-0.5999", [60, 50], (1, 0.5998, True), False, False, 0.5999, None),
    ("final-0.60", [60, 50], (1, 0.6, True), True, False, 0.60, 0),
    ("final-0.7999", [80, 61], (1, 0.7998, True), True, False, 0.7999, 0),
    ("final-0.80", [80, 61], (1, 0.8, True), True, True, 0.80, 0),
    ("final-0.80-from-60", [60, 50], (1, 1.0, True), True, True, 0.80, 0),
    ("ai-picks-the-second", [70, 65], (2, 0.95, True), True, True, 0.80, 1),
    ("ai-picks-the-third-low", [50, 45, 40], (3, 0.7, True), False, False, 0.55, None),
    ("ai-sees-no-match", [79, 70], (None, 0.9, False), False, False, 0.395, None),
]


@pytest.mark.parametrize("name,scores,answer,found,update,final,chosen", WITH_AI, ids=[c[0] for c in WITH_AI])
def test_thresholds_with_ai(aisrv, ai_team, ai, name, scores, answer, found, update, final, chosen):
    admin, regular = ai_team
    wf_id, steps = new_wf(admin)
    ai.answer(answer[0], answer[1], found=answer[2])
    cands = [cand(f"#w{i}", s, text=f"Choice {i}") for i, s in enumerate(scores)]
    d = heal_ok(regular, wf_id, heal_body(steps[0], cands, state=state(), shot=shot_b64()))
    calls = ai.calls()
    assert len(calls) == 1, calls
    assert d["method"] == "ai_assisted", d
    assert d["confidence"] == pytest.approx(final, abs=1e-9), d
    assert (d["found"], d["should_update"]) == (found, update), d
    assert d["candidate_index"] == chosen and d["selector"] == (f"#w{chosen}" if found else None), d
    assert (d["review_id"] is not None) == (found and not update), d
    assert step_of(admin, wf_id, steps[0])["selectors"]["primary"] == ORIGINAL_PRIMARY
    # Every used case here has the AI sure on its own (≥ 0.80): shared although a regular user asked.
    assert d["scope"] == ("shared" if update else "personal" if found else "none"), d
    if update:
        s = step_of(admin, wf_id, steps[0])
        assert s["healing_method"] == "ai_assisted" and s["healing_confidence"] == pytest.approx(final), s
        assert stored(admin, wf_id, steps[0])[f"#w{chosen}"]["status"] == "shared"
    # The prompt: the original element and the candidates numbered 1..n with their scores; the
    # current screenshot attached.
    p = calls[0].prompt
    assert "Button 1" in p, p
    for i, s in enumerate(scores):
        assert f"{i + 1}. " in p and f"Choice {i}" in p and f"(score: {s})" in p, p
    assert len(calls[0].images) >= 1, calls[0].images


@pytest.mark.parametrize("failure", ["no-json", "index-out-of-range", "hang", "server-error"])
def test_ai_failure_falls_back_to_the_score(aisrv, ai_team, ai, failure):
    admin, regular = ai_team
    wf_id, steps = new_wf(admin)
    bad = {"no-json": B.no_label(),
           "index-out-of-range": B.ok(text='{"found": true, "candidate_index": 7, "confidence": 0.99}'),
           "hang": B.hang(3),
           "server-error": B.server_error(500)}[failure]
    ai.behave(bad, bad, bad)
    t0 = time.monotonic()
    d = heal_ok(regular, wf_id, heal_body(steps[0], [cand("#f0", 79), cand("#f1", 70)], state=state()))
    took = time.monotonic() - t0
    assert d["method"] == "deterministic", d
    assert d["confidence"] == pytest.approx(0.79) and d["found"] and not d["should_update"], d
    assert d["review_id"], d
    assert len(ai.calls()) == 2, ai.calls()           # 2 attempts per vendor
    if failure == "hang":
        assert took < 5, took                         # AI_HEAL_TIMEOUT_MS=600 (the fake hangs 3 s)


def test_cache_second_identical_heal_makes_no_ai_call(aisrv, ai_team, ai):
    admin, regular = ai_team
    wf_id, steps = new_wf(admin)
    page = state()
    body = heal_body(steps[0], [cand("#h0", 79), cand("#h1", 70)], state=page, shot=shot_b64())
    ai.answer(1, 0.9)
    d1 = heal_ok(regular, wf_id, body)
    assert d1["should_update"] and d1["confidence"] == pytest.approx(0.845) and len(ai.calls()) == 1, d1
    d2 = heal_ok(regular, wf_id, body)
    assert len(ai.calls()) == 1, ai.calls()
    assert (d2["found"], d2["selector"], d2["should_update"], d2["candidate_index"]) == (True, "#h0", False, 0), d2
    assert d2["confidence"] == pytest.approx(0.845)
    # Another user, another screenshot, same page state: still cached.
    d3 = heal_ok(admin, wf_id, {**body, "current_screenshot": shot_b64()})
    assert len(ai.calls()) == 1 and d3["selector"] == "#h0", d3
    # A "not found" decision is cached too.
    ai.answer(None, 0.9, found=False)
    nf = heal_body(steps[1], [cand("#n0", 75), cand("#n1", 70)], state=page)
    assert heal_ok(regular, wf_id, nf)["found"] is False
    assert heal_ok(regular, wf_id, nf)["found"] is False
    assert len(ai.calls()) == 2
    # Another page state asks again; no page state is never cached.
    ai.answer(1, 0.9, times=3)
    heal_ok(regular, wf_id, {**body, "current_page_state_hash": state()})
    assert len(ai.calls()) == 3
    no_state = {k: v for k, v in body.items() if k != "current_page_state_hash"}
    heal_ok(regular, wf_id, no_state)
    heal_ok(regular, wf_id, no_state)
    assert len(ai.calls()) == 5


def test_concurrent_identical_heals_ask_the_ai_once(aisrv, ai_team, ai):
    """1,000 users meeting the same changed page cause at most one AI call: 12 at the same moment."""
    admin, regular = ai_team
    wf_id, steps = new_wf(admin)
    ai.always(1, 0.7, delay=0.3)
    body = heal_body(steps[0], [cand("#cc0", 70), cand("#cc1", 60)], state=state())
    n = 12
    out = [None] * n
    barrier = threading.Barrier(n)

    def go(i):
        barrier.wait(10)
        out[i] = heal(regular, wf_id, body)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    decisions = [assert_envelope(r, 200) for r in out]
    assert {(d["found"], d["selector"]) for d in decisions} == {(True, "#cc0")}, decisions
    # One decision for the page: one AI call, one review (not one per concurrent walkthrough).
    assert (len(ai.calls()), review_rows(aisrv, wf_id)) == (1, 1)


def test_reject_then_the_candidate_is_not_in_the_prompt(aisrv, ai_team, ai):
    admin, regular = ai_team
    wf_id, steps = new_wf(admin)
    page = state()
    body = heal_body(steps[0], [cand("#bad", 70, text="Wrong one"), cand("#alt", 65, text="Other one")],
                     state=page, shot=shot_b64())
    ai.answer(1, 0.6)                              # 0.35 + 0.30 = 0.65: review
    d = heal_ok(regular, wf_id, body)
    assert d["selector"] == "#bad" and d["review_id"] and d["method"] == "ai_assisted", d
    assert_envelope(admin.post(f"/api/heal-reviews/{d['review_id']}/reject"), 200)
    ai.answer(1, 0.6)                              # now 1 is "#alt": 0.325 + 0.30 = 0.625
    d2 = heal_ok(regular, wf_id, body)
    calls = ai.calls()
    assert len(calls) == 2, calls
    assert "Wrong one" not in calls[1].prompt and "1. " in calls[1].prompt and "Other one" in calls[1].prompt
    assert "2. " not in calls[1].prompt.split("CANDIDATES:")[1].split("Which candidate")[0], calls[1].prompt
    assert (d2["selector"], d2["candidate_index"]) == ("#alt", 1), d2
    assert d2["confidence"] == pytest.approx(0.625), d2
    # Approve the second: applied.
    assert_envelope(admin.post(f"/api/heal-reviews/{d2['review_id']}/approve"), 200)
    s = step_of(admin, wf_id, steps[0])
    assert s["selectors"]["primary"] == ORIGINAL_PRIMARY and s["healed_selectors"] == {"primary": "#alt"}, s
    got = stored(admin, wf_id, steps[0])
    assert (got["#alt"]["status"], got["#alt"]["preferred"]) == ("shared", True), got
    assert (got["#bad"]["status"], got["#bad"]["preferred"]) == ("rejected", False), got


def test_ai_sees_both_screenshots_and_the_review_shows_them(aisrv, ai_team, ai):
    admin, regular = ai_team
    recorded = W.png(640, 400)
    shot = W.upload_ok(admin, recorded)
    wf_id = W.create(admin, W.body(2, shots={1: {"id": shot["screenshot_id"]}}), wait=False)
    W.wait_labeled(admin, wf_id)
    W.activate(admin, wf_id)
    step_id = W.detail(admin, wf_id)[0]["steps"][0]["id"]
    current = W.png(320, 200)
    ai.answer(1, 0.6)                               # 0.35 + 0.30 = 0.65: review
    d = heal_ok(regular, wf_id, heal_body(step_id, [cand("#two", 70), cand("#other", 60)], state=state(),
                                          shot=shot_b64(current)))
    calls = ai.calls()
    assert len(calls) == 1 and d["method"] == "ai_assisted", (d, calls)
    imgs = calls[0].images
    assert len(imgs) == 2, [(i["media_type"], i.get("width"), i.get("height")) for i in imgs]
    # Recorded first, then current (the prompt says so); same aspect ratios as the originals.
    (w1, h1), (w2, h2) = (imgs[0]["width"], imgs[0]["height"]), (imgs[1]["width"], imgs[1]["height"])
    assert abs(w1 / h1 - 640 / 400) < 0.05 and abs(w2 / h2 - 320 / 200) < 0.05, (w1, h1, w2, h2)
    rv = next(r for r in reviews(admin, f"workflow_id={wf_id}")[0] if r["id"] == d["review_id"])
    assert rv["recorded_image"] == {"width": 640, "height": 400}, rv
    assert rv["current_image"] == {"width": 320, "height": 200}, rv
    assert rv["method"] == "ai_assisted" and rv["confidence"] == pytest.approx(0.65), rv
    st, _, got = W.fetch(rv["recorded_screenshot_url"])
    assert st == 200 and got == recorded
    st, _, got = W.fetch(rv["current_screenshot_url"])
    assert st == 200 and got == current


@pytest.mark.parametrize("same_page", [False, True], ids=["distinct-pages", "same-page"])
def test_slow_ai_decisions_do_not_stall_other_requests(aisrv, ai_team, ai, same_page):
    """10 walkthroughs wait for a slow AI answer (1.5 s); meanwhile other users' requests that need
    the database (a workflow read, a run report) must still be answered promptly."""
    admin, regular = ai_team
    wf_id, steps = new_wf(admin)
    other_wf, _ = new_wf(admin)
    ai.always(1, 0.9, delay=1.5)
    page = state()
    n = 10
    out = [None] * n

    def go(i):
        out[i] = heal(regular, wf_id, heal_body(steps[0], [cand("#s0", 70), cand("#s1", 60)],
                                                state=page if same_page else state()))

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.4)                                  # every heal is waiting on the AI now
    t0 = time.monotonic()
    r1 = admin.get(f"/api/workflows/{other_wf}")
    t1 = time.monotonic()
    r2 = admin.post(f"/api/workflows/{other_wf}/health-logs",
                    {"entries": [{"client_id": "c-" + secrets.token_hex(8), "run_id": "r-" + secrets.token_hex(8),
                                  "step_id": None, "status": "success"}]})
    t2 = time.monotonic()
    for t in threads:
        t.join(60)
    assert all(r.status == 200 for r in out), [r for r in out if r.status != 200][:1]
    assert r1.status == 200 and r2.status == 200, (r1, r2)
    waits = (round(t1 - t0, 3), round(t2 - t1, 3))
    assert max(waits) < 0.5, f"workflow read / run report took {waits} s while heals waited on the AI"


@pytest.mark.parametrize("first,second", [("approve", "approve"), ("approve", "reject"), ("reject", "reject")])
def test_deciding_a_review_twice_at_once(server, first, second):
    admin, _ = server.company_team()
    wf_id, steps = new_wf(admin)
    d = heal_ok(admin, wf_id, heal_body(steps[0], [cand("#race", 70)], state=state()))
    rid = d["review_id"]
    out = [None, None]
    barrier = threading.Barrier(2)

    def go(i, action):
        barrier.wait(10)
        out[i] = admin.post(f"/api/heal-reviews/{rid}/{action}")

    ts = [threading.Thread(target=go, args=(0, first)), threading.Thread(target=go, args=(1, second))]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    statuses = sorted(r.status for r in out)
    assert statuses == [200, 409], out
    winner = next(i for i, r in enumerate(out) if r.status == 200)
    action = (first, second)[winner]
    rv = out[winner].body["data"]
    assert rv["status"] == ("approved" if action == "approve" else "rejected"), rv
    assert step_of(admin, wf_id, steps[0])["selectors"]["primary"] == ORIGINAL_PRIMARY
    v = stored(admin, wf_id, steps[0])["#race"]
    assert v["status"] == ("shared" if action == "approve" else "rejected"), (action, v)
    assert len(v["votes"]) == 1, v
    final = [r for r in reviews(admin, f"status={rv['status']}&workflow_id={wf_id}")[0] if r["id"] == rid]
    assert len(final) == 1


def test_concurrent_identical_low_confidence_heals_file_one_review(server):
    """Without AI: 10 walkthroughs meet the same changed page at once (score 70). The decision is
    one per (step, page state): one review in the admin's queue, not ten copies of it."""
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    body = heal_body(steps[0], [cand("#same", 70), cand("#else", 40)], state=state())
    n = 10
    out = [None] * n
    barrier = threading.Barrier(n)

    def go(i):
        barrier.wait(10)
        out[i] = heal(regular, wf_id, body)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    decisions = [assert_envelope(r, 200) for r in out]
    assert {(d["found"], d["selector"], d["should_update"]) for d in decisions} == {(True, "#same", False)}
    assert review_rows(server, wf_id) == 1, f"{review_rows(server, wf_id)} reviews for one page state"


@pytest.mark.resilience
def test_a_claim_left_by_a_killed_server_runs_out(server_factory, vendor, ai):
    """A server killed (-9) while it asks the AI for a page leaves that page's decision claimed.
    After a restart the same heal must still get an answer once the claim runs out (a few
    seconds: AI_HEAL_TIMEOUT_MS × 2 attempts + 5 s), never hang or fail."""
    env = {**W.LABELING_ENV_CLEAN, **vendor.anthropic_env(), "JOB_QUEUE": "embedded",
           "AI_BACKOFF_BASE_MS": "5", "AI_HEAL_TIMEOUT_MS": "600", "WORKER_CONCURRENCY": "1"}
    srv = server_factory(**env)
    admin = srv.signup_admin()
    wf_id, steps = new_wf(admin)
    body = heal_body(steps[0], [cand("#k0", 70), cand("#k1", 60)], state=state())
    ai.behave(B.hang(5))
    t = threading.Thread(target=lambda: _swallow(lambda: heal(admin, wf_id, body)), daemon=True)
    t.start()
    W.wait_for(lambda: len(ai.calls()) == 1, timeout=10, what="the AI asked")
    srv.kill()
    srv.start(srv.port)
    ai.answer(1, 0.9)
    t0 = time.monotonic()
    d = heal_ok(admin, wf_id, body)
    took = time.monotonic() - t0
    assert d["found"] and d["selector"] == "#k0" and d["confidence"] == pytest.approx(0.8), d
    assert took < 15, took


def _swallow(fn):
    try:
        fn()
    except Exception:  # noqa: BLE001 - the server is killed under this request
        pass


# ------------------------------------------------------------------------------------------------
# Steps healed before variants existed (migration 0008)
# ------------------------------------------------------------------------------------------------

def test_migration_restores_steps_healed_before_variants(server_factory):
    """Before variants, a heal overwrote the step's selectors and kept the recorded primary in
    healed_selectors.previous_primary (and the one it replaced in last_replaced). The migration
    brings the recorded primary back and keeps the healed selectors as shared variants."""
    srv = server_factory()
    admin = srv.signup_admin()
    wf_id, steps = new_wf(admin)
    healed_sel = {"primary": "#healed", "css": "#healed-css", "xpath": "/html/body/main/button"}
    assert not srv.stop()
    db = srv.db
    for sql in ("DROP TABLE heal_votes", "DROP TABLE step_selector_variants", "DROP INDEX idx_heal_reviews_step",
                "ALTER TABLE heal_reviews DROP COLUMN resolution", "ALTER TABLE workflows DROP COLUMN heal_version",
                "DELETE FROM schema_migrations WHERE version = 8"):
        db.execute(sql)
    db.execute("UPDATE steps SET selectors = %s, healed_selectors = %s, healed_at = %s, healing_confidence = 0.9, "
               "healing_method = 'ai_assisted' WHERE id = %s",
               (json.dumps(healed_sel), json.dumps({"previous_primary": ORIGINAL_PRIMARY, "primary": "#healed",
                                                    "last_replaced": "#first-heal"}),
                "2026-11-30T10:00:00.000Z", steps[0]))
    # A step healed once (last_replaced is the recorded primary), and one never healed.
    db.execute("UPDATE steps SET selectors = %s, healed_selectors = %s, healed_at = %s, healing_confidence = 0.8, "
               "healing_method = 'deterministic' WHERE id = %s",
               (json.dumps({"primary": "#once"}), json.dumps({"previous_primary": '[data-testid="btn-2"]',
                                                              "primary": "#once",
                                                              "last_replaced": '[data-testid="btn-2"]'}),
                "2026-11-30T11:00:00.000Z", steps[1]))
    srv.start()
    s0, s1 = W.detail(admin, wf_id)[0]["steps"]
    assert s0["selectors"] == {**healed_sel, "primary": ORIGINAL_PRIMARY}, s0["selectors"]
    assert s0["healed_selectors"] == {"primary": "#healed"} and s0["healing_method"] == "ai_assisted", s0
    got = {v["selectors"]["primary"]: v for v in s0["selector_variants"][1:]}
    assert set(got) == {"#healed", "#first-heal"}, got
    h = got["#healed"]
    assert (h["source"], h["status"], h["method"], h["confidence"], h["preferred"]) == \
        ("healed", "shared", "ai_assisted", 0.9, False), h
    assert h["selectors"] == healed_sel and h["created_at"].startswith("2026-11-30T10:00:00"), h
    assert (got["#first-heal"]["status"], got["#first-heal"]["selectors"]) == ("shared", {"primary": "#first-heal"})
    assert s1["selectors"] == {"primary": '[data-testid="btn-2"]'}, s1["selectors"]
    assert [v["selectors"]["primary"] for v in s1["selector_variants"][1:]] == ["#once"], s1
    assert s0["selector_variants"][0]["selectors"]["primary"] == ORIGINAL_PRIMARY
