"""Workflows API (issue 4), black box: upload, list, detail, update, delete, step edits.

Every endpoint: the success path, each documented error, role rules, tenant isolation, and bad
input on every field of the recorder's payload (422 with a pointer naming the field, nothing stored).
"""
import copy
import json
import secrets
import urllib.parse

import pytest

from helpers import assert_envelope, assert_error, assert_validation_error
import wf_support as W

WORKFLOW_KEYS = {"id", "name", "description", "starting_url", "tags", "status", "success_rate", "total_uses",
                 "step_count", "created_at", "updated_at", "created_by", "consecutive_failures",
                 "last_successful_run", "last_failed_run", "check_status"}
STEP_KEYS = {"id", "step_number", "timestamp", "action_type", "selectors", "element_meta", "page_context",
             "action_data", "screenshot_ref", "screenshot", "dom_context", "expected_outcome", "field_label",
             "instruction", "ai_confidence", "ai_model", "ai_generated_at", "label_edited", "instruction_edited",
             "edited_by", "edited_at", "healed_selectors", "healed_at", "healing_confidence", "healing_method",
             "selector_variants"}
STATUSES = ["draft", "processing", "needs_review", "active", "broken", "archived"]
# The lifecycle, as the contract states it (same status → same status is a no-op and allowed).
ALLOWED = {("draft", "processing"), ("processing", "needs_review"), ("needs_review", "active"),
           ("active", "broken"), ("broken", "active"), ("active", "needs_review"), ("broken", "needs_review"),
           ("archived", "needs_review")} | {(s, "archived") for s in STATUSES} | {(s, s) for s in STATUSES}
# How to bring a freshly labeled (needs_review) workflow to each status along allowed moves; draft
# and processing cannot be reached through the API once labeling is done (W.force_status).
PATH_TO = {"needs_review": ["needs_review"], "active": ["active"], "broken": ["active", "broken"], "archived": ["archived"]}


def bring(admin, wf_id, status):
    if status in ("draft", "processing"):
        W.force_status(admin, wf_id, status)
    else:
        W.set_status(admin, wf_id, *PATH_TO[status])


@pytest.fixture
def co(server):
    """A fresh company (admin + regular) so that counts are this test's own."""
    admin, regular = server.company_team()
    return admin, regular


def assert_names_field(resp, pointer):
    """422 VALIDATION_ERROR naming the field: an error at `pointer` (or inside it), or, for a missing
    or unknown property, at its parent object with the property's name in the message."""
    err = assert_validation_error(resp)
    errors = err["details"]["errors"]
    parent, _, key = pointer.rpartition("/")
    for e in errors:
        p = e["pointer"]
        if p == pointer or p.startswith(pointer + "/"):
            return
        if p == parent and key in e["message"]:
            return
    raise AssertionError(f"no error names {pointer}: {errors}")


def _steps(account, wf_id):
    d, _ = W.detail(account, wf_id)
    return d["steps"]


# ------------------------------------------------------------------------------------------------
# POST /api/workflows
# ------------------------------------------------------------------------------------------------

def test_create_returns_exact_shape_and_stores_everything(co):
    admin, _ = co
    payload = W.stepgen()(seed=11).workflow(12)
    r = admin.post("/api/workflows", payload)
    assert r.status == 201, r
    assert set(r.body) == {"data", "meta"} and r.body["meta"] == {}, r
    assert set(r.body["data"]) == {"workflow_id", "status"}, r
    assert r.body["data"]["status"] == "processing"
    wf_id = r.body["data"]["workflow_id"]
    W.wait_labeled(admin, wf_id)
    assert isinstance(wf_id, int) and wf_id > 0

    d, resp = W.detail(admin, wf_id)
    assert resp.header("ETag"), resp
    assert set(d) == WORKFLOW_KEYS | {"steps", "labeling"}, d.keys()
    meta = payload["metadata"]
    assert (d["name"], d["description"], d["starting_url"], d["tags"]) == (
        meta["name"], meta["description"], meta["starting_url"], meta["tags"])
    assert d["status"] == "needs_review" and d["created_by"] == admin.id and d["labeling"] is None
    assert d["step_count"] == 12 and len(d["steps"]) == 12
    for sent, got in zip(payload["steps"], d["steps"]):
        assert set(got) == STEP_KEYS, got.keys()
        assert got["step_number"] == sent["step_number"]
        # Stored JSON comes back as objects, equal to what was sent.
        for key in ("timestamp", "action_type", "selectors", "element_meta", "page_context", "action_data",
                    "dom_context"):
            assert got[key] == sent[key], (key, got[key], sent[key])
        assert got["screenshot_ref"] is None and got["screenshot"] is None
        assert got["label_edited"] is False and got["instruction_edited"] is False
        assert got["edited_by"] is None and got["edited_at"] is None


def test_minimal_steps_store_nulls_for_optional_parts(co):
    admin, _ = co
    steps = [{"step_number": 1, "action_type": "navigate", "selectors": {}, "element_meta": {"tag_name": "body"},
              "page_context": {"url": "https://app.example.com/"}}]
    wf_id = W.create(admin, {"metadata": {"name": "Minimal", "starting_url": "http://app.example.com"},
                             "steps": steps})
    d, _ = W.detail(admin, wf_id)
    assert d["description"] is None and d["tags"] == []
    s = d["steps"][0]
    assert s["selectors"] == {} and s["element_meta"] == {"tag_name": "body"}
    for key in ("timestamp", "action_data", "screenshot_ref", "screenshot", "dom_context", "expected_outcome"):
        assert s[key] is None, (key, s)


def test_expected_outcome_round_trips(co):
    admin, _ = co
    outcome = {"navigation": {"url": "https://app.example.com/done", "url_shape": "/done", "same_document": False},
               "appeared": [{"selector": ".toast", "role": "status", "text": "Saved"}],
               "disappeared": [{"selector": "#spinner"}],
               "value": {"selector": "#email", "value": "a@b.c", "masked": False}}
    payload = W.body(2)
    payload["steps"][1]["expected_outcome"] = outcome
    wf_id = W.create(admin, payload)
    assert _steps(admin, wf_id)[1]["expected_outcome"] == outcome


def test_steps_are_renumbered_in_step_number_order(co):
    admin, _ = co
    payload = W.body(4)
    for s, n in zip(payload["steps"], (30, 5, 500, 17)):
        s["step_number"] = n
        s["selectors"]["data_testid"] = f"orig-{n}"
    wf_id = W.create(admin, payload)
    steps = _steps(admin, wf_id)
    assert [s["step_number"] for s in steps] == [1, 2, 3, 4]
    assert [s["selectors"]["data_testid"] for s in steps] == ["orig-5", "orig-17", "orig-30", "orig-500"]


def test_duplicate_step_numbers_422_nothing_stored(co):
    admin, _ = co
    payload = W.body(3)
    payload["steps"][2]["step_number"] = 1
    before = W.total(admin)
    assert_validation_error(admin.post("/api/workflows", payload), "/steps")
    assert W.total(admin) == before


def test_500_steps_with_16k_html_accepted(co):
    admin, _ = co
    payload = W.stepgen()(seed=5).workflow(500)
    payload["steps"][0]["dom_context"]["element_html"] = "e" * 16384
    payload["steps"][499]["dom_context"]["parent_html"] = "p" * 16384
    wf_id = W.create(admin, payload)
    d, _ = W.detail(admin, wf_id)
    assert d["step_count"] == 500 and len(d["steps"]) == 500
    assert [s["step_number"] for s in d["steps"]] == list(range(1, 501))
    assert d["steps"][0]["dom_context"]["element_html"] == "e" * 16384
    assert d["steps"][499]["dom_context"]["parent_html"] == "p" * 16384


def test_unicode_text_round_trips(co):
    admin, _ = co
    payload = W.body(1, name="Überweisung 送金 ✓", description="naïve — \u2028 \"quoted\" \\ back")
    payload["steps"][0]["element_meta"]["inner_text"] = "Bestätigen 🚀"
    wf_id = W.create(admin, payload)
    d, _ = W.detail(admin, wf_id)
    assert d["name"] == "Überweisung 送金 ✓"
    assert d["description"] == "naïve — \u2028 \"quoted\" \\ back"
    assert d["steps"][0]["element_meta"]["inner_text"] == "Bestätigen 🚀"


def _set(path, value):
    """A mutator that sets payload[path...] = value (creating nothing: the parent must exist)."""
    def mutate(p):
        obj = p
        for k in path[:-1]:
            obj = obj[k]
        obj[path[-1]] = value
    return mutate


