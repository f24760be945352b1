"""Run reporting, workflow health and alerts (issue 6), black-box through the API.

POST /api/workflows/{id}/health-logs: idempotency on client_id (per company), the health fields
updated in the same transaction (200 concurrent batches stay exact on both engines), the alerts
(broken after 3 failed runs, recovered, high failure rate at most once a day, one open alert per
type), the health report, bad input with nothing stored, tenant isolation and roles."""
import datetime
import secrets
import threading

import pytest

import wf_support as W
from helpers import assert_envelope, assert_error, assert_validation_error

HEALTH_FIELDS = {"status", "success_rate", "total_uses", "consecutive_failures", "last_successful_run",
                 "last_failed_run"}


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------

def cid():
    return "c-" + secrets.token_hex(12)


def entry(status, step_id=None, run_id=None, **kw):
    e = {"client_id": cid(), "run_id": run_id or ("r-" + secrets.token_hex(8)), "step_id": step_id,
         "status": status}
    e.update(kw)
    return e


def runs(*statuses):
    """Run outcomes (step_id null), one run each."""
    return [entry(s) for s in statuses]


def report(account, wf_id, entries):
    return account.post(f"/api/workflows/{wf_id}/health-logs", {"entries": entries})


def report_ok(account, wf_id, entries):
    d = assert_envelope(report(account, wf_id, entries), 200)
    assert set(d) == {"accepted", "duplicates", "workflow"}, d
    assert set(d["workflow"]) == HEALTH_FIELDS, d
    return d


def one_by_one(account, wf_id, *statuses):
    d = None
    for s in statuses:
        d = report_ok(account, wf_id, runs(s))
    return d


def new_wf(admin, n=3, status="active"):
    """A labeled workflow made `active` (or left needs_review); returns (id, [step ids])."""
    wf_id = W.create(admin, W.body(n))
    if status == "active":
        W.activate(admin, wf_id)
    steps = [s["id"] for s in W.detail(admin, wf_id)[0]["steps"]]
    return wf_id, steps


def notes(admin, wf_id=None, type_=None):
    """Every notification of the admin's company (paged through), optionally of one workflow/type."""
    out, cursor = [], None
    while True:
        path = "/api/notifications?limit=200" + (f"&cursor={cursor}" if cursor else "")
        r = admin.get(path)
        assert_envelope(r, 200)
        out += r.body["data"]
        cursor = r.body["meta"]["next_cursor"]
        if not cursor:
            break
    return [n for n in out if (wf_id is None or n["workflow_id"] == wf_id) and (type_ is None or n["type"] == type_)]


def mark_read(admin, note_id):
    assert_envelope(admin.post(f"/api/notifications/{note_id}/read"), 200)


def log_rows(server, wf_id):
    return int(server.db.scalar("SELECT COUNT(*) FROM health_logs WHERE workflow_id = %s", (wf_id,)))


def health_fields(admin, wf_id):
    d = assert_envelope(admin.get(f"/api/workflows/{wf_id}/health?days=1"), 200)
    return d["workflow"]


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def ago(**kw):
    return iso(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(**kw))


