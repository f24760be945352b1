"""A login flood at bcrypt cost 12 must not stop GET /api/auth/me from being served."""
import concurrent.futures
import threading
import time

import bcrypt
import pytest

from helpers import PASSWORD, assert_envelope, assert_error

pytestmark = pytest.mark.slow

LOGINS = 50
MIN_ME = 20


def test_login_flood_does_not_starve_me(server_factory):
    srv = server_factory(BCRYPT_COST=12, RATE_LIMIT_AUTH_PER_MIN=0, RATE_LIMIT_USER_PER_MIN=0)
    acct = srv.signup_admin()
    stored = srv.db.scalar("SELECT password_hash FROM users WHERE email = %s", (acct.email,))
    assert stored.startswith("$2b$12$"), stored[:7]
    assert bcrypt.checkpw(PASSWORD.encode(), stored.encode())

    start = threading.Barrier(LOGINS + 1)
    login_done = []
    lock = threading.Lock()

    def one_login():
        start.wait()
        r = srv.login(acct.email)
        with lock:
            login_done.append(time.monotonic())
        return r

    with concurrent.futures.ThreadPoolExecutor(LOGINS) as ex:
        futures = [ex.submit(one_login) for _ in range(LOGINS)]
        start.wait()
        me_done = []
        me_results = []
        # Sequential /me requests while the logins are being served.
        while len(me_done) < MIN_ME:
            r = acct.get("/api/auth/me")
            me_results.append(r)
            me_done.append(time.monotonic())
        logins = [f.result() for f in futures]

    for r in me_results:
        assert assert_envelope(r, 200)["id"] == acct.id, r
    ok = 0
    for r in logins:
        if r.status == 200:
            assert assert_envelope(r, 200)["user"]["id"] == acct.id
            ok += 1
        else:
            assert_error(r, 503, "OVERLOADED")
            assert r.header("Retry-After"), r
    assert ok >= 1, "no login succeeded during the flood"
    assert max(me_done) < max(login_done), (
        f"/me was not served during the flood: the last of {MIN_ME} /me answers came after the last login "
        f"({ok} logins answered 200, {LOGINS - ok} answered 503)")