def _del(path):
    def mutate(p):
        obj = p
        for k in path[:-1]:
            obj = obj[k]
        del obj[path[-1]]
    return mutate


BIG = "x" * (1024 * 1024)
S = ["steps", 2]  # the third step: pointers must name the right index
BAD = [
    # top level
    ("no-metadata", _del(["metadata"]), "/metadata"),
    ("no-steps", _del(["steps"]), "/steps"),
    ("steps-empty", _set(["steps"], []), "/steps"),
    ("steps-object", _set(["steps"], {"0": {}}), "/steps"),
    ("steps-501", lambda p: p.__setitem__("steps", [W.step(i + 1) for i in range(501)]), "/steps"),
    ("metadata-string", _set(["metadata"], "name"), "/metadata"),
    ("unknown-top-field", _set(["extra"], 1), "/extra"),
    # metadata
    ("name-missing", _del(["metadata", "name"]), "/metadata/name"),
    ("name-empty", _set(["metadata", "name"], ""), "/metadata/name"),
    ("name-blank", _set(["metadata", "name"], "   \t "), "/metadata/name"),
    ("name-number", _set(["metadata", "name"], 123), "/metadata/name"),
    ("name-null", _set(["metadata", "name"], None), "/metadata/name"),
    ("name-object", _set(["metadata", "name"], {"en": "x"}), "/metadata/name"),
    ("name-201", _set(["metadata", "name"], "n" * 201), "/metadata/name"),
    ("name-1mb", _set(["metadata", "name"], BIG), "/metadata/name"),
    ("description-5001", _set(["metadata", "description"], "d" * 5001), "/metadata/description"),
    ("description-1mb", _set(["metadata", "description"], BIG), "/metadata/description"),
    ("description-array", _set(["metadata", "description"], ["d"]), "/metadata/description"),
    ("url-missing", _del(["metadata", "starting_url"]), "/metadata/starting_url"),
    ("url-ftp", _set(["metadata", "starting_url"], "ftp://files.example.com/"), "/metadata/starting_url"),
    ("url-javascript", _set(["metadata", "starting_url"], "javascript:alert(1)"), "/metadata/starting_url"),
    ("url-relative", _set(["metadata", "starting_url"], "/just/a/path"), "/metadata/starting_url"),
    ("url-no-host", _set(["metadata", "starting_url"], "https://"), "/metadata/starting_url"),
    ("url-port-only", _set(["metadata", "starting_url"], "https://:443/x"), "/metadata/starting_url"),
    ("url-userinfo-only", _set(["metadata", "starting_url"], "https://user:pw@/x"), "/metadata/starting_url"),
    ("url-space-host", _set(["metadata", "starting_url"], "https:// /x"), "/metadata/starting_url"),
    ("url-2049", _set(["metadata", "starting_url"], "https://a.example.com/" + "p" * 2030),
     "/metadata/starting_url"),
    ("url-number", _set(["metadata", "starting_url"], 80), "/metadata/starting_url"),
    ("tags-21", _set(["metadata", "tags"], [f"t{i}" for i in range(21)]), "/metadata/tags"),
    ("tag-65", _set(["metadata", "tags"], ["ok", "t" * 65]), "/metadata/tags/1"),
    ("tag-empty", _set(["metadata", "tags"], [""]), "/metadata/tags/0"),
    ("tag-number", _set(["metadata", "tags"], [7]), "/metadata/tags/0"),
    ("tags-duplicate", _set(["metadata", "tags"], ["a", "a"]), "/metadata/tags"),
    ("tags-string", _set(["metadata", "tags"], "a,b"), "/metadata/tags"),
    ("metadata-unknown", _set(["metadata", "owner"], "me"), "/metadata/owner"),
    # step basics
    ("step-not-object", _set(S, "click"), "/steps/2"),
    ("step-number-missing", _del(S + ["step_number"]), "/steps/2/step_number"),
    ("step-number-0", _set(S + ["step_number"], 0), "/steps/2/step_number"),
    ("step-number-negative", _set(S + ["step_number"], -3), "/steps/2/step_number"),
    ("step-number-501", _set(S + ["step_number"], 501), "/steps/2/step_number"),
    ("step-number-string", _set(S + ["step_number"], "3"), "/steps/2/step_number"),
    ("step-number-float", _set(S + ["step_number"], 2.5), "/steps/2/step_number"),
    ("step-unknown-field", _set(S + ["secret"], "x"), "/steps/2/secret"),
    ("timestamp-41", _set(S + ["timestamp"], "2" * 41), "/steps/2/timestamp"),
    ("timestamp-number", _set(S + ["timestamp"], 1710000000000), "/steps/2/timestamp"),
    ("action-missing", _del(S + ["action_type"]), "/steps/2/action_type"),
    ("action-bad", _set(S + ["action_type"], "hover"), "/steps/2/action_type"),
    ("action-case", _set(S + ["action_type"], "CLICK"), "/steps/2/action_type"),
    ("action-number", _set(S + ["action_type"], 1), "/steps/2/action_type"),
    # selectors
    ("selectors-missing", _del(S + ["selectors"]), "/steps/2/selectors"),
    ("selectors-string", _set(S + ["selectors"], "#id"), "/steps/2/selectors"),
    ("selector-primary-2001", _set(S + ["selectors", "primary"], "a" * 2001), "/steps/2/selectors/primary"),
    ("selector-primary-1mb", _set(S + ["selectors", "primary"], BIG), "/steps/2/selectors/primary"),
    ("selector-primary-object", _set(S + ["selectors", "primary"], {"css": "#a"}), "/steps/2/selectors/primary"),
    ("selector-xpath-2001", _set(S + ["selectors", "xpath"], "/" * 2001), "/steps/2/selectors/xpath"),
    ("selector-stable-21", _set(S + ["selectors", "stable_attrs"], {f"k{i}": "v" for i in range(21)}),
     "/steps/2/selectors/stable_attrs"),
    ("selector-stable-nested", _set(S + ["selectors", "stable_attrs"], {"id": {"deep": "x"}}),
     "/steps/2/selectors/stable_attrs"),
    ("selector-unknown", _set(S + ["selectors", "jquery"], "$('#a')"), "/steps/2/selectors/jquery"),
    # element_meta
    ("meta-missing", _del(S + ["element_meta"]), "/steps/2/element_meta"),
    ("meta-array", _set(S + ["element_meta"], ["button"]), "/steps/2/element_meta"),
    ("tag-name-missing", _del(S + ["element_meta", "tag_name"]), "/steps/2/element_meta/tag_name"),
    ("tag-name-empty", _set(S + ["element_meta", "tag_name"], ""), "/steps/2/element_meta/tag_name"),
    ("tag-name-65", _set(S + ["element_meta", "tag_name"], "t" * 65), "/steps/2/element_meta/tag_name"),
    ("inner-text-501", _set(S + ["element_meta", "inner_text"], "i" * 501), "/steps/2/element_meta/inner_text"),
    ("inner-text-object", _set(S + ["element_meta", "inner_text"], {"nested": "obj"}),
     "/steps/2/element_meta/inner_text"),
    ("classes-51", _set(S + ["element_meta", "classes"], ["c"] * 51), "/steps/2/element_meta/classes"),
    ("classes-nested", _set(S + ["element_meta", "classes"], [["c"]]), "/steps/2/element_meta/classes"),
    ("bbox-negative-width", _set(S + ["element_meta", "bounding_box", "width"], -1),
     "/steps/2/element_meta/bounding_box"),
    ("bbox-negative-height", _set(S + ["element_meta", "bounding_box", "height"], -0.5),
     "/steps/2/element_meta/bounding_box"),
    ("bbox-missing-x", _del(S + ["element_meta", "bounding_box", "x"]), "/steps/2/element_meta/bounding_box"),
    ("bbox-string", _set(S + ["element_meta", "bounding_box"], "0,0,10,10"), "/steps/2/element_meta/bounding_box"),
    ("bbox-huge", _set(S + ["element_meta", "bounding_box", "x"], 1e300), "/steps/2/element_meta/bounding_box"),
    ("meta-unknown", _set(S + ["element_meta", "outer_html"], "<b>"), "/steps/2/element_meta/outer_html"),
    # page_context
    ("page-missing", _del(S + ["page_context"]), "/steps/2/page_context"),
    ("page-url-missing", _del(S + ["page_context", "url"]), "/steps/2/page_context/url"),
    ("page-url-2049", _set(S + ["page_context", "url"], "u" * 2049), "/steps/2/page_context/url"),
    ("page-title-array", _set(S + ["page_context", "title"], ["t"]), "/steps/2/page_context/title"),
    ("viewport-negative", _set(S + ["page_context", "viewport", "width"], -1), "/steps/2/page_context/viewport"),
    ("viewport-float", _set(S + ["page_context", "viewport", "height"], 800.5), "/steps/2/page_context/viewport"),
    # action_data
    ("action-data-string", _set(S + ["action_data"], "typed"), "/steps/2/action_data"),
    ("input-value-5001", _set(S + ["action_data", "input_value"], "v" * 5001), "/steps/2/action_data"),
    ("input-value-object", _set(S + ["action_data", "input_value"], {"v": 1}), "/steps/2/action_data"),
    ("click-coords-string", _set(S + ["action_data", "click_coordinates"], {"x": "1", "y": 2}),
     "/steps/2/action_data"),
    # screenshot_ref
    ("shot-ref-no-id", _set(S + ["screenshot_ref"], {"hash": "sha256:" + "0" * 64}), "/steps/2/screenshot_ref"),
    ("shot-ref-id-word", _set(S + ["screenshot_ref"], {"id": "shot_abc"}), "/steps/2/screenshot_ref"),
    ("shot-ref-id-zero", _set(S + ["screenshot_ref"], {"id": 0}), "/steps/2/screenshot_ref"),
    ("shot-ref-id-leading-zero", _set(S + ["screenshot_ref"], {"id": "0123"}), "/steps/2/screenshot_ref"),
    ("shot-ref-id-negative", _set(S + ["screenshot_ref"], {"id": -5}), "/steps/2/screenshot_ref"),
    ("shot-ref-id-17-digits", _set(S + ["screenshot_ref"], {"id": "1" * 17}), "/steps/2/screenshot_ref"),
    ("shot-ref-hash-81", _set(S + ["screenshot_ref"], {"id": 1, "hash": "h" * 81}), "/steps/2/screenshot_ref"),
    ("shot-ref-extra", _set(S + ["screenshot_ref"], {"id": 1, "url": "file:///etc/passwd"}),
     "/steps/2/screenshot_ref"),
    ("shot-ref-string", _set(S + ["screenshot_ref"], "1"), "/steps/2/screenshot_ref"),
    # dom_context
    ("element-html-17k", _set(S + ["dom_context", "element_html"], "<" + "e" * (17 * 1024)),
     "/steps/2/dom_context"),
    ("element-html-16385", _set(S + ["dom_context", "element_html"], "e" * 16385), "/steps/2/dom_context"),
    ("parent-html-17k", _set(S + ["dom_context", "parent_html"], "p" * (17 * 1024)), "/steps/2/dom_context"),
    ("element-html-number", _set(S + ["dom_context", "element_html"], 5), "/steps/2/dom_context"),
    ("dom-context-unknown", _set(S + ["dom_context", "full_page"], "<html>"), "/steps/2/dom_context"),
    # expected_outcome
    ("outcome-appeared-21", _set(S + ["expected_outcome"], {"appeared": [{"selector": "a"}] * 21}),
     "/steps/2/expected_outcome"),
    ("outcome-nav-no-url", _set(S + ["expected_outcome"], {"navigation": {"same_document": True}}),
     "/steps/2/expected_outcome"),
    ("outcome-value-selector-number", _set(S + ["expected_outcome"], {"value": {"selector": 5}}),
     "/steps/2/expected_outcome"),
    ("outcome-unknown", _set(S + ["expected_outcome"], {"sound": "ding"}), "/steps/2/expected_outcome"),
]


