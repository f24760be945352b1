"""The job queue (issue 5) on both backends — the embedded jobs table and Redis Streams with the
database outbox: a worker killed with -9 in the middle of a job, Redis restarted in the middle of a
run, Redis down when jobs are queued, retries and the dead letter, the periodic scheduler."""
import json
import signal
import time

import pytest

import wf_support as W
from fake_vendor import ANTHROPIC, ANTHROPIC_MODEL, B, FakeVendor
from helpers import STOP_TIMEOUT, assert_envelope

pytestmark = pytest.mark.slow

AMODEL = f"anthropic:{ANTHROPIC_MODEL}"
BACKENDS = ["embedded", "redis"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    if request.param == "redis":
        return "redis", W.queue_settings("redis", request.getfixturevalue("redis_url"))
    return "embedded", W.queue_settings("embedded")


def _label_jobs_left(srv, qenv):
    """Label jobs the queue still holds: rows of the jobs table (any state) and, with Redis, stream
    entries, pending (unacknowledged) deliveries and delayed retries."""
    n = int(srv.db.scalar("SELECT COUNT(*) FROM jobs WHERE type IN ('label_step', 'label_workflow')"))
    if qenv.get("JOB_QUEUE") == "redis":
        url, prefix = qenv["REDIS_URL"], qenv["REDIS_PREFIX"]
        n += W.redis_cmd(url, "XLEN", f"{prefix}:jobs")
        n += W.redis_cmd(url, "ZCARD", f"{prefix}:jobs:delayed")
        try:
            n += W.redis_cmd(url, "XPENDING", f"{prefix}:jobs", "workers")[0]
        except RuntimeError:  # no group yet
            pass
    return n


def _queue_state(srv, qenv):
    out = {"jobs": srv.db.query("SELECT id, type, state, attempts FROM jobs")}
    if qenv.get("JOB_QUEUE") == "redis":
        url, prefix = qenv["REDIS_URL"], qenv["REDIS_PREFIX"]
        out["stream"] = W.redis_cmd(url, "XRANGE", f"{prefix}:jobs", "-", "+")
        out["delayed"] = W.redis_cmd(url, "ZRANGE", f"{prefix}:jobs:delayed", "0", "-1", "WITHSCORES")
        out["pending"] = W.redis_cmd(url, "XPENDING", f"{prefix}:jobs", "workers")
    return out


def _stuck(srv):
    return int(srv.db.scalar("SELECT COUNT(*) FROM workflows WHERE status = 'processing'"))


def test_queue_is_drained_after_labeling(server_factory, backend, request):
    kind, qenv = backend
    srv = server_factory(**W.lenv(qenv, WORKER_CONCURRENCY=3))
    admin = srv.signup_admin()
    wfs = [W.create(admin, W.wf_body(W.unique_steps(5)), wait=False) for _ in range(3)]
    for wf_id in wfs:
        d = W.wait_labeled(admin, wf_id, timeout=10)
        assert d["status"] == "needs_review" and all(s["ai_model"] == "local" for s in d["steps"])
    W.wait_for(lambda: _label_jobs_left(srv, qenv) == 0, timeout=10, what="every label job acknowledged")


def test_concurrent_step_labels_finish_every_workflow(server_factory, backend, request):
    """Many workflows' last steps labeled at once by 8 workers: each workflow moves to needs_review
    (on PostgreSQL two concurrent last writes used to both see the other's step pending)."""
    kind, qenv = backend
    srv = server_factory(**W.lenv(qenv, WORKER_CONCURRENCY=8))
    admin = srv.signup_admin()
    wfs = [W.create(admin, W.wf_body(W.unique_steps(3)), wait=False) for _ in range(30)]
    W.wait_for(lambda: int(srv.db.scalar("SELECT COUNT(*) FROM steps WHERE label_status = 'pending'")) == 0,
               timeout=30, what="every step labeled")
    time.sleep(0.5)
    stuck = [(w, d["labeling"]) for w in wfs for d in [W.detail(admin, w)[0]] if d["status"] != "needs_review"]
    assert not stuck, f"{len(stuck)} of 30 workflows stuck with every step labeled: {stuck[:3]}"
    notes = assert_envelope(admin.get("/api/notifications?limit=100"), 200)
    assert sorted(n["workflow_id"] for n in notes) == sorted(wfs)


@pytest.mark.resilience
def test_worker_killed_mid_job_another_finishes(server_factory, backend, request):
    kind, qenv = backend
    with FakeVendor() as fake:
        fake.default(ANTHROPIC, B.ok(delay=30))  # the first worker is in the middle of every call
        srv = server_factory(**W.lenv(qenv, fake.anthropic_env(), WORKER_CONCURRENCY=0, JOB_VISIBILITY_MS=2000,
                                      AI_TIMEOUT_MS=40000, AI_BACKOFF_BASE_MS=5))
        a = W.Worker(srv, concurrency=2).start()
        request.addfinalizer(a.kill)  # also when a wait below fails
        admin = srv.signup_admin()
        wf_id = W.create(admin, W.wf_body(W.unique_steps(2)), wait=False)
        W.wait_for(lambda: fake.in_flight == 2, what="worker A calling the vendor for both steps")
        a.kill()  # kill -9 in the middle of both jobs
        fake.default(ANTHROPIC, B.ok(field_label="Labeled after the crash"))
        # An admin edit made while the jobs wait for their lease to run out.
        steps = W.detail(admin, wf_id)[0]["steps"]
        r = admin.patch(f"/api/workflows/{wf_id}/steps/{steps[0]['id']}", {"field_label": "Edited by the admin"})
        assert_envelope(r, 200)
        t0 = time.monotonic()
        b = W.Worker(srv, concurrency=2).start()
        request.addfinalizer(b.kill)
        try:
            d = W.wait_labeled(admin, wf_id, timeout=20)
            elapsed = time.monotonic() - t0
            assert d["status"] == "needs_review"
            s1, s2 = d["steps"]
            assert (s1["field_label"], s1["label_edited"]) == ("Edited by the admin", True)
            assert s1["ai_model"] == AMODEL and "labeled by anthropic" in s1["instruction"]
            assert s2["field_label"] == "Labeled after the crash" and s2["ai_model"] == AMODEL
            assert {r[4] for r in W.db_steps(srv, wf_id)} == {"done"}
            assert _stuck(srv) == 0
            assert elapsed < 15, f"the lease (2 s) took {elapsed:.1f} s to run out"
            W.wait_for(lambda: _label_jobs_left(srv, qenv) == 0, timeout=10, what="jobs acknowledged")
        finally:
            assert b.stop() == 0, b.logs(3000)


@pytest.mark.resilience
def test_shutdown_while_the_ai_asks_to_wait_hands_the_job_back(server_factory, backend):
    """SIGTERM while a worker waits out a vendor's retry-after: the server stops at once (not after
    the wait), the step is not given a fallback label, and the job runs again after the restart."""
    kind, qenv = backend
    with FakeVendor() as fake:
        fake.default(ANTHROPIC, B.rate_limited(retry_after=15))
        srv = server_factory(**W.lenv(qenv, fake.anthropic_env(), WORKER_CONCURRENCY=2, AI_BACKOFF_BASE_MS=5))
        admin = srv.signup_admin()
        wf_id = W.create(admin, W.wf_body(W.unique_steps(1)), wait=False)
        W.wait_for(lambda: fake.count(status=429) >= 1, what="the vendor asking to wait")
        srv.signal(signal.SIGTERM)
        code = srv.wait(STOP_TIMEOUT)
        assert code == 0, f"exit {code} (None: still waiting after {STOP_TIMEOUT} s)\n{srv.logs()}"
        assert fake.count() == 1, fake.calls_of()
        status = srv.db.query("SELECT label_status, field_label FROM steps WHERE workflow_id = %s", (wf_id,))
        assert [r[0] for r in status] == ["pending"], status
        fake.default(ANTHROPIC, B.ok())
        srv.start(srv.port)
        d = W.wait_labeled(admin, wf_id)
        assert d["status"] == "needs_review"
        assert [s["ai_model"] for s in d["steps"]] == [AMODEL], d["steps"]
        W.wait_for(lambda: _label_jobs_left(srv, qenv) == 0, timeout=15, what="the label job acknowledged")


@pytest.mark.resilience
def test_redis_restarted_mid_run_every_job_completes(server_factory, request):
    rs = W.RedisServer(persist=True).start()
    try:
        with FakeVendor() as fake:
            fake.default(ANTHROPIC, B.ok(delay=0.4))
            qenv = W.queue_settings("redis", rs.url)
            srv = server_factory(**W.lenv(qenv, fake.anthropic_env(), WORKER_CONCURRENCY=4,
                                          JOB_VISIBILITY_MS=2000, AI_TIMEOUT_MS=3000, AI_BACKOFF_BASE_MS=5))
            admin = srv.signup_admin()
            wfs = [W.create(admin, W.wf_body(W.unique_steps(8)), wait=False) for _ in range(3)]
            W.wait_for(lambda: fake.count(status=200) >= 4, what="labeling under way")
            rs.stop()
            time.sleep(1.0)
            rs.start()
            for wf_id in wfs:
                d = W.wait_labeled(admin, wf_id, timeout=40)
                assert d["status"] == "needs_review"
                assert all(s["ai_model"] == AMODEL and s["field_label"] for s in d["steps"]), d["steps"]
            assert _stuck(srv) == 0
            W.wait_for(lambda: _label_jobs_left(srv, qenv) == 0, timeout=15, what="every label job acknowledged")
    finally:
        rs.close()


@pytest.mark.resilience
def test_redis_down_at_enqueue_jobs_wait_in_the_outbox(server_factory, request):
    rs = W.RedisServer(persist=True).start()
    try:
        qenv = W.queue_settings("redis", rs.url)
        srv = server_factory(**W.lenv(qenv, WORKER_CONCURRENCY=2))
        admin = srv.signup_admin()
        W.create(admin, W.wf_body(W.unique_steps(1)))  # the consumer group exists
        rs.stop()
        wfs = [W.create(admin, W.wf_body(W.unique_steps(4)), wait=False) for _ in range(2)]
        time.sleep(1.5)  # the relay tries (every second) and fails
        # The local labeler: one job per workflow.
        outbox = int(srv.db.scalar("SELECT COUNT(*) FROM jobs WHERE state = 'outbox' AND type = 'label_workflow'"))
        assert outbox == 2, srv.db.query("SELECT id, type, state FROM jobs")
        assert all(W.detail(admin, w)[0]["status"] == "processing" for w in wfs)
        rs.start()
        for wf_id in wfs:
            d = W.wait_labeled(admin, wf_id, timeout=20)
            assert d["status"] == "needs_review" and all(s["field_label"] for s in d["steps"])
        W.wait_for(lambda: _label_jobs_left(srv, qenv) == 0, timeout=10,
                   what=f"outbox handed over and drained ({_queue_state(srv, qenv)})")
    finally:
        rs.close()


@pytest.mark.resilience
def test_redis_unreachable_at_start_then_up(server_factory, request):
    rs = W.RedisServer(persist=False)
    try:
        qenv = W.queue_settings("redis", rs.url)
        srv = server_factory(**W.lenv(qenv, WORKER_CONCURRENCY=2))  # Redis not started yet
        admin = srv.signup_admin()
        wf_id = W.create(admin, W.wf_body(W.unique_steps(3)), wait=False)
        time.sleep(1.2)
        assert W.detail(admin, wf_id)[0]["status"] == "processing"
        rs.start()
        d = W.wait_labeled(admin, wf_id, timeout=20)
        assert d["status"] == "needs_review"
    finally:
        rs.close()


@pytest.mark.resilience
def test_redis_restarted_without_its_data_jobs_still_complete(server_factory, request):
    rs = W.RedisServer(persist=False).start()
    try:
        qenv = W.queue_settings("redis", rs.url)
        srv = server_factory(**W.lenv(qenv, WORKER_CONCURRENCY=2))
        admin = srv.signup_admin()
        W.create(admin, W.wf_body(W.unique_steps(1)))
        rs.stop()
        rs.start()  # empty: no stream, no group
        wf_id = W.create(admin, W.wf_body(W.unique_steps(2)), wait=False)
        d = W.wait_labeled(admin, wf_id, timeout=10)
        assert d["status"] == "needs_review"
    finally:
        rs.close()


@pytest.mark.resilience
def test_jobs_waiting_in_a_redis_that_restarts_without_its_data_are_handed_over_again(server_factory, request):
    """Issue 17: the database stays the record of every job until it is done. A node with no
    workers hands its labeling jobs to Redis; Redis restarts empty; a worker that starts then
    still labels every workflow (nothing waits for the 10-minute watchdog), and the records are
    gone once done."""
    rs = W.RedisServer(persist=False).start()
    try:
        qenv = W.queue_settings("redis", rs.url)
        url, prefix = qenv["REDIS_URL"], qenv["REDIS_PREFIX"]
        api = server_factory(**W.lenv(qenv, WORKER_CONCURRENCY=0, LABELING_WATCHDOG_MS=600000))
        admin = api.signup_admin()
        wfs = [W.create(admin, W.wf_body(W.unique_steps(3)), wait=False) for _ in range(4)]
        W.wait_for(lambda: W.redis_cmd(url, "XLEN", f"{prefix}:jobs") == 4, timeout=10,
                   what="the jobs handed to Redis")
        kept = int(api.db.scalar("SELECT COUNT(*) FROM jobs WHERE state = 'outbox' AND lease_owner = 'redis'"))
        assert kept == 4, api.db.query("SELECT id, type, state, lease_owner FROM jobs")
        rs.stop()
        rs.start()  # empty: the jobs Redis held are gone
        assert W.redis_cmd(url, "EXISTS", f"{prefix}:jobs") == 0
        worker = server_factory(database=api.db, **W.lenv(qenv, WORKER_CONCURRENCY=2, LABELING_WATCHDOG_MS=600000))
        for wf_id in wfs:
            d = W.wait_labeled(admin, wf_id, timeout=20)
            assert d["status"] == "needs_review" and all(s["field_label"] for s in d["steps"]), d
        W.wait_for(lambda: int(api.db.scalar("SELECT COUNT(*) FROM jobs WHERE type = 'label_workflow'")) == 0,
                   timeout=15, what="the job records removed once done")
        assert "handing them over again" in api.logs() + worker.logs()
    finally:
        rs.close()


# ------------------------------------------------------------------------------------------------
# Retries and the dead letter
# ------------------------------------------------------------------------------------------------

def test_failing_jobs_retry_then_dead_letter(server_factory, backend):
    kind, qenv = backend
    srv = server_factory(**W.lenv(qenv, WORKER_CONCURRENCY=2, JOB_RETRY_BASE_MS=20))
    # A label job without its step_id fails every time (retried, then dead); a job of a type no
    # task handles is dead at once.
    bad = {"type": "label_step", "payload": {}, "attempts": 0, "max_attempts": 3}
    unknown = {"type": "no_such_task", "payload": {}, "attempts": 0, "max_attempts": 5}
    if kind == "embedded":
        now = int(time.time() * 1000)
        for job in (bad, unknown):
            srv.db.execute("INSERT INTO jobs (type, payload, state, attempts, max_attempts, run_at, created_at) "
                           "VALUES (%s, '{}', 'queued', 0, %s, %s, %s)", (job["type"], job["max_attempts"], now, now))

        def dead():
            rows = srv.db.query("SELECT type, state, attempts, last_error FROM jobs ORDER BY id")
            return rows if [r[1] for r in rows] == ["dead", "dead"] else None
        rows = W.wait_for(dead, timeout=15, what="both jobs dead-lettered")
        assert [(r[0], int(r[2])) for r in rows] == [("label_step", 3), ("no_such_task", 1)], rows
        assert all(r[3] for r in rows), rows
    else:
        url, prefix = qenv["REDIS_URL"], qenv["REDIS_PREFIX"]
        W.wait_for(lambda: W.redis_cmd(url, "EXISTS", f"{prefix}:jobs"), what="the stream and group")
        for job in (bad, unknown):
            W.redis_cmd(url, "XADD", f"{prefix}:jobs", "*", "job", json.dumps(job))
        W.wait_for(lambda: W.redis_cmd(url, "XLEN", f"{prefix}:jobs:dead") == 2, timeout=15,
                   what="both jobs in the dead-letter stream")
        entries = W.redis_cmd(url, "XRANGE", f"{prefix}:jobs:dead", "-", "+")
        dead = sorted((json.loads(e[1][1]) for e in entries), key=lambda j: j["type"])
        assert [(j["type"], j["attempts"]) for j in dead] == [("label_step", 3), ("no_such_task", 1)], dead
        assert all(j.get("error") for j in dead), dead
        assert W.redis_cmd(url, "XLEN", f"{prefix}:jobs") == 0
        assert W.redis_cmd(url, "ZCARD", f"{prefix}:jobs:delayed") == 0


# ------------------------------------------------------------------------------------------------
# Scheduler
# ------------------------------------------------------------------------------------------------

def _runs(servers, task):
    """How many times the periodic task ran, in these processes' logs (read once they stopped: the
    log is buffered)."""
    n = 0
    for srv in servers:
        with open(srv.stdout_path, "rb") as f:
            for line in f:
                if b'"periodic task"' in line and f'"task":"{task}"'.encode() in line:
                    n += 1
    return n


def _stop(servers):
    for srv in servers:
        problems = srv.stop()
        assert not problems, problems


@pytest.mark.resilience
def test_periodic_tasks_run_once_per_period_across_processes(server_factory, backend):
    kind, qenv = backend
    # Three processes on one database (and Redis), no job workers: the schedulers run the tasks.
    env = W.lenv(qenv, WORKER_CONCURRENCY=0)
    s1 = server_factory(**env)
    s2 = server_factory(database=s1.db, **env)
    s3 = server_factory(database=s1.db, **env)
    servers = (s1, s2, s3)
    time.sleep(2.5)  # several ticks of three schedulers
    rows = dict((r[0], int(r[1])) for r in s1.db.query("SELECT name, next_run_at FROM job_schedule"))
    now = time.time() * 1000
    assert {"labeling_watchdog", "screenshot_cleanup"} <= set(rows), rows
    assert 50_000 < rows["labeling_watchdog"] - now <= 60_000, rows
    assert 9 * 60_000 < rows["screenshot_cleanup"] - now <= 10 * 60_000, rows
    # The period comes due: exactly one more run, whichever process ticks first.
    s1.db.execute("UPDATE job_schedule SET next_run_at = 0 WHERE name = 'labeling_watchdog'")
    time.sleep(2.5)
    _stop(servers)
    assert _runs(servers, "labeling_watchdog") == 2
    assert _runs(servers, "screenshot_cleanup") == 1


def test_watchdog_period_setting(server_factory):
    srv = server_factory(**W.lenv(JOB_QUEUE="embedded", WORKER_CONCURRENCY=0, LABELING_WATCHDOG_MS=300))
    time.sleep(2.6)
    _stop([srv])
    assert _runs([srv], "labeling_watchdog") >= 3  # every tick (1 s) once 300 ms have passed
    assert _runs([srv], "screenshot_cleanup") == 1
