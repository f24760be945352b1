"""Labeling and job-queue benchmarks (issue 5), black box: a real `build/stepwise serve` (and
optionally `stepwise worker` processes), the fake AI vendor of the test tree answering after a fixed
delay, workflows uploaded through the API, completion observed through the API.

Scenarios (each prints one `scenario=… key=value …` line):
  single    a 10-step workflow: seconds from the upload's 201 to status needs_review
            (target ≤ 4.5 s with a vendor answering in 2.0 s and at most 5 requests in flight)
  hundred   100 such workflows uploaded at once: seconds until the last is needs_review
            (target ≤ 1.1 × 1000 / 5 × delay); --delay scales it (0.2 s: 40 s ideal, 44 s target)
  local     the local labeler, no vendor: steps labeled per second end to end (upload → every
            step labeled), which bounds queue + labeling + database writes from below

Usage: bench.py [--scenario single,hundred,local] [--queue embedded,redis] [--delay 2.0]
                [--hundred-delay 0.2] [--workers N] [--db sqlite]
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "packages", "server", "tests"))

import helpers  # noqa: E402
import wf_support as W  # noqa: E402
from fake_vendor import ANTHROPIC, B, FakeVendor  # noqa: E402


def start_redis():
    binary = shutil.which("redis-server")
    if not binary:
        raise SystemExit("redis-server is not installed")
    port = helpers.free_port()
    d = tempfile.mkdtemp(prefix="bench-redis-")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("redis-server did not start")
            time.sleep(0.05)
    return proc, d, f"redis://127.0.0.1:{port}/0"


class Setup:
    """A server (+ fake vendor, + Redis) for one scenario."""

    def __init__(self, queue, delay=None, workers=10, db="sqlite", **extra):
        self.tmp = tempfile.mkdtemp(prefix="bench-labeling-")
        self.fake = None
        self.redis = None
        env = W.lenv(WORKER_CONCURRENCY=workers, ACCESS_LOG="false", LOG_LEVEL="warn", **extra)
        if delay is not None:
            self.fake = FakeVendor()
            self.fake.default(ANTHROPIC, B.ok(delay=delay))
            env.update(self.fake.anthropic_env())
        if queue == "redis":
            self.redis = start_redis()
            env.update(W.queue_settings("redis", self.redis[2]))
        else:
            env.update(W.queue_settings("embedded"))
        self.srv = helpers.Server(os.environ.get("STEPWISE_BIN") or os.path.join(ROOT, "build", "stepwise"),
                                  self.tmp, db, os.environ.get("TEST_DATABASE_ADMIN_URL"), env=env)
        self.srv.start()
        self.admin = self.srv.signup_admin()

    def close(self):
        problems = self.srv.stop()
        self.srv.close()
        if self.fake:
            self.fake.close()
        if self.redis:
            self.redis[0].terminate()
            self.redis[0].wait()
            shutil.rmtree(self.redis[1], ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        if problems:
            print("# server problems:", problems, file=sys.stderr)


def post(admin, n_steps):
    r = admin.post("/api/workflows", W.wf_body(W.unique_steps(n_steps)))
    assert r.status == 201, r
    return r.body["data"]["workflow_id"]


def status(admin, wf_id):
    r = admin.get(f"/api/workflows/{wf_id}")
    assert r.status == 200, r
    return r.body["data"]["status"]


def wait_all(admin, wf_ids, timeout):
    """Polls until none is processing; returns the monotonic time each one was seen done."""
    done = {}
    deadline = time.monotonic() + timeout
    while len(done) < len(wf_ids):
        for w in wf_ids:
            if w not in done and status(admin, w) != "processing":
                done[w] = time.monotonic()
        if time.monotonic() > deadline:
            raise SystemExit(f"timeout: {len(wf_ids) - len(done)} workflows still processing after {timeout} s")
        time.sleep(0.02)
    return done


def scenario_single(queue, delay, workers, db, rounds=3):
    s = Setup(queue, delay=delay, workers=workers, db=db)
    try:
        times = []
        for _ in range(rounds):
            wf = post(s.admin, 10)
            t0 = time.monotonic()
            end = wait_all(s.admin, [wf], 120)[wf]
            times.append(end - t0)
        peak = s.fake.peak_in_flight
    finally:
        s.close()
    print(f"scenario=single queue={queue} db={db} workers={workers} delay_s={delay} "
          f"median_s={statistics.median(times):.2f} runs_s={','.join(f'{t:.2f}' for t in times)} "
          f"peak_in_flight={peak} target_s=4.5", flush=True)


def scenario_hundred(queue, delay, workers, db, n=100):
    s = Setup(queue, delay=delay, workers=workers, db=db, AI_TIMEOUT_MS=max(30000, int(delay * 5000)))
    try:
        ids = [None] * n
        t0 = time.monotonic()

        def up(i):
            ids[i] = post(s.admin, 10)
        threads = [threading.Thread(target=up, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        uploaded = time.monotonic() - t0
        # Polled in the database (100 API polls every 20 ms would load the 2 cores being measured).
        deadline = time.monotonic() + 3600
        while int(s.srv.db.scalar("SELECT COUNT(*) FROM workflows WHERE status = 'processing'")):
            if time.monotonic() > deadline:
                raise SystemExit("timeout")
            time.sleep(0.1)
        total = time.monotonic() - t0
        wait_all(s.admin, ids, 60)  # and the API agrees
        calls, peak = s.fake.count(), s.fake.peak_in_flight
    finally:
        s.close()
    ideal = n * 10 / 5 * delay
    print(f"scenario=hundred queue={queue} db={db} workers={workers} delay_s={delay} workflows={n} "
          f"uploads_s={uploaded:.2f} total_s={total:.1f} ideal_s={ideal:.0f} target_s={1.1 * ideal:.0f} "
          f"ratio={total / ideal:.3f} vendor_calls={calls} peak_in_flight={peak}", flush=True)


def scenario_local(queue, workers, db, n=200):
    s = Setup(queue, delay=None, workers=workers, db=db)
    try:
        t0 = time.monotonic()
        ids = [post(s.admin, 10) for _ in range(n)]
        uploaded = time.monotonic() - t0

        def pending():
            return int(s.srv.db.scalar("SELECT COUNT(*) FROM steps WHERE label_status = 'pending'"))
        while pending():
            time.sleep(0.05)
        total = time.monotonic() - t0
        wait_all(s.admin, ids, 120)
    finally:
        s.close()
    print(f"scenario=local queue={queue} db={db} workers={workers} steps={n * 10} uploads_s={uploaded:.2f} "
          f"total_s={total:.2f} steps_per_s={n * 10 / total:.0f} (end to end, uploads included)", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default="single,hundred,local")
    ap.add_argument("--queue", default="embedded,redis")
    ap.add_argument("--delay", type=float, default=2.0, help="vendor answer time for `single`")
    ap.add_argument("--hundred-delay", type=float, default=0.2, help="vendor answer time for `hundred` (2.0: full)")
    ap.add_argument("--workers", type=int, default=10, help="WORKER_CONCURRENCY of the server")
    ap.add_argument("--db", default="sqlite")
    args = ap.parse_args()
    for queue in args.queue.split(","):
        for sc in args.scenario.split(","):
            if sc == "single":
                scenario_single(queue, args.delay, args.workers, args.db)
            elif sc == "hundred":
                scenario_hundred(queue, args.hundred_delay, args.workers, args.db)
            elif sc == "local":
                scenario_local(queue, args.workers, args.db)
            else:
                raise SystemExit(f"unknown scenario {sc}")


if __name__ == "__main__":
    main()
