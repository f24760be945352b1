"""Colleagues' votes about healed elements (POST /api/workflows/{id}/steps/{step_id}/heal-votes),
black-box through the API.

A confirmation stores the candidate as a pending selector variant of the step; it becomes shared
when the company's heal_confirmations_required distinct users (default 2) confirmed it on one page
state, or one admin did. Rejections from as many users (or one admin's) refuse the candidate for
that page state: never proposed there again, still proposed elsewhere. Also: one vote per user
(a new one replaces the old), the setting, the heal review resolved by votes, rejected variants
revived only by an admin, the detail's ETag and cache after a vote, tenants, roles, bad input."""
import secrets

import pytest

import wf_support as W
from helpers import assert_envelope, assert_error, assert_validation_error

RESULT_FIELDS = {"status", "confirmations", "rejections", "required", "variant"}
VARIANT_FIELDS = {"id", "source", "status", "preferred", "selectors", "element_meta", "method", "confidence",
                  "page_state_hash", "created_at", "created_by", "votes"}
VOTE_FIELDS = {"user_id", "user_name", "vote", "how", "admin", "page_state_hash", "created_at"}
ORIGINAL_PRIMARY = '[data-testid="btn-1"]'


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------

def state():
    return "ps-" + secrets.token_hex(8)


def new_wf(admin, n=2):
    wf_id = W.create(admin, W.body(n))
    W.activate(admin, wf_id)
    return wf_id, [s["id"] for s in W.detail(admin, wf_id)[0]["steps"]]


def vote_body(selector, page, vote="confirm", how="acted", **kw):
    b = {"vote": vote, "how": how, "selector": selector, "page_state_hash": page}
    b.update(kw)
    return b


def vote(account, wf_id, step_id, body):
    return account.post(f"/api/workflows/{wf_id}/steps/{step_id}/heal-votes", body)


def vote_ok(account, wf_id, step_id, body):
    d = assert_envelope(vote(account, wf_id, step_id, body), 200)
    assert set(d) == RESULT_FIELDS, d
    if d["variant"] is not None:
        assert set(d["variant"]) == VARIANT_FIELDS, d["variant"]
        for v in d["variant"]["votes"]:
            assert set(v) == VOTE_FIELDS, v
    return d


def variants(account, wf_id, step_id):
    s = next(s for s in W.detail(account, wf_id)[0]["steps"] if s["id"] == step_id)
    return s["selector_variants"]


def stored(account, wf_id, step_id):
    return {v["selectors"]["primary"]: v for v in variants(account, wf_id, step_id)[1:]}


def cand(selector, score):
    return {"selector": selector, "deterministic_score": score,
            "element_meta": {"tag_name": "button", "inner_text": f"Candidate {selector}"}}


def heal(account, wf_id, step_id, candidates, page):
    r = account.post(f"/api/workflows/{wf_id}/auto-heal",
                     {"step_id": step_id, "candidates": candidates, "current_page_state_hash": page})
    return assert_envelope(r, 200)


def colleagues(server, admin, n):
    return [server.signup_invited(admin) for _ in range(n)]


def set_required(admin, n):
    d = assert_envelope(admin.patch("/api/company", {"settings": {"heal_confirmations_required": n}}), 200)
    assert d["settings"].get("heal_confirmations_required") == n, d
    return d


def healed_notes(admin, wf_id):
    r = admin.get("/api/notifications?limit=200")
    return [n for n in assert_envelope(r, 200) if n["workflow_id"] == wf_id and n["type"] == "workflow_healed"]


# ------------------------------------------------------------------------------------------------
# Confirmations
# ------------------------------------------------------------------------------------------------

