"""The server as a process: graceful shutdown, migrations, the generated JWT secret, .env."""
import http.client
import json
import os
import signal
import socket
import stat
import threading
import time

import jwt
import pytest

import wf_support as W
from helpers import (JWT_SECRET, PASSWORD, STOP_TIMEOUT, Resp, assert_envelope, assert_error, unique_email)

pytestmark = pytest.mark.slow


def test_sigterm_idle_exits_zero(server_factory):
    srv = server_factory()
    acct = srv.signup_admin()
    assert acct.get("/api/auth/me").status == 200
    srv.signal(signal.SIGTERM)
    code = srv.wait(STOP_TIMEOUT)
    assert code == 0, f"exit code {code} after SIGTERM (None = still running after {STOP_TIMEOUT}s)\n{srv.logs()}"


def test_sigint_exits_zero(server_factory):
    srv = server_factory()
    srv.signal(signal.SIGINT)
    assert srv.wait(STOP_TIMEOUT) == 0, srv.logs()


def test_sigterm_with_idle_keepalive_connection(server_factory):
    srv = server_factory()
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    try:
        conn.request("GET", "/api/health")
        r = conn.getresponse()
        r.read()
        assert r.status == 200
        srv.signal(signal.SIGTERM)
        code = srv.wait(STOP_TIMEOUT)
        assert code == 0, f"exit code {code} with an idle keep-alive connection open\n{srv.logs()}"
    finally:
        conn.close()


def test_sigterm_drains_first_ready_turns_503_while_requests_are_served(server_factory):
    srv = server_factory(DRAIN_SECONDS="3")
    acct = srv.signup_admin()
    assert_envelope(srv.request("GET", "/api/ready"), 200)
    keep = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    keep.request("GET", "/api/health")
    first = keep.getresponse()
    first.read()
    assert first.status == 200 and first.getheader("Connection") != "close"
    srv.signal(signal.SIGTERM)
    deadline = time.monotonic() + 2
    while srv.request("GET", "/api/ready").status != 503:
        assert time.monotonic() < deadline, srv.logs()
        time.sleep(0.02)
    r = srv.request("GET", "/api/ready")
    assert_error(r, 503, "NOT_READY")
    assert r.body["error"]["details"] == {"draining": True} and r.header("Retry-After") == "1"
    # Still serving during the drain: reads, writes, and the open keep-alive connection — whose
    # answer now closes it, so that the client's next request goes to another node.
    assert acct.get("/api/auth/me").status == 200
    assert_envelope(acct.post("/api/workflows", W.body(1)), 201)
    keep.request("GET", "/api/health")
    during = keep.getresponse()
    during.read()
    assert during.status == 200 and during.getheader("Connection") == "close"
    keep.close()
    assert srv.died() is None
    code = srv.wait(STOP_TIMEOUT)
    assert code == 0, srv.logs()
    assert '"draining"' in srv.logs()


def test_a_second_sigterm_stops_a_drain_at_once(server_factory):
    srv = server_factory(DRAIN_SECONDS="60")
    srv.signal(signal.SIGTERM)
    deadline = time.monotonic() + 2
    while srv.request("GET", "/api/ready").status != 503:
        assert time.monotonic() < deadline, srv.logs()
        time.sleep(0.02)
    srv.signal(signal.SIGTERM)
    assert srv.wait(10) == 0, srv.logs()


def _login_bytes(port, email):
    body = json.dumps({"email": email, "password": PASSWORD}).encode()
    return (f"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


def test_sigterm_finishes_in_flight_logins(server_factory):
    srv = server_factory(BCRYPT_COST=12)
    acct = srv.signup_admin()
    n = 4  # at cost 12 on two cores these take a good fraction of a second together
    socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=30) for _ in range(n)]
    results = [None] * n

    def read(i):
        try:
            resp = http.client.HTTPResponse(socks[i], method="POST")
            resp.begin()
            results[i] = Resp(resp.status, resp.headers, resp.read())
        except (OSError, http.client.HTTPException) as e:
            results[i] = e

    try:
        for s in socks:
            s.sendall(_login_bytes(srv.port, acct.email))
        readers = [threading.Thread(target=read, args=(i,)) for i in range(n)]
        for t in readers:
            t.start()
        time.sleep(0.15)  # let the server read the requests; the logins are now in flight
        srv.signal(signal.SIGTERM)
        for t in readers:
            t.join(30)
        code = srv.wait(STOP_TIMEOUT)
    finally:
        for s in socks:
            s.close()
    for r in results:
        assert isinstance(r, Resp), f"in-flight login lost on SIGTERM: {r!r}\n{srv.logs()}"
        assert assert_envelope(r, 200)["user"]["id"] == acct.id, r
    assert code == 0, f"exit code {code}\n{srv.logs()}"


def test_migrate_command_idempotent(server_factory):
    srv = server_factory(start=False)
    for attempt in (1, 2):
        out = srv.run_command("migrate")
        assert out.returncode == 0, (attempt, out.stdout[-2000:], out.stderr[-2000:])
    srv.start()
    r = srv.request("GET", "/api/ready")
    assert r.body == {"data": {"status": "ready", "database": "ok", "migrations": "current"}, "meta": {}}, r
    assert srv.db.count("users") == 0
    srv.signup_admin()
    assert srv.db.count("users") == 1


