"""The deployment files and the backup scripts (docs/deploy.md), checked against the real binary.

- the systemd units pass `systemd-analyze verify` (in a temporary copy of the /opt/stepwise layout),
  keep their hardening, and their stop timeout covers the drain of deploy/stepwise.env;
- deploy/haproxy/haproxy.cfg passes `haproxy -c` in every mode, and run in front of two live
  nodes: both are checked healthy, the client address reaches a node and a forged one does not,
  TLS ends at HAProxy (the node sees https), and a node that drains leaves the balancer before it
  stops, with no request failing (HAProxy's retries are off);
- backup.sh while the server writes, restore.sh into a fresh DATA_DIR and database, and a second
  server on the copy sees the workflow, its steps, the screenshot's bytes and the old tokens; on
  SQLite and on PostgreSQL (TEST_DATABASE_ADMIN_URL, as scripts/test.sh sets it).

Environment: STEPWISE_BIN (default build/stepwise), TEST_DATABASE_ADMIN_URL (PostgreSQL part).
"""
import csv
import functools
import http.client
import http.server
import io
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "packages", "server", "tests"))
import helpers  # noqa: E402
import wf_support as W  # noqa: E402

DEPLOY = os.path.join(REPO, "deploy")
UNITS = ("stepwise@.service", "stepwise-worker.service", "stepwise-migrate.service")
HAPROXY_CFG = os.path.join(DEPLOY, "haproxy", "haproxy.cfg")
BACKUP = os.path.join(REPO, "scripts", "backup.sh")
RESTORE = os.path.join(REPO, "scripts", "restore.sh")


@pytest.fixture(scope="module")
def stepwise_bin():
    path = os.environ.get("STEPWISE_BIN") or os.path.join(REPO, "build", "stepwise")
    if not os.access(path, os.X_OK):
        pytest.fail(f"server binary not found: {path} (set STEPWISE_BIN or build it)", pytrace=False)
    return path


def need(tool):
    path = shutil.which(tool)
    if not path:
        pytest.fail(f"{tool} is not installed (scripts/install-deps.sh test installs it)", pytrace=False)
    return path


def env_file(path):
    """KEY=VALUE lines of an env file (comments and blank lines skipped)."""
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                out[k.strip()] = v.strip()
    return out


