"""Labeling of recorded steps (issue 5): the local labeler's labels, the AI vendors through the
fake vendor (every scripted failure still ends labeled, `ai_model` says by whom), the image sent
inline, the in-flight limit (one process, and 3 worker processes over Redis), the label cache,
relabel and the watchdog."""
import base64
import time

import pytest

import wf_support as W
from fake_vendor import ANTHROPIC, ANTHROPIC_KEY, ANTHROPIC_MODEL, OPENAI, OPENAI_MODEL, B, FakeVendor
from helpers import assert_envelope, assert_error

AMODEL = f"anthropic:{ANTHROPIC_MODEL}"
OMODEL = f"openai:{OPENAI_MODEL}"


def _labels(admin, wf_id):
    return W.detail(admin, wf_id)[0]["steps"]


# ------------------------------------------------------------------------------------------------
# The local labeler (the shared server: no vendor keys)
# ------------------------------------------------------------------------------------------------

def test_local_labeler_writes_specific_labels(server):
    admin = server.signup_admin()
    E = W.element_step
    steps = [
        E(1, "navigate", tag="a", title="Purchase orders", url="https://erp.example.com/po/new"),
        E(2, "select_change", tag="select", label_text="Vendor", value="ABC Corp", name="vendor_id"),
        E(3, "input_commit", tag="input", type="text", placeholder="Invoice number", value="INV-2026-0042"),
        E(4, "input_commit", tag="input", type="password", label_text="Password", value="hunter2-Secret!"),
        E(5, "input_commit", tag="input", type="text", label_text="API token", value="tok-SECRET-777",
          value_masked=True),
        E(6, "click", tag="button", text="Save draft"),
        E(7, "input_commit", tag="input", type="text", name="shipping_address_line", value="1 Main St"),
        E(8, "click", tag="input", type="checkbox", label_text="Urgent"),
        E(9, "submit", tag="button", type="submit", text="Create order"),
    ]
    wf_id = W.create(admin, W.wf_body(steps))
    got = _labels(admin, wf_id)
    by_n = {s["step_number"]: s for s in got}
    assert all(s["ai_model"] == "local" for s in got), got
    assert all(s["field_label"] and s["instruction"] for s in got), got
    assert by_n[2]["field_label"] == "Vendor"
    assert "ABC Corp" in by_n[2]["instruction"] and "Vendor" in by_n[2]["instruction"], by_n[2]
    assert by_n[2]["instruction"].startswith("Select"), by_n[2]
    assert by_n[3]["field_label"] == "Invoice number" and "INV-2026-0042" in by_n[3]["instruction"], by_n[3]
    assert by_n[1]["field_label"] == "Purchase orders", by_n[1]
    assert by_n[6]["field_label"] == "Save draft" and "Save draft" in by_n[6]["instruction"], by_n[6]
    assert by_n[7]["field_label"] == "Shipping address line", by_n[7]
    assert by_n[8]["field_label"] == "Urgent" and "checkbox" in by_n[8]["instruction"].lower(), by_n[8]
    assert by_n[9]["field_label"] == "Create order", by_n[9]
    # Sensitive values never reach a label, whether the recorder masked them or not.
    assert by_n[4]["field_label"] == "Password"
    for s in got:
        for secret in ("hunter2", "tok-SECRET-777"):
            assert secret not in (s["field_label"] + s["instruction"]), s
    assert all(0 < s["ai_confidence"] <= 1 for s in got), got
    rows = W.db_steps(server, wf_id)
    assert {r[4] for r in rows} == {"done"}, rows


def test_local_labels_fit_the_limits(server):
    admin = server.signup_admin()
    long = "Very long label text " * 40  # 840 characters
    steps = [W.element_step(1, "click", tag="button", text=long[:490], aria_label=long[:499]),
             W.element_step(2, "input_commit", tag="input", label_text="Notes", value="x" * 4000),
             W.element_step(3, "click", tag="div")]  # nothing names it
    wf_id = W.create(admin, W.wf_body(steps))
    for s in _labels(admin, wf_id):
        assert 0 < len(s["field_label"]) <= 100 and 0 < len(s["instruction"]) <= 500, s


