"""GET /api/events (issue 5): the company's live events as server-sent events — labeling progress,
status changes and (admins) notifications; token in the header or `access_token`; Last-Event-ID
resumes; another company's events never arrive. On both queue backends (with Redis, events of
workers in other processes come through the Redis stream)."""
import http.client
import json
import socket
import threading
import time

import pytest

import wf_support as W
import helpers
from helpers import assert_envelope, assert_error


class SSE:
    """A server-sent-events client on its own connection; events are collected by a thread."""

    def __init__(self, port, token=None, query_token=None, last_event_id=None, timeout=30):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        headers = {"Accept": "text/event-stream"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        path = "/api/events" + (f"?access_token={query_token}" if query_token else "")
        self.conn.connect()
        self.sock = self.conn.sock  # http.client drops it from the connection once the response owns it
        self.conn.request("GET", path, headers=headers)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = self.resp.headers
        self.events = []
        self.fields = []  # every non-comment field line (retry: …)
        self.comments = 0
        self.cv = threading.Condition()
        self.body = None
        self.thread = None
        if self.status == 200:
            self.thread = threading.Thread(target=self._read, daemon=True)
            self.thread.start()
        else:
            self.body = self.resp.read()

    def _read(self):
        ev = {}
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    break
                line = line.decode().rstrip("\r\n")
                if line == "":
                    if "data" in ev or "event" in ev:
                        if "data" in ev:
                            ev["json"] = json.loads(ev["data"])
                        with self.cv:
                            self.events.append(ev)
                            self.cv.notify_all()
                    ev = {}
                    continue
                if line.startswith(":"):
                    self.comments += 1
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                self.fields.append((field, value))
                if field == "data":
                    ev["data"] = ev["data"] + "\n" + value if "data" in ev else value
                elif field in ("id", "event"):
                    ev[field] = value
        except (OSError, ValueError, http.client.HTTPException):
            pass

    def of(self, wf_id=None, type_=None):
        with self.cv:
            return [e for e in self.events if (type_ is None or e.get("event") == type_)
                    and (wf_id is None or e.get("json", {}).get("workflow_id") == wf_id)]

    def wait(self, pred, timeout=15, what="events"):
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                if pred():
                    return
                left = deadline - time.monotonic()
                assert left > 0, f"{what} did not arrive within {timeout} s; got {self.events}"
                self.cv.wait(min(left, 0.1))

    def wait_done(self, wf_id, total, timeout=15):
        """Until the workflow's status event (needs_review) arrived."""
        self.wait(lambda: any(e.get("event") == "workflow_status" and e["json"]["workflow_id"] == wf_id
                              and e["json"]["status"] == "needs_review" for e in self.events),
                  timeout, f"workflow {wf_id} needs_review")

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass
        self.conn.close()
        if self.thread:
            self.thread.join(5)


@pytest.fixture(params=["embedded", "redis"])
def esrv(request, server_factory):
    """The server for event tests: the shared one (embedded queue, in-process workers), or one on
    Redis."""
    if request.param == "embedded":
        return request.getfixturevalue("server")
    return server_factory(**W.lenv(W.queue_settings("redis", request.getfixturevalue("redis_url")),
                                   WORKER_CONCURRENCY=2))


def _ids(events):
    return [e["id"] for e in events]


def _key(event_id):
    a, _, b = event_id.partition("-")
    return int(a), int(b or 0)


def test_events_need_a_token(server):
    admin = server.signup_admin()
    s = SSE(server.port)
    assert s.status == 401, s.body
    s.close()
    for bad in ("garbage", admin.token[:-4] + "AAAA"):
        s = SSE(server.port, query_token=bad)
        assert s.status == 401, s.body
        assert json.loads(s.body)["error"]["code"]
        s.close()
    r = server.request("GET", "/api/events", headers={"Authorization": "Bearer nope"})
    assert_error(r, 401)


def test_progress_status_and_notification_events(esrv):
    admin, regular = esrv.company_team()
    other_admin = esrv.signup_admin()
    a = SSE(esrv.port, query_token=admin.token)  # the token in the query, as EventSource must
    reg = SSE(esrv.port, token=regular.token)
    b = SSE(esrv.port, query_token=other_admin.token)
    try:
        assert a.status == reg.status == b.status == 200
        assert a.headers["Content-Type"].startswith("text/event-stream"), a.headers
        assert a.headers.get("Cache-Control") == "no-store"
        time.sleep(0.3)  # the streams are subscribed
        wf_id = W.create(admin, W.wf_body(W.unique_steps(3)), wait=False)
        a.wait_done(wf_id, 3)
        progress = [e["json"] for e in a.of(wf_id, "progress")]
        # Counts in order, ending complete (the local labeler writes a workflow's labels at once:
        # one event; AI vendors label step by step: one per step).
        dones = [p["done"] for p in progress]
        assert dones and dones == sorted(set(dones)), progress
        assert progress[-1] == {"workflow_id": wf_id, "done": 3, "total": 3, "failed": 0}, progress
        assert all(p["total"] == 3 and p["failed"] == 0 for p in progress), progress
        a.wait(lambda: a.of(wf_id, "notification"), what="the ready-for-review notification")
        note = a.of(wf_id, "notification")[0]["json"]
        assert note["type"] == "ready_for_review" and note["severity"] == "info" and note["read"] is False, note
        assert all("id" in e for e in a.events), a.events
        assert _ids(a.events) == sorted(_ids(a.events), key=_key)
        assert ("retry", "2000") in a.fields
        # The regular user gets progress, not the admins' notification.
        reg.wait_done(wf_id, 3)
        assert reg.of(wf_id, "progress") and not reg.of(None, "notification"), reg.events
        # Another company's stream: nothing of this workflow; its own events do arrive.
        other_wf = W.create(other_admin, W.wf_body(W.unique_steps(1)), wait=False)
        b.wait_done(other_wf, 1)
        assert all(e["json"].get("workflow_id") != wf_id for e in b.events), b.events
        assert not a.of(other_wf), a.events
    finally:
        for s in (a, reg, b):
            s.close()


def test_last_event_id_resumes(esrv):
    admin = esrv.signup_admin()
    s1 = SSE(esrv.port, token=admin.token)
    try:
        time.sleep(0.3)
        wf1 = W.create(admin, W.wf_body(W.unique_steps(2)), wait=False)
        s1.wait_done(wf1, 2)
        s1.wait(lambda: s1.of(wf1, "notification"), what="notification")
        first = list(s1.events)
    finally:
        s1.close()
    assert len(first) >= 3, first  # progress, workflow_status, notification
    # Reconnect after the first event: everything after it comes again, in order.
    s2 = SSE(esrv.port, token=admin.token, last_event_id=first[0]["id"])
    try:
        s2.wait(lambda: len(s2.events) >= len(first) - 1, what="the replay")
        time.sleep(0.3)
        assert _ids(s2.events) == _ids(first[1:]), (s2.events, first)
    finally:
        s2.close()
    # Events that happened while disconnected arrive on reconnect.
    wf2 = W.create(admin, W.wf_body(W.unique_steps(3)))
    time.sleep(0.3)
    s3 = SSE(esrv.port, query_token=admin.token, last_event_id=first[-1]["id"])
    try:
        s3.wait_done(wf2, 3)
        s3.wait(lambda: s3.of(wf2, "notification"), what="notification")
        assert not s3.of(wf1), s3.events
        assert s3.of(wf2, "progress")[-1]["json"]["done"] == 3
    finally:
        s3.close()
    # Without Last-Event-ID (or with a malformed one) a stream starts at the newest: no replay.
    for lei in (None, "not-an-id"):
        s4 = SSE(esrv.port, token=admin.token, last_event_id=lei)
        try:
            assert s4.status == 200
            time.sleep(0.6)
            assert s4.events == [], s4.events
        finally:
            s4.close()


def test_events_of_worker_processes_reach_the_stream(server_factory, redis_url, request):
    """API server without workers; a `stepwise worker` labels. With Redis its events come through."""
    srv = server_factory(**W.lenv(W.queue_settings("redis", redis_url), WORKER_CONCURRENCY=0))
    worker = W.Worker(srv, concurrency=2).start()
    try:
        admin = srv.signup_admin()
        s = SSE(srv.port, token=admin.token)
        try:
            time.sleep(0.3)
            wf_id = W.create(admin, W.wf_body(W.unique_steps(3)), wait=False)
            s.wait_done(wf_id, 3)
            assert s.of(wf_id, "progress")[-1]["json"]["done"] == 3
            s.wait(lambda: s.of(wf_id, "notification"), what="notification")
        finally:
            s.close()
    finally:
        assert worker.stop() == 0, worker.logs(3000)


def test_a_node_that_just_started_resumes_a_stream_from_redis(server_factory, redis_url):
    """Two API nodes on one database and one Redis. A client's node is killed; events happen on the
    other node meanwhile; the killed node starts again and the client resumes there with its
    Last-Event-ID: it gets what it missed (the node fills its buffer from the stream at start)."""
    q = W.queue_settings("redis", redis_url)
    a = server_factory(**W.lenv(q, WORKER_CONCURRENCY=0))
    b = server_factory(database=a.db, **W.lenv(q, WORKER_CONCURRENCY=2))
    admin = a.signup_admin()
    on_b = helpers.Account(b, admin.email, admin.password, assert_envelope(b.login(admin.email), 200))
    s1 = SSE(a.port, token=admin.token)
    try:
        time.sleep(0.3)
        wf1 = W.create(admin, W.wf_body(W.unique_steps(2)), wait=False)
        s1.wait_done(wf1, 2)
        s1.wait(lambda: s1.of(wf1, "notification"), what="notification")
        last = s1.events[-1]["id"]
    finally:
        s1.close()
    a.kill()
    wf2 = W.create(on_b, W.wf_body(W.unique_steps(3)))
    a.start(a.port)
    s2 = SSE(a.port, token=admin.token, last_event_id=last)
    try:
        s2.wait_done(wf2, 3)
        s2.wait(lambda: s2.of(wf2, "notification"), what="the notification made while the node was down")
        assert not s2.of(wf1), s2.events
    finally:
        s2.close()