@pytest.mark.parametrize("mutate,pointer", [(m, p) for _, m, p in BAD], ids=[n for n, _, _ in BAD])
def test_bad_payload_422_names_the_field_and_stores_nothing(server, co, mutate, pointer):
    admin, _ = co
    payload = W.body(3, tags=["a"])
    mutate(payload)
    before = W.total(admin)
    r = admin.post("/api/workflows", payload)
    assert_names_field(r, pointer)
    assert W.total(admin) == before, "a rejected upload left a workflow behind"


def test_bad_payload_leaves_no_rows(server, co):
    """Straight from the database: a rejected upload (bad last step) writes no workflow and no step."""
    admin, _ = co
    wf_before, steps_before = server.db.count("workflows"), server.db.count("steps")
    payload = W.body(50)
    payload["steps"][49]["action_type"] = "teleport"
    assert_validation_error(admin.post("/api/workflows", payload), "/steps/49/action_type")
    assert (server.db.count("workflows"), server.db.count("steps")) == (wf_before, steps_before)


@pytest.mark.parametrize("raw", [b"[]", b"\"metadata\"", b"null", b"42"])
def test_body_not_an_object_422(co, raw):
    admin, _ = co
    r = admin.server.request("POST", "/api/workflows", raw=raw, token=admin.token,
                             headers={"Content-Type": "application/json"})
    assert_validation_error(r)


def test_malformed_json_400(co):
    admin, _ = co
    r = admin.server.request("POST", "/api/workflows", raw=b'{"metadata": {"name": "x",', token=admin.token,
                             headers={"Content-Type": "application/json"})
    assert_error(r, 400)


def test_wrong_content_type_415(co):
    admin, _ = co
    r = admin.server.request("POST", "/api/workflows", raw=json.dumps(W.body(1)).encode(), token=admin.token,
                             headers={"Content-Type": "text/plain"})
    assert_error(r, 415)


def test_body_over_24mib_413(co):
    admin, _ = co
    before = W.total(admin)
    payload = W.body(1)
    payload["metadata"]["description"] = "d" * (25 * 1024 * 1024)
    r = W.send_raw(admin, "POST", "/api/workflows", json.dumps(payload).encode(),
                   {"Content-Type": "application/json"})
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")
    assert W.total(admin) == before


def test_create_needs_admin(server, co):
    admin, regular = co
    before = W.total(admin)
    assert_error(regular.post("/api/workflows", W.body(1)), 403)
    assert_error(server.request("POST", "/api/workflows", W.body(1)), 401)
    assert_error(server.request("POST", "/api/workflows", W.body(1), token="not.a.token"), 401)
    assert W.total(admin) == before


# --- screenshot references -------------------------------------------------------------------------

def test_screenshot_refs_attach_and_link(server, co):
    admin, regular = co
    img1, img2 = W.png(), W.png(32, 32)
    s1 = W.upload_ok(admin, img1, status=201)
    s2 = W.upload_ok(regular, img2, status=201)  # regular users may upload (the recorder does)
    shots = {1: {"id": s1["screenshot_id"]},
             2: {"id": str(s2["screenshot_id"]), "hash": W.sha_ref(img2)},
             3: {"id": s1["screenshot_id"], "hash": s1["hash"]}}  # the same image in two steps
    payload = W.body(4, shots=shots)
    wf_id = W.create(admin, payload)
    steps = _steps(admin, wf_id)
    assert steps[3]["screenshot"] is None and steps[3]["screenshot_ref"] is None
    for i, (shot, img) in enumerate(((s1, img1), (s2, img2), (s1, img1))):
        link = steps[i]["screenshot"]
        assert set(link) == {"id", "url", "thumbnail_url", "width", "height", "format"}, link
        assert link["id"] == shot["screenshot_id"] and link["format"] == "png"
        assert (link["width"], link["height"]) == (shot["width"], shot["height"])
        assert steps[i]["screenshot_ref"] == {"id": str(shot["screenshot_id"]), "hash": W.sha_ref(img)}
        # Signed, absolute, with the request's host; fetchable without a token.
        assert link["url"].startswith(f"http://127.0.0.1:{server.port}/api/blobs/"), link
        status, _, data = W.fetch(link["url"])
        assert status == 200 and data == img
    for s in (s1, s2):
        got = assert_envelope(admin.get(f"/api/screenshots/{s['screenshot_id']}"), 200)
        assert got["workflow_id"] == wf_id, got


def test_detail_urls_use_public_url_not_the_request_host(server, co):
    admin, _ = co
    shot = W.upload_ok(admin, status=201)
    wf_id = W.create(admin, W.body(1, shots={1: {"id": shot["screenshot_id"]}}))
    r = server.request("GET", f"/api/workflows/{wf_id}", token=admin.token,
                       headers={"Host": f"stepwise.example.test:{server.port}"})
    url = assert_envelope(r, 200)["steps"][0]["screenshot"]["url"]
    assert url.startswith(f"{server.base}/api/blobs/"), url  # PUBLIC_URL (the test servers set it)