# ------------------------------------------------------------------------------------------------
# Vendors through the fake: one server for the scenarios of this module
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def vendor_env():
    fake = FakeVendor()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def vsrv(vendor_env, stepwise_bin, db_kind, tmp_path_factory):
    env = {**W.LABELING_ENV_CLEAN, **vendor_env.anthropic_env(), **vendor_env.openai_env(),
           "JOB_QUEUE": "embedded", "AI_BACKOFF_BASE_MS": "5", "AI_TIMEOUT_MS": "800",
           "AI_CONNECT_TIMEOUT_MS": "500", "WORKER_CONCURRENCY": "4"}
    srv = W.dedicated_server(stepwise_bin, db_kind, tmp_path_factory, **env)
    yield srv
    problems, logs = W.stop_dedicated(srv)
    assert not problems, "\n".join(problems) + "\n" + logs


@pytest.fixture
def fake(vendor_env):
    vendor_env.reset()
    vendor_env.anthropic_key = ANTHROPIC_KEY
    yield vendor_env
    vendor_env.wait_idle(10)


# (id, anthropic script, openai script, expected ai_model, anthropic calls, openai calls)
SCENARIOS = [
    ("ok", [], [], AMODEL, 1, 0),
    ("429-retry-after-0-then-ok", [B.rate_limited(retry_after=0)], [], AMODEL, 2, 0),
    ("529-then-ok", [B.overloaded()], [], AMODEL, 2, 0),
    ("503-then-ok", [B.server_error(503)], [], AMODEL, 2, 0),
    ("malformed-then-ok", [B.malformed()], [], AMODEL, 2, 0),
    ("json-in-prose", [B.prose()], [], AMODEL, 1, 0),
    ("json-in-code-fence", [B.fenced()], [], AMODEL, 1, 0),
    ("529x3-to-openai", [B.overloaded()] * 3, [], OMODEL, 3, 1),
    ("500x3-to-openai", [B.server_error()] * 3, [], OMODEL, 3, 1),
    ("timeout-x3-to-openai", [B.hang(4)] * 3, [], OMODEL, 3, 1),
    ("dropped-x3-to-openai", [B.drop()] * 3, [], OMODEL, 3, 1),
    ("malformed-x3-to-openai", [B.malformed()] * 3, [], OMODEL, 3, 1),
    ("no-json-x3-to-openai", [B.no_label()] * 3, [], OMODEL, 3, 1),
    ("wrong-types-x3-to-openai", [B.wrong_types()] * 3, [], OMODEL, 3, 1),
    ("refusal-to-openai-at-once", [B.refusal()], [], OMODEL, 1, 1),
    ("400-to-openai-at-once", [B.client_error(400)], [], OMODEL, 1, 1),
    ("403-to-openai-at-once", [B.client_error(403)], [], OMODEL, 1, 1),
    ("retry-after-too-long-to-openai", [B.rate_limited(retry_after=120)], [], OMODEL, 1, 1),
    ("openai-429-then-ok", [B.overloaded()] * 3, [B.rate_limited(retry_after_ms=0)], OMODEL, 3, 2),
    ("openai-prose", [B.refusal()], [B.prose()], OMODEL, 1, 1),
    ("openai-fenced", [B.refusal()], [B.fenced()], OMODEL, 1, 1),
    ("openai-malformed-then-ok", [B.refusal()], [B.malformed()], OMODEL, 1, 2),
    ("both-overloaded-to-local", [B.overloaded()] * 3, [B.server_error(502)] * 3, "local", 3, 3),
    ("both-refuse-to-local", [B.refusal()], [B.refusal()], "local", 1, 1),
    ("anthropic-timeout-openai-garbage-to-local", [B.hang(4)] * 3, [B.wrong_types()] * 3, "local", 3, 3),
]


