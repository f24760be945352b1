"""The cluster test (`make cluster-test`, the `cluster` suite of `make test`).

HAProxy (deploy/haproxy/haproxy.cfg unchanged, unprivileged, retries off) in front of two
`stepwise serve` nodes (no in-process workers, DRAIN_SECONDS above HAProxy's time to take a node
out) and two `stepwise worker`s, on one PostgreSQL (run.sh starts it), one Redis (AOF) and S3
through s3rver. A mixed load runs through HAProxy for --load-seconds (60): signups, screenshot
uploads, workflow creates (Idempotency-Key, retried with the same key; one in eight is first sent
and hung up on, its answer lost), list and detail reads, edits, activations, health reports (client
ids), auto-heals, and SSE clients that reconnect with Last-Event-ID (four through HAProxy, one pinned
to node 1 so that a client always resumes on a node that has just restarted). Meanwhile, in order:
  1. a rolling restart of both serve nodes (SIGTERM: drain, exit, start, ready, back in HAProxy):
     no 5xx and no connection error may reach a client in that window;
  2. kill -9 of one serve node and of one worker, each started again;
  3. Redis restarted with its data, then without it, each while the workers are stopped
     (SIGSTOP) and labeling jobs wait;
  4. PostgreSQL restarted;
  5. rate limits across nodes (logins for one email from one address, in turn through HAProxy and
     to each node: exactly the limit answered before 429s), and a write through node 1 read on
     node 2 within RESPONSE_CACHE_MS.
Clients may see errors in 2-4; they retry, idempotently. Then the reconcile, from what clients
were told (answers they received), against the database, S3 and a tap on the Redis event stream:
every acknowledged user, workflow, step, screenshot (its bytes in S3), edit, health entry, heal
and notification exists exactly once; every workflow finished labeling; no job is older than its
lease; every SSE client received every event of its company published while it was subscribed
(reconnects included), none twice. One summary line `cluster: ...`; exit 1 on any failure.

Environment: STEPWISE_BIN (default build/stepwise), PG_ADMIN_URL and CLUSTER_PG_DATA (run.sh).
"""
import argparse
import calendar
import collections
import csv
import http.client
import io
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "packages", "server", "tests"))
import helpers  # noqa: E402
import wf_support as W  # noqa: E402

HAPROXY_CFG = os.path.join(REPO, "deploy", "haproxy", "haproxy.cfg")
PREFIX = "cluster"
DRAIN_SECONDS = 5  # HAProxy takes a node out within 3 s (inter 2s + 1 x fastinter 1s)
JOB_VISIBILITY_MS = 5000  # a killed worker's jobs run again within this
RESPONSE_CACHE_MS = 1000  # .env.example's default, set explicitly
RATE_LIMIT = 5  # RATE_LIMIT_AUTH_PER_MIN
RETRY_STATUSES = {429, 500, 502, 503, 504}
PG_CTL = "/usr/lib/postgresql/15/bin/pg_ctl"


def now():
    return time.time()


class Ledger:
    """Every request attempt (for the error counts and rps) and what clients were told."""

    def __init__(self):
        self.lock = threading.Lock()
        self.attempts = []  # (start, end, op, status or None, error)
        self.marks = []  # (name, start, end)
        self.users = {}  # email -> company index
        self.workflows = {}  # id -> dict(company, key, steps, shot, name)
        self.create_keys = {}  # idempotency key -> company index (every create attempted)
        self.screenshots = {}  # id -> (company_id, hash answered, hash of the bytes sent)
        self.edits = collections.defaultdict(list)  # wf -> [(name, acked)]
        self.health = {}  # client_id -> (company_id, wf, kind)
        self.health_attempted = collections.Counter()  # wf -> run entries sent
        self.health_runs = collections.Counter()  # wf -> run entries acknowledged
        self.broken = set()
        self.heals = {}  # (wf, step_id) -> selector (a shared variant)
        self.replayed = 0  # creates answered from the idempotency record (a retry after a lost answer)
        self.hung_up = 0  # creates whose first answer the client did not wait for

    def attempt(self, start, op, status, error=None):
        with self.lock:
            self.attempts.append((start, now(), op, status, error))

    def mark(self, name, start, end=None):
        with self.lock:
            self.marks.append((name, start, end if end is not None else now()))

    def note(self, text):
        print(f"  [{time.strftime('%H:%M:%S')}] {text}", flush=True)


class Client:
    """Requests through HAProxy (or to one node), each on a new connection, retried until answered."""

    def __init__(self, ledger, port, stop_at):
        self.ledger = ledger
        self.port = port
        self.stop_at = stop_at  # retries give up after this (a monotonic time)

    def call(self, op, method, path, body=None, token=None, headers=None, raw=None, source=None, port=None,
             retry=True):
        """The final answer (Resp), or None when every try failed to connect before the deadline."""
        delay = 0.1
        while True:
            start = now()
            hdrs = {"X-Request-Id": f"cl-{op}-{secrets.token_hex(6)}"}
            hdrs.update(headers or {})
            try:
                r = helpers.request(port or self.port, method, path, body=body, token=token, headers=hdrs,
                                    raw=raw, source=source, timeout=30)
                self.ledger.attempt(start, op, r.status, None if r.status < 500 else hdrs["X-Request-Id"])
            except (OSError, http.client.HTTPException) as e:
                r = None
                self.ledger.attempt(start, op, None, f"{type(e).__name__}: {e} ({hdrs['X-Request-Id']})")
            if r is not None and r.status not in RETRY_STATUSES:
                return r
            if not retry or time.monotonic() > self.stop_at[0]:
                return r
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def send_and_hang_up(self, method, path, body, token, headers):
        """Sends a request through HAProxy and closes the connection without reading the answer:
        a client whose answer was lost (HAProxy passes the request on: no abortonclose)."""
        data = json.dumps(body).encode()
        head = {"Host": "127.0.0.1", "Content-Type": "application/json", "Content-Length": str(len(data)),
                "Authorization": f"Bearer {token}", "Connection": "close", **headers}
        raw = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n"
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                sock.sendall(raw.encode() + data)
        except OSError:
            pass


# ------------------------------------------------------------------------------------------------
# Processes
# ------------------------------------------------------------------------------------------------

