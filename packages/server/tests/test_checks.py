"""Scheduled checks (issue 16), the server's side, both engines: the check's settings and who may
change them, runs on demand and on the schedule, what the checker reports recorded as a filmstrip,
heals asked by a check decided by the server as the admin's, at risk / session expired / passed and
the notifications they raise, the checker restarted and the check retried after a crash, a hung
checker killed, the egress policy before any browser starts, and saved sessions sealed at rest.

The checker here is tests/fake_checker.py, a scripted process speaking the protocol of
docs/checker.md; the real checker runs real Chromium in packages/checker's tests and end to end."""
import json
import os
import sys
import time

import pytest

from helpers import assert_envelope, assert_error, assert_validation_error
import wf_support as W

HERE = os.path.dirname(os.path.abspath(__file__))
APP = "http://127.0.0.1:9/app"


def workflow(admin, name, n=3, url=APP, inputs=()):
    body = W.body(n, name=name, starting_url=url)
    for s in body["steps"]:
        s["page_context"]["url"] = url
    for i in inputs:
        s = body["steps"][i - 1]
        s["action_type"] = "input_commit"
        s["element_meta"] = {"tag_name": "input", "type": "text", "label_text": "Title"}
        s["action_data"] = {"input_value": "Q3 plan", "value_kind": "free"}
    wf_id = W.create(admin, body)
    r = W.put(admin, wf_id, {"status": "active"}, W.detail(admin, wf_id)[1].header("ETag"))
    assert_envelope(r, 200)
    return wf_id


