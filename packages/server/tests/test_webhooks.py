"""Webhook delivery of error and warning alerts (issue 6): JSON to settings.webhook_url, signed with
HMAC-SHA256 under the company's webhook_secret, retried with backoff through the job queue."""
import hashlib
import hmac
import http.server
import json
import threading
import time
import uuid

import pytest

from helpers import assert_envelope
import wf_support as W


class Receiver:
    """A local HTTP endpoint that records POSTs and answers the scripted statuses, then 200."""

    def __init__(self, statuses=()):
        self.calls = []
        self.statuses = list(statuses)
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    outer.calls.append({"headers": dict(self.headers), "body": body})
                    status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait(self, n, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.calls) >= n:
                    return list(self.calls)
            time.sleep(0.05)
        with self.lock:
            return list(self.calls)

    def close(self):
        self.httpd.shutdown()


@pytest.fixture(scope="module")
def server(stepwise_bin, db_kind, tmp_path_factory):
    """The receivers listen on loopback: an intranet install (WEBHOOK_ALLOW_PRIVATE=true). The
    refusal of such targets by default is test_security.py's."""
    s = W.dedicated_server(stepwise_bin, db_kind, tmp_path_factory, WEBHOOK_ALLOW_PRIVATE="true")
    yield s
    problems, logs = W.stop_dedicated(s)
    assert not problems, "\n".join(problems) + "\n" + logs


@pytest.fixture
def receiver_factory():
    made = []

    def make(statuses=()):
        r = Receiver(statuses)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def test_broken_alert_is_delivered_signed(server, receiver_factory):
    rec = receiver_factory()
    admin, _ = server.company_team()
    company = assert_envelope(admin.patch("/api/company", {"settings": {"webhook_url": rec.url}}), 200)
    secret = assert_envelope(admin.get("/api/company"), 200)["webhook_secret"]
    assert len(secret) == 64 and company["settings"]["webhook_url"] == rec.url
    wf = W.break_workflow(admin)
    calls = rec.wait(1)
    assert len(calls) == 1, calls
    call = calls[0]
    body = json.loads(call["body"])
    assert body["type"] == "workflow_broken" and body["severity"] == "error" and body["workflow_id"] == wf
    assert body["company_id"] == admin.company_id and body["title"] and body["text"]
    expected = hmac.new(secret.encode(), call["body"], hashlib.sha256).hexdigest()
    assert call["headers"]["X-Stepwise-Signature"] == "sha256=" + expected
    assert call["headers"]["X-Stepwise-Event"] == "workflow_broken"
    assert call["headers"]["X-Stepwise-Delivery"] == str(body["id"])
    # Another company's key does not verify it.
    other, _ = server.company_team()
    other_secret = assert_envelope(other.get("/api/company"), 200)["webhook_secret"]
    assert other_secret != secret


def test_failed_delivery_is_retried(server_factory, receiver_factory):
    srv = server_factory(JOB_RETRY_BASE_MS="50", WEBHOOK_ALLOW_PRIVATE="true")
    rec = receiver_factory(statuses=[500, 503])
    admin, _ = srv.company_team()
    assert_envelope(admin.patch("/api/company", {"settings": {"webhook_url": rec.url}}), 200)
    W.break_workflow(admin)
    calls = rec.wait(3)
    assert len(calls) == 3, calls
    ids = {c["headers"]["X-Stepwise-Delivery"] for c in calls}
    assert len(ids) == 1  # the same alert, three tries
    time.sleep(0.5)
    assert len(rec.calls) == 3  # delivered once it got a 200: no more tries


def test_info_alerts_and_companies_without_webhook_send_nothing(server, receiver_factory):
    rec = receiver_factory()
    admin, _ = server.company_team()
    # No webhook configured: the broken alert is stored, nothing is sent anywhere.
    W.break_workflow(admin)
    kinds = [n["type"] for n in assert_envelope(admin.get("/api/notifications"), 200)]
    assert "workflow_broken" in kinds
    # With a webhook, an info alert (ready for review) is not sent.
    assert_envelope(admin.patch("/api/company", {"settings": {"webhook_url": rec.url}}), 200)
    W.create(admin, W.body(1))
    time.sleep(1.0)
    assert rec.calls == []