class HAProxy:
    """deploy/haproxy/haproxy.cfg, unprivileged, logs on stderr (as deploy/test does)."""

    def __init__(self, tmp, node_ports):
        self.port = helpers.free_port()
        self.stats_port = helpers.free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("STEPWISE_")}
        env.update({"STEPWISE_HAPROXY_UNPRIVILEGED": "1", "STEPWISE_LISTEN": f"127.0.0.1:{self.port}",
                    "STEPWISE_STATS": f"127.0.0.1:{self.stats_port}",
                    "STEPWISE_NODE1": f"127.0.0.1:{node_ports[0]}", "STEPWISE_NODE2": f"127.0.0.1:{node_ports[1]}"})
        self.log_path = os.path.join(tmp, "haproxy.log")
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([shutil.which("haproxy"), "-db", "-f", HAPROXY_CFG], env=env, stdout=log,
                                         stderr=subprocess.STDOUT)

    def stats(self):
        """{node1: status, node2: status} of the backend."""
        r = helpers.request(self.stats_port, "GET", "/stats;csv", timeout=5)
        rows = csv.DictReader(io.StringIO(r.raw.decode().lstrip("# ")))
        return {row["svname"]: row["status"] for row in rows
                if row["pxname"] == "stepwise_nodes" and row["svname"] not in ("BACKEND", "FRONTEND")}

    def wait_status(self, node, prefix, timeout=30):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                last = self.stats()
                if last.get(node, "").startswith(prefix):
                    return
            except OSError as e:
                last = e
            time.sleep(0.1)
        raise AssertionError(f"{node} not {prefix} in HAProxy within {timeout}s: {last}")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def wait_ready(node, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if helpers.request(node.port, "GET", "/api/ready", timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"node on {node.port} not ready within {timeout}s\n{node.logs()}")


def as_postgres(cmd):
    return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + cmd


class Cluster:
    """The processes. start() brings them up; stop() takes down whatever is up, after a failed
    start too."""

    def __init__(self, tmp, binary, admin_url, pg_data):
        self.tmp, self.binary, self.admin_url, self.pg_data = tmp, binary, admin_url, pg_data
        self.redis = self.s3_proc = self.db = self.lb = None
        self.nodes, self.workers = [], []

    def start(self):
        tmp = self.tmp
        self.redis = W.RedisServer(persist=True)
        self.redis.start()
        self.s3_proc, self.s3_endpoint, self.s3_data = W.start_s3rver()
        env = {"WORKER_CONCURRENCY": "0", "DRAIN_SECONDS": str(DRAIN_SECONDS), "SHUTDOWN_GRACE_SECONDS": "5",
               "TRUST_PROXY": "true", "REDIS_URL": self.redis.url, "JOB_QUEUE": "redis", "REDIS_PREFIX": PREFIX,
               "AI_PROVIDER": "local", "RATE_LIMIT_AUTH_PER_MIN": str(RATE_LIMIT), "RATE_LIMIT_USER_PER_MIN": "0",
               "JOB_VISIBILITY_MS": str(JOB_VISIBILITY_MS), "RESPONSE_CACHE_MS": str(RESPONSE_CACHE_MS),
               "AUTH_CACHE_MS": "1000", "DB_POOL_SIZE": "6", "ACCESS_LOG": "true",
               **W.s3_env(self.s3_endpoint, prefix="cluster")}
        for k in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
            env[k] = None
        self.node1 = helpers.Server(self.binary, os.path.join(tmp, "node1"), "postgresql", self.admin_url, env=env)
        self.db = self.node1.db
        self.node2 = helpers.Server(self.binary, os.path.join(tmp, "node2"), "postgresql", database=self.db, env=env)
        self.nodes = [self.node1, self.node2]
        for n in self.nodes:
            n.port = helpers.free_port()
        out = self.node1.run_command("migrate")
        if out.returncode != 0:
            raise AssertionError(f"stepwise migrate failed: {out.stderr.decode(errors='replace')}")
        for n in self.nodes:
            n.start(n.port)
        for node in self.nodes:
            self.workers.append(W.Worker(node, concurrency=2).start())
        self.lb = HAProxy(tmp, [n.port for n in self.nodes])
        for name in ("node1", "node2"):
            self.lb.wait_status(name, "UP")

    def name(self, node):
        return "node1" if node is self.node1 else "node2"

    def restart_node_gracefully(self, node, ledger):
        """SIGTERM (drain), exit, start, ready, UP in HAProxy. Returns seconds until HAProxy had it out."""
        start = time.monotonic()
        node.signal(signal.SIGTERM)
        out_after = None
        while node.proc.poll() is None and time.monotonic() - start < DRAIN_SECONDS + 15:
            if out_after is None and not self.lb.stats().get(self.name(node), "").startswith("UP"):
                out_after = time.monotonic() - start
            time.sleep(0.05)
        code = node.wait(5)
        if code != 0:
            raise AssertionError(f"{self.name(node)} exited with {code} after SIGTERM\n{node.logs()}")
        node.start(node.port)
        wait_ready(node)
        self.lb.wait_status(self.name(node), "UP")
        ledger.note(f"{self.name(node)}: out of HAProxy {out_after and round(out_after, 1)} s after SIGTERM, "
                    f"back in after {time.monotonic() - start:.1f} s")
        return out_after

    def kill_node(self, node):
        node.kill()
        node.start(node.port)
        wait_ready(node)

    def workers_signal(self, sig):
        for w in self.workers:
            if w.proc is not None and w.proc.poll() is None:
                w.proc.send_signal(sig)

    def restart_postgres(self):
        # The server's output goes to the log file run.sh started it with (a pipe would be held
        # open by the postmaster).
        log = os.path.join(os.path.dirname(self.pg_data), "server.log")
        out = subprocess.run(as_postgres([PG_CTL, "-D", self.pg_data, "-l", log, "-m", "fast", "-w", "-t", "60",
                                          "restart"]), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True, timeout=90)
        if out.returncode != 0:
            raise AssertionError(f"pg_ctl restart failed: {out.stderr}")

    def restart_redis(self, keep_data):
        if keep_data:
            self.redis.stop()  # SIGTERM: the AOF (fsync always) has every write
        else:
            self.redis.proc.kill()
            self.redis.proc.wait()
            self.redis.proc = None
            for entry in os.listdir(self.redis.dir):
                path = os.path.join(self.redis.dir, entry)
                shutil.rmtree(path) if os.path.isdir(path) else os.unlink(path)
        self.redis.start()

    def stop(self):
        """Everything but PostgreSQL (run.sh stops it). Returns problems (unclean exits)."""
        problems = []
        self.workers_signal(signal.SIGCONT)
        if self.lb is not None:
            self.lb.stop()
        running = [n for n in self.nodes if n.proc is not None]
        for n in running:  # two SIGTERMs: no drain at the end (the rolling restart tested it)
            if n.proc.poll() is None:
                n.signal(signal.SIGTERM)
                time.sleep(0.05)
                n.signal(signal.SIGTERM)
        for n in running:
            code = n.wait(15)
            if code != 0:
                problems.append(f"{self.name(n)} exited with {code} (0 expected, after SIGTERM)")
            if n.sanitizer_report():
                problems.append(f"{self.name(n)}: {n.sanitizer_report()}")
        for i, w in enumerate(self.workers):
            code = w.stop()
            if code != 0:
                problems.append(f"worker{i + 1} exited with {code} after SIGTERM")
        if self.s3_proc is not None:
            W.stop_s3rver(self.s3_proc, self.s3_data)
        if self.redis is not None:
            self.redis.close()
        for n in self.nodes:
            n.kill()
        if self.db is not None:
            self.db.drop()
        return problems


# ------------------------------------------------------------------------------------------------
# Event stream: a tap on Redis (the reference) and SSE clients
# ------------------------------------------------------------------------------------------------

class Tap(threading.Thread):
    """Reads the Redis event stream as the nodes do: every event any node could serve."""

    def __init__(self, redis_url):
        super().__init__(daemon=True)
        self.url = redis_url
        self.key = f"{PREFIX}:events"
        self.events = []  # (id, company_id, type)
        self.stop_flag = threading.Event()
        self.last = "0-0"

    def run(self):
        while not self.stop_flag.is_set():
            try:
                reply = W.redis_cmd(self.url, "XREAD", "COUNT", "500", "BLOCK", "300", "STREAMS", self.key, self.last)
            except (OSError, RuntimeError, ConnectionError):
                time.sleep(0.1)
                continue
            for _, entries in reply or []:
                for eid, fields in entries:
                    self.last = eid
                    data = dict(zip(fields[::2], fields[1::2]))
                    try:
                        e = json.loads(data.get("e", "{}"))
                    except ValueError:
                        continue
                    self.events.append((eid, e.get("c"), e.get("t")))


def id_ms(event_id):
    return int(event_id.split("-")[0])


class SseClient(threading.Thread):
    """An EventSource as a browser runs it: on an end or error it waits `retry` and reconnects with
    Last-Event-ID. Its connects count as requests (ledger) unless it is pinned to one node."""

    def __init__(self, ledger, port, company, name):
        super().__init__(daemon=True)
        self.ledger = ledger or Ledger()
        self.port = port
        self.company = company
        self.name = name
        self.ids = collections.Counter()
        self.last_id = None
        self.retry_ms = 2000
        self.resumes = 0  # reconnects that sent Last-Event-ID
        self.subscribed_at = None  # first stream open (epoch seconds)
        self.streams = []  # (opened at, X-Request-Id, Last-Event-ID sent)
        self.stop_flag = threading.Event()
        self.sock = None

    def run(self):
        while not self.stop_flag.is_set():
            rid = f"sse-{self.name}-{secrets.token_hex(4)}"
            headers = {"Accept": "text/event-stream", "Authorization": f"Bearer {self.company['token']}",
                       "X-Request-Id": rid}
            if self.last_id:
                headers["Last-Event-ID"] = self.last_id
            start = now()
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=25)
            try:
                conn.connect()
                self.sock = conn.sock
                conn.request("GET", "/api/events", headers=headers)
                resp = conn.getresponse()
            except (OSError, http.client.HTTPException) as e:
                if not self.stop_flag.is_set():
                    self.ledger.attempt(start, "sse", None, f"{type(e).__name__}: {e}")
                conn.close()
                time.sleep(self.retry_ms / 1000)
                continue
            self.ledger.attempt(start, "sse", resp.status)
            if resp.status != 200:
                resp.read()
                conn.close()
                time.sleep(self.retry_ms / 1000)
                continue
            self.resumes += bool(self.last_id)
            self.streams.append((now(), rid, self.last_id))
            if self.subscribed_at is None:
                self.subscribed_at = now()
            self.read(resp)
            conn.close()
            if not self.stop_flag.is_set():
                time.sleep(self.retry_ms / 1000)

    def read(self, resp):
        ev = {}
        try:
            while True:
                line = resp.readline()
                if not line:
                    return
                line = line.decode().rstrip("\r\n")
                if line == "":
                    if "id" in ev:
                        self.ids[ev["id"]] += 1
                        self.last_id = ev["id"]
                    ev = {}
                elif not line.startswith(":"):
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "retry" and value.isdigit():
                        self.retry_ms = int(value)
                    elif field in ("id", "event", "data"):
                        ev[field] = value
        except (OSError, ValueError, http.client.HTTPException):
            return

    def stop(self):
        self.stop_flag.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass
        self.join(5)