def test_two_colleagues_make_it_shared_one_twice_does_not(server):
    admin, regular = server.company_team()
    (other,) = colleagues(server, admin, 1)
    wf_id, steps = new_wf(admin)
    sid, page = steps[0], state()
    meta = {"tag_name": "button", "inner_text": "Save now"}
    sel = {"primary": "ignored", "css": "button.save-now"}
    d = vote_ok(regular, wf_id, sid, vote_body("#save-now", page, how="asked", selectors=sel, element_meta=meta,
                                               page_url="https://app.example.com/x", deterministic_score=100))
    assert (d["status"], d["confirmations"], d["rejections"], d["required"]) == ("pending", 1, 0, 2), d
    v = d["variant"]
    assert (v["source"], v["status"], v["method"], v["preferred"], v["confidence"]) == \
        ("healed", "pending", "confirmed", False, None), v
    assert v["selectors"] == {"primary": "#save-now", "css": "button.save-now"}, v
    assert v["element_meta"] == meta and v["page_state_hash"] == page and v["created_by"] == regular.id, v
    assert [(x["user_id"], x["user_name"], x["vote"], x["how"], x["admin"], x["page_state_hash"])
            for x in v["votes"]] == [(regular.id, "Reg Ular", "confirm", "asked", False, page)], v["votes"]
    # The same user again (acted this time): one vote, still pending.
    d = vote_ok(regular, wf_id, sid, vote_body("#save-now", page))
    assert (d["status"], d["confirmations"]) == ("pending", 1), d
    assert [x["how"] for x in d["variant"]["votes"]] == ["acted"], d["variant"]["votes"]
    s = next(s for s in W.detail(admin, wf_id)[0]["steps"] if s["id"] == sid)
    assert s["selectors"]["primary"] == ORIGINAL_PRIMARY and s["healed_at"] is None, s
    assert healed_notes(admin, wf_id) == []
    # A second colleague: shared, for everyone; the recorded selectors stay.
    d = vote_ok(other, wf_id, sid, vote_body("#save-now", page))
    assert (d["status"], d["confirmations"], d["required"]) == ("shared", 2, 2), d
    assert d["variant"]["id"] == v["id"] and len(d["variant"]["votes"]) == 2, d
    s = next(s for s in W.detail(admin, wf_id)[0]["steps"] if s["id"] == sid)
    assert s["selectors"]["primary"] == ORIGINAL_PRIMARY, s
    assert s["healed_selectors"] == {"primary": "#save-now"} and s["healed_at"], s
    assert s["healing_method"] == "confirmed" and s["healing_confidence"] is None, s
    vs = s["selector_variants"]
    assert [(x["source"], x["status"]) for x in vs] == [("recorded", "shared"), ("healed", "shared")], vs
    assert [x["user_id"] for x in vs[1]["votes"]] == [other.id, regular.id], vs[1]["votes"]  # newest first
    notes = healed_notes(admin, wf_id)
    assert len(notes) == 1 and "2 colleagues confirmed" in notes[0]["message"], notes


def test_confirmations_count_per_page_state(server):
    admin, regular = server.company_team()
    (other,) = colleagues(server, admin, 1)
    wf_id, steps = new_wf(admin)
    sid = steps[0]
    assert vote_ok(regular, wf_id, sid, vote_body("#x", state()))["status"] == "pending"
    d = vote_ok(other, wf_id, sid, vote_body("#x", state()))
    assert (d["status"], d["confirmations"]) == ("pending", 1), d
    assert len(d["variant"]["votes"]) == 2  # the variant shows both, on their page states