@pytest.mark.parametrize("ref", [{"id": 999999999}, {"id": "999999998"}])
def test_unknown_screenshot_ref_422(co, ref):
    admin, _ = co
    before = W.total(admin)
    r = admin.post("/api/workflows", W.body(3, shots={2: ref}))
    assert_validation_error(r, "/steps/1/screenshot_ref/id")
    assert W.total(admin) == before


def test_screenshot_ref_hash_mismatch_422_and_not_attached(co):
    admin, _ = co
    shot = W.upload_ok(admin, status=201)
    before = W.total(admin)
    r = admin.post("/api/workflows", W.body(2, shots={2: {"id": shot["screenshot_id"],
                                                          "hash": "sha256:" + "0" * 64}}))
    assert_validation_error(r, "/steps/1/screenshot_ref/hash")
    assert W.total(admin) == before
    assert assert_envelope(admin.get(f"/api/screenshots/{shot['screenshot_id']}"), 200)["workflow_id"] is None


def test_other_companys_screenshot_cannot_be_referenced(server, co):
    admin, _ = co
    other, _ = server.company_team()
    img = W.png()
    theirs = W.upload_ok(other, img, status=201)
    before = W.total(admin)
    r = admin.post("/api/workflows", W.body(3, shots={3: {"id": theirs["screenshot_id"], "hash": W.sha_ref(img)}}))
    assert_validation_error(r, "/steps/2/screenshot_ref/id")
    assert W.total(admin) == before
    # Theirs stays unattached and untouched.
    got = assert_envelope(other.get(f"/api/screenshots/{theirs['screenshot_id']}"), 200)
    assert got["workflow_id"] is None


# ------------------------------------------------------------------------------------------------
# GET /api/workflows
# ------------------------------------------------------------------------------------------------

@pytest.fixture
def listed(server):
    """A company with workflows in several states, tags, origins and names."""
    admin, regular = server.company_team()
    other_admin = server.signup_invited(admin)
    r = server.request("PATCH", f"/api/users/{other_admin.id}", {"role": "admin"}, token=admin.token)
    assert_envelope(r, 200)
    other_admin.relogin()
    wfs = {}
    specs = [
        ("alpha", "Alpha payroll run", "Monthly PAYROLL for staff", "https://hr.example.com/pay", ["hr", "money"],
         "active", admin),
        ("bravo", "Bravo expense report", None, "https://expenses.example.com:443/new", ["money"], "draft", admin),
        ("charlie", "Charlie onboarding", "New hire checklist", "http://hr.example.com:8080/x", ["hr"],
         "needs_review", other_admin),
        ("delta", "Delta old process", "replaced", "https://hr.example.com/old", [], "archived", admin),
        ("echo", "Echo 100% discount_code", "percent", "https://shop.example.com/", ["shop"], "broken", other_admin),
        ("foxtrot", "Foxtrot publish", "ready", "HTTPS://Shop.Example.com/cart", ["shop"], "active", other_admin),
    ]
    for key, name, desc, url, tags, status, who in specs:
        wf_id = W.create(who, W.body(len(key), name=name, description=desc, starting_url=url, tags=tags))
        bring(admin, wf_id, status)
        wfs[key] = wf_id
    return {"admin": admin, "regular": regular, "other_admin": other_admin, "ids": wfs}


def _names(resp):
    data = assert_envelope(resp, 200)
    return {w["name"].split()[0].lower() for w in data}


def test_list_shapes_and_meta(listed):
    admin = listed["admin"]
    r = admin.get("/api/workflows")
    data = assert_envelope(r, 200)
    assert r.body["meta"] == {"total": 5, "limit": 50, "offset": 0}, r.body["meta"]
    for w in data:
        assert set(w) == WORKFLOW_KEYS, w.keys()
        assert w["step_count"] == len(w["name"].split()[0])  # each was made with len(key) steps
        assert 0 <= w["success_rate"] <= 1 and w["total_uses"] == 0 and w["consecutive_failures"] == 0
    assert "delta" not in _names(r)  # archived hidden by default
    # Default sort: most recently updated first.
    stamps = [w["updated_at"] for w in data]
    assert stamps == sorted(stamps, reverse=True)


def test_list_regular_sees_only_active(listed):
    regular = listed["regular"]
    r = regular.get("/api/workflows")
    assert _names(r) == {"alpha", "foxtrot"} and r.body["meta"]["total"] == 2
    for q in ("status=draft", "status=archived", "include_archived=true&status=needs_review"):
        r = regular.get("/api/workflows?" + q)
        assert assert_envelope(r, 200) == [] and r.body["meta"]["total"] == 0, (q, r)
    assert _names(regular.get("/api/workflows?include_archived=true")) == {"alpha", "foxtrot"}
    assert _names(regular.get("/api/workflows?status=active")) == {"alpha", "foxtrot"}


@pytest.mark.parametrize("query,expected", [
    ("status=draft", {"bravo"}),
    ("status=archived", {"delta"}),
    ("status=broken", {"echo"}),
    ("include_archived=true", {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}),
    ("include_archived=false", {"alpha", "bravo", "charlie", "echo", "foxtrot"}),
    ("tag=hr", {"alpha", "charlie"}),
    ("tag=money", {"alpha", "bravo"}),
    ("tag=hr&include_archived=true", {"alpha", "charlie"}),
    ("tag=nope", set()),
    ("origin=https://hr.example.com", {"alpha"}),
    ("origin=https%3A%2F%2Fexpenses.example.com", {"bravo"}),
    ("origin=https://expenses.example.com:443", {"bravo"}),
    ("origin=http://hr.example.com:8080", {"charlie"}),
    ("origin=https://shop.example.com", {"echo", "foxtrot"}),
    ("origin=https://SHOP.example.com/some/page?x=1", {"echo", "foxtrot"}),
    ("origin=http://hr.example.com", set()),
    ("q=payroll", {"alpha"}),
    ("q=PAYROLL", {"alpha"}),
    ("q=hire", {"charlie"}),  # description
    ("q=HIRE%20CHECK", {"charlie"}),
    ("q=100%25", {"echo"}),
    ("q=%25", {"echo"}),  # a literal percent sign, not a wildcard
    ("q=_", {"echo"}),  # a literal underscore, not a wildcard
    ("q=zzz", set()),
    ("status=active&tag=shop", {"foxtrot"}),
])
def test_list_filters(listed, query, expected):
    r = listed["admin"].get("/api/workflows?" + query)
    assert _names(r) == expected, (query, r)
    assert r.body["meta"]["total"] == len(expected)


def test_list_created_by(listed):
    admin, other = listed["admin"], listed["other_admin"]
    assert _names(admin.get(f"/api/workflows?created_by={other.id}")) == {"charlie", "echo", "foxtrot"}
    assert _names(admin.get(f"/api/workflows?created_by={admin.id}")) == {"alpha", "bravo"}
    assert _names(admin.get("/api/workflows?created_by=999999")) == set()


@pytest.mark.parametrize("sort,expected", [
    ("name", ["alpha", "bravo", "charlie", "echo", "foxtrot"]),
    ("-name", ["foxtrot", "echo", "charlie", "bravo", "alpha"]),
    ("created_at", ["alpha", "bravo", "charlie", "echo", "foxtrot"]),
    ("-created_at", ["foxtrot", "echo", "charlie", "bravo", "alpha"]),
])
def test_list_sort(listed, sort, expected):
    data = assert_envelope(listed["admin"].get("/api/workflows?sort=" + sort), 200)
    assert [w["name"].split()[0].lower() for w in data] == expected


@pytest.mark.parametrize("sort", ["success_rate", "-success_rate", "total_uses", "-total_uses", "updated_at"])
def test_list_other_sorts_answer(listed, sort):
    data = assert_envelope(listed["admin"].get("/api/workflows?sort=" + sort), 200)
    assert len(data) == 5


def test_list_pagination(listed):
    admin = listed["admin"]
    seen = []
    for offset in range(0, 6, 2):
        r = admin.get(f"/api/workflows?sort=name&limit=2&offset={offset}")
        data = assert_envelope(r, 200)
        assert r.body["meta"] == {"total": 5, "limit": 2, "offset": offset}, r.body["meta"]
        seen += [w["id"] for w in data]
    assert len(seen) == 5 and len(set(seen)) == 5
    r = admin.get("/api/workflows?offset=100")
    assert assert_envelope(r, 200) == [] and r.body["meta"]["total"] == 5
    r = admin.get("/api/workflows?limit=200")
    assert r.body["meta"]["limit"] == 200 and len(r.body["data"]) == 5


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=-1", "limit=abc", "offset=-1", "offset=x",
                                   "status=bogus", "status=ACTIVE", "sort=drop_table", "sort=-", "created_by=abc",
                                   "created_by=0", "include_archived=maybe", "origin=ftp://x.example.com",
                                   "origin=not-a-url", "q=" + "q" * 201, "tag=" + "t" * 65])