# ------------------------------------------------------------------------------------------------
# Load
# ------------------------------------------------------------------------------------------------

_ip = [1000]
_ip_lock = threading.Lock()


def fresh_ip():
    """A loopback source address of its own: HAProxy forwards it, the nodes rate-limit per address."""
    with _ip_lock:
        _ip[0] += 1
        n = _ip[0]
    return f"127.0.{n // 250}.{n % 250 + 2}"


def cand(selector, score):
    return {"selector": selector, "deterministic_score": score,
            "element_meta": {"tag_name": "button", "role": "button", "inner_text": f"Candidate {selector}",
                             "bounding_box": {"x": 40, "y": 60, "width": 120, "height": 32}}}


class Load:
    def __init__(self, ledger, client, companies):
        self.ledger = ledger
        self.c = client
        self.companies = companies
        self.stop_flag = threading.Event()
        self.threads = []
        self.to_edit = collections.deque()  # acknowledged workflows for the editor
        self.errors = []

    def start(self):
        targets = [(self.recorder, (i,)) for i in range(len(self.companies))]
        targets += [(self.reader, ()), (self.reader, ()), (self.editor, ()), (self.signups, ())]
        for fn, args in targets:
            t = threading.Thread(target=self.guard, args=(fn, args), daemon=True)
            t.start()
            self.threads.append(t)

    def guard(self, fn, args):
        try:
            fn(*args)
        except Exception:  # noqa: BLE001 - a broken load thread fails the run, with its trace
            self.errors.append(traceback.format_exc())
            self.ledger.note(f"load thread {fn.__name__} died:\n{traceback.format_exc()}")

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(60)

    def recorder(self, i):
        co = self.companies[i]
        n = 0
        while not self.stop_flag.is_set():
            n += 1
            image = W.png(64, 48, seed=f"{co['id']}-{n}-{secrets.token_hex(4)}")
            body, ctype = W.multipart(W.upload_parts(image))
            r = self.c.call("upload", "POST", "/api/screenshots", raw=body, token=co["token"],
                            headers={"Content-Type": ctype})
            shot = None
            if r is not None and r.status in (200, 201):
                d = r.body["data"]
                shot = d["screenshot_id"]
                with self.ledger.lock:
                    self.ledger.screenshots[shot] = (co["id"], d["hash"], W.sha_ref(image))
            elif r is not None:
                self.ledger.note(f"upload answered {r.status}: {r.raw[:300]!r}")
            key = str(uuid.uuid4())
            steps = 2 + n % 3
            payload = W.body(steps, name=f"Cluster {i}-{n}", description=f"key {key}",
                             shots={1: {"id": shot}} if shot else None)
            with self.ledger.lock:
                self.ledger.create_keys[key] = i
            if n % 8 == 0:  # the first answer is lost; the retry below carries the same key and body
                self.c.send_and_hang_up("POST", "/api/workflows", payload, co["token"], {"Idempotency-Key": key})
                with self.ledger.lock:
                    self.ledger.hung_up += 1
                self.stop_flag.wait(0.05)
            r = self.c.call("create", "POST", "/api/workflows", body=payload, token=co["token"],
                            headers={"Idempotency-Key": key})
            if r is not None and r.status == 201:
                wf = r.body["data"]["workflow_id"]
                with self.ledger.lock:
                    self.ledger.replayed += r.header("Idempotency-Replayed") == "true"
                    self.ledger.workflows[wf] = {"company": i, "key": key, "steps": steps, "shot": shot,
                                                 "name": payload["metadata"]["name"]}
                if n % 2 == 0:
                    self.to_edit.append(wf)
            elif r is not None:
                self.ledger.note(f"create answered {r.status}: {r.raw[:300]!r}")
            self.stop_flag.wait(0.12)

    def reader(self):
        while not self.stop_flag.is_set():
            co = random.choice(self.companies)
            self.c.call("list", "GET", "/api/workflows?limit=50", token=co["token"])
            with self.ledger.lock:
                mine = [w for w, d in self.ledger.workflows.items() if self.companies[d["company"]] is co]
            if mine:
                self.c.call("detail", "GET", f"/api/workflows/{random.choice(mine[-50:])}", token=co["token"])
            self.stop_flag.wait(0.05)

    def editor(self):
        """Edits, activates, reports runs (every fourth workflow: three failed runs, it breaks) and
        heals step 1 of the others."""
        count = 0
        while not self.stop_flag.is_set():
            if not self.to_edit:
                self.stop_flag.wait(0.2)
                continue
            wf = self.to_edit.popleft()
            info = self.ledger.workflows[wf]
            co = self.companies[info["company"]]
            r = self.c.call("detail", "GET", f"/api/workflows/{wf}", token=co["token"])
            if r is None or r.status != 200:
                continue
            d = r.body["data"]
            if d["status"] == "processing":
                self.to_edit.append(wf)  # labeling not done yet: later
                self.stop_flag.wait(0.1)
                continue
            count += 1
            name = f"{info['name']} edited"
            self.ledger.edits[wf].append([name, False])
            r = self.c.call("edit", "PUT", f"/api/workflows/{wf}", body={"name": name}, token=co["token"])
            if r is not None and r.status == 200:
                self.ledger.edits[wf][-1][1] = True
            r = self.c.call("activate", "PUT", f"/api/workflows/{wf}", body={"status": "active"}, token=co["token"])
            if r is None or r.status not in (200, 409):
                continue
            step_ids = [s["id"] for s in d["steps"]]
            run = "r-" + secrets.token_hex(6)
            if count % 4 == 0:
                entries = [{"client_id": "c-" + secrets.token_hex(10), "run_id": f"{run}-{k}", "step_id": None,
                            "status": "failed", "error_type": "timeout"} for k in range(3)]
            else:
                entries = [{"client_id": "c-" + secrets.token_hex(10), "run_id": run, "step_id": s,
                            "status": "success"} for s in step_ids[:2]]
                entries.append({"client_id": "c-" + secrets.token_hex(10), "run_id": run, "step_id": None,
                                "status": "success"})
            runs = sum(1 for e in entries if e["step_id"] is None)
            with self.ledger.lock:
                self.ledger.health_attempted[wf] += runs
            r = self.c.call("health", "POST", f"/api/workflows/{wf}/health-logs", body={"entries": entries},
                            token=co["token"])
            if r is not None and r.status == 200:
                with self.ledger.lock:
                    for e in entries:
                        self.ledger.health[e["client_id"]] = (co["id"], wf, "run" if e["step_id"] is None else "step")
                    self.ledger.health_runs[wf] += runs
                    if count % 4 == 0:
                        self.ledger.broken.add(wf)
            elif r is not None:
                self.ledger.note(f"health report answered {r.status}: {r.raw[:300]!r}")
            if count % 4 != 0 and step_ids:
                selector = f"#healed-{wf}"
                body = {"step_id": step_ids[0], "candidates": [cand(selector, 90), cand(f"#other-{wf}", 10)],
                        "page_url": "https://app.example.com/form?v=2"}
                r = self.c.call("heal", "POST", f"/api/workflows/{wf}/auto-heal", body=body, token=co["token"])
                if r is not None and r.status == 200 and r.body["data"].get("scope") == "shared":
                    with self.ledger.lock:
                        self.ledger.heals[(wf, step_ids[0])] = selector
                elif r is not None:
                    self.ledger.note(f"auto-heal answered {r.status}: {r.raw[:300]!r}")

    def signups(self):
        """A new member of a company now and then, each from an address of its own (the auth rate
        limit is per address): a retried signup whose first try landed is answered 409."""
        while not self.stop_flag.wait(1.0):
            co = random.choice(self.companies)
            email = helpers.unique_email("member")
            body = {"email": email, "password": helpers.PASSWORD, "name": "Member", "invite_token": co["invite"]}
            ip = fresh_ip()
            tries = 0
            while True:
                tries += 1
                r = self.c.call("signup", "POST", "/api/auth/signup", body=body, source=ip, retry=False)
                if r is not None and (r.status == 201 or (r.status == 409 and tries > 1)):
                    with self.ledger.lock:
                        self.ledger.users[email] = co["id"]
                    break
                if (r is not None and r.status not in RETRY_STATUSES) or self.stop_flag.is_set():
                    if r is not None:
                        self.ledger.note(f"signup answered {r.status}: {r.raw[:200]!r}")
                    break
                time.sleep(0.3)