def unit_settings(name):
    out = {}
    with open(os.path.join(DEPLOY, "systemd", name)) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", "[")) and "=" in line:
                k, v = line.split("=", 1)
                out.setdefault(k, []).append(v)
    return out


def seconds(text):
    m = re.fullmatch(r"(\d+)(ms|s)?", text)
    assert m, text
    return int(m.group(1)) / (1000 if m.group(2) == "ms" else 1)


def health_check_timing():
    """inter, fastinter, fall and timeout check of the backend's health checks."""
    with open(HAPROXY_CFG) as f:
        cfg = f.read()
    default_server = re.search(r"^\s*default-server (.*)$", cfg, re.M).group(1).split()
    opts = dict(zip(default_server[1::2], default_server[2::2])) if default_server[0] == "check" else {}
    check_timeout = re.search(r"^\s*timeout check (\S+)", cfg, re.M).group(1)
    return (seconds(opts["inter"]), seconds(opts["fastinter"]), int(opts["fall"]), seconds(check_timeout))


# ------------------------------------------------------------------------------------------------
# systemd
# ------------------------------------------------------------------------------------------------

def test_systemd_units_verify(tmp_path, stepwise_bin):
    """`systemd-analyze verify` on the units, their paths moved into a temporary /opt/stepwise
    layout whose current/build/stepwise is the built binary: syntax, every key known, every
    command present. Any warning fails (verify itself only fails on missing commands)."""
    analyze = need("systemd-analyze")
    root = tmp_path / "root"
    (root / "opt/stepwise/releases/test/build").mkdir(parents=True)
    os.symlink(stepwise_bin, root / "opt/stepwise/releases/test/build/stepwise")
    os.symlink("releases/test", root / "opt/stepwise/current")
    (root / "etc/stepwise").mkdir(parents=True)
    shutil.copy(os.path.join(DEPLOY, "stepwise.env"), root / "etc/stepwise/stepwise.env")
    units = tmp_path / "units"
    units.mkdir()
    for name in UNITS:
        with open(os.path.join(DEPLOY, "systemd", name)) as f:
            text = f.read()
        text = text.replace("/opt/stepwise/", f"{root}/opt/stepwise/").replace("/etc/stepwise/", f"{root}/etc/stepwise/")
        (units / name).write_text(text)
    names = ["stepwise@8001.service", "stepwise-worker.service", "stepwise-migrate.service"]
    out = subprocess.run([analyze, "verify", *names], cwd=units, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "" and out.stderr.strip() == "", out
    # The hardening stays where it is: systemd's exposure score (0 best, 10 worst).
    for name in ("stepwise@8001.service", "stepwise-worker.service"):
        out = subprocess.run([analyze, "security", "--offline=yes", name], cwd=units, capture_output=True,
                             text=True, timeout=60)
        m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", out.stdout)
        assert m, out
        assert float(m.group(1)) <= 3.0, out.stdout[-3000:]


def test_units_and_settings_agree():
    """The stop timeout covers the drain, the grace and a running AI call; the drain outlasts the
    time HAProxy needs to take a node out; the template's names are real settings."""
    known = env_file(os.path.join(REPO, ".env.example"))
    template = env_file(os.path.join(DEPLOY, "stepwise.env"))
    assert set(template) <= set(known), set(template) - set(known)
    assert "PORT" not in template  # each stepwise@PORT instance sets its own
    settings = {**known, **{k: v for k, v in template.items() if v}}
    drain = int(settings["DRAIN_SECONDS"])
    grace = int(settings["SHUTDOWN_GRACE_SECONDS"])
    ai_call = int(settings["AI_TIMEOUT_MS"]) / 1000
    serve = unit_settings("stepwise@.service")
    assert seconds(serve["TimeoutStopSec"][-1]) > drain + grace + ai_call
    assert serve["KillMode"] == ["mixed"] and serve["KillSignal"] == ["SIGTERM"]
    assert serve["Environment"].count("PORT=%i") == 1
    inter, fastinter, fall, check_timeout = health_check_timing()
    # A node that stopped answering: each failed check may wait the check timeout.
    assert drain > inter + (fall - 1) * fastinter + fall * check_timeout
    for name in UNITS:
        unit = unit_settings(name)
        assert unit["EnvironmentFile"][0] == "/etc/stepwise/stepwise.env"
        assert unit["User"] == ["stepwise"] and unit["ProtectSystem"] == ["strict"]
        assert "MemoryDenyWriteExecute" not in unit  # the V8 JIT of the checker's node and Chromium


# What unit_sandbox.sh and seccomp_exec.py reproduce of the hardening, and what does not bear on
# the checker (every other option must be added to the emulation before it goes into the unit).
EMULATED = {"NoNewPrivileges", "CapabilityBoundingSet", "AmbientCapabilities", "ProtectSystem", "ProtectHome",
            "PrivateTmp", "PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
            "ProtectControlGroups", "ProtectClock", "ProtectProc", "RestrictSUIDSGID", "RestrictRealtime",
            "RestrictNamespaces", "RestrictAddressFamilies", "SystemCallArchitectures", "UMask", "User",
            "StateDirectory"}
NOT_BEARING = {"ProtectHostname", "PrivateMounts", "LockPersonality", "RemoveIPC", "LimitNOFILE", "Group",
               "StateDirectoryMode"}
SANDBOX_KEYS = {"NoNewPrivileges", "CapabilityBoundingSet", "AmbientCapabilities", "ProtectHostname",
                "PrivateMounts", "LockPersonality", "RemoveIPC", "UMask"}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_chromium_runs_under_the_units_hardening(tmp_path):
    """The checker (node + Debian's Chromium) walks a page and takes its screenshot inside an
    emulation of stepwise@.service's sandbox (systemd is not PID 1 here): read-only system,
    private /tmp and /dev, no home, invisible processes, no privileges, the syscall filters."""
    serve = unit_settings("stepwise@.service")
    hardening = {k for k in serve if k.startswith(("Protect", "Private", "Restrict")) or k in SANDBOX_KEYS
                 or k.startswith("SystemCall")}
    assert hardening <= EMULATED | NOT_BEARING, hardening - EMULATED - NOT_BEARING
    checker = os.path.join(REPO, "packages", "checker", "dist", "main.js")
    for path, why in ((checker, "the checker is not built (npm run build -w packages/checker)"),
                      ("/usr/bin/chromium", "chromium is not installed")):
        if not os.path.exists(path):
            pytest.fail(why, pytrace=False)
    if os.geteuid() != 0:
        pytest.skip("the sandbox emulation needs root (mount namespaces)")
    need("unshare")
    need("setpriv")

    site = tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text('<!doctype html><title>Hardening</title><h1>Check</h1>'
                                    '<button id="go" data-testid="go">Go</button>')
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/page.html"
    state = tmp_path / "state"
    state.mkdir()
    step = {"id": 11, "step_number": 1, "action_type": "click",
            "selectors": {"primary": "#go", "css": "#go", "data_testid": "go", "stable_attrs": {"id": "go"}},
            "element_meta": {"tag_name": "button", "role": "button", "inner_text": "Go", "classes": [],
                             "bounding_box": {"x": 10, "y": 60, "width": 40, "height": 20}},
            "page_context": {"url": url, "title": "Hardening", "viewport": {"width": 1280, "height": 800}},
            "action_data": {"input_value": None}, "selector_variants": [], "field_label": None}
    message = {"type": "check", "id": "h1", "mode": "locate", "timeout_ms": 60000, "proxy": None,
               "viewport": {"width": 1280, "height": 800}, "session": None, "values": {},
               "workflow": {"id": 1, "name": "Hardening", "starting_url": url, "steps": [step]}}
    (state / "check.json").write_text(json.dumps(message))
    shutil.chown(state, "nobody", "nogroup")
    os.chmod(state, 0o750)
    try:
        out = subprocess.run([os.path.join(HERE, "unit_sandbox.sh"), str(state), REPO, "nobody",
                              "node", "/opt/packages/checker/dist/main.js", "--once", "/srv/check.json"],
                             capture_output=True, text=True, timeout=120)
    finally:
        httpd.shutdown()
        httpd.server_close()
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    kinds = {line["type"]: line for line in lines}
    assert out.returncode == 0 and "ready" in kinds, out
    assert kinds["step"]["outcome"] == "found" and kinds["step"]["screenshot"], (kinds["step"], out.stderr)
    assert kinds["done"]["status"] == "passed", (kinds["done"], out.stderr)


# ------------------------------------------------------------------------------------------------
# HAProxy
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory):
    need("openssl")
    d = tmp_path_factory.mktemp("tls")
    key, crt = d / "key.pem", d / "crt.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(crt), "-days", "1", "-subj", "/CN=localhost"],
                   check=True, capture_output=True, timeout=60)
    pem = d / "stepwise.pem"
    pem.write_bytes(crt.read_bytes() + key.read_bytes())
    return str(pem)