def test_two_servers_start_at_once_on_a_fresh_database(server_factory):
    first = server_factory(start=False)
    second = server_factory(start=False, database=first.db)
    first.spawn()
    second.spawn()
    for srv in (first, second):
        try:
            srv.wait_ready()
        except RuntimeError as e:
            pytest.fail(f"concurrent start failed: {e}", pytrace=False)
        assert srv.request("GET", "/api/ready").status == 200
    acct = first.signup_admin()
    assert assert_envelope(second.login(acct.email), 200)["user"]["id"] == acct.id


def test_data_survives_restart(server_factory):
    srv = server_factory()
    acct = srv.signup_admin()
    srv.restart()
    assert assert_envelope(acct.get("/api/auth/me"), 200)["id"] == acct.id
    assert assert_envelope(srv.login(acct.email), 200)["user"]["id"] == acct.id


def test_generated_jwt_secret(server_factory):
    srv = server_factory(JWT_SECRET=None)
    acct = srv.signup_admin()
    path = os.path.join(srv.data_dir, "jwt_secret")
    assert os.path.isfile(path), f"no {path}"
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode == 0o600, oct(mode)
    assert os.path.getsize(path) >= 32
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(acct.token, JWT_SECRET, algorithms=["HS256"])
    secret_before = open(path, "rb").read()
    srv.restart()
    assert open(path, "rb").read() == secret_before, "secret regenerated on restart"
    assert assert_envelope(acct.get("/api/auth/me"), 200)["id"] == acct.id, "token invalid after restart"
    # A token signed with the test secret is not accepted by this server.
    now = int(time.time())
    forged = jwt.encode({"sub": str(acct.id), "company_id": acct.company_id, "role": "admin",
                         "iat": now, "exp": now + 600}, JWT_SECRET, algorithm="HS256")
    assert_error(srv.request("GET", "/api/auth/me", token=forged), 401, "UNAUTHORIZED")


def test_dotenv_in_working_directory(server_factory):
    srv = server_factory(start=False)
    with open(os.path.join(srv.tmp_dir, ".env"), "w") as f:
        f.write("# settings for the test\nCORS_ORIGINS=https://dotenv.example\nBCRYPT_COST=5\n")
    srv.start()
    r = srv.request("OPTIONS", "/api/auth/login", headers={"Origin": "https://dotenv.example",
                                                           "Access-Control-Request-Method": "POST"})
    assert r.header("Access-Control-Allow-Origin") == "https://dotenv.example", r
    # The environment wins over .env (BCRYPT_COST=4 is set in the environment).
    email = unique_email("dotenv")
    srv.signup_admin(email=email)
    stored = srv.db.scalar("SELECT password_hash FROM users WHERE email = %s", (email,))
    assert stored.startswith("$2b$04$"), stored[:7]


def test_ready_reports_unreachable_database_and_recovers(server_factory, db_kind):
    """PostgreSQL only: with connections to its database refused, /api/ready is 503 NOT_READY while
    /api/health (liveness) stays 200; once connections are allowed again, ready recovers."""
    if db_kind != "postgresql":
        pytest.skip("needs PostgreSQL (a SQLite file cannot be made unreachable to root)")
    srv = server_factory()
    acct = srv.signup_admin()
    admin_url, name = srv.db.admin_url, srv.db.name
    srv.db._psql(admin_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    try:
        srv.db._psql(admin_url, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        r = srv.request("GET", "/api/ready")
        assert_error(r, 503, "NOT_READY")
        assert srv.request("GET", "/api/health").status == 200
        # A request that needs the database gets a clear 503, not a 500 or a dropped connection.
        assert_error(acct.get("/api/auth/me"), 503)
    finally:
        srv.db._psql(admin_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    deadline = time.monotonic() + 30
    while srv.request("GET", "/api/ready").status != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert srv.request("GET", "/api/ready").status == 200
    assert assert_envelope(acct.get("/api/auth/me"), 200)["id"] == acct.id


def test_writes_after_postgresql_dropped_every_connection_succeed_first_time(server_factory, db_kind):
    """PostgreSQL only: after a restart the pooled connections are dead but look alive until used.
    A transaction whose BEGIN fails on one reconnects and begins again (nothing was written yet),
    so no request is answered 503 for it (the cluster test saw a 503 six seconds after a restart)."""
    if db_kind != "postgresql":
        pytest.skip("needs PostgreSQL")
    srv = server_factory()
    acct = srv.signup_admin()
    # Warm the pool: many connections opened and returned.
    threads = [threading.Thread(target=lambda: acct.get("/api/workflows")) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    srv.db._psql(srv.db.admin_url, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{srv.db.name}'")
    time.sleep(0.2)
    # At once, so that many pooled connections are used (one after another, each request would
    # get back the connection the previous one already reconnected).
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(acct.post("/api/workflows", W.body(1))))
               for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status for r in answers] == [201] * 12, answers