# ------------------------------------------------------------------------------------------------
# Checks that run during the load
# ------------------------------------------------------------------------------------------------

def rate_limit_check(cluster, client):
    """Logins for one email from one address, in turn through HAProxy, to node 1 and to node 2 (so
    that both nodes answer whatever HAProxy picks): RATE_LIMIT answered (401), then only 429.
    Counters kept per node would let up to twice the limit through."""
    for attempt in range(2):
        started = now()
        email = helpers.unique_email("ratelimit")
        ip = fresh_ip()
        tag = secrets.token_hex(4)
        statuses = []
        ports = [cluster.lb.port, cluster.node1.port, cluster.node2.port]
        for i in range(4 * RATE_LIMIT):
            r = client.call("ratelimit", "POST", "/api/auth/login", body={"email": email, "password": "wrong"},
                            source=ip, retry=False, headers={"X-Request-Id": f"rl-{tag}-{i}"}, port=ports[i % 3])
            statuses.append(r.status if r is not None else None)
        if int(started // 60) == int(now() // 60) or attempt == 1:
            break  # a burst across a minute boundary may legitimately see one more: once again
    deadline = time.monotonic() + 5
    served = {}
    while time.monotonic() < deadline:
        served = {}
        for n in cluster.nodes:
            text = b""
            for path in (n.stdout_path, n.stderr_path):
                with open(path, "rb") as f:
                    text += f.read()
            served[cluster.name(n)] = text.count(f'"request_id":"rl-{tag}-'.encode())
        if sum(served.values()) >= len(statuses):
            break
        time.sleep(0.2)
    return statuses, served


def write_read_check(cluster, company, wf, samples=5):
    """PUT through node 1 while node 2 holds the old answer in its cache, then GET (detail and list)
    on node 2 until the new name shows: ms from node 1's answer to node 2 showing it, per sample."""
    token = company["token"]
    out = []
    for i in range(samples):
        name = f"Seen on node 2 {i} {secrets.token_hex(3)}"
        for _ in range(3):  # node 2 has the old answer cached
            helpers.request(cluster.node2.port, "GET", f"/api/workflows/{wf}", token=token)
        r = helpers.request(cluster.node1.port, "PUT", f"/api/workflows/{wf}", body={"name": name}, token=token)
        if r.status != 200:
            raise AssertionError(f"PUT on node 1: {r}")
        written = time.monotonic()
        while True:
            d = helpers.request(cluster.node2.port, "GET", f"/api/workflows/{wf}", token=token)
            lst = helpers.request(cluster.node2.port, "GET", "/api/workflows?limit=50", token=token)
            if d.body["data"]["name"] == name and any(w["name"] == name for w in lst.body["data"]):
                out.append((time.monotonic() - written) * 1000)
                break
            if time.monotonic() - written > 10:
                out.append(float("inf"))
                break
            time.sleep(0.01)
        time.sleep(random.uniform(0, RESPONSE_CACHE_MS / 1000))  # land at other points of the cache's life
    return out


# ------------------------------------------------------------------------------------------------
# Reconcile
# ------------------------------------------------------------------------------------------------

class Checks:
    def __init__(self):
        self.results = []  # (name, ok, message)

    def check(self, name, ok, message=""):
        self.results.append((name, bool(ok), message))
        if not ok:
            print(f"  FAIL {name}: {message}", flush=True)
        return ok

    def failed(self):
        return [r for r in self.results if not r[1]]

    def junit(self, path, seconds):
        suite = ET.Element("testsuite", name="cluster", tests=str(len(self.results)),
                           failures=str(len(self.failed())), time=f"{seconds:.1f}")
        for name, ok, message in self.results:
            case = ET.SubElement(suite, "testcase", classname="cluster", name=name)
            if not ok:
                ET.SubElement(case, "failure", message=message[:500]).text = message
        ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def rows(db, sql):
    return db.query(sql)


def reconcile(cluster, ledger, companies, checks, counts):
    db = cluster.db
    lost = dup = 0
    by_key = collections.Counter()
    wf_rows = {}
    for wid, desc, name, status, uses in rows(db, "SELECT id, description, name, status, total_uses FROM workflows"):
        by_key[desc.removeprefix("key ")] += 1
        wf_rows[int(wid)] = (name, status, int(uses))
    # Workflows: each acknowledged one exists; no create (acknowledged or not) made two.
    missing = [w for w in ledger.workflows if w not in wf_rows]
    doubled = {k: n for k, n in by_key.items() if n > 1}
    strays = [k for k in by_key if k not in ledger.create_keys]
    lost += len(missing)
    dup += sum(n - 1 for n in doubled.values())
    checks.check("workflows", not missing and not doubled and not strays,
                 f"missing {missing[:10]}, created twice {list(doubled.items())[:10]}, unknown {strays[:10]}")
    counts["workflows"] = len(ledger.workflows)
    unacked_made = sum(1 for k in ledger.create_keys if by_key.get(k) and
                       not any(d["key"] == k for d in ledger.workflows.values()))
    counts["unacked_creates_landed"] = unacked_made

    # Steps: each acknowledged workflow has exactly its steps 1..n.
    step_rows = collections.defaultdict(list)
    for wid, num, shot, label in rows(db, "SELECT workflow_id, step_number, screenshot_id, field_label FROM steps"):
        step_rows[int(wid)].append((int(num), shot, label))
    bad_steps = []
    for wid, d in ledger.workflows.items():
        nums = sorted(n for n, _, _ in step_rows.get(wid, []))
        if nums != list(range(1, d["steps"] + 1)):
            bad_steps.append((wid, nums))
            lost += max(0, d["steps"] - len(set(nums)))
            dup += len(nums) - len(set(nums))
    checks.check("steps", not bad_steps, f"workflows with wrong steps: {bad_steps[:10]}")
    counts["steps"] = sum(d["steps"] for d in ledger.workflows.values())

    # Labeling finished for every workflow (jobs survived kills and both Redis restarts).
    processing = [w for w in ledger.workflows if wf_rows.get(w, ("", "processing"))[1] == "processing"]
    unlabeled = [w for w in ledger.workflows if any(lbl in ("", None) for _, _, lbl in step_rows.get(w, []))]
    checks.check("labeling_finished", not processing and not unlabeled,
                 f"still processing {processing[:10]} ({len(processing)}), steps without label {unlabeled[:10]}")

    # Screenshots: once per (company, hash), the step points at it, the bytes are in S3.
    shots = collections.Counter()
    shot_ids = {}
    for sid, cid, h in rows(db, "SELECT id, company_id, hash FROM screenshots"):
        shots[(int(cid), h)] += 1
        shot_ids[int(sid)] = (int(cid), h)
    bad_shots = []
    for sid, (cid, h, _) in ledger.screenshots.items():
        if shot_ids.get(sid) != (cid, h) or shots[(cid, h)] != 1:
            bad_shots.append(sid)
    lost += sum(1 for s in ledger.screenshots if s not in shot_ids)
    dup += sum(n - 1 for n in shots.values() if n > 1)
    wrong_ref = [w for w, d in ledger.workflows.items() if d["shot"] and
                 not any(n == 1 and s not in (None, "") and int(s) == d["shot"] for n, s, _ in step_rows.get(w, []))]
    missing_bytes, no_thumb = s3_bytes_missing(cluster, ledger, companies)
    counts["thumbnails_missing"] = len(no_thumb)
    if no_thumb:
        ledger.note(f"screenshots without a thumbnail (not a failure): {no_thumb[:10]}")
    lost += len(missing_bytes)
    checks.check("screenshots", not bad_shots and not wrong_ref and not missing_bytes,
                 f"bad records {bad_shots[:10]}, steps not pointing at their screenshot {wrong_ref[:10]}, "
                 f"bytes missing or wrong in S3 {missing_bytes[:10]}")
    counts["screenshots"] = len(ledger.screenshots)

    # Users.
    users = collections.Counter(e for (e,) in rows(db, "SELECT email FROM users"))
    missing_users = [e for e in ledger.users if users[e] != 1]
    lost += len(missing_users)
    checks.check("users", not missing_users, f"acknowledged signups missing: {missing_users[:10]}")
    counts["users"] = len(ledger.users)

    # Edits: the last acknowledged name, or a later one that was sent (its answer lost).
    bad_edits = []
    for wid, tries in ledger.edits.items():
        acked = [i for i, (_, ok) in enumerate(tries) if ok]
        if not acked:
            continue
        allowed = {n for n, _ in tries[acked[-1]:]}
        if wf_rows.get(wid, ("",))[0] not in allowed and not wf_rows.get(wid, ("",))[0].startswith("Seen on node 2"):
            bad_edits.append((wid, wf_rows.get(wid, ("?",))[0], sorted(allowed)))
    lost += len(bad_edits)
    checks.check("edits", not bad_edits, f"acknowledged edits not there: {bad_edits[:10]}")
    counts["edits"] = sum(1 for t in ledger.edits.values() if any(ok for _, ok in t))

    # Health entries: each acknowledged client id once; run counts exact.
    logs = collections.Counter()
    for cid, client_id in rows(db, "SELECT company_id, client_id FROM health_logs"):
        logs[(int(cid), client_id)] += 1
    missing_logs = [c for c, (cid, _, _) in ledger.health.items() if logs[(cid, c)] == 0]
    dup_logs = [k for k, n in logs.items() if n > 1]
    lost += len(missing_logs)
    dup += len(dup_logs)
    bad_uses = [(w, wf_rows.get(w, (0, 0, None))[2], n) for w, n in ledger.health_runs.items()
                if not n <= wf_rows.get(w, (0, 0, -1))[2] <= ledger.health_attempted[w]]
    broken_wrong = [w for w in ledger.broken if wf_rows.get(w, ("", ""))[1] != "broken"]
    checks.check("health_entries", not missing_logs and not dup_logs and not bad_uses and not broken_wrong,
                 f"missing {missing_logs[:10]}, twice {dup_logs[:10]}, total_uses off (wf, uses, acked) "
                 f"{bad_uses[:10]}, not broken {broken_wrong[:10]}")
    counts["health_entries"] = len(ledger.health)

    # Heals: the shared variant exists.
    variants = {(int(s), sel) for s, sel in rows(db, "SELECT step_id, selector FROM step_selector_variants")}
    missing_heals = [k for k, sel in ledger.heals.items() if (k[1], sel) not in variants]
    lost += len(missing_heals)
    checks.check("heals", not missing_heals, f"acknowledged heals without their variant: {missing_heals[:10]}")
    counts["heals"] = len(ledger.heals)

    # Notifications: one ready_for_review per workflow, one workflow_broken per broken one, one
    # workflow_healed per healed one.
    notes = collections.Counter()
    for wid, typ in rows(db, "SELECT workflow_id, type FROM notifications WHERE workflow_id IS NOT NULL"):
        notes[(int(wid), typ)] += 1
    expected = [(w, "ready_for_review") for w in ledger.workflows]
    expected += [(w, "workflow_broken") for w in ledger.broken]
    expected += [(w, "workflow_healed") for w, _ in ledger.heals]
    missing_notes = [k for k in expected if notes[k] == 0]
    dup_notes = [(k, n) for k, n in notes.items() if n > 1]
    lost += len(missing_notes)
    dup += sum(n - 1 for _, n in dup_notes)
    checks.check("notifications", not missing_notes and not dup_notes,
                 f"missing {missing_notes[:10]} ({len(missing_notes)}), more than once {dup_notes[:10]}")
    counts["notifications"] = len(expected)
    return lost, dup


def s3_bytes_missing(cluster, ledger, companies):
    """Each acknowledged screenshot's bytes, through a fresh signed URL to s3rver."""
    token_of = {co["id"]: co["token"] for co in companies}
    bad, no_thumb = [], []
    for sid, (cid, _, expected) in ledger.screenshots.items():
        r = helpers.request(cluster.node1.port, "GET", f"/api/screenshots/{sid}", token=token_of[cid])
        if r.status != 200:
            bad.append((sid, r.status))
            continue
        if not r.body["data"]["thumbnail_url"]:
            no_thumb.append(sid)
        status, _, data = W.fetch(r.body["data"]["storage_url"])
        if status != 200 or W.sha_ref(data) != expected:
            bad.append((sid, status))
    return bad, no_thumb


def jobs_check(cluster, checks):
    """No job older than its lease: nothing left in the database's job records but future or dead
    ones, nothing pending in Redis longer than JOB_VISIBILITY_MS, the stream empty."""
    ms = int(now() * 1000)
    old = rows(cluster.db, f"SELECT id, type, state, lease_owner, run_at FROM jobs WHERE state <> 'dead' "
                           f"AND run_at < {ms - JOB_VISIBILITY_MS}")
    dead = rows(cluster.db, "SELECT id, type, last_error FROM jobs WHERE state = 'dead'")
    url = cluster.redis.url
    pending = W.redis_cmd(url, "XPENDING", f"{PREFIX}:jobs", "workers", "IDLE", str(JOB_VISIBILITY_MS), "-", "+", "100")
    length = W.redis_cmd(url, "XLEN", f"{PREFIX}:jobs")
    dead_stream = W.redis_cmd(url, "XLEN", f"{PREFIX}:jobs:dead")
    checks.check("jobs_within_lease", not old and not pending and not length and not dead and not dead_stream,
                 f"job records past due {old[:10]}, pending in Redis past the lease {pending[:10]}, "
                 f"stream length {length}, dead {dead[:5]} / dead stream {dead_stream}")


def node_streams(cluster):
    """From the nodes' logs: {node: [start times]} and {X-Request-Id of a stream: node}."""
    starts, streams = collections.defaultdict(list), {}
    for n in cluster.nodes:
        with open(n.stdout_path, "rb") as f:
            for line in f:
                if b'"msg":"listening"' in line or b'"msg":"stream opened"' in line:
                    d = json.loads(line)
                    if d["msg"] == "listening":
                        ts = calendar.timegm(time.strptime(d["ts"][:19], "%Y-%m-%dT%H:%M:%S"))
                        starts[cluster.name(n)].append(ts + float("0." + d["ts"][20:-1]))
                    else:
                        streams[d.get("request_id")] = cluster.name(n)
    return starts, streams


def clock(t):
    return time.strftime("%H:%M:%S", time.localtime(t)) + f".{int(t * 1000) % 1000:03d}"


def sse_check(ledger, tap, clients, quiet_windows, end, checks, counts, cluster):
    """Each client got every event of its company that Redis carried while it was subscribed,
    each once. Windows where events could not reach Redis or a node could not read them (a
    Redis restart without its data) are left out."""
    missed_total = dups = 0
    detail = []
    for c in clients:
        if c.subscribed_at is None:
            detail.append(f"{c.name} never subscribed")
            missed_total += 1
            continue
        lo, hi = (c.subscribed_at + 1.0) * 1000, (end - 2.0) * 1000
        required = [eid for eid, cid, _ in tap.events if cid == c.company["id"] and lo <= id_ms(eid) <= hi
                    and not any(a * 1000 <= id_ms(eid) <= b * 1000 for a, b in quiet_windows)]
        missed = [eid for eid in required if eid not in c.ids]
        twice = [eid for eid, n in c.ids.items() if n > 1]
        missed_total += len(missed)
        dups += len(twice)
        if missed or twice:
            detail.append(f"{c.name}: missed {len(missed)} of {len(required)} events, twice {twice[:5]}; "
                          + "; ".join(explain_missed(c, missed, cluster)))
    counts["events"] = sum(sum(c.ids.values()) for c in clients)
    counts["sse_resumes"] = sum(c.resumes for c in clients)
    checks.check("sse_no_missed_event", missed_total == 0 and dups == 0, "; ".join(detail))
    checks.check("sse_reconnected_with_last_event_id", all(c.resumes > 0 for c in clients),
                 f"resumes per client {[c.resumes for c in clients]}")
    return missed_total, dups


def explain_missed(client, missed, cluster):
    """For the report: the stream that should have carried each missed event (the first one
    opened after it), the node that served it and when that node had started."""
    starts, streams = node_streams(cluster)
    by_stream = collections.defaultdict(list)
    for eid in missed:
        t = id_ms(eid) / 1000
        later = [s for s in client.streams if s[0] >= t]
        by_stream[later[0] if later else None].append(eid)
    out = []
    for stream, eids in by_stream.items():
        span = f"{len(eids)} published {clock(id_ms(eids[0]) / 1000)}-{clock(id_ms(eids[-1]) / 1000)}"
        if stream is None:
            out.append(f"{span}, no stream opened after them")
            continue
        opened, rid, last = stream
        node = streams.get(rid, "?")
        began = max((t for t in starts.get(node, []) if t <= opened), default=None)
        out.append(f"{span}: resumed at {clock(opened)} with Last-Event-ID {last} on {node}, "
                   f"which had started at {clock(began) if began else '?'}")
    return out


# ------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------

def errors_by_phase(ledger):
    marks = sorted(ledger.marks, key=lambda m: m[1])
    out = collections.OrderedDict((m[0], [0, 0]) for m in marks)
    for _, end, _, status, _ in ledger.attempts:
        if status is not None and status < 500:
            continue
        phase = [m[0] for m in marks if m[1] <= end]
        if phase:
            out[phase[-1]][0 if status else 1] += 1
    return " ".join(f"{k}={a}/{b}" for k, (a, b) in out.items())


def haproxy_problems(path):
    """HAProxy's log lines of answers >= 500, of requests cut short (termination flags), and of
    server state changes."""
    out = []
    with open(path, "rb") as f:
        for line in f.read().decode(errors="replace").splitlines():
            t = line.split()
            if len(t) > 9 and t[1].startswith("[") and t[2] != "stats" and t[5].isdigit():
                if int(t[5]) >= 500 or t[9][0] != "-":
                    out.append(line)
            elif "Server " in line or "backend " in line:
                out.append(line)
    return out


def in_window(a, lo, hi):
    return a[1] >= lo and a[0] <= hi


def signup_company(client, i):
    email = helpers.unique_email(f"cluster{i}")
    r = client.call("signup", "POST", "/api/auth/signup", source=fresh_ip(),
                    body={"email": email, "password": helpers.PASSWORD, "name": f"Admin {i}",
                          "company_name": f"Cluster company {i}"})
    if r is None or r.status != 201:
        raise AssertionError(f"company signup failed: {r}")
    d = r.body["data"]
    co = {"id": d["user"]["company_id"], "token": d["token"], "email": email}
    r = client.call("company", "GET", "/api/company", token=co["token"])
    co["invite"] = r.body["data"]["invite_token"]
    return co


class Run:
    """One cluster run: the steps of the module docstring, in order."""

    def __init__(self, cluster, checks):
        self.ledger = Ledger()
        self.checks = checks
        self.counts = {}
        self.cluster = cluster
        self.stop_at = [float("inf")]
        self.client = Client(self.ledger, self.cluster.lb.port, self.stop_at)
        self.companies = [signup_company(self.client, i) for i in range(3)]
        self.tap = Tap(self.cluster.redis.url)
        self.sse = [SseClient(self.ledger, self.cluster.lb.port, self.companies[i % 3], f"sse{i}") for i in range(4)]
        # One stream pinned to node 1 (as behind a balancer with sticky sessions): it resumes on
        # node 1 after each of node 1's restarts, whatever HAProxy would have picked.
        self.sse.append(SseClient(None, self.cluster.node1.port, self.companies[1], "sse-node1"))
        self.load = Load(self.ledger, self.client, self.companies)
        self.rolling = (0.0, 0.0)
        self.quiet = []  # event windows left out of the SSE check
        self.load_window = (0.0, 0.0)

    def start_load(self):
        self.tap.start()
        for c in self.sse:
            c.start()
        self.load_window = (now(), 0.0)
        self.ledger.mark("start", now())
        self.load.start()

    def rolling_restart(self):
        start = now()
        out_times = [self.cluster.restart_node_gracefully(n, self.ledger) for n in self.cluster.nodes]
        self.rolling = (start, now())
        self.ledger.mark("rolling", *self.rolling)
        self.checks.check("rolling_restart_drain_seen_by_haproxy",
                          all(t is not None and t < DRAIN_SECONDS for t in out_times),
                          f"seconds from SIGTERM to out of HAProxy: {out_times} (DRAIN_SECONDS {DRAIN_SECONDS})")

    def kill9(self):
        cluster, s = self.cluster, now()
        cluster.kill_node(cluster.node1)
        cluster.lb.wait_status("node1", "UP")
        self.ledger.mark("kill9-serve", s)
        self.ledger.note(f"node1 killed (-9) and back in HAProxy in {now() - s:.1f} s")
        time.sleep(1)
        s = now()
        cluster.workers[0].kill()
        cluster.workers[0] = W.Worker(cluster.node1, concurrency=2).start()
        self.ledger.mark("kill9-worker", s)
        self.ledger.note("worker1 killed (-9) and started again")

    def redis_restart(self, keep):
        """Workers stopped (SIGSTOP) so that labeling jobs wait in Redis, Redis restarted with or
        without its data, workers go on."""
        cluster, label = self.cluster, "redis-restart-" + ("with-data" if keep else "empty")
        s = now()
        cluster.workers_signal(signal.SIGSTOP)
        time.sleep(2.5)
        jobs = W.redis_cmd(cluster.redis.url, "XLEN", f"{PREFIX}:jobs")
        processing = rows(cluster.db, "SELECT id FROM workflows WHERE status = 'processing'")
        down = now()
        cluster.restart_redis(keep_data=keep)
        up = now()
        cluster.workers_signal(signal.SIGCONT)
        self.ledger.mark(label, s)
        if not keep:
            # Events a node had not read yet from the Redis that lost them: gone for its clients.
            self.quiet.append((down - 1.0, up + 1.0))
            self.counts["relabeled_after_empty_redis"] = len(processing)
        self.ledger.note(f"{label}: {jobs} jobs waiting in Redis, {len(processing)} workflows labeling; "
                         f"Redis down {up - down:.1f} s")
        self.checks.check(f"{label}_while_jobs_waited", jobs and processing,
                          f"no backlog when Redis restarted ({jobs} jobs, {len(processing)} workflows)")

    def restart_postgres(self):
        s = now()
        self.cluster.restart_postgres()
        self.ledger.mark("postgres-restart", s)
        self.ledger.note(f"PostgreSQL restarted in {now() - s:.1f} s")

    def rate_limits(self):
        s = now()
        statuses, served = rate_limit_check(self.cluster, self.client)
        self.ledger.mark("rate-limit", s)
        answered = statuses.count(401)
        self.counts["rate_limit"] = f"{answered}/{RATE_LIMIT}"
        self.checks.check("rate_limit_across_nodes",
                          answered == RATE_LIMIT and statuses.count(429) == len(statuses) - RATE_LIMIT
                          and all(served.get(n, 0) > 0 for n in ("node1", "node2")),
                          f"statuses {statuses}, requests served per node {served}")

    def write_read(self):
        with self.ledger.lock:
            first = next((w for w, d in self.ledger.workflows.items() if d["company"] == 0), None)
        s = now()
        lat = write_read_check(self.cluster, self.companies[0], first) if first else []
        self.ledger.mark("write-read", s)
        self.counts["write_read_ms_max"] = round(max(lat), 1) if lat else None
        self.counts["write_read_ms"] = [round(x) for x in lat]
        self.checks.check("write_on_node1_seen_on_node2", lat and max(lat) <= RESPONSE_CACHE_MS + 250,
                          f"ms from node 1's answer to node 2 showing it: {[round(x) for x in lat]} "
                          f"(RESPONSE_CACHE_MS {RESPONSE_CACHE_MS}, + 250 ms for the polling on a busy box)")

    def stop_load(self):
        self.load_window = (self.load_window[0], now())
        self.stop_at[0] = time.monotonic() + 20  # retries in flight may finish
        self.load.stop()
        self.ledger.note(f"load stopped after {self.load_window[1] - self.load_window[0]:.1f} s")
        self.checks.check("load_threads", not self.load.errors, "\n".join(self.load.errors)[:3000])
        # Labeling and jobs finish, SSE clients catch up.
        started = time.monotonic()
        while time.monotonic() - started < 45:
            left = rows(self.cluster.db, "SELECT (SELECT COUNT(*) FROM workflows WHERE status = 'processing'), "
                                         "(SELECT COUNT(*) FROM jobs WHERE state <> 'dead')")[0]
            if left == ("0", "0"):
                break
            time.sleep(0.5)
        self.ledger.note(f"labeling and jobs done {time.monotonic() - started:.1f} s after the load")
        time.sleep(1.5)
        self.sse_end = now()
        for c in self.sse:
            c.stop()
        self.tap.stop_flag.set()

    def verify(self):
        counts, ledger = self.counts, self.ledger
        window = [a for a in ledger.attempts if in_window(a, *self.rolling)]
        five = [a for a in window if a[3] is not None and a[3] >= 500]
        conn = [a for a in window if a[3] is None]
        counts.update({"requests_rolling": len(window), "5xx_rolling": len(five), "conn_errors_rolling": len(conn)})
        self.checks.check("rolling_restart_no_5xx", not five, f"{five[:10]}")
        self.checks.check("rolling_restart_no_connection_error", not conn, f"{conn[:10]}")
        lost, dup = reconcile(self.cluster, ledger, self.companies, self.checks, counts)
        jobs_check(self.cluster, self.checks)
        missed, twice = sse_check(ledger, self.tap, self.sse, self.quiet, self.sse_end, self.checks, counts,
                                  self.cluster)
        counts["sse_missed"] = missed
        counts["lost"], counts["duplicates"] = lost + missed, dup + twice
        self.checks.check("nothing_lost", counts["lost"] == 0,
                          f"{counts['lost']} acknowledged items or events missing ({missed} SSE events)")
        self.checks.check("no_duplicates", counts["duplicates"] == 0, f"{counts['duplicates']} more than once")
        lo, hi = self.load_window
        during = [a for a in ledger.attempts if lo <= a[0] <= hi]
        counts["requests"] = len(during)
        counts["rps"] = round(len(during) / (hi - lo), 1)
        counts["errors_outside_rolling"] = sum(1 for a in during if (a[3] is None or a[3] >= 500)
                                               and not in_window(a, *self.rolling))
        counts["create_replays"] = f"{ledger.replayed}/{ledger.hung_up}"
        print("cluster: client errors (5xx / no answer) after each step: " + errors_by_phase(ledger), flush=True)

    def stop(self):
        for c in self.sse:
            c.stop_flag.set()
        self.load.stop_flag.set()
        self.tap.stop_flag.set()


def prerequisites(binary, admin_url, pg_data):
    return [what for what, ok in (
        (f"server binary {binary}", os.access(binary, os.X_OK)),
        ("haproxy (scripts/install-deps.sh test)", shutil.which("haproxy")),
        ("redis-server (scripts/install-deps.sh test)", shutil.which("redis-server")),
        ("node_modules/s3rver (scripts/npm-deps.sh)", os.path.isfile(W.S3RVER)),
        ("PG_ADMIN_URL and CLUSTER_PG_DATA (run deploy/cluster/run.sh)", admin_url and pg_data),
        ("a second loopback address (127.0.0.2) to vary client addresses", helpers.can_bind("127.0.0.2")),
    ) if not ok]


def print_logs(cluster):
    """The warnings and errors of every process (not the access logs), and HAProxy's failures."""
    paths = [(cluster.name(n), p) for n in cluster.nodes for p in (n.stdout_path, n.stderr_path)]
    paths += [(f"worker{i + 1}", w.log_path) for i, w in enumerate(cluster.workers)]
    for name, path in paths:
        try:
            with open(path, "rb") as f:
                lines = [ln for ln in f.read().decode(errors="replace").splitlines()
                         if '"level":"warn"' in ln or '"level":"error"' in ln or "FATAL" in ln or "ERROR" in ln]
        except OSError:
            continue
        if lines:
            print(f"--- {name}: warnings and errors (last 15 of {len(lines)}) ---\n" + "\n".join(lines[-15:]))
    if cluster.lb is not None:
        print("--- haproxy: 5xx, failed requests and server events ---\n"
              + "\n".join(haproxy_problems(cluster.lb.log_path)[-30:]))


SUMMARY_KEYS = ["workflows", "steps", "screenshots", "health_entries", "notifications", "events", "users", "edits",
                "heals", "requests", "rps", "5xx_rolling", "conn_errors_rolling", "requests_rolling",
                "errors_outside_rolling", "create_replays", "sse_resumes", "sse_missed", "thumbnails_missing",
                "relabeled_after_empty_redis", "unacked_creates_landed", "rate_limit", "write_read_ms_max", "lost",
                "duplicates"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--load-seconds", type=float, default=60)
    ap.add_argument("--junit", help="write the checks as JUnit XML here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = ap.parse_args()
    started = time.monotonic()
    load_before = os.getloadavg()
    binary = os.environ.get("STEPWISE_BIN") or os.path.join(REPO, "build", "stepwise")
    admin_url, pg_data = os.environ.get("PG_ADMIN_URL"), os.environ.get("CLUSTER_PG_DATA")
    missing = prerequisites(binary, admin_url, pg_data)
    if missing:
        print("cluster: cannot run, missing: " + "; ".join(missing), file=sys.stderr)
        if args.junit:
            checks = Checks()
            checks.check("prerequisites", False, "missing: " + "; ".join(missing))
            checks.junit(args.junit, 0)
        return 2

    tmp = tempfile.mkdtemp(prefix="stepwise-cluster-")
    cluster, run, checks = Cluster(tmp, binary, admin_url, pg_data), None, Checks()
    try:
        cluster.start()
        print(f"cluster: up in {time.monotonic() - started:.1f} s (HAProxy :{cluster.lb.port}, nodes "
              f":{cluster.node1.port} :{cluster.node2.port}, logs in {tmp})", flush=True)
        run = Run(cluster, checks)
        run.start_load()
        t0 = time.monotonic()
        time.sleep(4)
        steps = [run.rolling_restart, run.kill9, lambda: run.redis_restart(keep=True),
                 lambda: run.redis_restart(keep=False), run.restart_postgres, run.rate_limits, run.write_read]
        for step in steps:
            step()
            time.sleep(2)
        time.sleep(max(0.0, t0 + args.load_seconds - time.monotonic()))
        run.stop_load()
        run.verify()
    except Exception:  # noqa: BLE001 - reported as a failed check, with the cluster's logs
        checks.check("run", False, traceback.format_exc())
    finally:
        if run is not None:
            run.stop()
        problems = cluster.stop()
        checks.check("clean_exits", not problems, "; ".join(problems))
        if checks.failed() and cluster.nodes:
            print_logs(cluster)

    wall = time.monotonic() - started
    if args.junit:
        checks.junit(args.junit, wall)
    counts = run.counts if run else {}
    failed = checks.failed()
    print(f"cluster: {' '.join(f'{k}={counts[k]}' for k in SUMMARY_KEYS if k in counts)} wall_s={wall:.0f} "
          f"loadavg={load_before[0]:.1f}->{os.getloadavg()[0]:.1f} "
          f"checks={len(checks.results) - len(failed)}/{len(checks.results)}"
          + (f" FAILED={','.join(n for n, _, _ in failed)}" if failed else ""))
    if "write_read_ms" in counts:
        print(f"cluster: write on node 1 seen on node 2 after (ms): {counts['write_read_ms']}")
    if args.keep or failed:
        print(f"cluster: logs kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
