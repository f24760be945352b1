"""GET /metrics (issue 17): the Prometheus text format, checked by promtool (Debian's prometheus
package), behind METRICS_TOKEN, with the series an operator needs moving as the server works:
requests by route and status with latency histograms, the database pool, jobs, heal decisions,
blob operations, SSE clients, the process."""
import re
import shutil
import subprocess
import threading
import time

import pytest

from helpers import assert_envelope, assert_error
import wf_support as W

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture(scope="module")
def srv(request, stepwise_bin, db_kind, tmp_path_factory):
    from conftest import _Launcher
    launcher = _Launcher(stepwise_bin, db_kind, tmp_path_factory)
    s = launcher.new(METRICS_TOKEN=TOKEN)
    yield s
    problems = launcher.shutdown_all()
    assert not problems, problems


def scrape(srv):
    r = srv.request("GET", "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8"
    return r.raw.decode()


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[^"}]|"(?:[^"\\]|\\.)*")*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def value(text, name, **labels):
    """The first sample of `name` whose labels include `labels`; None when there is none."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        if m.group(1) != name:
            continue
        got = dict(LABEL.findall(m.group(2) or ""))
        if all(got.get(k) == str(v) for k, v in labels.items()):
            return float(m.group(3))
    return None


def test_metrics_need_the_token(srv, server):
    assert_error(srv.request("GET", "/metrics"), 401, "UNAUTHORIZED")
    assert_error(srv.request("GET", "/metrics", headers={"Authorization": "Bearer wrong"}), 401, "UNAUTHORIZED")
    admin, _ = srv.company_team()
    # A user's own token is not the metrics token.
    assert_error(srv.request("GET", "/metrics", token=admin.token), 401, "UNAUTHORIZED")
    # Without METRICS_TOKEN the endpoint is off.
    assert_error(server.request("GET", "/metrics"), 404, "NOT_FOUND")


def test_the_text_passes_promtool_and_counts_what_happened(srv):
    admin, regular = srv.company_team()
    before = scrape(srv)
    wf = W.create(admin, W.body(2))
    for _ in range(3):
        assert_envelope(admin.get(f"/api/workflows/{wf}"), 200)
    assert srv.request("GET", "/api/workflows/999999999", token=admin.token).status == 404
    W.upload_ok(admin, W.png(seed=11))
    # An event stream open while scraped.
    import socket
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall((f"GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {admin.token}\r\n"
                  "Accept: text/event-stream\r\n\r\n").encode())
    sock.recv(100)
    text = scrape(srv)
    sock.close()

    if shutil.which("promtool") is None:
        pytest.fail("promtool (Debian package prometheus) is not installed: scripts/install-deps.sh test")
    check = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True, timeout=30)
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()

    route = "/api/workflows/{id}"
    assert value(text, "stepwise_http_requests_total", method="GET", route=route, status="200") >= 3
    assert value(text, "stepwise_http_requests_total", method="GET", route=route, status="404") >= 1
    assert value(text, "stepwise_http_request_duration_seconds_count", method="GET", route=route) >= 4
    assert value(text, "stepwise_http_request_duration_seconds_bucket", method="GET", route=route, le="+Inf") >= 4
    assert value(text, "stepwise_sse_clients") >= 1
    assert value(text, "stepwise_db_pool_connections") > 0
    assert value(text, "stepwise_db_pool_wait_seconds_count") > (value(before, "stepwise_db_pool_wait_seconds_count") or 0)
    assert value(text, "stepwise_jobs_total", type="label_workflow", outcome="done") >= 1
    assert value(text, "stepwise_blob_operations_total", op="put", outcome="ok") >= 1
    assert value(text, "process_resident_memory_bytes") > 1_000_000
    assert value(text, "process_open_fds") > 3
    assert value(text, "process_cpu_seconds_total") > 0
    assert value(text, "stepwise_jobs_in_database") is not None or "stepwise_jobs_in_database" in text


def test_heal_decisions_are_counted_by_method(srv):
    admin, _ = srv.company_team()
    wf = W.create(admin, W.body(1))
    step = W.detail(admin, wf)[0]["steps"][0]
    body = {"step_id": step["id"], "candidates": [
        {"selector": "#moved", "element_meta": {"tag_name": "button", "inner_text": "Button 1"}, "deterministic_score": 95},
        {"selector": "#other", "element_meta": {"tag_name": "a", "inner_text": "Other"}, "deterministic_score": 30}]}
    assert_envelope(admin.post(f"/api/workflows/{wf}/auto-heal", body), 200)
    text = scrape(srv)
    assert value(text, "stepwise_heal_decisions_total", method="deterministic", found="true") >= 1