def test_list_bad_query_422(listed, query):
    r = listed["admin"].get("/api/workflows?" + query)
    assert_validation_error(r)


def test_list_empty_company(server, co):
    admin, regular = co
    for who in (admin, regular):
        r = who.get("/api/workflows")
        assert r.body == {"data": [], "meta": {"total": 0, "limit": 50, "offset": 0}}, r


def test_list_needs_a_token(server):
    assert_error(server.request("GET", "/api/workflows"), 401)


# ------------------------------------------------------------------------------------------------
# GET /api/workflows/{id}
# ------------------------------------------------------------------------------------------------

def _etag_version(etag):
    """The workflow id and version out of an ETag ("id-version-period-tN")."""
    return etag.strip('"').split("-")[:2]


def test_detail_etag_and_if_none_match(co):
    admin, _ = co
    wf_id = W.create(admin, W.body(2))
    _, r = W.detail(admin, wf_id)
    etag = r.header("ETag")
    assert etag and etag.startswith('"') and etag.endswith('"'), etag
    r2 = admin.get(f"/api/workflows/{wf_id}", headers={"If-None-Match": etag})
    assert r2.status == 304 and r2.raw == b"" and r2.header("ETag") == etag, r2
    r3 = admin.get(f"/api/workflows/{wf_id}", headers={"If-None-Match": '"nope-1"'})
    assert_envelope(r3, 200)
    # A change makes a new ETag, and the old one no longer answers 304.
    assert_envelope(W.put(admin, wf_id, {"name": "Renamed"}), 200)
    r4 = admin.get(f"/api/workflows/{wf_id}", headers={"If-None-Match": etag})
    assert r4.status == 200 and r4.header("ETag") != etag, r4


def test_detail_not_found(server, co):
    admin, regular = co
    for who in (admin, regular):
        assert_error(who.get("/api/workflows/987654321"), 404)
    assert_error(admin.get("/api/workflows/abc"), {404, 422})
    assert_error(admin.get("/api/workflows/0"), {404, 422})
    assert_error(server.request("GET", "/api/workflows/1"), 401)


def test_regular_reads_only_active(co):
    admin, regular = co
    wf_id = W.create(admin, W.body(2))
    for status in ("draft", "processing", "needs_review"):
        bring(admin, wf_id, status)
        assert_error(regular.get(f"/api/workflows/{wf_id}"), 404)
    W.set_status(admin, wf_id, "active")
    d, _ = W.detail(regular, wf_id)
    assert d["id"] == wf_id and len(d["steps"]) == 2
    W.set_status(admin, wf_id, "broken")
    assert_error(regular.get(f"/api/workflows/{wf_id}"), 404)
    W.set_status(admin, wf_id, "archived")
    assert_error(regular.get(f"/api/workflows/{wf_id}"), 404)
    # Admins still read an archived workflow.
    assert W.detail(admin, wf_id)[0]["status"] == "archived"


# ------------------------------------------------------------------------------------------------
# PUT /api/workflows/{id}
# ------------------------------------------------------------------------------------------------

def test_update_fields(co):
    admin, _ = co
    wf_id = W.create(admin, W.body(2, tags=["old"]))
    _, r0 = W.detail(admin, wf_id)
    r = W.put(admin, wf_id, {"name": "  New name  ", "description": "New description",
                             "starting_url": "https://new.example.com/start", "tags": ["a", "b"]})
    data = assert_envelope(r, 200)
    assert set(data) == WORKFLOW_KEYS, data.keys()  # list-item shape, no steps
    assert r.body["meta"] == {}
    assert (data["name"], data["description"], data["starting_url"], data["tags"]) == (
        "New name", "New description", "https://new.example.com/start", ["a", "b"])
    assert r.header("ETag") and r.header("ETag") != r0.header("ETag")
    d, r1 = W.detail(admin, wf_id)
    assert r1.header("ETag") == r.header("ETag")
    assert d["name"] == "New name" and d["tags"] == ["a", "b"] and len(d["steps"]) == 2
    # The new starting URL is what the origin filter finds.
    assert [w["id"] for w in assert_envelope(admin.get("/api/workflows?origin=https://new.example.com"), 200)] == [wf_id]
    # description can be cleared
    assert assert_envelope(W.put(admin, wf_id, {"description": None}), 200)["description"] is None


@pytest.mark.parametrize("payload,pointer", [
    ({}, None),
    ({"name": ""}, "/name"),
    ({"name": "   "}, "/name"),
    ({"name": 5}, "/name"),
    ({"name": "n" * 201}, "/name"),
    ({"description": "d" * 5001}, "/description"),
    ({"starting_url": "ftp://x.example.com"}, "/starting_url"),
    ({"starting_url": "https://"}, "/starting_url"),
    ({"tags": ["t" * 65]}, "/tags/0"),
    ({"tags": [f"t{i}" for i in range(21)]}, "/tags"),
    ({"tags": ["a", "a"]}, "/tags"),
    ({"status": "published"}, "/status"),
    ({"status": None}, "/status"),
    ({"step_count": 0}, None),
    ({"id": 1}, None),
    ({"created_by": 1}, None),
])
def test_update_bad_input_422(co, payload, pointer):
    admin, _ = co
    wf_id = W.create(admin, W.body(1, name="Keep me"))
    _, r0 = W.detail(admin, wf_id)
    assert_validation_error(W.put(admin, wf_id, payload), pointer)
    d, r1 = W.detail(admin, wf_id)
    assert d["name"] == "Keep me" and _etag_version(r1.header("ETag")) == _etag_version(r0.header("ETag"))


@pytest.mark.parametrize("frm,to", [(f, t) for f in STATUSES for t in STATUSES])
def test_status_lifecycle(co, frm, to):
    admin, regular = co
    wf_id = W.create(admin, W.body(1))
    bring(admin, wf_id, frm)
    r = W.put(admin, wf_id, {"status": to})
    if (frm, to) in ALLOWED:
        assert assert_envelope(r, 200)["status"] == to
    else:
        err = assert_error(r, 409, "INVALID_STATUS_TRANSITION")
        assert err["details"] == {"from": frm, "to": to} or err["details"], err
        assert W.detail(admin, wf_id)[0]["status"] == frm


def test_if_match(co):
    admin, _ = co
    wf_id = W.create(admin, W.body(1, name="Original"))
    _, r = W.detail(admin, wf_id)
    etag = r.header("ETag")
    # Admin 1 saves with the current ETag.
    r1 = W.put(admin, wf_id, {"name": "First save"}, if_match=etag)
    assert_envelope(r1, 200)
    # Admin 2 still holds the old ETag: 412, nothing overwritten.
    r2 = W.put(admin, wf_id, {"name": "Second save"}, if_match=etag)
    err = assert_error(r2, 412, "PRECONDITION_FAILED")
    assert W.detail(admin, wf_id)[0]["name"] == "First save"
    # The answer names the tag to reload at: the one the first save answered with.
    assert err["details"]["current_etag"] == r1.header("ETag")
    # Another workflow's current tag is no tag of this one.
    other = W.create(admin, W.body(1, name="Other"))
    other_tag = W.detail(admin, other)[1].header("ETag")
    assert_error(W.put(admin, wf_id, {"name": "x"}, if_match=other_tag), 412, "PRECONDITION_FAILED")
    # A list holding the current tag, and "*", are accepted.
    r3 = W.put(admin, wf_id, {"name": "Third"}, if_match=f'"0-0", {r1.header("ETag")}')
    assert_envelope(r3, 200)
    assert_envelope(W.put(admin, wf_id, {"name": "Fourth"}, if_match="*"), 200)
    assert_error(W.put(admin, wf_id, {"status": "archived"}, if_match='"garbage"'), 412, "PRECONDITION_FAILED")
    assert W.detail(admin, wf_id)[0]["status"] == "needs_review"


def test_update_roles_and_not_found(server, co):
    admin, regular = co
    wf_id = W.create(admin, W.body(1, name="Mine"))
    W.activate(admin, wf_id)
    assert_error(W.put(regular, wf_id, {"name": "Hijack"}), 403)
    assert_error(W.put(regular, wf_id, {"status": "archived"}), 403)
    assert_error(W.put(admin, 987654321, {"name": "x"}), 404)
    assert_error(server.request("PUT", f"/api/workflows/{wf_id}", {"name": "x"}), 401)
    d, _ = W.detail(admin, wf_id)
    assert d["name"] == "Mine" and d["status"] == "active"