@pytest.mark.parametrize("mode", ["production", "unprivileged", "tls"])
def test_haproxy_config_is_valid(mode, tls_cert):
    """`haproxy -c` with warnings as errors, in the production mode (user switch, chroot), the
    unprivileged one the tests use, and with TLS."""
    haproxy = need("haproxy")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEPWISE_")}
    env.update({"STEPWISE_NODE1": "127.0.0.1:18001", "STEPWISE_NODE2": "127.0.0.1:18002"})
    if mode != "production":
        env["STEPWISE_HAPROXY_UNPRIVILEGED"] = "1"
    if mode == "tls":
        env["STEPWISE_TLS_CERT"] = tls_cert
    out = subprocess.run([haproxy, "-dW", "-c", "-f", HAPROXY_CFG], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out


class HAProxy:
    """HAProxy on deploy/haproxy/haproxy.cfg, unprivileged, in front of the given nodes."""

    def __init__(self, tmp_dir, nodes, tls_cert=None):
        self.port = helpers.free_port()
        self.stats_port = helpers.free_port()
        self.tls_port = helpers.free_port() if tls_cert else None
        env = {k: v for k, v in os.environ.items() if not k.startswith("STEPWISE_")}
        env.update({"STEPWISE_HAPROXY_UNPRIVILEGED": "1", "STEPWISE_LISTEN": f"127.0.0.1:{self.port}",
                    "STEPWISE_STATS": f"127.0.0.1:{self.stats_port}",
                    "STEPWISE_NODE1": f"127.0.0.1:{nodes[0].port}", "STEPWISE_NODE2": f"127.0.0.1:{nodes[1].port}"})
        if tls_cert:
            env.update({"STEPWISE_TLS_CERT": tls_cert, "STEPWISE_TLS_LISTEN": f"127.0.0.1:{self.tls_port}"})
        self.log_path = os.path.join(tmp_dir, f"haproxy-{self.port}.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([need("haproxy"), "-db", "-f", HAPROXY_CFG], env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def stats(self):
        """{server name: (status, check status)} of the backend."""
        r = helpers.request(self.stats_port, "GET", "/stats;csv", timeout=5)
        assert r.status == 200, r
        rows = csv.DictReader(io.StringIO(r.raw.decode().lstrip("# ")))
        return {row["svname"]: (row["status"], row["check_status"]) for row in rows
                if row["pxname"] == "stepwise_nodes" and row["svname"] not in ("BACKEND", "FRONTEND")}

    def wait_all_up(self, timeout=20):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.logs()
            try:
                last = self.stats()
                if last and all(s == "UP" and c == "L7OK" for s, c in last.values()):
                    return last
            except OSError as e:
                last = e
            time.sleep(0.1)
        raise AssertionError(f"nodes not up behind HAProxy: {last}\n{self.logs()}")

    def logs(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")[-4000:]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def access_log_line(nodes, request_id, timeout=10):
    """The access log line of one request, from whichever node served it (logs are written
    asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        for node in nodes:
            for path in (node.stdout_path, node.stderr_path):
                with open(path, "rb") as f:
                    for line in f.read().decode(errors="replace").splitlines():
                        if f'"request_id":"{request_id}"' in line:
                            return line
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)


@pytest.fixture
def two_nodes(stepwise_bin, tmp_path):
    """Two API nodes on one host: one SQLite file, one DATA_DIR, TRUST_PROXY=true. node1 drains
    for 5 s on SIGTERM."""
    node1 = helpers.Server(stepwise_bin, str(tmp_path / "node1"), "sqlite",
                           env={"TRUST_PROXY": "true", "DRAIN_SECONDS": "5"})
    node2 = helpers.Server(stepwise_bin, str(tmp_path / "node2"), "sqlite", database=node1.db,
                           env={"TRUST_PROXY": "true", "DATA_DIR": node1.data_dir})
    nodes = [node1, node2]
    try:
        for n in nodes:
            n.start()
        yield nodes
    finally:
        problems = [p for n in nodes for p in n.stop()]
        for n in nodes:
            n.close()
        assert not problems, "\n".join(problems) + "\n" + "\n".join(n.logs() for n in nodes)


def test_haproxy_in_front_of_two_nodes(two_nodes, tmp_path, tls_cert):
    node1, node2 = two_nodes
    lb = HAProxy(str(tmp_path), two_nodes)
    tls = HAProxy(str(tmp_path), two_nodes, tls_cert=tls_cert)
    try:
        lb.wait_all_up()
        tls.wait_all_up()

        # The node sees the client's address, not one the client wrote into X-Forwarded-For.
        source = "127.0.0.2" if helpers.can_bind("127.0.0.2") else None
        for i in range(4):  # both nodes, whichever the balancer picks
            rid = f"deploy-xff-{i}-{os.getpid()}"
            r = helpers.request(lb.port, "GET", "/api/health", source=source,
                                headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
                                         "X-Request-Id": rid})
            assert r.status == 200, r
            assert r.header("Strict-Transport-Security") is None, r  # plain HTTP, whatever the client says
            line = access_log_line(two_nodes, rid)
            assert line is not None, rid
            assert f'"client_ip":"{source or "127.0.0.1"}"' in line, line

        assert helpers.request(lb.port, "GET", "/metrics").status == 404  # scraped per node, not here

        # TLS ends at HAProxy: the node learns it was https (and sends HSTS); plain HTTP redirects.
        conn = http.client.HTTPSConnection("127.0.0.1", tls.tls_port, timeout=10,
                                           context=ssl._create_unverified_context())
        try:
            conn.request("GET", "/api/ready")
            resp = conn.getresponse()
            assert resp.status == 200 and b'"ready"' in resp.read()
            assert resp.getheader("Strict-Transport-Security"), resp.getheaders()
        finally:
            conn.close()
        r = helpers.request(tls.port, "GET", "/api/health", headers={"Host": "stepwise.test"})
        assert r.status == 301 and r.header("Location").startswith("https://stepwise.test"), r

        # Drain: node1 answers /api/ready 503 but keeps serving, HAProxy takes it out, then it
        # stops. With HAProxy's retries off, one request sent to a closed node would fail here.
        started = time.monotonic()
        node1.signal(signal.SIGTERM)
        statuses, out_after = [], None
        while node1.proc.poll() is None and time.monotonic() - started < 20:
            statuses.append(helpers.request(lb.port, "GET", "/api/health", timeout=10).status)
            if out_after is None and lb.stats()["node1"][0].startswith("DOWN"):
                out_after = time.monotonic() - started
            time.sleep(0.05)
        stopped_after = time.monotonic() - started
        assert node1.wait(10) == 0, node1.logs()
        assert out_after is not None and out_after < 5, (out_after, lb.logs())
        assert stopped_after >= 5, stopped_after
        assert statuses and set(statuses) == {200}, (statuses, lb.logs())
        for _ in range(10):
            assert helpers.request(lb.port, "GET", "/api/health").status == 200
    finally:
        lb.stop()
        tls.stop()


# ------------------------------------------------------------------------------------------------
# Backup and restore
# ------------------------------------------------------------------------------------------------

def without_urls(value):
    """A workflow detail without its signed URLs (they name the server's port and expire)."""
    if isinstance(value, dict):
        return {k: without_urls(v) for k, v in value.items() if k not in ("url", "thumbnail_url")}
    if isinstance(value, list):
        return [without_urls(v) for v in value]
    return value


def run_script(script, server_env, *args):
    """backup.sh / restore.sh with a server's storage settings in the environment, from its
    working directory."""
    env = {k: v for k, v in os.environ.items() if k not in helpers.SERVER_SETTINGS}
    for key in ("DATABASE_URL", "DATA_DIR", "STORAGE_URL"):
        if server_env.get(key):
            env[key] = server_env[key]
    return subprocess.run([script, *args], env=env, capture_output=True, text=True, timeout=120)


def round_trip(stepwise_bin, tmp_path, kind, admin_url=None):
    # JWT_SECRET unset: the server generates DATA_DIR/jwt_secret, which the backup must carry.
    source = helpers.Server(stepwise_bin, str(tmp_path / "source"), kind, admin_url, env={"JWT_SECRET": None})
    target_db = None
    target = None
    try:
        source.start()
        admin = source.signup_admin()
        image = W.png(320, 200)
        shot = W.upload_ok(admin, image, status=201)
        wf_id = W.create(admin, W.body(3, shots={1: {"id": shot["screenshot_id"]}}))
        before = W.detail(admin, wf_id)[0]
        assert [s["step_number"] for s in before["steps"]] == [1, 2, 3]

        # Workflows keep being created while the backup runs.
        created, stop = [], threading.Event()

        def writer():
            while not stop.is_set():
                created.append(W.create(admin, wait=False))

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while len(created) < 3:
            assert thread.is_alive() and time.monotonic() < deadline, source.logs()
            time.sleep(0.01)
        before_backup = list(created)
        dest = str(tmp_path / "backup")
        out = run_script(BACKUP, source.environment(), dest)
        stop.set()
        thread.join(30)
        assert out.returncode == 0, out
        assert len(created) > len(before_backup)  # the server was written to during the backup
        manifest = env_file(os.path.join(dest, "MANIFEST"))
        assert manifest["database"] == kind and manifest["blobs"] == "file", manifest
        assert manifest["jwt_secret"] == "file", manifest
        assert int(manifest["blob_files"]) >= 1, manifest
        assert oct(os.stat(dest).st_mode & 0o777) == "0o700"
        # A backup never lands in an existing directory.
        assert run_script(BACKUP, source.environment(), dest).returncode != 0

        # Restore into a fresh DATA_DIR and database, then start a second server on them.
        target_dir = str(tmp_path / "target")
        os.makedirs(target_dir)
        target_db = helpers.Database(kind, target_dir, admin_url)
        target = helpers.Server(stepwise_bin, target_dir, kind, admin_url, env={"JWT_SECRET": None},
                                database=target_db)
        target_env = {"DATABASE_URL": target_db.url, "DATA_DIR": target.data_dir}
        out = run_script(RESTORE, target_env, dest)
        assert out.returncode == 0, out
        # Never over what is there.
        again = run_script(RESTORE, target_env, dest)
        assert again.returncode != 0 and "restore:" in again.stderr, again
        target.start()

        # The old token works: the restored jwt_secret is the one that signed it.
        moved = helpers.Account(target, admin.email, admin.password,
                                {"token": admin.token, "user": admin.user})
        after = W.detail(moved, wf_id)[0]
        assert without_urls(after) == without_urls(before)
        link = after["steps"][0]["screenshot"]
        status, _, data = W.fetch(link["url"])
        assert status == 200 and data == image
        for wf in before_backup:
            assert helpers.request(target.port, "GET", f"/api/workflows/{wf}", token=admin.token).status == 200
        # The restored server takes writes.
        W.create(moved, W.body(1))
    finally:
        problems = source.stop()
        if target is not None:
            problems += target.stop()
        logs = source.logs() + (target.logs() if target else "")
        source.close()
        if target is not None:
            target.close()
        if target_db is not None:
            target_db.drop()
    assert not problems, "\n".join(problems) + "\n" + logs


def test_backup_restore_sqlite(stepwise_bin, tmp_path):
    round_trip(stepwise_bin, tmp_path, "sqlite")


def test_backup_restore_postgresql(stepwise_bin, tmp_path):
    admin_url = os.environ.get("TEST_DATABASE_ADMIN_URL")
    if not admin_url:
        pytest.skip("TEST_DATABASE_ADMIN_URL is not set (scripts/test.sh sets it from postgres_start)")
    need("pg_dump")
    round_trip(stepwise_bin, tmp_path, "postgresql", admin_url)
