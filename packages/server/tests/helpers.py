"""Black-box helpers for the Stepwise API tests: server processes, databases, an HTTP client.

Standard library only (plus Debian's python3-bcrypt / python3-jwt in the tests that need them).
The server under test is a real `stepwise serve` process on a free loopback port.
"""
import base64
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.parse

JWT_SECRET = "stepwise-test-secret-0123456789abcdef0123456789abcdef"
PASSWORD = "correct horse battery"
REQUEST_TIMEOUT = 60
START_TIMEOUT = 60
STOP_TIMEOUT = 10
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")

# Every setting the server reads; removed from the inherited environment so that a developer's
# shell (or CI) cannot leak its own DATABASE_URL or limits into the server under test.
SERVER_SETTINGS = (
    "PORT", "HOST", "DATABASE_URL", "DATA_DIR", "STORAGE_URL", "REDIS_URL", "JWT_SECRET",
    "RATE_LIMIT_AUTH_PER_MIN", "RATE_LIMIT_USER_PER_MIN", "LOG_LEVEL", "BCRYPT_COST",
    "MAX_JSON_BODY_BYTES", "CORS_ORIGINS", "CORS_ALLOW_EXTENSIONS", "TRUST_PROXY",
    "WEB_DIR", "PUBLIC_URL", "DASHBOARD_URL", "ACCESS_LOG", "IO_THREADS", "DB_POOL_SIZE",
    "BLOCKING_QUEUE_LIMIT", "CPU_POOL_SIZE", "CPU_QUEUE_LIMIT", "MAX_HEADER_BYTES",
    "READ_TIMEOUT_SECONDS", "IDLE_TIMEOUT_SECONDS", "SHUTDOWN_GRACE_SECONDS", "MAX_CONNECTIONS",
    "JWT_TTL_SECONDS", "EXTENSION_IDS", "MAX_CONNECTIONS_PER_IP", "FIRST_REQUEST_TIMEOUT_SECONDS",
    "WEBHOOK_ALLOW_PRIVATE", "JOB_VISIBILITY_MS", "EXTENSION_DIR", "CHECKER_COMMAND",
    "CHECKS_CONCURRENCY", "CHECK_TIMEOUT_MS", "CHECKER_MAX_HEAP_MB", "CHECKS_ALLOW_PRIVATE",
    "CHECK_SESSION_KEYS", "CHECK_MINUTE_MS", "DRAIN_SECONDS", "METRICS_TOKEN",
)

BASE_ENV = {
    "HOST": "127.0.0.1",
    "JWT_SECRET": JWT_SECRET,
    "BCRYPT_COST": "4",
    "RATE_LIMIT_AUTH_PER_MIN": "0",
    "RATE_LIMIT_USER_PER_MIN": "0",
    "LOG_LEVEL": "info",
    # Concurrency tests open hundreds of connections from 127.0.0.1; the per-address cap itself
    # (default 64) is test_security.py's, on servers that leave this unset.
    "MAX_CONNECTIONS_PER_IP": "1000",
}

ERROR_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique_email(prefix="user"):
    return f"{prefix}-{secrets.token_hex(6)}@example.com"


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------

class Resp:
    """status, headers (case-insensitive), body (parsed JSON, or bytes), raw bytes.

    Unpacks as (status, headers, body)."""

    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        self.body = raw
        ctype = (headers.get("Content-Type") or "").lower()
        if raw and ("json" in ctype or raw[:1] in (b"{", b"[")):
            try:
                self.body = json.loads(raw)
            except ValueError:
                self.body = raw

    def __iter__(self):
        return iter((self.status, self.headers, self.body))

    def header(self, name):
        return self.headers.get(name)

    def __repr__(self):
        raw = self.raw if len(self.raw) < 600 else self.raw[:600] + b"..."
        return f"<{self.status} {dict(self.headers)} {raw!r}>"