@pytest.mark.parametrize("name,a_script,o_script,model,a_calls,o_calls", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_every_vendor_failure_ends_labeled(vsrv, fake, name, a_script, o_script, model, a_calls, o_calls):
    admin = vsrv.signup_admin()
    fake.script(ANTHROPIC, *a_script)
    fake.script(OPENAI, *o_script)
    step = W.element_step(1, "select_change", tag="select", label_text=f"Vendor {name}", value="ABC Corp")
    wf_id = W.create(admin, W.wf_body([step]))
    (s,) = _labels(admin, wf_id)
    assert s["ai_model"] == model, (s, fake.calls)
    assert s["field_label"] and s["instruction"], s
    assert fake.count(ANTHROPIC) == a_calls and fake.count(OPENAI) == o_calls, fake.calls
    assert fake.scripted_left(ANTHROPIC) == 0 and fake.scripted_left(OPENAI) == 0
    row = W.db_steps(vsrv, wf_id)[0]
    if model == "local":
        # Every vendor failed: the local label, marked as a fallback, and said in the alert.
        assert row[4] == "fallback", row
        assert s["field_label"] == f"Vendor {name}" and "ABC Corp" in s["instruction"], s
        notes = assert_envelope(admin.get("/api/notifications"), 200)
        assert notes[0]["workflow_id"] == wf_id and "fallback" in (notes[0]["message"] or ""), notes
    else:
        assert row[4] == "done", row
        # The vendor's own answer (the fake labels with the element's label text).
        assert s["field_label"] == f"Vendor {name}", s
        assert f"labeled by {model.split(':')[0]}" in s["instruction"], s
    # What reached the vendors was well-formed (the fake answers 400/401 otherwise).
    assert all(c.error is None for c in fake.calls_of()), [c.error for c in fake.calls_of()]


def test_retry_after_is_honoured(vsrv, fake):
    admin = vsrv.signup_admin()
    fake.script(ANTHROPIC, B.rate_limited(retry_after_ms=700), B.rate_limited(retry_after=1))
    wf_id = W.create(admin, W.wf_body(W.unique_steps(1)))
    assert _labels(admin, wf_id)[0]["ai_model"] == AMODEL
    c = fake.calls_of(ANTHROPIC)
    assert [x.status for x in c] == [429, 429, 200], c
    assert c[1].started - c[0].ended >= 0.65, "retry-after-ms: 700 not honoured"
    assert c[2].started - c[1].ended >= 0.95, "retry-after: 1 not honoured"


def test_wrong_api_key_goes_to_the_next_vendor(vsrv, fake):
    admin = vsrv.signup_admin()
    fake.anthropic_key = "sk-ant-another-key"  # the server's key is now wrong: 401
    wf_id = W.create(admin, W.wf_body(W.unique_steps(1)))
    assert _labels(admin, wf_id)[0]["ai_model"] == OMODEL
    a = fake.calls_of(ANTHROPIC)
    assert [x.status for x in a] == [401], a


def test_mixed_failures_on_a_workflow_all_labeled(vsrv, fake):
    admin = vsrv.signup_admin()
    fake.script(ANTHROPIC, B.rate_limited(retry_after=0), B.overloaded(), B.server_error(), B.malformed(),
                B.wrong_types(), B.refusal(), B.prose(), B.fenced(), B.hang(3), B.no_label(), B.drop(),
                B.overloaded(), B.overloaded(), B.overloaded())
    fake.script(OPENAI, B.server_error(), B.refusal())
    wf_id = W.create(admin, W.wf_body(W.unique_steps(10)))
    steps = _labels(admin, wf_id)
    assert len(steps) == 10
    models = [s["ai_model"] for s in steps]
    assert set(models) <= {AMODEL, OMODEL, "local"}, models
    assert all(s["field_label"] and s["instruction"] for s in steps), steps
    rows = W.db_steps(vsrv, wf_id)
    assert {r[4] for r in rows} <= {"done", "fallback"}, rows
    for r in rows:
        assert (r[4] == "fallback") == (r[3] == "local"), r
    # Each vendor label came from a successful call of that vendor.
    assert models.count(OMODEL) <= fake.count(OPENAI, status=200)
    assert models.count(AMODEL) <= fake.count(ANTHROPIC, status=200)


def test_screenshot_sent_inline_as_resized_jpeg(vsrv, fake):
    admin = vsrv.signup_admin()
    shot = W.upload_ok(admin, W.png(2400, 300))
    small = W.upload_ok(admin, W.png(200, 100))
    steps = W.unique_steps(2)
    steps[0]["screenshot_ref"] = {"id": shot["screenshot_id"]}
    steps[1]["screenshot_ref"] = {"id": small["screenshot_id"]}
    fake.script(ANTHROPIC, B.refusal())  # one step goes on to OpenAI: its image as a data URL
    wf_id = W.create(admin, W.wf_body(steps))
    assert {s["ai_model"] for s in _labels(admin, wf_id)} <= {AMODEL, OMODEL}
    calls = [c for c in fake.calls_of() if c.status == 200 or c.vendor == ANTHROPIC]
    images = [(c.vendor, img) for c in calls for img in c.images]
    assert len(images) >= 3, calls  # refused + retried at OpenAI + the other step
    for vendor, img in images:
        assert img["media_type"] == "image/jpeg" and img["width"] and img["height"], img
        assert max(img["width"], img["height"]) <= 1568, img
    sizes = {(img["width"], img["height"]) for _, img in images}
    assert (1568, 196) in sizes, sizes  # 2400×300 scaled to a 1568 long edge, aspect kept
    assert (200, 100) in sizes, sizes  # small ones are not enlarged
    for c in fake.calls_of(OPENAI):
        parts = c.json["messages"][0]["content"]
        urls = [p["image_url"]["url"] for p in parts if p.get("type") == "image_url"]
        assert urls and urls[0].startswith("data:image/jpeg;base64,"), parts
        base64.b64decode(urls[0].split(",", 1)[1], validate=True)


def test_vendor_requests_carry_the_prompt_but_no_secret(vsrv, fake):
    admin = vsrv.signup_admin()
    E = W.element_step
    steps = [E(1, "input_commit", tag="input", type="password", label_text="Password", value="hunter2-Secret!"),
             E(2, "input_commit", tag="input", type="text", label_text="Card number", value="4111111111111111",
               value_masked=True),
             E(3, "select_change", tag="select", label_text="Vendor", value="ABC Corp")]
    W.create(admin, W.wf_body(steps))
    calls = fake.calls_of(ANTHROPIC)
    assert len(calls) == 3 and all(c.status == 200 for c in calls), calls
    for c in calls:
        assert c.headers.get("anthropic-version") and c.headers.get("x-api-key") == fake.anthropic_key
        assert c.json["model"] == ANTHROPIC_MODEL and c.json["max_tokens"] > 0
        assert "hunter2" not in c.raw.decode() and "4111111111111111" not in c.raw.decode()
        assert "RESPOND IN JSON" in c.prompt
    vendor_prompt = [c.prompt for c in calls if c.prompt_field("Label") == "Vendor"]
    assert vendor_prompt and "ABC Corp" in vendor_prompt[0], vendor_prompt


# ------------------------------------------------------------------------------------------------
# Label cache and relabel
# ------------------------------------------------------------------------------------------------

def _cache_hits(srv, company_id):
    return int(srv.db.scalar("SELECT COALESCE(SUM(hits), 0) FROM label_cache WHERE company_id = %s",
                             (company_id,)))


def test_label_cache_reuses_labels_per_company(vsrv, fake):
    admin = vsrv.signup_admin()
    steps = W.unique_steps(3)
    first = W.create(admin, W.wf_body(steps))
    assert fake.count() == 3
    a = _labels(admin, first)
    second = W.create(admin, W.wf_body(steps))
    assert fake.count() == 3, "the identical workflow called the vendor again"
    b = _labels(admin, second)
    assert [(s["field_label"], s["instruction"], s["ai_model"]) for s in a] == \
           [(s["field_label"], s["instruction"], s["ai_model"]) for s in b]
    assert _cache_hits(vsrv, admin.company_id) == 3
    # A different chosen value is another signature; so is another page path.
    changed = [dict(s) for s in steps]
    changed[0] = W.element_step(1, "select_change", tag="select", label_text="Vendor", value="ABC Corp")
    changed[1] = dict(steps[1], page_context={"url": "https://app.example.com/other", "title": "Form"})
    W.create(admin, W.wf_body(changed))
    assert fake.count() == 5
    again = [dict(s) for s in changed]
    again[0] = W.element_step(1, "select_change", tag="select", label_text="Vendor", value="XYZ Ltd")
    W.create(admin, W.wf_body(again))
    assert fake.count() == 6  # XYZ Ltd is new; the others are cached
    # Another company never gets this company's labels.
    other = vsrv.signup_admin()
    W.create(other, W.wf_body(steps))
    assert fake.count() == 9
    assert _cache_hits(vsrv, other.company_id) == 0


def test_fallback_labels_are_not_cached(vsrv, fake):
    admin = vsrv.signup_admin()
    steps = W.unique_steps(1)
    fake.script(ANTHROPIC, B.refusal())
    fake.script(OPENAI, B.refusal())
    first = W.create(admin, W.wf_body(steps))
    assert _labels(admin, first)[0]["ai_model"] == "local"
    second = W.create(admin, W.wf_body(steps))
    assert _labels(admin, second)[0]["ai_model"] == AMODEL, "a fallback label was served from the cache"


def test_relabel_keeps_edited_fields(server):
    admin = server.signup_admin()
    E = W.element_step
    steps = [E(1, "select_change", tag="select", label_text="Vendor", value="ABC Corp"),
             E(2, "click", tag="button", text="Save draft"),
             E(3, "input_commit", tag="input", placeholder="Invoice number", value="INV-1")]
    wf_id = W.create(admin, W.wf_body(steps))
    s1, s2, s3 = _labels(admin, wf_id)
    assert_envelope(admin.patch(f"/api/workflows/{wf_id}/steps/{s1['id']}", {"field_label": "My own label"}), 200)
    assert_envelope(admin.patch(f"/api/workflows/{wf_id}/steps/{s2['id']}", {"instruction": "My own instruction."}),
                    200)
    # Make the labeler's fields stale, so that relabeling them shows.
    server.db.execute("UPDATE steps SET instruction = 'stale' WHERE id = %s", (s1["id"],))
    server.db.execute("UPDATE steps SET field_label = 'stale' WHERE id = %s", (s2["id"],))
    server.db.execute("UPDATE steps SET field_label = 'stale', instruction = 'stale' WHERE id = %s", (s3["id"],))
    r = admin.post(f"/api/workflows/{wf_id}/relabel", {})
    d = assert_envelope(r, 202)
    assert d == {"workflow_id": wf_id, "status": "processing", "queued": 3}, d
    done = W.wait_labeled(admin, wf_id)
    assert done["status"] == "needs_review"
    n1, n2, n3 = done["steps"]
    assert (n1["field_label"], n1["label_edited"]) == ("My own label", True)
    assert n1["instruction"] == s1["instruction"] and "ABC Corp" in n1["instruction"]
    assert (n2["instruction"], n2["instruction_edited"]) == ("My own instruction.", True)
    assert n2["field_label"] == "Save draft"
    assert (n3["field_label"], n3["instruction"]) == (s3["field_label"], s3["instruction"]) != ("stale", "stale")
    # An admin edit made while the relabel runs is kept too (the label is written field by field).
    assert_envelope(admin.post(f"/api/workflows/{wf_id}/relabel", {"step_ids": [s3["id"]]}), 202)
    assert_envelope(admin.patch(f"/api/workflows/{wf_id}/steps/{s3['id']}", {"field_label": "Edited meanwhile"}),
                    200)
    done = W.wait_labeled(admin, wf_id)
    assert done["steps"][2]["field_label"] == "Edited meanwhile" and done["steps"][2]["label_edited"] is True


def test_relabel_asks_the_vendor_again(vsrv, fake):
    admin = vsrv.signup_admin()
    wf_id = W.create(admin, W.wf_body(W.unique_steps(3)))
    calls = fake.count()
    assert calls == 3
    fake.default(ANTHROPIC, B.ok(field_label="Relabeled", instruction="A better instruction."))
    assert_envelope(admin.post(f"/api/workflows/{wf_id}/relabel", {}), 202)
    done = W.wait_labeled(admin, wf_id)
    assert fake.count() == calls + 3, "relabel did not ask the AI again (label cache)"
    assert [(s["field_label"], s["instruction"]) for s in done["steps"]] == \
           [("Relabeled", "A better instruction.")] * 3


def test_relabel_chosen_steps_and_errors(vsrv, fake, server_factory):
    admin = vsrv.signup_admin()
    regular = vsrv.signup_invited(admin)
    wf_id = W.create(admin, W.wf_body(W.unique_steps(3)))
    ids = [s["id"] for s in _labels(admin, wf_id)]
    W.activate(admin, wf_id)
    before = fake.count()
    d = assert_envelope(admin.post(f"/api/workflows/{wf_id}/relabel", {"step_ids": [ids[1]]}), 202)
    assert d["queued"] == 1 and d["status"] == "active", d  # a published workflow stays published
    W.wait_for(lambda: {r[4] for r in W.db_steps(vsrv, wf_id)} == {"done"}, what="relabel of one step")
    assert W.detail(admin, wf_id)[0]["status"] == "active"
    assert fake.count() - before <= 1
    # Errors
    assert_error(regular.post(f"/api/workflows/{wf_id}/relabel", {}), 403)
    other = vsrv.signup_admin()
    assert_error(other.post(f"/api/workflows/{wf_id}/relabel", {}), 404)
    assert_error(admin.post("/api/workflows/999999999/relabel", {}), 404)
    assert_error(admin.post(f"/api/workflows/{wf_id}/relabel", {"step_ids": [999999999]}), 404)
    other_wf = W.create(other, W.wf_body(W.unique_steps(1)))
    other_step = _labels(other, other_wf)[0]["id"]
    assert_error(admin.post(f"/api/workflows/{wf_id}/relabel", {"step_ids": [other_step]}), 404)
    assert_error(admin.post(f"/api/workflows/{wf_id}/relabel", {"step_ids": "all"}), 422)
    W.set_status(admin, wf_id, "archived")
    assert_error(admin.post(f"/api/workflows/{wf_id}/relabel", {}), 409)
    assert {r[4] for r in W.db_steps(vsrv, wf_id)} == {"done"}


# ------------------------------------------------------------------------------------------------
# In-flight limit
# ------------------------------------------------------------------------------------------------

def test_in_flight_limit_in_one_process(server_factory):
    with FakeVendor() as fake:
        fake.default(ANTHROPIC, B.ok(delay=0.3))
        srv = server_factory(**W.lenv(fake.anthropic_env(), JOB_QUEUE="embedded",
                             WORKER_CONCURRENCY=8, AI_MAX_IN_FLIGHT=2))
        admin = srv.signup_admin()
        wf_id = W.create(admin, W.wf_body(W.unique_steps(8)), wait=False)
        W.wait_labeled(admin, wf_id)
        assert fake.count() == 8
        assert fake.peak_in_flight == 2, fake.peak_in_flight


@pytest.mark.slow
def test_in_flight_limit_across_worker_processes(server_factory, redis_url, request):
    """3 `stepwise worker` × concurrency 10, plus the server's own workers, all on one Redis:
    the fake vendor never sees more than 5 requests at once."""
    with FakeVendor() as fake:
        fake.default(ANTHROPIC, B.ok(delay=0.25))
        env = {**W.LABELING_ENV_CLEAN, **fake.anthropic_env(), **W.queue_settings("redis", redis_url),
               "WORKER_CONCURRENCY": 4, "AI_TIMEOUT_MS": 5000}
        srv = server_factory(**env)
        workers = []
        try:
            for _ in range(3):
                workers.append(W.Worker(srv, concurrency=10).start())
            admin = srv.signup_admin()
            wfs = [W.create(admin, W.wf_body(W.unique_steps(20)), wait=False) for _ in range(2)]
            for wf_id in wfs:
                W.wait_labeled(admin, wf_id, timeout=60)
            models = [s["ai_model"] for wf_id in wfs for s in _labels(admin, wf_id)]
            assert models == [AMODEL] * 40, models
            assert fake.count() == 40
            assert fake.peak_in_flight <= 5, f"peak in flight {fake.peak_in_flight} > 5"
            assert fake.peak_in_flight >= 4, f"peak {fake.peak_in_flight}: the limit was never reached"
        finally:
            codes = [w.stop() for w in workers]
        assert codes == [0, 0, 0], [w.logs(3000) for w in workers]


# ------------------------------------------------------------------------------------------------
# Watchdog
# ------------------------------------------------------------------------------------------------

def _run_watchdog_now(srv):
    """Makes the scheduler's next tick (every second) run the watchdog, whatever its period."""
    srv.db.execute("UPDATE job_schedule SET next_run_at = 0 WHERE name = 'labeling_watchdog'")


def test_watchdog_gives_fallback_labels_to_lost_jobs(server_factory):
    # The server has no workers: its jobs wait. They are then lost (deleted), and a worker started
    # afterwards only has the watchdog to finish the workflow.
    srv = server_factory(**W.lenv(JOB_QUEUE="embedded", WORKER_CONCURRENCY=0, LABELING_DEADLINE_MS=1000))
    # (the watchdog's period stays the default 60 s: the test moves its next run to now)
    admin = srv.signup_admin()
    wf_id = W.create(admin, W.wf_body(W.unique_steps(3)), wait=False)
    d = W.detail(admin, wf_id)[0]
    assert d["status"] == "processing" and d["labeling"] == {"done": 0, "total": 3, "failed": 0}, d
    label_jobs = srv.db.query("SELECT type FROM jobs WHERE type IN ('label_step', 'label_workflow')")
    assert label_jobs == [("label_workflow",)], label_jobs  # the local labeler: one job for the workflow
    srv.db.execute("DELETE FROM jobs WHERE type = 'label_workflow'")
    time.sleep(1.1)  # past the deadline
    worker = W.Worker(srv, concurrency=2).start()
    try:
        _run_watchdog_now(srv)
        done = W.wait_labeled(admin, wf_id, timeout=15)
        assert done["status"] == "needs_review" and done["labeling"] is None
        assert all(s["ai_model"] == "local" and s["field_label"] for s in done["steps"]), done["steps"]
        assert {r[4] for r in W.db_steps(srv, wf_id)} == {"fallback"}
    finally:
        assert worker.stop() == 0, worker.logs(3000)


def test_watchdog_keeps_the_deadline_while_the_vendor_hangs(server_factory):
    """Every worker waits on a hanging vendor: the watchdog still gives fallback labels on time."""
    with FakeVendor() as fake:
        fake.default(ANTHROPIC, B.hang(60))
        srv = server_factory(**W.lenv(fake.anthropic_env(), JOB_QUEUE="embedded",
                             WORKER_CONCURRENCY=2, LABELING_DEADLINE_MS=1000, LABELING_WATCHDOG_MS=300,
                             AI_TIMEOUT_MS=30000, AI_BACKOFF_BASE_MS=5, AI_CONNECT_TIMEOUT_MS=200))
        admin = srv.signup_admin()
        wf_id = W.create(admin, W.wf_body(W.unique_steps(4)), wait=False)
        W.wait_for(lambda: fake.in_flight >= 2, what="both workers calling the vendor")
        t0 = time.monotonic()
        d = W.wait_labeled(admin, wf_id, timeout=8)
        assert time.monotonic() - t0 < 4, "the deadline (1 s) was not kept"
        assert d["status"] == "needs_review"
        assert all(s["ai_model"] == "local" for s in d["steps"]), d["steps"]
