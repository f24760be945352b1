"""Rate limits: login/signup per client and email (slowed down per email), per user on authenticated endpoints; 0 = off.

Distinct client IPs come from binding the client socket to other loopback addresses
(127.0.0.0/8 is all loopback on Linux); the server sees them as different peers."""
import functools
import secrets
import time

import pytest

from helpers import PASSWORD, assert_envelope, assert_error, can_bind, unique_email

pytestmark = pytest.mark.slow

_ip_counter = [10]


def fresh_ip():
    """A loopback source address not used before in this session."""
    _ip_counter[0] += 1
    n = _ip_counter[0]
    return f"127.0.{n // 250}.{n % 250 + 2}"


@pytest.fixture(scope="module", autouse=True)
def need_loopback_aliases():
    if not can_bind("127.0.0.2"):
        pytest.skip("cannot bind 127.0.0.2 (needed to vary the client IP)")


def assert_rate_limited(r):
    assert_error(r, 429, "RATE_LIMITED")
    retry = r.header("Retry-After")
    assert retry is not None and retry.strip().isdigit(), r
    assert 1 <= int(retry) <= 60, r


def one_window(test):
    """Counters may use fixed calendar-minute windows: a scenario that straddles a minute boundary
    can legitimately see a reset, so it is run again (once) in the next minute."""
    @functools.wraps(test)
    def run(*args, **kwargs):
        start = time.time()
        try:
            return test(*args, **kwargs)
        except AssertionError:
            if int(start // 60) == int(time.time() // 60):
                raise
        return test(*args, **kwargs)  # server_factory gives the retry fresh servers
    return run


def login(srv, email, source, password="wrong password"):
    return srv.request("POST", "/api/auth/login", {"email": email, "password": password}, source=source)


@one_window
def test_login_per_ip(server_factory):
    """One client: its budget on one email, and five times that across all emails."""
    srv = server_factory(RATE_LIMIT_AUTH_PER_MIN=3, RATE_LIMIT_USER_PER_MIN=0)
    ip = fresh_ip()
    email = unique_email("ip")
    for _ in range(3):
        assert_error(login(srv, email, ip), 401, "INVALID_CREDENTIALS")
    assert_rate_limited(login(srv, email.upper(), ip))
    # Other emails from the same client, up to its budget across all of them (15, 4 used).
    statuses = [login(srv, unique_email("ip"), ip).status for _ in range(12)]
    assert statuses == [401] * 11 + [429], statuses
    # Another client is not affected, on any email.
    assert_error(login(srv, email, fresh_ip()), 401, "INVALID_CREDENTIALS")


@one_window
def test_login_per_email_slows_down_and_never_locks_the_owner(server_factory):
    """Guesses at one email from many clients slow every attempt on it down, but the owner's own
    correct password still signs in (10 wrong passwords from anywhere used to lock it: 429)."""
    srv = server_factory(RATE_LIMIT_AUTH_PER_MIN=3, RATE_LIMIT_USER_PER_MIN=0)
    acct = srv.signup_admin(source=fresh_ip())
    attacker = fresh_ip()
    statuses = [login(srv, acct.email, attacker).status for _ in range(4)]
    assert statuses == [401, 401, 401, 429], statuses
    for _ in range(3):  # more guesses from elsewhere: the email is over its budget
        assert_error(login(srv, acct.email, fresh_ip()), 401, "INVALID_CREDENTIALS")
    r = login(srv, acct.email.upper(), fresh_ip(), password=PASSWORD)
    assert assert_envelope(r, 200)["user"]["id"] == acct.id
    # Another email is not affected.
    other = srv.signup_admin(source=fresh_ip())
    assert assert_envelope(login(srv, other.email, fresh_ip(), password=PASSWORD), 200)["user"]["id"] == other.id


@one_window
def test_signup_per_ip(server_factory):
    srv = server_factory(RATE_LIMIT_AUTH_PER_MIN=3, RATE_LIMIT_USER_PER_MIN=0)
    ip = fresh_ip()
    for _ in range(3):
        srv.signup_admin(source=ip)
    email = unique_email("limited")
    r = srv.request("POST", "/api/auth/signup", {"email": email, "password": PASSWORD, "name": "L",
                                                 "company_name": "L"}, source=ip)
    assert_rate_limited(r)
    # Nothing was written: the same signup from a fresh IP succeeds (the email is not taken).
    assert srv.signup_admin(email=email, source=fresh_ip()).email == email


@one_window
def test_per_user_limit(server_factory):
    srv = server_factory(RATE_LIMIT_AUTH_PER_MIN=0, RATE_LIMIT_USER_PER_MIN=5)
    a = srv.signup_admin()
    b = srv.signup_invited(invite_token=_invite(srv, a))  # uses 1 of a's 5
    used = 1
    while used < 5:
        assert a.get("/api/auth/me").status == 200
        used += 1
    assert_rate_limited(a.get("/api/auth/me"))
    assert_rate_limited(a.get("/api/company"))
    # Per user, not global; unauthenticated endpoints are not limited per user.
    assert assert_envelope(b.get("/api/auth/me"), 200)["id"] == b.id
    assert srv.request("GET", "/api/health").status == 200


def _invite(srv, admin):
    return assert_envelope(admin.get("/api/company"), 200)["invite_token"]


def test_zero_disables_limits(server):
    """The shared server runs with both limits 0: far past the defaults (10 and 100), no 429."""
    acct = server.signup_admin()
    ip = fresh_ip() if can_bind("127.0.0.2") else None
    for _ in range(15):
        r = login(server, acct.email, ip)
        assert_error(r, 401, "INVALID_CREDENTIALS")
    assert assert_envelope(login(server, acct.email, ip, password=PASSWORD), 200)
    for _ in range(110):
        r = acct.get("/api/auth/me")
        assert r.status == 200, r


def test_limits_shared_through_redis(server_factory, redis_url):
    """With REDIS_URL, two server processes share the counters (N processes behind a balancer)."""
    prefix = secrets.token_hex(4)
    env = dict(RATE_LIMIT_AUTH_PER_MIN=3, RATE_LIMIT_USER_PER_MIN=0, REDIS_URL=redis_url)
    s1 = server_factory(**env)
    s2 = server_factory(database=s1.db, **env)
    email = unique_email("redis-" + prefix)
    ip = fresh_ip()
    assert_error(login(s1, email, ip), 401, "INVALID_CREDENTIALS")
    assert_error(login(s2, email, ip), 401, "INVALID_CREDENTIALS")
    assert_error(login(s1, email, ip), 401, "INVALID_CREDENTIALS")
    assert_rate_limited(login(s2, email, ip))