def request(port, method, path, body=None, token=None, headers=None, raw=None,
            source=None, timeout=REQUEST_TIMEOUT, host="127.0.0.1"):
    """One request on a fresh connection. body: JSON-encoded with Content-Type application/json;
    raw: bytes sent as-is (no Content-Type added unless given in headers)."""
    hdrs = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    if raw is not None:
        data = raw
    if token is not None:
        hdrs["Authorization"] = f"Bearer {token}"
    if headers:
        for k, v in headers.items():
            for existing in [h for h in hdrs if h.lower() == k.lower()]:
                del hdrs[existing]
            if v is not None:
                hdrs[k] = v
    conn = http.client.HTTPConnection(host, port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        payload = resp.read()
        return Resp(resp.status, resp.headers, payload)
    finally:
        conn.close()


def raw_exchange(port, data, timeout=30, chunks=None):
    """Sends raw bytes (or an iterable of chunks) and reads one HTTP response.

    Returns (Resp or None, error string or None). A server that answers early and closes is fine
    as long as the response arrives; None means the connection was dropped with no response."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    send_error = None
    try:
        try:
            for chunk in (chunks if chunks is not None else [data]):
                sock.sendall(chunk)
        except OSError as e:  # EPIPE/ECONNRESET: the server stopped reading; its answer may be here
            send_error = repr(e)
        try:
            resp = http.client.HTTPResponse(sock, method="GET")
            resp.begin()
            payload = resp.read()
            return Resp(resp.status, resp.headers, payload), None
        except (OSError, http.client.HTTPException) as e:
            return None, f"no response (send: {send_error}, read: {e!r})"
    finally:
        sock.close()


def assert_envelope(resp, status):
    """Success envelope {"data": ..., "meta": {...}}."""
    assert resp.status == status, resp
    assert isinstance(resp.body, dict), resp
    assert "data" in resp.body and isinstance(resp.body.get("meta"), dict), resp
    return resp.body["data"]


def assert_error(resp, status, code=None):
    """Error envelope {"error": {"code", "message", "details"}} with the given status (an int or a
    set of acceptable ints) and code."""
    statuses = status if isinstance(status, (set, frozenset, tuple, list)) else {status}
    assert resp.status in statuses, resp
    assert isinstance(resp.body, dict), resp
    err = resp.body.get("error")
    assert isinstance(err, dict), resp
    assert isinstance(err.get("code"), str) and ERROR_CODE_RE.match(err["code"]), resp
    assert isinstance(err.get("message"), str) and err["message"], resp
    assert isinstance(err.get("details"), dict), resp
    assert "application/json" in (resp.header("Content-Type") or ""), resp
    if code is not None:
        codes = code if isinstance(code, (set, frozenset, tuple, list)) else {code}
        assert err["code"] in codes, resp
    return err


def assert_validation_error(resp, pointer=None):
    err = assert_error(resp, 422, "VALIDATION_ERROR")
    errors = err["details"].get("errors")
    assert isinstance(errors, list) and errors, resp
    for e in errors:
        assert isinstance(e, dict) and isinstance(e.get("pointer"), str), resp
        assert isinstance(e.get("message"), str), resp
    if pointer is not None:
        pointers = [e["pointer"] for e in errors]
        assert any(p == pointer or p.startswith(pointer + "/") for p in pointers), (pointer, resp)
    return err


# --------------------------------------------------------------------------------------------
# JWT by hand (for alg=none and tampering, which python3-jwt refuses to produce)
# --------------------------------------------------------------------------------------------

def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_parts(token):
    h, p, s = token.split(".")
    return json.loads(b64url_decode(h)), json.loads(b64url_decode(p)), s


# --------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------

def _sql_literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


class Database:
    """A fresh database for one server: a SQLite file or a PostgreSQL database on the admin
    server. query() runs read-only SQL with %s placeholders and returns rows of strings/values."""

    def __init__(self, kind, tmp_dir, admin_url=None):
        self.kind = kind
        if kind == "sqlite":
            self.path = os.path.join(tmp_dir, "app.db")
            self.url = f"sqlite:///{self.path}"
        elif kind == "postgresql":
            if not admin_url:
                raise RuntimeError("TEST_DB=postgresql needs TEST_DATABASE_ADMIN_URL "
                                   "(source scripts/test-services.sh; postgres_start)")
            self.admin_url = admin_url
            self.name = "stepwise_test_" + secrets.token_hex(6)
            self._psql(admin_url, f'CREATE DATABASE "{self.name}"')
            u = urllib.parse.urlsplit(admin_url)
            self.url = urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + self.name, u.query, ""))
        else:
            raise RuntimeError(f"unknown TEST_DB {kind!r} (sqlite or postgresql)")

    @staticmethod
    def _psql(url, sql):
        out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-At", "-F", "\x1f",
                              "-c", sql], capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}")
        return out.stdout

    def query(self, sql, params=()):
        if self.kind == "sqlite":
            con = sqlite3.connect(self.path, timeout=30)
            try:
                return con.execute(sql.replace("%s", "?"), params).fetchall()
            finally:
                con.close()
        text = sql
        for p in params:
            text = text.replace("%s", _sql_literal(p), 1)
        out = self._psql(self.url, text)
        return [tuple(line.split("\x1f")) for line in out.splitlines() if line != ""]

    def execute(self, sql, params=()):
        """Runs a writing statement and commits it."""
        if self.kind == "sqlite":
            con = sqlite3.connect(self.path, timeout=30)
            try:
                con.execute(sql.replace("%s", "?"), params)
                con.commit()
            finally:
                con.close()
            return
        text = sql
        for p in params:
            text = text.replace("%s", _sql_literal(p), 1)
        self._psql(self.url, text)

    def scalar(self, sql, params=()):
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def count(self, table):
        return int(self.scalar(f"SELECT COUNT(*) FROM {table}"))

    def drop(self):
        if self.kind == "postgresql":
            try:
                self._psql(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            except Exception:  # pragma: no cover - best effort cleanup
                pass


# --------------------------------------------------------------------------------------------
# Server process
# --------------------------------------------------------------------------------------------

class Server:
    """A `stepwise serve` process. request()/signup helpers are bound to its port."""

    def __init__(self, binary, tmp_dir, db_kind, admin_url=None, env=None, database=None):
        self.binary = binary
        self.tmp_dir = tmp_dir
        os.makedirs(tmp_dir, exist_ok=True)
        self.db = database or Database(db_kind, tmp_dir, admin_url)
        self.owns_db = database is None
        self.env_overrides = dict(env or {})
        self.data_dir = os.path.join(tmp_dir, "data")
        self.proc = None
        self.port = None
        self.stdout_path = os.path.join(tmp_dir, "stdout.log")
        self.stderr_path = os.path.join(tmp_dir, "stderr.log")
        self.exit_codes = []
        self.crashes = []  # (test id, exit code) for each time the process died during a test

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def environment(self):
        env = {k: v for k, v in os.environ.items() if k not in SERVER_SETTINGS}
        env.update(BASE_ENV)
        env.update({"PORT": str(self.port), "DATA_DIR": self.data_dir, "DATABASE_URL": self.db.url,
                    "PUBLIC_URL": self.base})
        for k, v in self.env_overrides.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = str(v)
        return env

    def start(self, port=None):
        self.spawn(port)
        return self.wait_ready()

    def spawn(self, port=None):
        """Starts the process without waiting for it to answer."""
        assert self.proc is None
        self.port = int(port or self.env_overrides.get("PORT") or free_port())
        out = open(self.stdout_path, "ab")
        err = open(self.stderr_path, "ab")
        # cwd is the temp dir so that a developer's .env in the repo root is not read.
        self.proc = subprocess.Popen([self.binary, "serve"], cwd=self.tmp_dir, env=self.environment(),
                                     stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        out.close()
        err.close()
        return self

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc = None
                raise RuntimeError(f"server exited with {code} during start\n{self.logs()}")
            try:
                r = request(self.port, "GET", "/api/health", timeout=2)
                if r.status == 200:
                    return self
                last = r
            except OSError as e:
                last = e
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not answer /api/health in {START_TIMEOUT}s ({last!r})\n{self.logs()}")

    def run_command(self, *args, timeout=60):
        """Runs `stepwise ARGS` (e.g. migrate) with this server's environment; returns CompletedProcess."""
        if self.port is None:
            self.port = free_port()
        return subprocess.run([self.binary, *args], cwd=self.tmp_dir, env=self.environment(),
                              capture_output=True, timeout=timeout)

    def logs(self, tail=4000):
        parts = []
        for name, path in (("stderr", self.stderr_path), ("stdout", self.stdout_path)):
            try:
                with open(path, "rb") as f:
                    text = f.read().decode(errors="replace")
            except OSError:
                text = ""
            parts.append(f"--- server {name} (last {tail} chars) ---\n{text[-tail:]}")
        return "\n".join(parts)

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def sanitizer_report(self):
        text = self.stderr_text()
        for marker in SANITIZER_MARKERS:
            i = text.find(marker)
            if i >= 0:
                return text[max(0, i - 2000):i + 6000]
        return None

    def signal(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)

    def wait(self, timeout=STOP_TIMEOUT):
        """Waits for exit; returns the exit code (None when still running at the deadline)."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self.exit_codes.append(code)
        self.proc = None
        return code

    def stop(self):
        """SIGTERM; returns a list of problems (empty when the exit was clean)."""
        problems = []
        if self.proc is not None and self.proc.poll() is not None:
            code = self.proc.returncode
            self.exit_codes.append(code)
            self.proc = None
            problems.append(f"server had already exited with {code} before SIGTERM (it crashed)")
        if self.proc is not None:
            self.signal(signal.SIGTERM)
            code = self.wait(STOP_TIMEOUT)
            if code is None:
                problems.append(f"server did not exit within {STOP_TIMEOUT}s of SIGTERM"
                                + self.thread_stacks())
                self.kill()
            elif code != 0:
                problems.append(f"server exited with {code} after SIGTERM (expected 0)")
        report = self.sanitizer_report()
        if report:
            problems.append("sanitizer report in server stderr:\n" + report)
        return problems

    def thread_stacks(self):
        """Every thread's stack of the running server (gdb), to see where a hang is."""
        if self.proc is None or not shutil.which("gdb"):
            return ""
        try:
            out = subprocess.run(["gdb", "-p", str(self.proc.pid), "-batch", "-ex", "thread apply all bt 30"],
                                 capture_output=True, text=True, timeout=60).stdout
        except (OSError, subprocess.SubprocessError) as e:
            return f"\n(no stacks: {e})"
        return "\n--- server threads ---\n" + out[-30000:]

    def kill(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def died(self):
        """The exit code when the process died on its own (None while running / not started)."""
        if self.proc is not None and self.proc.poll() is not None:
            return self.proc.returncode
        return None

    def restart(self):
        problems = self.stop()
        assert not problems, "\n".join(problems) + "\n" + self.logs()
        return self.start(self.port)

    def close(self):
        self.kill()
        if self.owns_db:
            self.db.drop()

    # --- HTTP shortcuts -------------------------------------------------------------------
    def request(self, method, path, body=None, token=None, headers=None, raw=None, source=None,
                timeout=REQUEST_TIMEOUT):
        return request(self.port, method, path, body=body, token=token, headers=headers, raw=raw,
                       source=source, timeout=timeout)

    def raw(self, data, **kw):
        return raw_exchange(self.port, data, **kw)

    def signup_admin(self, email=None, password=PASSWORD, name="Ada Admin", company=None, source=None):
        email = email or unique_email("admin")
        company = company or f"Company {secrets.token_hex(4)}"
        r = self.request("POST", "/api/auth/signup", {"email": email, "password": password, "name": name,
                                                      "company_name": company}, source=source)
        data = assert_envelope(r, 201)
        return Account(self, email, password, data)

    def invite_token(self, admin):
        r = self.request("GET", "/api/company", token=admin.token)
        return assert_envelope(r, 200)["invite_token"]

    def signup_invited(self, admin=None, invite_token=None, email=None, password=PASSWORD, name="Reg Ular",
                       source=None):
        token = invite_token or self.invite_token(admin)
        email = email or unique_email("regular")
        r = self.request("POST", "/api/auth/signup", {"email": email, "password": password, "name": name,
                                                      "invite_token": token}, source=source)
        data = assert_envelope(r, 201)
        return Account(self, email, password, data)

    def login(self, email, password=PASSWORD, source=None):
        return self.request("POST", "/api/auth/login", {"email": email, "password": password}, source=source)

    def company_team(self):
        """A company with one admin and one regular user."""
        admin = self.signup_admin()
        regular = self.signup_invited(admin)
        return admin, regular


class Account:
    def __init__(self, server, email, password, data):
        self.server = server
        self.email = email
        self.password = password
        self.token = data["token"]
        self.user = data["user"]
        self.id = data["user"]["id"]
        self.company_id = data["user"]["company_id"]

    def get(self, path, **kw):
        return self.server.request("GET", path, token=self.token, **kw)

    def post(self, path, body=None, **kw):
        return self.server.request("POST", path, body=body, token=self.token, **kw)

    def patch(self, path, body=None, **kw):
        return self.server.request("PATCH", path, body=body, token=self.token, **kw)

    def put(self, path, body=None, **kw):
        return self.server.request("PUT", path, body=body, token=self.token, **kw)

    def delete(self, path, **kw):
        return self.server.request("DELETE", path, token=self.token, **kw)

    def relogin(self):
        r = self.server.login(self.email, self.password)
        self.token = assert_envelope(r, 200)["token"]
        return self.token


def can_bind(address):
    try:
        with socket.socket() as s:
            s.bind((address, 0))
        return True
    except OSError:
        return False