# ------------------------------------------------------------------------------------------------
# DELETE /api/workflows/{id}
# ------------------------------------------------------------------------------------------------

def test_delete_workflow(server, co):
    admin, regular = co
    shared_img, own_img = W.png(), W.png()
    shared = W.upload_ok(admin, shared_img, status=201)
    own = W.upload_ok(admin, own_img, status=201)
    keep = W.create(admin, W.body(1, shots={1: {"id": shared["screenshot_id"]}}))
    gone = W.create(admin, W.body(3, shots={1: {"id": shared["screenshot_id"]}, 2: {"id": own["screenshot_id"]}}))
    W.activate(admin, gone)
    count0, bytes0 = W.usage(admin)
    own_url = assert_envelope(admin.get(f"/api/screenshots/{own['screenshot_id']}"), 200)["storage_url"]
    assert W.fetch(own_url)[0] == 200

    assert_error(regular.delete(f"/api/workflows/{gone}"), 403)
    assert_error(server.request("DELETE", f"/api/workflows/{gone}"), 401)
    assert W.detail(regular, gone)[0]["id"] == gone
    before = W.total(admin)
    r = admin.delete(f"/api/workflows/{gone}")
    assert r.status == 204 and r.raw == b"", r
    assert_error(admin.get(f"/api/workflows/{gone}"), 404)
    assert_error(admin.delete(f"/api/workflows/{gone}"), 404)
    assert_error(W.put(admin, gone, {"name": "x"}), 404)
    assert W.total(admin) == before - 1
    assert int(server.db.scalar("SELECT COUNT(*) FROM steps WHERE workflow_id = %s", (gone,))) == 0
    # Its own screenshot is gone (row and bytes); the shared one stays for the other workflow.
    assert_error(admin.get(f"/api/screenshots/{own['screenshot_id']}"), 404)
    assert W.fetch(own_url)[0] == 404
    assert W.usage(admin) == (count0 - 1, bytes0 - own["file_size"])
    d, _ = W.detail(admin, keep)
    assert d["steps"][0]["screenshot"]["id"] == shared["screenshot_id"]
    assert W.fetch(d["steps"][0]["screenshot"]["url"])[2] == shared_img
    # The same image uploaded again is a new screenshot (201), not a dangling dedupe hit.
    again = W.upload_ok(admin, own_img, status=201)
    assert W.fetch(again["storage_url"])[2] == own_img


# ------------------------------------------------------------------------------------------------
# Steps: PATCH, DELETE, order
# ------------------------------------------------------------------------------------------------

def test_patch_step(co):
    admin, regular = co
    wf_id = W.create(admin, W.body(3))
    steps = _steps(admin, wf_id)
    target = steps[1]["id"]
    _, r0 = W.detail(admin, wf_id)
    r = admin.patch(f"/api/workflows/{wf_id}/steps/{target}", {"field_label": "  Email  ", "instruction": "Type it"})
    data = assert_envelope(r, 200)
    assert set(data) == STEP_KEYS, data.keys()
    assert data["id"] == target and data["step_number"] == 2
    assert data["field_label"] == "Email" and data["instruction"] == "Type it"
    assert data["label_edited"] is True and data["instruction_edited"] is True
    assert data["edited_by"] == admin.id and data["edited_at"]
    assert r.header("ETag") and r.header("ETag") != r0.header("ETag")
    after = _steps(admin, wf_id)
    assert after[1]["field_label"] == "Email" and after[1]["label_edited"] is True
    assert after[1]["edited_by"] == admin.id
    assert after[0]["label_edited"] is False and after[0]["edited_by"] is None
    assert after[1]["selectors"] == steps[1]["selectors"]
    # Only the label: instruction_edited stays as it is on another step.
    r = admin.patch(f"/api/workflows/{wf_id}/steps/{after[2]['id']}", {"field_label": "Submit"})
    data = assert_envelope(r, 200)
    assert data["label_edited"] is True and data["instruction_edited"] is False
    assert data["instruction"] == after[2]["instruction"]  # the labeler's, untouched


def test_patch_step_response_matches_detail_for_step_with_screenshot(co):
    """The PATCH answer is the step as GET shows it: its screenshot reference is not dropped."""
    admin, _ = co
    shot = W.upload_ok(admin, status=201)
    wf_id = W.create(admin, W.body(1, shots={1: {"id": shot["screenshot_id"]}}))
    step_id = _steps(admin, wf_id)[0]["id"]
    data = assert_envelope(admin.patch(f"/api/workflows/{wf_id}/steps/{step_id}", {"instruction": "Click it"}), 200)
    got = _steps(admin, wf_id)[0]
    assert got["screenshot_ref"] == {"id": str(shot["screenshot_id"]), "hash": shot["hash"]}
    assert data["screenshot_ref"] == got["screenshot_ref"], data


@pytest.mark.parametrize("payload,pointer", [
    ({}, None), ({"field_label": ""}, "/field_label"), ({"field_label": "   "}, "/field_label"),
    ({"field_label": "l" * 101}, "/field_label"), ({"instruction": "i" * 501}, "/instruction"),
    ({"instruction": None}, "/instruction"), ({"field_label": 5}, "/field_label"),
    ({"field_label": {"en": "x"}}, "/field_label"), ({"label_edited": False}, None), ({"step_number": 9}, None),
])
def test_patch_step_bad_input(co, payload, pointer):
    admin, _ = co
    wf_id = W.create(admin, W.body(1))
    before = _steps(admin, wf_id)[0]
    step_id = before["id"]
    assert_validation_error(admin.patch(f"/api/workflows/{wf_id}/steps/{step_id}", payload), pointer)
    s = _steps(admin, wf_id)[0]
    assert s["field_label"] == before["field_label"] and s["label_edited"] is False and s["edited_by"] is None


def test_patch_step_errors(server, co):
    admin, regular = co
    wf1 = W.create(admin, W.body(1))
    wf2 = W.create(admin, W.body(1))
    W.activate(admin, wf1)
    s1 = _steps(admin, wf1)[0]["id"]
    s2 = _steps(admin, wf2)[0]["id"]
    assert_error(regular.patch(f"/api/workflows/{wf1}/steps/{s1}", {"field_label": "x"}), 403)
    assert_error(admin.patch(f"/api/workflows/{wf1}/steps/{s2}", {"field_label": "x"}), 404)  # other workflow's
    assert_error(admin.patch(f"/api/workflows/{wf1}/steps/987654321", {"field_label": "x"}), 404)
    assert_error(admin.patch(f"/api/workflows/987654321/steps/{s1}", {"field_label": "x"}), 404)
    assert_error(server.request("PATCH", f"/api/workflows/{wf1}/steps/{s1}", {"field_label": "x"}), 401)
    _, r = W.detail(admin, wf1)
    assert_envelope(W.put(admin, wf1, {"name": "bump"}), 200)
    stale = admin.server.request("PATCH", f"/api/workflows/{wf1}/steps/{s1}", {"field_label": "x"},
                                 token=admin.token, headers={"If-Match": r.header("ETag")})
    assert_error(stale, 412, "PRECONDITION_FAILED")
    for wf in (wf1, wf2):
        assert _steps(admin, wf)[0]["field_label"] != "x" and _steps(admin, wf)[0]["label_edited"] is False


def test_delete_step_renumbers(server, co):
    admin, regular = co
    wf_id = W.create(admin, W.body(5))
    steps = _steps(admin, wf_id)
    ids = [s["id"] for s in steps]
    _, r0 = W.detail(admin, wf_id)
    r = admin.delete(f"/api/workflows/{wf_id}/steps/{ids[1]}")
    assert r.status == 204 and r.raw == b"", r
    assert r.header("ETag") and r.header("ETag") != r0.header("ETag")
    d, _ = W.detail(admin, wf_id)
    assert [s["id"] for s in d["steps"]] == [ids[0]] + ids[2:]
    assert [s["step_number"] for s in d["steps"]] == [1, 2, 3, 4]
    assert d["step_count"] == 4
    listed = [w for w in assert_envelope(admin.get("/api/workflows"), 200) if w["id"] == wf_id]
    assert listed[0]["step_count"] == 4
    assert_error(admin.delete(f"/api/workflows/{wf_id}/steps/{ids[1]}"), 404)
    W.activate(admin, wf_id)
    assert_error(regular.delete(f"/api/workflows/{wf_id}/steps/{ids[0]}"), 403)
    assert_error(server.request("DELETE", f"/api/workflows/{wf_id}/steps/{ids[0]}"), 401)
    other = W.create(admin, W.body(1))
    other_step = _steps(admin, other)[0]["id"]
    assert_error(admin.delete(f"/api/workflows/{wf_id}/steps/{other_step}"), 404)
    stale = admin.server.request("DELETE", f"/api/workflows/{wf_id}/steps/{ids[0]}", token=admin.token,
                                 headers={"If-Match": r0.header("ETag")})
    assert_error(stale, 412, "PRECONDITION_FAILED")
    assert len(_steps(admin, wf_id)) == 4 and len(_steps(admin, other)) == 1