def wait_run(admin, run_id, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        run = assert_envelope(admin.get(f"/api/check-runs/{run_id}"), 200)
        if run["state"] == "finished":
            return run
        assert time.monotonic() < deadline, run
        time.sleep(0.05)


@pytest.fixture(scope="module")
def srv(request, stepwise_bin, db_kind, tmp_path_factory):
    from conftest import _Launcher
    launcher = _Launcher(stepwise_bin, db_kind, tmp_path_factory)
    fake_dir = str(tmp_path_factory.mktemp("fake_checker"))
    s = launcher.new(CHECKER_COMMAND=f"{sys.executable} {os.path.join(HERE, 'fake_checker.py')}",
                     FAKE_CHECKER_DIR=fake_dir, CHECKS_ALLOW_PRIVATE="true", CHECK_TIMEOUT_MS="5000",
                     CHECK_MINUTE_MS="20", CHECK_SESSION_KEYS="k1:" + "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=")
    s.fake_dir = fake_dir
    yield s
    problems = launcher.shutdown_all()
    assert not problems, problems


@pytest.fixture(scope="module")
def team(srv):
    return srv.company_team()


def checks_sent(srv):
    path = os.path.join(srv.fake_dir, "checks.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f]


def test_a_check_is_off_until_an_admin_turns_it_on(srv, team):
    admin, regular = team
    wf = workflow(admin, "Settings [found]", inputs=(2,))
    c = assert_envelope(admin.get(f"/api/workflows/{wf}/check"), 200)
    assert c["enabled"] is False and c["mode"] == "locate" and c["interval_minutes"] == 60
    assert c["status"] is None and c["next_run_at"] is None and c["value_step_ids"] == []
    assert_error(regular.get(f"/api/workflows/{wf}/check"), 403, "FORBIDDEN")
    assert_error(regular.put(f"/api/workflows/{wf}/check", {"enabled": True}), 403, "FORBIDDEN")

    steps = W.detail(admin, wf)[0]["steps"]
    c = assert_envelope(admin.put(f"/api/workflows/{wf}/check", {
        "enabled": True, "interval_minutes": 15, "mode": "replay",
        "values": {str(steps[1]["id"]): "Launch plan"}}), 200)
    assert c["enabled"] is True and c["interval_minutes"] == 15 and c["mode"] == "replay"
    assert c["value_step_ids"] == [steps[1]["id"]] and c["updated_by"] == admin.id
    assert c["next_run_at"] is not None
    # Values are write-only, and sealed at rest.
    assert "Launch plan" not in json.dumps(c)
    sealed = srv.db.scalar("SELECT values_sealed FROM workflow_checks WHERE workflow_id = %s", (wf,))
    assert sealed and "Launch plan" not in sealed
    # A value only for a step that types or chooses one, of this workflow.
    assert_validation_error(admin.put(f"/api/workflows/{wf}/check", {"values": {str(steps[0]["id"]): "x"}}),
                            f"/values/{steps[0]['id']}")
    assert_validation_error(admin.put(f"/api/workflows/{wf}/check", {"values": {"0": "x"}}), "/values/0")
    for bad in ({"interval_minutes": 5}, {"interval_minutes": 1441}, {"mode": "click"}, {}, {"enabled": "yes"}):
        assert_validation_error(admin.put(f"/api/workflows/{wf}/check", bad))
    c = assert_envelope(admin.put(f"/api/workflows/{wf}/check", {"values": {str(steps[1]["id"]): None},
                                                                  "enabled": False}), 200)
    assert c["value_step_ids"] == [] and c["enabled"] is False and c["next_run_at"] is None


def test_another_company_sees_nothing(srv, team):
    admin, _ = team
    wf = workflow(admin, "Private [found]")
    other, _ = srv.company_team()
    assert_error(other.get(f"/api/workflows/{wf}/check"), 404, "WORKFLOW_NOT_FOUND")
    assert_error(other.put(f"/api/workflows/{wf}/check", {"enabled": True}), 404, "WORKFLOW_NOT_FOUND")
    assert_error(other.post(f"/api/workflows/{wf}/check-runs"), 404, "WORKFLOW_NOT_FOUND")
    run = assert_envelope(admin.post(f"/api/workflows/{wf}/check-runs"), 202)
    assert_error(other.get(f"/api/check-runs/{run['id']}"), 404, "CHECK_RUN_NOT_FOUND")
    wait_run(admin, run["id"])


def test_check_now_records_a_filmstrip_and_passes(srv, team):
    admin, _ = team
    wf = workflow(admin, "Filmstrip [found]", n=4)
    run = assert_envelope(admin.post(f"/api/workflows/{wf}/check-runs"), 202)
    assert run["state"] in ("queued", "running") and run["trigger"] == "manual" and run["mode"] == "locate"
    again = assert_envelope(admin.post(f"/api/workflows/{wf}/check-runs"), 202)
    if again["state"] != "finished":
        assert again["id"] == run["id"]  # one run in flight per workflow
    run = wait_run(admin, run["id"])
    assert run["status"] == "passed" and run["steps_total"] == 4 and run["steps_found"] == 4, run
    assert run["steps_missing"] == 0 and run["duration_ms"] >= 0 and run["attempts"] == 1
    steps = W.detail(admin, wf)[0]["steps"]
    assert [s["step_id"] for s in run["steps"]] == [s["id"] for s in steps]
    for i, s in enumerate(run["steps"]):
        assert s["outcome"] == "found" and s["method"] == "selector" and s["score"] == 100
        assert s["box"] == {"x": 10, "y": 20 + i, "width": 80, "height": 30}
        assert s["width"] == 1280 and s["height"] == 800 and s["page_url"] == APP
        status, headers, img = W.fetch(s["screenshot_url"])
        assert status == 200 and headers["Content-Type"] == "image/jpeg" and img[:2] == b"\xff\xd8"
    # What the checker was sent: the steps as getWorkflow shows them, no screenshot URLs, the proxy.
    sent = [c for c in checks_sent(srv) if c["workflow"]["id"] == wf][-1]
    assert sent["mode"] == "locate" and sent["proxy"].startswith("http://127.0.0.1:")
    assert [s["id"] for s in sent["workflow"]["steps"]] == [s["id"] for s in steps]
    assert sent["workflow"]["steps"][0]["selector_variants"][0]["source"] == "recorded"
    assert "screenshot" not in sent["workflow"]["steps"][0] or sent["workflow"]["steps"][0]["screenshot"] is None
    assert sent["session"] is None
    c = assert_envelope(admin.get(f"/api/workflows/{wf}/check"), 200)
    assert c["status"] == "passed" and c["last_run_id"] == run["id"]
    assert W.detail(admin, wf)[0]["check_status"] == "passed"
    runs = admin.get(f"/api/workflows/{wf}/check-runs")
    page = assert_envelope(runs, 200)
    assert runs.body["meta"]["total"] >= 1 and page[0]["id"] == run["id"] and "steps" not in page[0]


def notes_of(admin, wf, kind):
    items = assert_envelope(admin.get("/api/notifications?limit=200"), 200)
    return [n for n in items if n["workflow_id"] == wf and n["type"] == kind]


def test_a_step_not_found_puts_the_workflow_at_risk_and_tells_the_admins(srv, team):
    admin, _ = team
    wf = workflow(admin, "Invoices [missing]")
    run = wait_run(admin, assert_envelope(admin.post(f"/api/workflows/{wf}/check-runs"), 202)["id"])
    assert run["status"] == "at_risk" and run["steps_missing"] == 1 and run["steps_found"] == 2
    assert [s["outcome"] for s in run["steps"]] == ["found", "not_found", "found"]
    assert run["steps"][1]["box"] is None
    [note] = notes_of(admin, wf, "workflow_at_risk")
    assert note["severity"] == "warning" and "Step 2 was not found" in note["message"]
    assert note["action_url"].endswith(f"/workflows/{wf}/checks/{run['id']}")
    listed = assert_envelope(admin.get("/api/workflows?limit=200"), 200)
    assert [w["check_status"] for w in listed if w["id"] == wf] == ["at_risk"]
    # Colleagues' health is not touched by a check.
    d = W.detail(admin, wf)[0]
    assert d["total_uses"] == 0 and d["status"] == "active"


def test_a_heal_asked_by_a_check_is_the_servers_decision_shared_with_colleagues(srv, team):
    admin, regular = team
    wf = workflow(admin, "Moved button [heal]")
    run = wait_run(admin, assert_envelope(admin.post(f"/api/workflows/{wf}/check-runs"), 202)["id"])
    assert run["status"] == "passed", run
    assert run["steps"][0]["outcome"] == "healed" and run["steps"][0]["method"] == "deterministic"
    assert run["steps_healed"] == 1
    with open(os.path.join(srv.fake_dir, "heal_results.jsonl")) as f:
        decision = json.loads(f.readlines()[-1])
    assert decision["found"] is True and decision["candidate_index"] == 0 and decision["scope"] == "shared"
    # The variant the check found is one every colleague uses at once.
    step = W.detail(regular, wf)[0]["steps"][0]
    healed = [v for v in step["selector_variants"] if v["source"] == "healed"]
    assert [v["selectors"]["primary"] for v in healed] == ["#moved-1"]
    assert healed[0]["status"] == "shared" and healed[0]["page_state_hash"] == "changed-state"


def test_a_sign_in_page_is_session_expired_not_broken(srv, team):
    admin, _ = team
    wf = workflow(admin, "Behind login [session]")
    run = wait_run(admin, assert_envelope(admin.post(f"/api/workflows/{wf}/check-runs"), 202)["id"])
    assert run["status"] == "session_expired" and "sign-in page" in run["message"]
    # The steps after the sign-in page were not reached: skipped, not missing.
    assert [s["outcome"] for s in run["steps"]] == ["not_found", "skipped", "skipped"]
    assert run["steps_total"] == 3 and run["steps_missing"] == 1
    [note] = notes_of(admin, wf, "check_session_expired")
    assert "Save a session for checks" in note["message"]
    assert notes_of(admin, wf, "workflow_at_risk") == []


def test_a_checker_that_dies_mid_check_is_restarted_and_the_check_retried(srv, team):
    admin, _ = team
    wf = workflow(admin, "Flaky checker [crash]")
    run = wait_run(admin, assert_envelope(admin.post(f"/api/workflows/{wf}/check-runs"), 202)["id"])
    assert run["status"] == "passed" and run["attempts"] == 2 and run["steps_total"] == 3, run
    assert os.path.exists(os.path.join(srv.fake_dir, f"crashed-{wf}"))
    assert "checker exited" in srv.logs()
    # The next check runs in the restarted checker.
    wf2 = workflow(admin, "After the crash [found]")
    run2 = wait_run(admin, assert_envelope(admin.post(f"/api/workflows/{wf2}/check-runs"), 202)["id"])
    assert run2["status"] == "passed" and run2["attempts"] == 1


def test_a_hung_checker_is_cancelled_then_killed(srv, team):
    admin, _ = team
    wf = workflow(admin, "Hangs [hang]", n=1)
    run = wait_run(admin, assert_envelope(admin.post(f"/api/workflows/{wf}/check-runs"), 202)["id"], timeout=60)
    assert run["status"] == "error" and "did not finish in time" in run["message"], run
    wf2 = workflow(admin, "After the hang [found]")
    run2 = wait_run(admin, assert_envelope(admin.post(f"/api/workflows/{wf2}/check-runs"), 202)["id"], timeout=60)
    assert run2["status"] == "passed"


def test_the_schedule_runs_enabled_checks_of_active_workflows(srv, team):
    admin, _ = team
    wf = workflow(admin, "Scheduled [found]")
    paused = workflow(admin, "Archived [found]")
    for w in (wf, paused):
        assert_envelope(admin.put(f"/api/workflows/{w}/check", {"enabled": True, "interval_minutes": 15}), 200)
    r = W.put(admin, paused, {"status": "archived"}, W.detail(admin, paused)[1].header("ETag"))
    assert_envelope(r, 200)
    deadline = time.monotonic() + 30  # 15 "minutes" of 20 ms: a run every ~0.3 s
    while True:
        runs = assert_envelope(admin.get(f"/api/workflows/{wf}/check-runs"), 200)
        done = [r for r in runs if r["state"] == "finished"]
        if len(done) >= 2:
            break
        assert time.monotonic() < deadline, runs
        time.sleep(0.1)
    assert all(r["trigger"] == "schedule" and r["status"] == "passed" for r in done)
    assert assert_envelope(admin.get(f"/api/workflows/{paused}/check-runs"), 200) == []
    assert_envelope(admin.put(f"/api/workflows/{wf}/check", {"enabled": False}), 200)


def test_check_now_refuses_what_cannot_be_checked(srv, team):
    admin, _ = team
    wf = workflow(admin, "Gone [found]")
    r = W.put(admin, wf, {"status": "archived"}, W.detail(admin, wf)[1].header("ETag"))
    assert_envelope(r, 200)
    assert_error(admin.post(f"/api/workflows/{wf}/check-runs"), 409, "WORKFLOW_ARCHIVED")
    assert_error(admin.get("/api/check-runs/999999999"), 404, "CHECK_RUN_NOT_FOUND")


def session_body(origin="http://127.0.0.1:9", **kw):
    body = {"origin": origin,
            "cookies": [{"name": "sid", "value": "s3cr3t-cookie-value", "domain": "127.0.0.1", "path": "/",
                         "expires": None, "http_only": True, "secure": False, "same_site": "Lax"}],
            "local_storage": [{"name": "token", "value": "local-s3cr3t"}]}
    body.update(kw)
    return body


def test_a_saved_session_is_sealed_listed_without_secrets_and_sent_to_checks(srv, team):
    admin, regular = team
    assert_error(regular.post("/api/check-sessions", session_body()), 403, "FORBIDDEN")
    saved = assert_envelope(admin.post("/api/check-sessions", session_body()), 201)
    assert saved["origin"] == "http://127.0.0.1:9" and saved["cookie_count"] == 1
    assert saved["local_storage_count"] == 1 and saved["key_id"] == "k1" and saved["captured_by"] == admin.id
    listed = assert_envelope(admin.get("/api/check-sessions"), 200)
    assert [s["id"] for s in listed] == [saved["id"]]
    assert "s3cr3t" not in json.dumps(listed)
    row = srv.db.query("SELECT sealed, key_id FROM check_sessions WHERE id = %s", (saved["id"],))[0]
    assert "s3cr3t" not in row[0] and row[1] == "k1"
    # Saved again for the same origin: replaced, not added.
    again = assert_envelope(admin.post("/api/check-sessions", session_body(local_storage=[])), 201)
    assert again["id"] == saved["id"] and again["local_storage_count"] == 0
    wf = workflow(admin, "Signed in [found]")
    wait_run(admin, assert_envelope(admin.post(f"/api/workflows/{wf}/check-runs"), 202)["id"])
    sent = [c for c in checks_sent(srv) if c["workflow"]["id"] == wf][-1]
    assert sent["session"]["origin"] == "http://127.0.0.1:9"
    assert sent["session"]["cookies"][0]["value"] == "s3cr3t-cookie-value"
    other, _ = srv.company_team()
    assert assert_envelope(other.get("/api/check-sessions"), 200) == []
    assert_error(other.delete(f"/api/check-sessions/{saved['id']}"), 404, "CHECK_SESSION_NOT_FOUND")
    assert admin.delete(f"/api/check-sessions/{saved['id']}").status == 204
    assert assert_envelope(admin.get("/api/check-sessions"), 200) == []


@pytest.mark.parametrize("body,pointer", [
    (session_body(origin="http://127.0.0.1:9/app"), "/origin"),
    (session_body(origin="ftp://127.0.0.1"), "/origin"),
    (session_body(cookies=[{"name": "a", "value": "b", "domain": "evil.example", "path": "/"}]), "/cookies/0/domain"),
    (session_body(cookies=[{"name": "a", "value": "b", "domain": "example", "path": "/"}],
                  origin="https://app.example"), None),
    (session_body(cookies=[{"name": "", "value": "b", "domain": "127.0.0.1", "path": "/"}]), None),
    ({"origin": "http://127.0.0.1:9"}, None),
])
def test_a_session_with_bad_input_is_refused(srv, team, body, pointer):
    admin, _ = team
    assert_validation_error(admin.post("/api/check-sessions", body), pointer)


def test_checks_do_not_visit_loopback_without_the_setting(server_factory):
    s = server_factory(CHECKER_COMMAND="/bin/false")
    admin, _ = s.company_team()
    wf = workflow(admin, "Intranet [found]")
    run = wait_run(admin, assert_envelope(admin.post(f"/api/workflows/{wf}/check-runs"), 202)["id"])
    assert run["status"] == "error" and run["steps_total"] == 3
    assert {s["outcome"] for s in run["steps"]} == {"skipped"} and run["attempts"] == 0
    assert "egress policy" in run["message"] and "CHECKS_ALLOW_PRIVATE" in run["message"], run