def test_one_admin_confirmation_is_enough(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    sid, page = steps[1], state()
    d = vote_ok(admin, wf_id, sid, vote_body("#by-admin", page, how="asked"))
    assert (d["status"], d["confirmations"], d["required"]) == ("shared", 1, 2), d
    assert d["variant"]["votes"][0]["admin"] is True, d
    assert stored(regular, wf_id, sid)["#by-admin"]["status"] == "shared"
    assert len(healed_notes(admin, wf_id)) == 1


def test_the_setting_changes_the_count(server):
    admin, regular = server.company_team()
    two = colleagues(server, admin, 2)
    wf_id, steps = new_wf(admin)
    set_required(admin, 3)
    page = state()
    for i, who in enumerate([regular] + two):
        d = vote_ok(who, wf_id, steps[0], vote_body("#three", page))
        assert (d["confirmations"], d["required"]) == (i + 1, 3), d
        assert d["status"] == ("shared" if i == 2 else "pending"), d
    set_required(admin, 1)
    d = vote_ok(regular, wf_id, steps[1], vote_body("#one", state()))
    assert (d["status"], d["required"]) == ("shared", 1), d
    # Removed: the default (2) again.
    d = assert_envelope(admin.patch("/api/company", {"settings": {"heal_confirmations_required": None}}), 200)
    assert "heal_confirmations_required" not in d["settings"], d
    d = vote_ok(regular, wf_id, steps[1], vote_body("#default", state()))
    assert (d["status"], d["required"]) == ("pending", 2), d


@pytest.mark.parametrize("bad", [0, 11, -1, 2.5, "2", True, [2]])
def test_the_setting_is_validated(server, bad):
    admin, regular = server.company_team()
    before = assert_envelope(admin.get("/api/company"), 200)["settings"]
    assert_validation_error(admin.patch("/api/company", {"settings": {"heal_confirmations_required": bad}}),
                            "/settings/heal_confirmations_required")
    assert assert_envelope(admin.get("/api/company"), 200)["settings"] == before
    assert_error(regular.patch("/api/company", {"settings": {"heal_confirmations_required": 1}}), 403)


def test_votes_resolve_the_pending_heal_review(server):
    admin, regular = server.company_team()
    (other,) = colleagues(server, admin, 1)
    wf_id, steps = new_wf(admin)
    page = state()
    d = heal(regular, wf_id, steps[0], [cand("#maybe", 70), cand("#no", 20)], page)
    assert (d["ask_user"], d["scope"], d["review_id"] is not None) == (True, "personal", True), d
    rid = d["review_id"]
    assert stored(admin, wf_id, steps[0])["#maybe"]["status"] == "pending"
    # Colleagues answer "Yes": the review is decided by their votes.
    vote_ok(regular, wf_id, steps[0], vote_body("#maybe", page, how="asked"))
    rv = next(r for r in assert_envelope(admin.get(f"/api/heal-reviews?workflow_id={wf_id}"), 200)
              if r["id"] == rid)
    assert (rv["status"], rv["resolution"]) == ("pending", None), rv
    assert [(v["user_id"], v["vote"], v["how"]) for v in rv["votes"]] == [(regular.id, "confirm", "asked")], rv
    d = vote_ok(other, wf_id, steps[0], vote_body("#maybe", page, how="asked"))
    assert d["status"] == "shared", d
    rv = next(r for r in assert_envelope(admin.get(f"/api/heal-reviews?status=approved&workflow_id={wf_id}"), 200)
              if r["id"] == rid)
    assert (rv["resolution"], rv["decided_by"]) == ("votes", None) and rv["decided_at"], rv
    assert len(rv["votes"]) == 2, rv
    assert_error(admin.post(f"/api/heal-reviews/{rid}/approve"), 409)
    # The page's decision now says: used by everyone, no question.
    d = heal(regular, wf_id, steps[0], [cand("#maybe", 70), cand("#no", 20)], page)
    assert (d["selector"], d["scope"], d["ask_user"]) == ("#maybe", "shared", False), d


# ------------------------------------------------------------------------------------------------
# Rejections
# ------------------------------------------------------------------------------------------------

def test_rejections_refuse_the_candidate_for_that_page_state_only(server):
    admin, regular = server.company_team()
    (other,) = colleagues(server, admin, 1)
    wf_id, steps = new_wf(admin)
    sid, page = steps[0], state()
    cands = [cand("#wrong", 70), cand("#right", 65)]
    d = heal(regular, wf_id, sid, cands, page)
    assert d["selector"] == "#wrong" and d["ask_user"], d
    # One "Not this": refused for that user on that page, not yet for the others.
    r = vote_ok(regular, wf_id, sid, vote_body("#wrong", page, vote="reject", how="asked"))
    assert (r["status"], r["rejections"], r["confirmations"]) == ("pending", 1, 0), r
    assert heal(regular, wf_id, sid, cands, page)["selector"] == "#right"
    assert heal(other, wf_id, sid, cands, page)["selector"] == "#wrong"
    # A second colleague: refused for the page state, for everyone; the pending variant rejected.
    r = vote_ok(other, wf_id, sid, vote_body("#wrong", page, vote="reject", how="asked"))
    assert (r["status"], r["rejections"]) == ("rejected", 2), r
    assert r["variant"]["status"] == "rejected", r
    # The page's decision was forgotten: decided again without it, for everyone.
    d = heal(admin, wf_id, sid, cands, page)
    assert d["selector"] == "#right", d
    assert heal(other, wf_id, sid, cands, page)["selector"] == "#right"
    # On another page state it may be right.
    assert heal(other, wf_id, sid, cands, state())["selector"] == "#wrong"
    # The review filed for it was decided by the votes.
    rv = [x for x in assert_envelope(admin.get(f"/api/heal-reviews?status=rejected&workflow_id={wf_id}"), 200)]
    assert [(x["selector"], x["resolution"]) for x in rv] == [("#wrong", "votes")], rv


def test_a_reject_without_a_variant_stores_none(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    page = state()
    d = vote_ok(regular, wf_id, steps[0], vote_body("#never-stored", page, vote="reject", how="asked"))
    assert (d["status"], d["variant"], d["rejections"]) == ("pending", None, 1), d
    d = vote_ok(admin, wf_id, steps[0], vote_body("#never-stored", page, vote="reject", how="asked"))
    assert (d["status"], d["variant"], d["rejections"]) == ("rejected", None, 2), d
    assert stored(admin, wf_id, steps[0]) == {}


def test_a_shared_variant_rejected_on_one_page_stays_shared(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    sid, page, elsewhere = steps[0], state(), state()
    vote_ok(admin, wf_id, sid, vote_body("#both", elsewhere))
    d = vote_ok(admin, wf_id, sid, vote_body("#both", page, vote="reject", how="asked"))
    assert (d["status"], d["rejections"]) == ("shared", 1), d
    assert stored(regular, wf_id, sid)["#both"]["status"] == "shared"
    # Refused there, not elsewhere.
    assert heal(regular, wf_id, sid, [cand("#both", 70)], page)["found"] is False
    assert heal(regular, wf_id, sid, [cand("#both", 70)], elsewhere)["selector"] == "#both"


def test_only_an_admin_revives_a_rejected_variant(server):
    admin, regular = server.company_team()
    two = colleagues(server, admin, 2)
    wf_id, steps = new_wf(admin)
    sid, page = steps[0], state()
    vote_ok(regular, wf_id, sid, vote_body("#back", page))
    vote_ok(admin, wf_id, sid, vote_body("#back", page, vote="reject", how="asked"))
    assert stored(admin, wf_id, sid)["#back"]["status"] == "rejected"
    # Colleagues' confirmations are recorded, but do not bring it back.
    for who in two:
        d = vote_ok(who, wf_id, sid, vote_body("#back", state()))
        assert d["status"] == "rejected", d
    d = vote_ok(two[0], wf_id, sid, vote_body("#back", page))
    assert (d["status"], d["confirmations"]) == ("rejected", 2), d
    # An admin's confirmation does (and the refusal on that page state goes).
    d = vote_ok(admin, wf_id, sid, vote_body("#back", page))
    assert d["status"] == "shared", d
    assert heal(regular, wf_id, sid, [cand("#back", 70)], page)["selector"] == "#back"


def test_a_later_vote_replaces_the_users_earlier_one(server):
    admin, regular = server.company_team()
    (other,) = colleagues(server, admin, 1)
    wf_id, steps = new_wf(admin)
    sid, page = steps[0], state()
    vote_ok(regular, wf_id, sid, vote_body("#flip", page, vote="reject", how="asked"))
    d = vote_ok(regular, wf_id, sid, vote_body("#flip", page))
    assert (d["confirmations"], d["rejections"], d["status"]) == (1, 0, "pending"), d
    # Their own refusal is gone too: the candidate is proposed to them again.
    assert heal(regular, wf_id, sid, [cand("#flip", 70)], page)["selector"] == "#flip"
    d = vote_ok(other, wf_id, sid, vote_body("#flip", page))
    assert d["status"] == "shared", d


# ------------------------------------------------------------------------------------------------
# Caches, tenants, roles, bad input
# ------------------------------------------------------------------------------------------------

def test_a_vote_changes_the_detail_and_its_etag(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    page = state()
    before, r1 = W.detail(regular, wf_id)
    etag = r1.header("ETag")
    assert etag
    r = regular.get(f"/api/workflows/{wf_id}", headers={"If-None-Match": etag})
    assert r.status == 304, r
    vote_ok(regular, wf_id, steps[0], vote_body("#fresh", page))
    # The very next read (cached per company) shows the vote; the old ETag no longer matches.
    after, r2 = W.detail(regular, wf_id)
    assert r2.header("ETag") != etag
    assert regular.get(f"/api/workflows/{wf_id}", headers={"If-None-Match": etag}).status == 200
    assert [v["selectors"]["primary"] for v in after["steps"][0]["selector_variants"][1:]] == ["#fresh"], after
    # A second vote changes it again; an admin's edit with the ETag from before the votes still
    # passes If-Match (votes are not edits of the workflow).
    etag2 = r2.header("ETag")
    vote_ok(admin, wf_id, steps[0], vote_body("#fresh", page))
    after, r3 = W.detail(regular, wf_id)
    assert r3.header("ETag") not in (etag, etag2)
    assert after["steps"][0]["selector_variants"][1]["status"] == "shared"
    assert W.put(admin, wf_id, {"name": "Renamed"}, if_match=etag).status == 200
    assert before["steps"][0]["selector_variants"][1:] == []


def test_tenants_and_readable_workflows(server, team):
    a_admin, a_reg, b_admin, b_reg = team["a_admin"], team["a_regular"], team["b_admin"], team["b_regular"]
    wf_a, steps_a = new_wf(a_admin)
    wf_a2, steps_a2 = new_wf(a_admin)
    wf_b, steps_b = new_wf(b_admin)
    body = vote_body("#t", state())
    for acct in (b_admin, b_reg):
        assert_error(vote(acct, wf_a, steps_a[0], body), 404)            # another company's workflow
    assert_error(vote(b_admin, wf_b, steps_a[0], body), 404)             # its step under one's own
    assert_error(vote(a_admin, wf_a2, steps_a[0], body), 404)            # a step of another workflow
    assert_error(vote(a_admin, wf_a, 987654321, body), 404)
    assert_error(vote(a_admin, 987654321, steps_a[0], body), 404)
    # A regular user votes on runnable workflows only (as they heal); an admin on any.
    draft, steps_d = new_wf(a_admin)
    W.force_status(a_admin, draft, "draft")
    assert_error(vote(a_reg, draft, steps_d[0], body), 404)
    assert vote_ok(a_admin, draft, steps_d[0], body)["status"] == "shared"
    assert stored(a_admin, wf_a, steps_a[0]) == {} and stored(b_admin, wf_b, steps_b[0]) == {}
    # Without a token.
    assert_error(a_admin.server.request("POST", f"/api/workflows/{wf_a}/steps/{steps_a[0]}/heal-votes",
                                        body=body), 401)


def test_bad_votes_store_nothing(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    sid, page = steps[0], state()
    good = vote_body("#g", page)
    cases = [
        ("vote missing", {k: v for k, v in good.items() if k != "vote"}, ""),
        ("vote unknown", {**good, "vote": "maybe"}, "/vote"),
        ("how missing", {k: v for k, v in good.items() if k != "how"}, ""),
        ("how approved", {**good, "how": "approved"}, "/how"),
        ("selector missing", {k: v for k, v in good.items() if k != "selector"}, ""),
        ("selector empty", {**good, "selector": ""}, "/selector"),
        ("selector too long", {**good, "selector": "#" + "a" * 2000}, "/selector"),
        ("selector number", {**good, "selector": 5}, "/selector"),
        ("page state missing", {k: v for k, v in good.items() if k != "page_state_hash"}, ""),
        ("page state empty", {**good, "page_state_hash": ""}, "/page_state_hash"),
        ("page state too long", {**good, "page_state_hash": "h" * 129}, "/page_state_hash"),
        ("bad selectors", {**good, "selectors": {"primary": 5}}, "/selectors"),
        ("selectors unknown key", {**good, "selectors": {"nope": "x"}}, "/selectors"),
        ("element_meta without tag", {**good, "element_meta": {"inner_text": "x"}}, "/element_meta"),
        ("score > 100", {**good, "deterministic_score": 101}, "/deterministic_score"),
        ("unknown field", {**good, "extra": 1}, ""),
        ("the recorded selector", {**good, "selector": ORIGINAL_PRIMARY}, "/selector"),
    ]
    for name, body, pointer in cases:
        assert_validation_error(vote(regular, wf_id, sid, body), pointer or None)
    assert_validation_error(vote(regular, wf_id, "abc", good))
    assert_error(regular.post(f"/api/workflows/{wf_id}/steps/{sid}/heal-votes", raw=b'{"vote": ',
                              headers={"Content-Type": "application/json"}), 400)
    assert_error(regular.post(f"/api/workflows/{wf_id}/steps/{sid}/heal-votes", raw=b"vote=confirm",
                              headers={"Content-Type": "text/plain"}), 415)
    assert int(server.db.scalar("SELECT COUNT(*) FROM heal_votes WHERE step_id = %s", (sid,))) == 0
    assert stored(admin, wf_id, sid) == {}