def test_delete_step_removes_its_unused_screenshot(co):
    admin, _ = co
    a, b = W.png(), W.png()
    sa = W.upload_ok(admin, a, status=201)
    sb = W.upload_ok(admin, b, status=201)
    wf_id = W.create(admin, W.body(3, shots={1: {"id": sa["screenshot_id"]}, 2: {"id": sb["screenshot_id"]},
                                             3: {"id": sb["screenshot_id"]}}))
    steps = _steps(admin, wf_id)
    # b is used twice: deleting one of its steps keeps it.
    assert admin.delete(f"/api/workflows/{wf_id}/steps/{steps[1]['id']}").status == 204
    assert_envelope(admin.get(f"/api/screenshots/{sb['screenshot_id']}"), 200)
    # a is used once: deleting its step removes it.
    url = steps[0]["screenshot"]["url"]
    assert admin.delete(f"/api/workflows/{wf_id}/steps/{steps[0]['id']}").status == 204
    assert_error(admin.get(f"/api/screenshots/{sa['screenshot_id']}"), 404)
    assert W.fetch(url)[0] == 404


def test_reorder_steps(server, co):
    admin, regular = co
    wf_id = W.create(admin, W.body(4))
    ids = [s["id"] for s in _steps(admin, wf_id)]
    new = [ids[3], ids[0], ids[2], ids[1]]
    _, r0 = W.detail(admin, wf_id)
    r = admin.server.request("PUT", f"/api/workflows/{wf_id}/steps/order", {"step_ids": new}, token=admin.token)
    data = assert_envelope(r, 200)
    assert set(data) == WORKFLOW_KEYS | {"steps", "labeling"}
    assert [s["id"] for s in data["steps"]] == new
    assert [s["step_number"] for s in data["steps"]] == [1, 2, 3, 4]
    assert r.header("ETag") and r.header("ETag") != r0.header("ETag")
    assert [s["id"] for s in _steps(admin, wf_id)] == new


def test_reorder_steps_errors(server, co):
    admin, regular = co
    wf_id = W.create(admin, W.body(3))
    other = W.create(admin, W.body(1))
    ids = [s["id"] for s in _steps(admin, wf_id)]
    foreign = _steps(admin, other)[0]["id"]
    path = f"/api/workflows/{wf_id}/steps/order"

    def put_order(who, payload, **kw):
        return server.request("PUT", path, payload, token=who.token, **kw)

    for bad in ([ids[0], ids[1]], ids + [foreign], [ids[0], ids[1], foreign], [ids[0], ids[0], ids[1], ids[2]],
                [], [ids[0], ids[1], ids[2], 987654321]):
        assert_validation_error(put_order(admin, {"step_ids": bad}))
    for bad in ({}, {"step_ids": "1,2,3"}, {"step_ids": [str(i) for i in ids]}, {"step_ids": ids, "x": 1}):
        assert_validation_error(put_order(admin, bad))
    W.activate(admin, wf_id)
    assert_error(put_order(regular, {"step_ids": ids[::-1]}), 403)
    assert_error(server.request("PUT", "/api/workflows/987654321/steps/order", {"step_ids": ids},
                                token=admin.token), 404)
    _, r = W.detail(admin, wf_id)
    assert_envelope(W.put(admin, wf_id, {"name": "bump"}), 200)
    assert_error(put_order(admin, {"step_ids": ids[::-1]}, headers={"If-Match": r.header("ETag")}), 412,
                 "PRECONDITION_FAILED")
    assert [s["id"] for s in _steps(admin, wf_id)] == ids


# ------------------------------------------------------------------------------------------------
# Tenant isolation
# ------------------------------------------------------------------------------------------------

def test_other_company_cannot_touch_workflows(server):
    a_admin, a_regular = server.company_team()
    b_admin, b_regular = server.company_team()
    shot = W.upload_ok(a_admin, status=201)
    wf_id = W.create(a_admin, W.body(3, name="A's secret", shots={1: {"id": shot["screenshot_id"]}}))
    W.activate(a_admin, wf_id)
    d, r = W.detail(a_admin, wf_id)
    etag = r.header("ETag")
    step_ids = [s["id"] for s in d["steps"]]
    base = f"/api/workflows/{wf_id}"
    for who in (b_admin, b_regular):
        assert_error(who.get(base), 404, "WORKFLOW_NOT_FOUND")
        assert wf_id not in [w["id"] for w in assert_envelope(who.get("/api/workflows?include_archived=true"), 200)]
        assert assert_envelope(who.get("/api/workflows?q=secret"), 200) == []
        assert_error(who.get(f"/api/screenshots/{shot['screenshot_id']}"), 404)
    assert_error(W.put(b_admin, wf_id, {"name": "pwned"}), 404)
    assert_error(W.put(b_admin, wf_id, {"status": "archived"}), 404)
    assert_error(b_admin.patch(f"{base}/steps/{step_ids[0]}", {"field_label": "pwned"}), 404)
    assert_error(b_admin.delete(f"{base}/steps/{step_ids[0]}"), 404)
    assert_error(server.request("PUT", f"{base}/steps/order", {"step_ids": step_ids[::-1]}, token=b_admin.token), 404)
    assert_error(b_admin.delete(base), 404)
    # B's own workflow cannot adopt A's step ids either.
    b_wf = W.create(b_admin, W.body(1))
    assert_error(b_admin.patch(f"/api/workflows/{b_wf}/steps/{step_ids[0]}", {"field_label": "x"}), 404)
    assert_validation_error(server.request("PUT", f"/api/workflows/{b_wf}/steps/order",
                                           {"step_ids": step_ids[:1]}, token=b_admin.token))
    # A's workflow is exactly as it was.
    d2, r2 = W.detail(a_admin, wf_id)
    # The same workflow version (the signed-URL period and the thumbnail count, which a thumbnail
    # finished in the meantime raises, are the ETag's other parts).
    assert _etag_version(r2.header("ETag")) == _etag_version(etag)
    assert d2["name"] == "A's secret" and d2["status"] == "active"
    assert [s["id"] for s in d2["steps"]] == step_ids
    assert all(s["field_label"] != "pwned" and not s["label_edited"] for s in d2["steps"])


def test_anchor_payloads_round_trip(co):
    """The anchor's load-harness payloads (the brief's shapes) are accepted unchanged."""
    admin, _ = co
    gen = W.stepgen()(seed=3)
    for n in (3, 25):
        payload = gen.workflow(n)
        wf_id = W.create(admin, copy.deepcopy(payload))
        d, _ = W.detail(admin, wf_id)
        assert [s["selectors"] for s in d["steps"]] == [s["selectors"] for s in payload["steps"]]
        assert d["name"] == payload["metadata"]["name"]


def test_search_is_case_insensitive_beyond_ascii(co):
    """q matches regardless of case for non-ASCII letters too (German, French names are common)."""
    admin, _ = co
    wf_id = W.create(admin, W.body(1, name="Überweisung freigeben", description="Écran de contrôle"))
    for q in ("überweisung", "ÜBERWEISUNG", "écran", "CONTRÔLE"):
        ids = [w["id"] for w in assert_envelope(admin.get("/api/workflows?q=" + urllib.parse.quote(q)), 200)]
        assert ids == [wf_id], q


NUL_FIELDS = [
    ("name", ["metadata", "name"]),
    ("description", ["metadata", "description"]),
    ("tag", ["metadata", "tags", 0]),
    ("starting_url", ["metadata", "starting_url"]),
    ("timestamp", ["steps", 0, "timestamp"]),
    ("selector", ["steps", 0, "selectors", "primary"]),
    ("inner_text", ["steps", 0, "element_meta", "inner_text"]),
    ("page_url", ["steps", 0, "page_context", "url"]),
    ("input_value", ["steps", 0, "action_data", "input_value"]),
    ("element_html", ["steps", 0, "dom_context", "element_html"]),
    ("stable_attr_key", None),
]