def parse_ts(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


# ------------------------------------------------------------------------------------------------
# Counting and idempotency
# ------------------------------------------------------------------------------------------------

def test_report_counts_runs_and_steps(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    run = "run-" + secrets.token_hex(6)
    batch = [entry("success", steps[0], run, execution_time_ms=120, page_url="https://app.example.com/form"),
             entry("healed_deterministic", steps[1], run, healing_confidence=0.91, deterministic_score=91,
                   candidates_evaluated=4, page_state_hash="p1"),
             entry("healed_ai", steps[2], run, healing_confidence=0.83, deterministic_score=66.5,
                   ai_confidence=0.99, candidates_evaluated=7),
             entry("success", None, run)]
    d = report_ok(regular, wf_id, batch)
    assert (d["accepted"], d["duplicates"]) == (4, 0), d
    w = d["workflow"]
    assert w["status"] == "active" and w["total_uses"] == 1 and w["success_rate"] == 1.0, w
    assert w["consecutive_failures"] == 0 and w["last_failed_run"] is None, w
    assert w["last_successful_run"] is not None
    assert log_rows(server, wf_id) == 4

    # The same batch again: all duplicates, nothing changes.
    d2 = report_ok(regular, wf_id, batch)
    assert (d2["accepted"], d2["duplicates"]) == (0, 4), d2
    assert d2["workflow"] == w, (d2, w)
    assert log_rows(server, wf_id) == 4

    # Half new, half old; and a client_id twice in one batch counts once.
    again = entry("failed", None, error_type="timeout")
    mixed = batch[:2] + [again, dict(again), entry("failed", steps[0], error_type="element_not_found")]
    d3 = report_ok(regular, wf_id, mixed)
    assert (d3["accepted"], d3["duplicates"]) == (2, 3), d3
    w3 = d3["workflow"]
    assert w3["total_uses"] == 2 and w3["success_rate"] == 0.5 and w3["consecutive_failures"] == 1, w3
    assert w3["last_failed_run"] is not None and w3["last_successful_run"] == w["last_successful_run"], w3
    assert log_rows(server, wf_id) == 6
    # The same fields through the health report and the workflow itself.
    assert health_fields(admin, wf_id) == w3
    wf = W.detail(admin, wf_id)[0]
    assert wf["total_uses"] == 2 and wf["success_rate"] == 0.5, {k: wf.get(k) for k in HEALTH_FIELDS}


def test_client_id_is_unique_per_company_not_per_workflow(server):
    admin, _ = server.company_team()
    other, _ = server.company_team()
    wf1, _ = new_wf(admin)
    wf2, _ = new_wf(admin)
    wf3, _ = new_wf(other)
    e = entry("success")
    assert report_ok(admin, wf1, [e])["accepted"] == 1
    # Another workflow of the same company: the entry is known already.
    d = report_ok(admin, wf2, [e])
    assert (d["accepted"], d["duplicates"]) == (0, 1) and d["workflow"]["total_uses"] == 0, d
    # Another company may use the same client id.
    d = report_ok(other, wf3, [e])
    assert (d["accepted"], d["duplicates"]) == (1, 0) and d["workflow"]["total_uses"] == 1, d


def test_success_rate_is_over_the_last_50_finished_runs(server):
    admin, _ = server.company_team()
    wf_id, _ = new_wf(admin)
    # 30 failures (the workflow breaks on the 3rd), then 40 successes, with abandoned runs between.
    d = report_ok(admin, wf_id, runs(*(["failed"] * 30)))
    assert d["workflow"]["status"] == "broken" and d["workflow"]["consecutive_failures"] == 30, d
    d = report_ok(admin, wf_id, runs(*(["success", "abandoned"] * 40)))
    w = d["workflow"]
    assert w["total_uses"] == 70, w           # abandoned runs are not uses
    assert w["success_rate"] == pytest.approx(40 / 50), w  # last 50 finished: 10 failed, 40 success
    assert w["consecutive_failures"] == 0 and w["status"] == "active", w
    # Abandoned runs change nothing.
    d = report_ok(admin, wf_id, runs(*(["abandoned"] * 5)))
    assert d["workflow"] == w, d
    d = report_ok(admin, wf_id, runs("failed", "abandoned", "failed"))
    w = d["workflow"]
    assert w["consecutive_failures"] == 2 and w["total_uses"] == 72, w
    assert w["success_rate"] == pytest.approx(40 / 50), w   # 8 old failures fell out of the window
    assert parse_ts(w["last_failed_run"]) >= parse_ts(w["last_successful_run"]), w
    w = report_ok(admin, wf_id, runs(*(["success"] * 10)))["workflow"]
    assert w["success_rate"] == pytest.approx(48 / 50) and w["total_uses"] == 82, w   # 38 S, 2 F, 10 S


# ------------------------------------------------------------------------------------------------
# 200 concurrent batches for one workflow
# ------------------------------------------------------------------------------------------------

def _run_status(i):
    return "abandoned" if i % 10 == 9 else "failed" if i % 3 == 0 else "success"


def _in_threads(fn, n):
    results = [None] * n
    errors = []
    start = threading.Barrier(n)

    def work(i):
        try:
            start.wait(30)
            results[i] = fn(i)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:5]
    return results


def test_200_concurrent_batches_count_exactly(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    n = 200
    batches = []
    for i in range(n):
        run = f"run-{i:04d}-{secrets.token_hex(4)}"
        st = _run_status(i)
        b = [entry("success", steps[0], run), entry("healed_ai", steps[1], run, healing_confidence=0.9),
             entry("failed" if st == "failed" else "success", steps[2], run,
                   error_type="element_not_found" if st == "failed" else None),
             entry(st, None, run)]
        batches.append(b)
    users = [admin, regular]
    res = _in_threads(lambda i: report(users[i % 2], wf_id, batches[i]), n)
    for r in res:
        d = assert_envelope(r, 200)
        assert (d["accepted"], d["duplicates"]) == (4, 0), r
    finished = [s for s in map(_run_status, range(n)) if s != "abandoned"]
    assert log_rows(server, wf_id) == 4 * n

    w = health_fields(admin, wf_id)
    assert w["total_uses"] == len(finished) == 180, w
    # The rate and the streak follow the order the server stored the runs in.
    order = [row[0] for row in server.db.query(
        "SELECT status FROM health_logs WHERE workflow_id = %s AND step_id IS NULL "
        "AND status IN ('success', 'failed') ORDER BY id", (wf_id,))]
    assert len(order) == 180
    last50 = order[-50:]
    assert w["success_rate"] == pytest.approx(last50.count("success") / 50), (w, last50)
    streak = 0
    for s in reversed(order):
        if s != "failed":
            break
        streak += 1
    assert w["consecutive_failures"] == streak, (w, order[-10:])
    # Each response's snapshot was taken inside the lock: the batches with a finished run saw
    # total_uses 1, 2, ..., 180, each value once.
    seen = sorted(assert_envelope(r, 200)["workflow"]["total_uses"] for i, r in enumerate(res)
                  if _run_status(i) != "abandoned")
    assert seen == list(range(1, 181)), seen

    # All 200 again, concurrently: every entry a duplicate, nothing changes.
    res2 = _in_threads(lambda i: report(users[(i + 1) % 2], wf_id, batches[i]), n)
    for r in res2:
        d = assert_envelope(r, 200)
        assert (d["accepted"], d["duplicates"]) == (0, 4), r
    assert log_rows(server, wf_id) == 4 * n
    assert health_fields(admin, wf_id) == w


def test_same_batch_sent_twice_at_once_counts_once(server):
    admin, _ = server.company_team()
    wf_id, steps = new_wf(admin)
    wf2, _ = new_wf(admin)
    n = 60
    batches = [[entry("success", None, f"run-{i:04d}a"), entry("abandoned", None, f"run-{i:04d}b")]
               for i in range(n)]
    # Each batch twice at the same moment; a third of them the second time to another workflow.
    targets = [(wf_id, batches[i // 2]) if i % 2 == 0 or (i // 2) % 3 else (wf2, batches[i // 2])
               for i in range(2 * n)]
    res = _in_threads(lambda i: report(admin, targets[i][0], targets[i][1]), 2 * n)
    accepted = sum(assert_envelope(r, 200)["accepted"] for r in res)
    duplicates = sum(assert_envelope(r, 200)["duplicates"] for r in res)
    assert (accepted, duplicates) == (2 * n, 2 * n), (accepted, duplicates)
    for i in range(n):
        a, b = res[2 * i], res[2 * i + 1]
        assert sorted([a.body["data"]["accepted"], b.body["data"]["accepted"]]) == [0, 2], (a, b)
    t1 = health_fields(admin, wf_id)["total_uses"]
    t2 = health_fields(admin, wf2)["total_uses"]
    assert t1 + t2 == n, (t1, t2)
    assert log_rows(server, wf_id) + log_rows(server, wf2) == 2 * n


# ------------------------------------------------------------------------------------------------
# Alerts
# ------------------------------------------------------------------------------------------------

def test_broken_after_three_failed_runs_and_recovered(server):
    admin, regular = server.company_team()
    wf_id, _ = new_wf(admin)
    w = one_by_one(regular, wf_id, "failed", "failed")["workflow"]
    assert w["status"] == "active" and w["consecutive_failures"] == 2, w
    assert notes(admin, wf_id, "workflow_broken") == []
    w = one_by_one(regular, wf_id, "failed")["workflow"]
    assert w["status"] == "broken" and w["consecutive_failures"] == 3, w
    assert W.detail(admin, wf_id)[0]["status"] == "broken"
    broken = notes(admin, wf_id, "workflow_broken")
    assert len(broken) == 1, broken
    n = broken[0]
    assert n["severity"] == "error" and n["read"] is False and n["read_at"] is None, n
    assert n["action_url"].endswith(f"/workflows/{wf_id}/health"), n
    assert n["title"] and n["created_at"], n

    # More failures: no storm.
    w = one_by_one(regular, wf_id, "failed", "failed", "abandoned")["workflow"]
    assert w["status"] == "broken" and w["consecutive_failures"] == 5, w
    assert len(notes(admin, wf_id, "workflow_broken")) == 1

    # A completed run brings it back, with an info.
    w = one_by_one(regular, wf_id, "success")["workflow"]
    assert w["status"] == "active" and w["consecutive_failures"] == 0, w
    rec = notes(admin, wf_id, "workflow_recovered")
    assert len(rec) == 1 and rec[0]["severity"] == "info", rec

    # Broken again while the first alert is unread: still one open alert of that type.
    w = report_ok(regular, wf_id, runs("failed", "failed", "failed"))["workflow"]
    assert w["status"] == "broken", w
    assert len(notes(admin, wf_id, "workflow_broken")) == 1
    # Recovered again: the recovered alert is still open.
    assert one_by_one(regular, wf_id, "success")["workflow"]["status"] == "active"
    assert len(notes(admin, wf_id, "workflow_recovered")) == 1
    # Once read, the next break alerts again.
    mark_read(admin, n["id"])
    assert report_ok(regular, wf_id, runs("failed", "failed", "failed"))["workflow"]["status"] == "broken"
    broken = notes(admin, wf_id, "workflow_broken")
    assert len(broken) == 2 and sum(1 for b in broken if not b["read"]) == 1, broken


def test_three_failures_in_one_batch_break_it(server):
    admin, regular = server.company_team()
    wf_id, _ = new_wf(admin)
    w = report_ok(regular, wf_id, runs("failed", "abandoned", "failed", "failed"))["workflow"]
    assert w["status"] == "broken" and w["consecutive_failures"] == 3, w
    assert len(notes(admin, wf_id, "workflow_broken")) == 1


def test_status_does_not_depend_on_how_runs_are_batched(server):
    """broken, then a success and a failure: in two batches the success recovers the workflow
    (active, 1 failure since); the same two runs in one batch must end the same way."""
    admin, regular = server.company_team()
    split, _ = new_wf(admin)
    joined, _ = new_wf(admin)
    for wf_id in (split, joined):
        assert report_ok(regular, wf_id, runs("failed", "failed", "failed"))["workflow"]["status"] == "broken"
    report_ok(regular, split, runs("success"))
    a = report_ok(regular, split, runs("failed"))["workflow"]
    b = report_ok(regular, joined, runs("success", "failed"))["workflow"]
    assert (a["status"], a["consecutive_failures"]) == ("active", 1), a
    assert (b["status"], b["consecutive_failures"]) == (a["status"], a["consecutive_failures"]), (a, b)
    assert len(notes(admin, joined, "workflow_recovered")) == len(notes(admin, split, "workflow_recovered")) == 1


def test_break_and_recover_in_one_batch_alerts_like_separate_batches(server):
    """Active, then one batch F, F, F, S: broken after the third, active again after the success,
    as if sent one by one: one workflow_broken and one workflow_recovered alert."""
    admin, regular = server.company_team()
    split, _ = new_wf(admin)
    joined, _ = new_wf(admin)
    a = one_by_one(regular, split, "failed", "failed", "failed", "success")["workflow"]
    b = report_ok(regular, joined, runs("failed", "failed", "failed", "success"))["workflow"]
    assert (a["status"], a["consecutive_failures"]) == (b["status"], b["consecutive_failures"]) == ("active", 0)
    for wf_id in (split, joined):
        assert len(notes(admin, wf_id, "workflow_broken")) == 1, wf_id
        assert len(notes(admin, wf_id, "workflow_recovered")) == 1, wf_id


def test_needs_review_workflow_is_not_marked_broken(server):
    admin, regular = server.company_team()
    wf_id, _ = new_wf(admin, status="needs_review")
    w = report_ok(regular, wf_id, runs("failed", "failed", "failed", "failed"))["workflow"]
    assert w["status"] == "needs_review" and w["consecutive_failures"] == 4, w
    assert notes(admin, wf_id, "workflow_broken") == []
    # A success on a needs_review workflow does not activate it either.
    w = report_ok(regular, wf_id, runs("success"))["workflow"]
    assert w["status"] == "needs_review", w
    assert notes(admin, wf_id, "workflow_recovered") == []


def test_high_failure_rate_boundaries_and_once_a_day(server):
    admin, regular = server.company_team()
    wf_id, _ = new_wf(admin)
    # 7 successes + 3 failures = 70 % over 10 runs: not below 70 %.
    one_by_one(regular, wf_id, *(["success"] * 7), "failed", "failed", "failed")
    assert notes(admin, wf_id, "high_failure_rate") == []
    # 11th run failed: 7/11 < 70 %.
    one_by_one(regular, wf_id, "failed")
    hf = notes(admin, wf_id, "high_failure_rate")
    assert len(hf) == 1 and hf[0]["severity"] == "warning", hf
    assert hf[0]["action_url"].endswith(f"/workflows/{wf_id}/health"), hf
    # More failures the same day: none, even once the first is read.
    one_by_one(regular, wf_id, "failed")
    mark_read(admin, hf[0]["id"])
    one_by_one(regular, wf_id, "failed", "failed")
    assert len(notes(admin, wf_id, "high_failure_rate")) == 1
    # A day later (the alert backdated 25 h), the next failed run alerts again.
    server.db.execute("UPDATE notifications SET created_at = %s WHERE id = %s", (ago(hours=25), hf[0]["id"]))
    one_by_one(regular, wf_id, "failed")
    hf2 = notes(admin, wf_id, "high_failure_rate")
    assert len(hf2) == 2, hf2


def test_high_failure_rate_needs_ten_runs_and_a_failed_one(server):
    admin, regular = server.company_team()
    wf_id, _ = new_wf(admin)
    report_ok(regular, wf_id, runs(*(["failed"] * 9)))
    assert notes(admin, wf_id, "high_failure_rate") == []      # 9 runs: too few
    report_ok(regular, wf_id, runs("success"))
    assert notes(admin, wf_id, "high_failure_rate") == []      # 10 runs, but the new one succeeded
    report_ok(regular, wf_id, runs("abandoned"))
    assert notes(admin, wf_id, "high_failure_rate") == []
    report_ok(regular, wf_id, runs("failed"))
    assert len(notes(admin, wf_id, "high_failure_rate")) == 1


def test_high_failure_rate_looks_at_seven_days(server):
    admin, regular = server.company_team()
    wf_id, _ = new_wf(admin)
    report_ok(regular, wf_id, runs(*(["failed"] * 12)))
    hf = notes(admin, wf_id, "high_failure_rate")
    assert len(hf) == 1, hf
    # Those runs are 8 days old and the alert 2 days: a new failure alone is not 10 runs.
    server.db.execute("UPDATE health_logs SET created_at = %s WHERE workflow_id = %s", (ago(days=8), wf_id))
    server.db.execute("UPDATE notifications SET created_at = %s WHERE id = %s", (ago(days=2), hf[0]["id"]))
    report_ok(regular, wf_id, runs("failed"))
    assert len(notes(admin, wf_id, "high_failure_rate")) == 1
    mark_read(admin, hf[0]["id"])
    report_ok(regular, wf_id, runs(*(["failed"] * 8)))           # 9 recent runs
    assert len(notes(admin, wf_id, "high_failure_rate")) == 1
    report_ok(regular, wf_id, runs("failed"))           # 10 recent runs now
    assert len(notes(admin, wf_id, "high_failure_rate")) == 2


def test_step_entries_alone_change_no_run_counts(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    d = report_ok(regular, wf_id, [entry("failed", steps[0], error_type="timeout") for _ in range(5)])
    w = d["workflow"]
    assert (w["total_uses"], w["consecutive_failures"], w["status"]) == (0, 0, "active"), w
    assert notes(admin, wf_id, "workflow_broken") == []


# ------------------------------------------------------------------------------------------------
# The health report
# ------------------------------------------------------------------------------------------------

def test_health_report(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin, n=4)
    r1, r2, r3 = "run-aaaa0001", "run-aaaa0002", "run-aaaa0003"
    report_ok(regular, wf_id, [
        entry("success", steps[0], r1), entry("healed_ai", steps[1], r1, healing_confidence=0.85,
                                              page_url="https://app.example.com/x"),
        entry("success", None, r1),
        entry("failed", steps[2], r2, error_type="element_not_found"),
        entry("failed", steps[2], r2, error_type="timeout"),
        entry("failed", steps[3], r2, error_type="element_not_found"),
        entry("failed", steps[2], r2, error_type="element_not_found"),
        entry("failed", None, r2, error_type="element_not_found"),
        entry("healed_deterministic", steps[0], r3, healing_confidence=0.95),
        entry("abandoned", None, r3, error_type="user_abandoned"),
    ])
    # A failure 3 days ago: outside days=2, inside days=7.
    old = entry("failed", None, "run-old00001")
    report_ok(regular, wf_id, [old, entry("failed", steps[1], "run-old00001", error_type="wrong_page")])
    server.db.execute("UPDATE health_logs SET created_at = %s WHERE run_id = %s", (ago(days=3), "run-old00001"))

    r = admin.get(f"/api/workflows/{wf_id}/health?days=2")
    d = assert_envelope(r, 200)
    assert set(d) == {"workflow_id", "workflow_name", "workflow", "days", "failing_steps", "recent_runs",
                      "healing_events"}, d
    assert d["workflow_id"] == wf_id and d["workflow_name"] == W.detail(admin, wf_id)[0]["name"]
    assert set(d["workflow"]) == HEALTH_FIELDS
    assert len(d["days"]) == 2, d["days"]
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    assert d["days"][-1]["date"] == today and d["days"][0]["date"] < today, d["days"]
    tot = {k: sum(day[k] for day in d["days"]) for k in ("success", "failed", "abandoned", "healed")}
    assert tot == {"success": 1, "failed": 1, "abandoned": 1, "healed": 2}, d["days"]
    fs = d["failing_steps"]
    assert [f["step_id"] for f in fs] == [steps[2], steps[3]], fs
    assert fs[0]["failures"] == 3 and fs[0]["error_types"] == {"element_not_found": 2, "timeout": 1}, fs
    assert fs[0]["step_number"] == 3 and fs[0]["field_label"], fs
    assert {r["run_id"] for r in d["recent_runs"]} == {r1, r2, r3, "run-old00001"}, d["recent_runs"]
    assert all(set(r) >= {"run_id", "status", "user_id", "created_at"} for r in d["recent_runs"])
    assert {r["user_id"] for r in d["recent_runs"]} == {regular.id}
    ev = d["healing_events"]
    assert sorted((e["step_id"], e["status"]) for e in ev) == sorted(
        [(steps[1], "healed_ai"), (steps[0], "healed_deterministic")]), ev
    by = {e["status"]: e for e in ev}
    assert by["healed_ai"]["step_number"] == 2 and by["healed_ai"]["healing_confidence"] == 0.85, ev
    assert by["healed_ai"]["page_url"] == "https://app.example.com/x" and by["healed_ai"]["field_label"], ev

    d7 = assert_envelope(admin.get(f"/api/workflows/{wf_id}/health?days=7"), 200)
    assert len(d7["days"]) == 7
    assert sum(day["failed"] for day in d7["days"]) == 2, d7["days"]
    assert any(f["step_id"] == steps[1] and f["error_types"] == {"wrong_page": 1} for f in d7["failing_steps"])
    d_default = assert_envelope(admin.get(f"/api/workflows/{wf_id}/health"), 200)
    assert len(d_default["days"]) == 30


def test_health_report_limits(server):
    admin, _ = server.company_team()
    wf_id, steps = new_wf(admin)
    report_ok(admin, wf_id, runs(*(["success"] * 60)))
    report_ok(admin, wf_id, [entry("healed_ai", steps[0], healing_confidence=0.9) for _ in range(60)])
    d = assert_envelope(admin.get(f"/api/workflows/{wf_id}/health?days=365"), 200)
    assert len(d["days"]) == 365
    assert len(d["recent_runs"]) == 50 and len(d["healing_events"]) == 50, (len(d["recent_runs"]),
                                                                           len(d["healing_events"]))
    times = [r["created_at"] for r in d["recent_runs"]]
    assert times == sorted(times, reverse=True), times
    for bad in ("0", "366", "-1", "abc", "1.5"):
        assert_validation_error(admin.get(f"/api/workflows/{wf_id}/health?days={bad}"))


# ------------------------------------------------------------------------------------------------
# Workflow states, roles and tenants
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["draft", "processing", "archived"])
def test_report_on_a_workflow_that_does_not_run(server, status):
    admin, regular = server.company_team()
    wf_id, _ = new_wf(admin)
    W.force_status(admin, wf_id, status)
    assert_error(report(admin, wf_id, runs("success")), 409, "WORKFLOW_NOT_RUNNABLE")
    assert_error(report(regular, wf_id, runs("success")), 404)
    assert log_rows(server, wf_id) == 0


@pytest.mark.parametrize("status", ["active", "needs_review", "broken"])
def test_regular_user_reports_on_runnable_workflows(server, status):
    admin, regular = server.company_team()
    wf_id, _ = new_wf(admin)
    if status != "active":
        W.force_status(admin, wf_id, status)
    d = report_ok(regular, wf_id, runs("success"))
    assert d["accepted"] == 1 and d["workflow"]["total_uses"] == 1, d


def test_tenant_isolation_and_roles(server, team):
    a_admin, a_reg, b_admin, b_reg = team["a_admin"], team["a_regular"], team["b_admin"], team["b_regular"]
    wf_a, steps_a = new_wf(a_admin)
    wf_b, steps_b = new_wf(b_admin)
    for acct in (b_admin, b_reg):
        assert_error(report(acct, wf_a, runs("success")), 404)
        assert_error(acct.get(f"/api/workflows/{wf_a}/health"), {403, 404})
    assert_error(b_admin.get(f"/api/workflows/{wf_a}/health"), 404)
    # A step of another company's workflow, reported on one's own workflow.
    r = report(b_admin, wf_b, [entry("failed", steps_a[0], error_type="timeout")])
    assert_validation_error(r, "/entries/0/step_id")
    assert log_rows(server, wf_a) == 0 and log_rows(server, wf_b) == 0
    # Roles: any user reports; the health report is for admins.
    assert_error(a_reg.get(f"/api/workflows/{wf_a}/health"), 403)
    assert_envelope(a_admin.get(f"/api/workflows/{wf_a}/health"), 200)
    assert_error(a_reg.get("/api/notifications"), 403)
    assert_error(a_reg.get("/api/notifications/unread-count"), 403)
    # Unknown workflow; no token.
    assert_error(report(a_admin, 999999999, runs("success")), 404)
    assert_error(a_admin.get("/api/workflows/999999999/health"), 404)
    assert_error(a_admin.server.request("POST", f"/api/workflows/{wf_a}/health-logs",
                                        body={"entries": runs("success")}), 401)
    assert_error(a_admin.server.request("GET", f"/api/workflows/{wf_a}/health"), 401)
    assert log_rows(server, wf_a) == 0
    # Alerts of company A never reach company B.
    report_ok(a_reg, wf_a, runs("failed", "failed", "failed"))
    assert len(notes(a_admin, wf_a, "workflow_broken")) == 1
    assert notes(b_admin, wf_a) == []


# ------------------------------------------------------------------------------------------------
# Bad input: 4xx and nothing stored
# ------------------------------------------------------------------------------------------------

def _bad_batches(steps, other_step):
    ok = lambda **kw: {**entry("failed", steps[0], "run-bad00001"), **kw}  # noqa: E731
    return [
        ("entries missing", {}, ""),
        ("entries not an array", {"entries": {"a": 1}}, "/entries"),
        ("entries empty", {"entries": []}, "/entries"),
        ("201 entries", {"entries": [entry("success", steps[0]) for _ in range(201)]}, "/entries"),
        ("client_id int", {"entries": [ok(client_id=12345678)]}, "/entries/0/client_id"),
        ("client_id short", {"entries": [ok(client_id="abc")]}, "/entries/0/client_id"),
        ("client_id bad chars", {"entries": [ok(client_id="abc def ghi")]}, "/entries/0/client_id"),
        ("run_id missing", {"entries": [{k: v for k, v in ok().items() if k != "run_id"}]}, "/entries/0"),
        ("step_id missing", {"entries": [{k: v for k, v in ok().items() if k != "step_id"}]}, "/entries/0"),
        ("step_id string", {"entries": [ok(step_id=str(steps[0]))]}, "/entries/0/step_id"),
        ("status unknown", {"entries": [ok(status="great")]}, "/entries/0/status"),
        ("error_type unknown", {"entries": [ok(error_type="oops")]}, "/entries/0/error_type"),
        ("confidence > 1", {"entries": [ok(healing_confidence=1.5)]}, "/entries/0/healing_confidence"),
        ("score > 100", {"entries": [ok(deterministic_score=101)]}, "/entries/0/deterministic_score"),
        ("time negative", {"entries": [ok(execution_time_ms=-1)]}, "/entries/0/execution_time_ms"),
        ("unknown field", {"entries": [ok(extra=1)]}, "/entries/0"),
        ("error_message too long", {"entries": [ok(error_message="x" * 2001)]}, "/entries/0/error_message"),
        ("page_url too long", {"entries": [ok(page_url="https://a.example/" + "x" * 2040)]},
         "/entries/0/page_url"),
        ("hash too long", {"entries": [ok(page_state_hash="h" * 129)]}, "/entries/0/page_state_hash"),
        ("candidates_evaluated float", {"entries": [ok(candidates_evaluated=1.5)]},
         "/entries/0/candidates_evaluated"),
        ("unknown top field", {"entries": [ok()], "x": 1}, ""),
        ("step of another workflow", {"entries": [ok(), ok(client_id=cid(), step_id=other_step)]},
         "/entries/1/step_id"),
        ("step that does not exist", {"entries": [ok(), ok(client_id=cid(), step_id=987654321)]},
         "/entries/1/step_id"),
        ("abandoned step entry", {"entries": [ok(), ok(client_id=cid(), status="abandoned")]},
         "/entries/1/status"),
        ("healed run outcome", {"entries": [ok(), entry("healed_ai", None)]}, "/entries/1/status"),
        ("skipped run outcome", {"entries": [ok(), entry("skipped", None)]}, "/entries/1/status"),
        ("completed_with_skips step entry",
         {"entries": [ok(), ok(client_id=cid(), status="completed_with_skips")]}, "/entries/1/status"),
    ]


def test_bad_batches_store_nothing(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    other_wf, other_steps = new_wf(admin)
    before = health_fields(admin, wf_id)
    for name, payload, pointer in _bad_batches(steps, other_steps[0]):
        r = regular.post(f"/api/workflows/{wf_id}/health-logs", payload)
        err = assert_validation_error(r, pointer if pointer else None)
        assert err, name
        assert log_rows(server, wf_id) == 0, name
    assert health_fields(admin, wf_id) == before
    # Not JSON, wrong content type.
    r = regular.post(f"/api/workflows/{wf_id}/health-logs", raw=b'{"entries": [', headers={
        "Content-Type": "application/json"})
    assert_error(r, 400)
    r = regular.post(f"/api/workflows/{wf_id}/health-logs", raw=b"entries=1", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert_error(r, 415)
    assert_error(regular.post("/api/workflows/abc/health-logs", {"entries": runs("success")}), {404, 422})
    assert log_rows(server, wf_id) == 0


def test_a_valid_entry_before_a_bad_one_is_not_kept(server):
    """The whole batch is one transaction: entry 0 is valid, entry 150 names another step."""
    admin, _ = server.company_team()
    wf_id, steps = new_wf(admin)
    _, other = new_wf(admin)
    batch = runs(*(["success"] * 150)) + [entry("failed", other[0])] + runs("failed")
    assert_validation_error(report(admin, wf_id, batch), "/entries/150/step_id")
    assert log_rows(server, wf_id) == 0
    assert health_fields(admin, wf_id)["total_uses"] == 0
    # The same entries, fixed, are all new (nothing was remembered as a duplicate).
    batch[150] = {**batch[150], "step_id": steps[0]}
    d = report_ok(admin, wf_id, batch)
    assert (d["accepted"], d["duplicates"]) == (152, 0), d
    assert d["workflow"]["total_uses"] == 151


def test_200_entries_is_the_limit(server):
    admin, _ = server.company_team()
    wf_id, steps = new_wf(admin)
    d = report_ok(admin, wf_id, [entry("success", steps[i % 3]) for i in range(199)] + runs("success"))
    assert d["accepted"] == 200 and d["workflow"]["total_uses"] == 1, d


def test_reports_and_workflow_edits_at_once_lose_nothing(server):
    """Run reports and an admin's edits of the same workflow interleave: no count is lost and
    the edit's name sticks (the edit rewrites the row's status, the report its counts)."""
    admin, regular = server.company_team()
    wf_id, _ = new_wf(admin)
    n_reports, n_edits = 80, 20
    names = [f"Edited {i} {secrets.token_hex(3)}" for i in range(n_edits)]

    def work(i):
        if i < n_reports:
            return report(regular, wf_id, runs("success"))
        return W.put(admin, wf_id, {"name": names[i - n_reports]})

    res = _in_threads(work, n_reports + n_edits)
    assert all(r.status == 200 for r in res), [r for r in res if r.status != 200][:2]
    d = W.detail(admin, wf_id)[0]
    assert d["total_uses"] == n_reports and d["success_rate"] == 1.0, {k: d[k] for k in ("total_uses", "success_rate")}
    assert d["name"] in names and d["status"] == "active", d["name"]
    assert health_fields(admin, wf_id)["total_uses"] == n_reports


# ------------------------------------------------------------------------------------------------
# Runs completed with skipped steps
# ------------------------------------------------------------------------------------------------

def skips(error_type=None, steps=None):
    """A run that finished with a skipped step: the step's entry, then the run's outcome."""
    run = "r-" + secrets.token_hex(8)
    out = []
    if steps:
        out.append(entry("skipped", steps[0], run, error_type="element_not_found"))
    out.append(entry("completed_with_skips", None, run, **({"error_type": error_type} if error_type else {})))
    return out


def test_completed_with_skips_is_finished_but_no_success(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    d = report_ok(regular, wf_id, runs("success", "success") + skips(steps=steps) + runs("abandoned"))
    w = d["workflow"]
    # Three finished runs (the abandoned one is not), two of them successes.
    assert w["total_uses"] == 3 and w["success_rate"] == pytest.approx(2 / 3), w
    assert w["consecutive_failures"] == 0 and w["status"] == "active", w
    assert w["last_failed_run"] is None, w
    # The health report: a day count of its own, and the run in the recent runs.
    h = assert_envelope(admin.get(f"/api/workflows/{wf_id}/health?days=1"), 200)
    day = h["days"][-1]
    assert set(day) == {"date", "success", "completed_with_skips", "failed", "abandoned", "healed"}, day
    assert (day["success"], day["completed_with_skips"], day["failed"], day["abandoned"]) == (2, 1, 0, 1), day
    assert sorted(r["status"] for r in h["recent_runs"]) == \
        ["abandoned", "completed_with_skips", "success", "success"], h["recent_runs"]


def test_skips_neither_break_nor_reset_the_failure_streak(server):
    admin, regular = server.company_team()
    wf_id, _ = new_wf(admin)
    # Two failures, then skips of steps that were found (the user chose to skip): the streak
    # stays at two, and a third failure breaks the workflow.
    d = report_ok(regular, wf_id, runs("failed", "failed") + skips() + skips(error_type="timeout") + skips())
    assert d["workflow"]["consecutive_failures"] == 2 and d["workflow"]["status"] == "active", d
    d = report_ok(regular, wf_id, runs("failed"))
    assert d["workflow"]["consecutive_failures"] == 3 and d["workflow"]["status"] == "broken", d
    assert len(notes(admin, wf_id, "workflow_broken")) == 1
    # Such a run does not recover it either; a success does.
    d = report_ok(regular, wf_id, skips())
    assert d["workflow"]["status"] == "broken" and d["workflow"]["consecutive_failures"] == 3, d
    d = report_ok(regular, wf_id, runs("success"))
    assert d["workflow"]["status"] == "active" and d["workflow"]["consecutive_failures"] == 0, d
    assert d["workflow"]["total_uses"] == 8 and d["workflow"]["success_rate"] == pytest.approx(1 / 8), d


def test_skips_of_steps_not_found_count_as_failures(server):
    admin, regular = server.company_team()
    wf_id, steps = new_wf(admin)
    d = report_ok(regular, wf_id, skips("element_not_found", steps) + skips("element_not_found"))
    w = d["workflow"]
    assert w["consecutive_failures"] == 2 and w["last_failed_run"] and w["status"] == "active", w
    d = report_ok(regular, wf_id, runs("failed"))
    assert d["workflow"]["status"] == "broken", d
    assert len(notes(admin, wf_id, "workflow_broken")) == 1
    # Batched the other way round, the same: the status does not depend on batching.
    other, _ = new_wf(admin)
    for e in skips("element_not_found") + runs("failed") + skips("element_not_found"):
        d = report_ok(regular, other, [e])
    assert d["workflow"]["status"] == "broken" and d["workflow"]["consecutive_failures"] == 3, d


def test_skips_count_in_the_high_failure_rate(server):
    admin, regular = server.company_team()
    wf_id, _ = new_wf(admin)
    # 10 runs in 7 days, 6 successes (< 70 %): the 4 others are runs with skipped steps.
    report_ok(regular, wf_id, runs(*(["success"] * 6)) + [e for _ in range(4) for e in skips()])
    alerts = notes(admin, wf_id, "high_failure_rate")
    assert len(alerts) == 1 and "4 of 10" in alerts[0]["message"], alerts
    assert health_fields(admin, wf_id)["status"] == "active"
