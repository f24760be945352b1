"""Fixtures for the black-box API tests.

Environment:
  STEPWISE_BIN              server binary (default: <repo>/build/stepwise)
  TEST_DB                   sqlite (default) | postgresql
  TEST_DATABASE_ADMIN_URL   for postgresql: an admin URL; each server gets a fresh database
                            created here and dropped afterwards (scripts/test-services.sh)
  REDIS_TEST_URL            optional Redis for the shared rate-limit test (else one is started
                            when redis-server is installed, else that test is skipped)
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helpers  # noqa: E402

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def _binary():
    return os.environ.get("STEPWISE_BIN") or os.path.join(REPO_ROOT, "build", "stepwise")


def _db_kind():
    return os.environ.get("TEST_DB", "sqlite")


def pytest_report_header(config):
    return [f"stepwise: STEPWISE_BIN={_binary()} TEST_DB={_db_kind()}"]


@pytest.fixture(scope="session")
def stepwise_bin():
    path = _binary()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"server binary not found or not executable: {path} (set STEPWISE_BIN or run make build)",
                    pytrace=False)
    return path


@pytest.fixture(scope="session")
def db_kind():
    kind = _db_kind()
    if kind not in ("sqlite", "postgresql"):
        pytest.fail(f"TEST_DB must be sqlite or postgresql, not {kind!r}", pytrace=False)
    if kind == "postgresql" and not os.environ.get("TEST_DATABASE_ADMIN_URL"):
        pytest.fail("TEST_DB=postgresql needs TEST_DATABASE_ADMIN_URL", pytrace=False)
    return kind


class _Launcher:
    """Starts servers and guarantees they are stopped; collects shutdown problems."""

    def __init__(self, binary, kind, tmp_factory):
        self.binary = binary
        self.kind = kind
        self.tmp_factory = tmp_factory
        self.servers = []

    def new(self, start=True, database=None, **env):
        tmp = str(self.tmp_factory.mktemp("server"))
        srv = helpers.Server(self.binary, tmp, self.kind, os.environ.get("TEST_DATABASE_ADMIN_URL"),
                             env=env, database=database)
        self.servers.append(srv)
        if start:
            srv.start()
        return srv

    def shutdown_all(self):
        # Stop every server before dropping any database: servers may share one.
        problems = []
        for srv in self.servers:
            for p in srv.stop():
                problems.append(f"[server {srv.tmp_dir}] {p}")
        for srv in self.servers:
            srv.close()
        self.servers = []
        return problems


@pytest.fixture(scope="session")
def server(stepwise_bin, db_kind, tmp_path_factory):
    """The shared server: rate limits off, BCRYPT_COST=4, fixed JWT_SECRET."""
    launcher = _Launcher(stepwise_bin, db_kind, tmp_path_factory)
    try:
        srv = launcher.new()
    except RuntimeError as e:
        launcher.shutdown_all()
        pytest.fail(str(e), pytrace=False)
    yield srv
    srv_logs = srv.logs()
    problems = [f"server crashed during {test} (exit code {code})" for test, code in srv.crashes]
    problems += launcher.shutdown_all()
    if problems:
        pytest.fail("\n".join(problems) + "\n" + srv_logs, pytrace=False)


@pytest.fixture(autouse=True)
def _session_server_watch(request):
    """When the shared server dies during a test, that test fails with the server's log and the
    server is restarted on the same database, so one crash does not hide every later result."""
    yield
    if "server" not in request.fixturenames:
        return
    srv = request.getfixturevalue("server")
    code = srv.died()
    if code is None:
        return
    logs = srv.logs()
    srv.crashes.append((request.node.nodeid, code))
    srv.proc = None
    try:
        srv.start(srv.port)
    except RuntimeError as e:
        logs += f"\n(restart failed: {e})"
    pytest.fail(f"the server died during this test (exit code {code}); restarted it\n{logs}", pytrace=False)


@pytest.fixture
def server_factory(stepwise_bin, db_kind, tmp_path_factory):
    """server_factory(**env) starts another server (env value None unsets a setting);
    server_factory(start=False, ...) only prepares it. All are stopped (SIGTERM, exit 0, no
    sanitizer report) when the test ends."""
    launcher = _Launcher(stepwise_bin, db_kind, tmp_path_factory)

    def make(start=True, database=None, **env):
        try:
            return launcher.new(start=start, database=database, **env)
        except RuntimeError as e:
            pytest.fail(str(e), pytrace=False)

    make.launcher = launcher
    yield make
    logs = [s.logs() for s in launcher.servers]
    problems = launcher.shutdown_all()
    if problems:
        pytest.fail("\n".join(problems) + "\n" + "\n".join(logs), pytrace=False)


@pytest.fixture(scope="session")
def redis_url():
    """A Redis for the shared-counter test: REDIS_TEST_URL, or a throwaway redis-server."""
    url = os.environ.get("REDIS_TEST_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("no REDIS_TEST_URL and redis-server is not installed")
    port = helpers.free_port()
    tmp = tempfile.mkdtemp(prefix="stepwise-redis-")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.skip("could not start redis-server")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def team(server):
    """Company A (admin + regular) and company B (admin + regular), shared by read-mostly tests."""
    a_admin, a_regular = server.company_team()
    b_admin, b_regular = server.company_team()
    return {"a_admin": a_admin, "a_regular": a_regular, "b_admin": b_admin, "b_regular": b_regular}