@pytest.mark.parametrize("path", [p for _, p in NUL_FIELDS], ids=[n for n, _ in NUL_FIELDS])
def test_nul_character_is_stored_or_refused_never_500(server, co, path):
    """A U+0000 in any text (JSON allows it; PostgreSQL text and jsonb do not): 201 and read back
    unchanged, or 422 naming the field — never a 500, and nothing half-stored."""
    admin, _ = co
    payload = W.body(1, tags=["t"], starting_url="https://app.example.com/x")
    if path is None:
        payload["steps"][0]["selectors"]["stable_attrs"] = {"da\u0000ta": "v"}
        value = None
    else:
        obj = payload
        for k in path[:-1]:
            obj = obj[k]
        value = (obj[path[-1]] or "before") + "\u0000after"
        obj[path[-1]] = value
    before = W.total(admin)
    r = admin.post("/api/workflows", payload)
    if r.status != 201:
        assert W.total(admin) == before, f"a refused upload ({r.status}) left a workflow behind"
    assert r.status in (201, 422), r
    if r.status == 422:
        assert_validation_error(r)
        return
    d, _ = W.detail(admin, r.body["data"]["workflow_id"])
    if path is None:
        assert d["steps"][0]["selectors"]["stable_attrs"] == {"da\u0000ta": "v"}
        return
    got = d
    for k in path:
        got = got[k] if k != "metadata" else got
    assert got == value


def test_nul_character_in_edits_never_500(co):
    admin, _ = co
    wf_id = W.create(admin, W.body(1))
    step_id = _steps(admin, wf_id)[0]["id"]
    r = W.put(admin, wf_id, {"name": "a\u0000b"})
    assert r.status in (200, 422), r
    r = admin.patch(f"/api/workflows/{wf_id}/steps/{step_id}", {"field_label": "x\u0000y"})
    assert r.status in (200, 422), r
    if r.status == 200:
        assert _steps(admin, wf_id)[0]["field_label"] == "x\u0000y"


def test_concurrent_saves_with_one_etag_one_wins(co):
    """Eight admins save at once from the same version: exactly one succeeds, the rest get 412."""
    import threading
    admin, _ = co
    wf_id = W.create(admin, W.body(1, name="Base"))
    etag = W.detail(admin, wf_id)[1].header("ETag")
    results = [None] * 8

    def save(i):
        results[i] = W.put(admin, wf_id, {"name": f"Save {i}"}, if_match=etag)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [i for i, r in enumerate(results) if r.status == 200]
    assert len(ok) == 1, results
    for i, r in enumerate(results):
        if i not in ok:
            assert_error(r, 412, "PRECONDITION_FAILED")
    assert W.detail(admin, wf_id)[0]["name"] == f"Save {ok[0]}"


def test_concurrent_step_deletes_keep_numbering(co):
    import threading
    admin, _ = co
    wf_id = W.create(admin, W.body(12))
    ids = [s["id"] for s in _steps(admin, wf_id)]
    victims = ids[1::2]  # six steps
    results = {}

    def drop(sid):
        results[sid] = admin.delete(f"/api/workflows/{wf_id}/steps/{sid}")

    threads = [threading.Thread(target=drop, args=(sid,)) for sid in victims]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status == 204 for r in results.values()), results
    d, _ = W.detail(admin, wf_id)
    assert [s["id"] for s in d["steps"]] == ids[0::2]
    assert [s["step_number"] for s in d["steps"]] == list(range(1, 7))
    assert d["step_count"] == 6


def test_update_moves_workflow_to_top_of_default_sort(co):
    admin, _ = co
    first = W.create(admin, W.body(1, name="First"))
    W.create(admin, W.body(1, name="Second"))
    import time as _t
    _t.sleep(0.01)
    assert_envelope(W.put(admin, first, {"description": "touched"}), 200)
    data = assert_envelope(admin.get("/api/workflows"), 200)
    assert data[0]["id"] == first, [w["name"] for w in data]


def test_explicit_nulls_for_optional_step_parts(co):
    admin, _ = co
    payload = W.body(1, description=None)
    payload["metadata"]["description"] = None
    for k in ("timestamp", "action_data", "screenshot_ref", "dom_context", "expected_outcome"):
        payload["steps"][0][k] = None
    wf_id = W.create(admin, payload)
    s = _steps(admin, wf_id)[0]
    assert all(s[k] is None for k in ("timestamp", "action_data", "screenshot_ref", "dom_context",
                                      "expected_outcome"))


@pytest.mark.parametrize("ref_id", [9007199254740992, 9223372036854775807, 18446744073709551615,
                                    99999999999999999999999, 1e20, 1.5, 1.0, True, "9999999999999999",
                                    "1e5", " 1", "1 ", "+1", "١"])
def test_screenshot_ref_id_edge_values(co, ref_id):
    """Ids too big for the contract, floats, booleans, odd digit strings: 422, never a 500."""
    admin, _ = co
    before = W.total(admin)
    r = admin.post("/api/workflows", W.body(1, shots={1: {"id": ref_id}}))
    assert_validation_error(r, "/steps/0/screenshot_ref")
    assert W.total(admin) == before


@pytest.mark.parametrize("path_id", ["9007199254740992", "9223372036854775808", "99999999999999999999", "-1",
                                     "1.0", "1e3", "01"])
def test_odd_path_ids_never_500(co, path_id):
    admin, _ = co
    wf_id = W.create(admin, W.body(1))
    step_id = _steps(admin, wf_id)[0]["id"]
    for method, path, payload in (
            ("GET", f"/api/workflows/{path_id}", None),
            ("PUT", f"/api/workflows/{path_id}", {"name": "x"}),
            ("DELETE", f"/api/workflows/{path_id}", None),
            ("PATCH", f"/api/workflows/{wf_id}/steps/{path_id}", {"field_label": "x"}),
            ("DELETE", f"/api/workflows/{wf_id}/steps/{path_id}", None),
            ("PUT", f"/api/workflows/{path_id}/steps/order", {"step_ids": [step_id]}),
            ("GET", f"/api/screenshots/{path_id}", None)):
        r = admin.server.request(method, path, payload, token=admin.token)
        assert r.status in (404, 422), (method, path, r)
    assert len(_steps(admin, wf_id)) == 1


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "q=%FF%FE", "q=%C3", "tag=%00", "tag=%FF", "origin=http://%FF.example.com",
                                   "origin=http://a%00.example.com", "status=%00", "sort=%FF", "limit=1&limit=2",
                                   "q=" + "%25" * 200, "q=%5C", "q=%27%3B--", "tag=%27"])
def test_odd_list_queries_never_500(co, query):
    """NUL bytes, invalid UTF-8, repeated or SQL-looking parameters: an answer (200 or 4xx), not a 500."""
    admin, _ = co
    W.create(admin, W.body(1, name="Needle", tags=["t"]))
    r = admin.get("/api/workflows?" + query)
    assert r.status in (200, 400, 422), (query, r)
    if r.status == 200:
        assert isinstance(r.body["data"], list)
    else:
        assert_error(r, {400, 422})


def test_two_processes_same_etag_one_wins(server_factory):
    """Two server processes on one database (scale-out): saves from the same version race; exactly
    one wins, the others get 412, none is lost silently and none fails with a 5xx."""
    import threading
    first = server_factory()
    second = server_factory(database=first.db)
    admin = first.signup_admin()
    wf_id = W.create(admin, W.body(3, name="Base"))
    etag = W.detail(admin, wf_id)[1].header("ETag")
    results = [None] * 10

    def save(i):
        srv = (first, second)[i % 2]
        results[i] = srv.request("PUT", f"/api/workflows/{wf_id}", {"name": f"Save {i}"}, token=admin.token,
                                 headers={"If-Match": etag})

    threads = [threading.Thread(target=save, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [i for i, r in enumerate(results) if r.status == 200]
    assert len(ok) == 1, results
    for i, r in enumerate(results):
        if i not in ok:
            assert_error(r, 412, "PRECONDITION_FAILED")
    assert W.detail(admin, wf_id)[0]["name"] == f"Save {ok[0]}"
    # Step edits from both processes at once keep the numbering whole.
    ids = [s["id"] for s in _steps(admin, wf_id)]
    r1 = [None, None]

    def drop(i):
        srv = (first, second)[i]
        r1[i] = srv.request("DELETE", f"/api/workflows/{wf_id}/steps/{ids[i]}", token=admin.token)

    threads = [threading.Thread(target=drop, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status for r in r1] == [204, 204], r1
    d, _ = W.detail(admin, wf_id)
    assert [s["id"] for s in d["steps"]] == ids[2:] and [s["step_number"] for s in d["steps"]] == [1]
