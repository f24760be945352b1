"""Workflow export and import (issue 8, item 4), black box.

GET /api/workflows/{id}/export?format=devtools|playwright|markdown|html: every format's shape,
content type and attachment name; user text escaped in the HTML (and inert in the Markdown);
masked values never written; role rules (regular users: active only), tenant isolation, bad
format. POST /api/workflows/import: a DevTools Recorder recording becomes a labeled workflow (round
trip through our own export, and a recording as Chrome writes it); bad recordings are 422 with
pointers into the recording and store nothing; body and array limits. The exported recording is
parsed by @puppeteer/replay, and replayed in Chromium against a fixture page when one is installed.
Frames and shadow roots: the DevTools `frame` from `selectors.frame_index` (and back through the
import), Playwright frame locators without `pierce/`, closed shadow roots reached through their
hosts; both exports run in Chromium against a page with nested, cross-site frames and shadow roots.
"""
import copy
import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading

import pytest

from helpers import assert_envelope, assert_error, assert_validation_error
import wf_support as W

REPO_ROOT = W.REPO_ROOT
REPLAY = os.path.join(REPO_ROOT, "node_modules", "@puppeteer", "replay")
PUPPETEER = os.path.join(REPO_ROOT, "node_modules", "puppeteer-core")
FORMATS = {
    "devtools": ("application/json", ".json"),
    "playwright": ("text/javascript", ".spec.js"),
    "markdown": ("text/markdown", ".md"),
    "html": ("text/html", ".html"),
}
SECRET = "leaked-secret-value-9731"
XSS_NAME = "<script>alert('name')</script> Pay"
XSS_DESC = "<img src=x onerror=alert('desc')>"
XSS_LABEL = "<img src=x onerror=alert('label')>"
XSS_INSTR = "<script>alert('instr')</script> then </li></ol><b>bold</b>"


@pytest.fixture
def co(server):
    admin, regular = server.company_team()
    return admin, regular


def create(admin, body):
    return W.create(admin, body)


def nav_step(n, url="https://app.example.com/form"):
    return {"step_number": n, "action_type": "navigate",
            "selectors": {"primary": None, "css": None, "xpath": None, "data_testid": None, "stable_attrs": None},
            "element_meta": {"tag_name": "HTML"},
            "page_context": {"url": url, "title": "Form", "viewport": {"width": 1280, "height": 800}},
            "action_data": None}


def field_step(n, action, value, masked=False, tag="input", ftype="text", css=None):
    s = W.step(n, action=action)
    css = css or f"#f{n}"
    s["selectors"] = {"primary": css, "css": css, "xpath": f"//*[@id=\"f{n}\"]", "data_testid": None,
                      "stable_attrs": {"id": f"f{n}"}}
    s["element_meta"] = {"tag_name": tag, "type": ftype, "label_text": f"Field {n}",
                         "bounding_box": {"x": 10, "y": 20 * n, "width": 200, "height": 24}}
    if masked:
        s["element_meta"]["value_masked"] = True
    s["action_data"] = {"input_value": value, "value_masked": masked or None}
    s["dom_context"] = None
    return s


def rich_body(name=None, shot=None, description="desc"):
    """navigate, click, text input, password (masked), a masked step that wrongly carries a value,
    select, Enter submit: one of every kind."""
    body = W.body(0, name=name, description=description)
    click = W.step(2, shot=shot)
    body["steps"] = [
        nav_step(1),
        click,
        field_step(3, "input_commit", "ada@example.com"),
        field_step(4, "input_commit", None, masked=True, ftype="password"),
        field_step(5, "input_commit", SECRET, masked=True),  # a flag wins over a value sent along
        field_step(6, "select_change", "France", tag="select", ftype=None),
        dict(field_step(7, "submit", None), action_data={"input_value": None, "submit_key": "enter"}),
    ]
    return body


def export(account, wf_id, fmt):
    return account.get(f"/api/workflows/{wf_id}/export?format={fmt}")


def text(resp):
    return resp.raw.decode("utf-8")


def assert_file(resp, fmt):
    ctype, ext = FORMATS[fmt]
    assert resp.status == 200, resp
    assert (resp.header("Content-Type") or "").startswith(ctype), resp
    disp = resp.header("Content-Disposition") or ""
    m = re.fullmatch(r'attachment; filename="([A-Za-z0-9_-]+(\.[a-z]+)+)"', disp)
    assert m and m.group(1).endswith(ext), disp
    return text(resp)


# ------------------------------------------------------------------------------------------------
# Export
# ------------------------------------------------------------------------------------------------

def test_devtools_recording(co):
    admin, _ = co
    wf = create(admin, rich_body(name="Checkout flow"))
    r = export(admin, wf, "devtools")
    assert_file(r, "devtools")
    assert r.header("Content-Disposition") == 'attachment; filename="Checkout-flow.json"'
    rec = json.loads(r.raw)
    assert rec["title"] == "Checkout flow"
    types = [s["type"] for s in rec["steps"]]
    # The recorded first navigate is the start: no second navigate in front of it.
    assert types == ["setViewport", "navigate", "click", "change", "change", "change", "change", "keyDown",
                     "keyUp"], types
    vp = rec["steps"][0]
    assert (vp["width"], vp["height"], vp["deviceScaleFactor"], vp["isMobile"]) == (1280, 800, 1, False)
    assert rec["steps"][1]["url"] == "https://app.example.com/form"
    click = rec["steps"][2]
    assert click["selectors"][0] == ['[data-testid="btn-2"]']
    assert ["xpath//html/body/button[2]"] in click["selectors"]
    assert all(isinstance(sel, list) and sel and all(isinstance(x, str) for x in sel) for sel in click["selectors"])
    # click_coordinates (50,35) in the box at (10,20.5): 40, 14.5 into the element.
    assert (click["offsetX"], click["offsetY"]) == (40, 14.5)
    values = [s.get("value") for s in rec["steps"] if s["type"] == "change"]
    assert values == ["ada@example.com", "<password>", "<masked>", "France"]
    assert SECRET not in text(r)
    # The export is a valid request for the import (same contract schema).
    assert rec["steps"][3]["selectors"][0] == ["#f3"]


def test_playwright_script(co):
    admin, _ = co
    wf = create(admin, rich_body(name="Checkout flow"))
    src = assert_file(export(admin, wf, "playwright"), "playwright")
    assert "import { test } from '@playwright/test';" in src
    assert 'test("Checkout flow", async ({ page }) => {' in src
    assert "await page.setViewportSize({ width: 1280, height: 800 });" in src
    assert src.count("page.goto(") == 1 and 'page.goto("https://app.example.com/form")' in src
    assert 'await page.locator("[data-testid=\\"btn-2\\"]").click();' in src
    assert 'await page.locator("#f3").fill("ada@example.com");' in src
    assert 'await page.locator("#f4").fill("<password>"); // sensitive value not recorded' in src
    assert 'await page.locator("#f6").selectOption({ label: "France" });' in src
    assert "await page.locator(\"#f7\").press('Enter');" in src
    assert SECRET not in src
    node = shutil.which("node")
    if node:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "flow.spec.mjs")
            with open(path, "w") as f:
                f.write(src)
            p = subprocess.run([node, "--check", path], capture_output=True, text=True, timeout=60)
            assert p.returncode == 0, p.stderr


def test_markdown_guide_with_screenshot(co):
    admin, _ = co
    img = W.png(seed="md-shot")
    shot = W.upload_ok(admin, img)
    wf = create(admin, rich_body(name="Checkout flow", shot={"id": shot["screenshot_id"], "hash": W.sha_ref(img)}))
    W.activate(admin, wf)
    md = assert_file(export(admin, wf, "markdown"), "markdown")
    assert md.startswith("# Checkout flow\n"), md
    for n in range(1, 8):
        assert f"\n## {n}. " in md, md
    assert "Value: ada@example.com" in md
    assert md.count("not recorded (sensitive)") == 2
    assert SECRET not in md
    urls = re.findall(r"!\[[^\n]*\]\((http[^)\s]+)\)", md)
    assert len(urls) == 1, md
    status, headers, data = W.fetch(urls[0])
    assert status == 200 and data == img, (status, headers)


def test_html_guide(co):
    admin, _ = co
    img = W.png(seed="html-shot")
    shot = W.upload_ok(admin, img)
    wf = create(admin, rich_body(name="Checkout flow", shot={"id": shot["screenshot_id"], "hash": W.sha_ref(img)}))
    r = export(admin, wf, "html")
    html = assert_file(r, "html")
    assert html.startswith("<!DOCTYPE html>")
    assert "@media print" in html and "<style>" in html
    assert "<script" not in html.lower()
    assert "default-src 'none'" in (r.header("Content-Security-Policy") or "")
    assert html.count('<li class="step"') == 7
    srcs = re.findall(r'<img src="([^"]+)"', html)
    assert len(srcs) == 1
    status, _, data = W.fetch(srcs[0].replace("&amp;", "&"))
    assert status == 200 and data == img
    assert '<span class="box" style="left:' in html  # the target is marked on the screenshot
    assert SECRET not in html and "ada@example.com" in html


def test_user_text_is_escaped(co):
    admin, regular = co
    body = rich_body(name=XSS_NAME, description=XSS_DESC)
    body["metadata"]["starting_url"] = 'https://app.example.com/?q="><script>alert(5)</script>'
    body["steps"][0]["page_context"]["url"] = 'https://app.example.com/"><script>alert(6)</script>'  # http(s) only
    wf = create(admin, body)
    steps = W.detail(admin, wf)[0]["steps"]
    r = admin.patch(f"/api/workflows/{wf}/steps/{steps[1]['id']}", {"field_label": XSS_LABEL, "instruction": XSS_INSTR})
    assert_envelope(r, 200)
    W.activate(admin, wf)
    html = text(export(regular, wf, "html"))
    low = html.lower()
    assert "<script" not in low and "<img src=x" not in low and "<b>" not in low, html
    assert 'href="javascript:' not in low
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt; Pay" in html
    assert "&lt;img src=x onerror=alert(&#39;desc&#39;)&gt;" in html
    assert "&lt;img src=x onerror=alert(&#39;label&#39;)&gt;" in html
    assert "&lt;/li&gt;&lt;/ol&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert 'q=&quot;&gt;&lt;script&gt;' in html
    md = text(export(regular, wf, "markdown"))
    assert "<script" not in md and "<img" not in md and "<b>" not in md, md
    assert "&lt;script&gt;" in md
    src = text(export(regular, wf, "playwright"))
    # Labels and instructions live in one-line comments; names in string literals.
    for line in src.splitlines():
        if "alert(" in line:
            stripped = line.strip()
            assert stripped.startswith("//") or stripped.startswith("test(") or "page.goto(" in stripped, line


def test_masked_values_never_appear(co):
    admin, _ = co
    wf = create(admin, rich_body())
    for fmt in FORMATS:
        body = text(export(admin, wf, fmt))
        assert SECRET not in body, fmt
        assert "null" not in re.findall(r'"value":\s*(\S+)', body), fmt


def test_regular_users_export_active_only(co):
    admin, regular = co
    wf = create(admin, rich_body())
    for fmt in FORMATS:
        assert_error(export(regular, wf, fmt), 404, "WORKFLOW_NOT_FOUND")
        assert export(admin, wf, fmt).status == 200  # needs_review: admins may
    W.activate(admin, wf)
    for fmt in FORMATS:
        assert_file(export(regular, wf, fmt), fmt)
    W.set_status(admin, wf, "archived")
    assert_error(export(regular, wf, "devtools"), 404)


def test_other_company_is_404(team):
    wf = create(team["a_admin"], rich_body())
    W.activate(team["a_admin"], wf)
    for who in ("b_admin", "b_regular"):
        for fmt in FORMATS:
            assert_error(export(team[who], wf, fmt), 404, "WORKFLOW_NOT_FOUND")
    assert_error(export(team["a_admin"], 987654321, "html"), 404)


def test_bad_format_and_id(team):
    admin = team["a_admin"]
    wf = create(admin, rich_body())
    err = assert_validation_error(admin.get(f"/api/workflows/{wf}/export"), "/query")
    assert "format" in err["details"]["errors"][0]["message"]
    for bad in ("pdf", "DEVTOOLS", "", "html%00"):
        assert_validation_error(admin.get(f"/api/workflows/{wf}/export?format={bad}"), "/query/format")
    assert_validation_error(admin.get("/api/workflows/abc/export?format=html"))
    assert_error(admin.server.request("GET", f"/api/workflows/{wf}/export?format=html"), 401)


def test_start_navigate_added_when_not_recorded(co):
    admin, _ = co
    wf = create(admin, W.body(3, name="No navigate"))
    rec = json.loads(export(admin, wf, "devtools").raw)
    assert [s["type"] for s in rec["steps"]] == ["setViewport", "navigate", "click", "click", "click"]
    assert rec["steps"][1]["url"] == "https://app.example.com/form"


# ------------------------------------------------------------------------------------------------
# @puppeteer/replay
# ------------------------------------------------------------------------------------------------

def node_or_skip():
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed")
    if not os.path.isdir(REPLAY):
        pytest.skip("node_modules/@puppeteer/replay is missing (npm install)")
    return node


def run_node(node, script, *args, timeout=120):
    return subprocess.run([node, "-e", script, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=REPO_ROOT)


def test_puppeteer_replay_parses_the_export(co):
    node = node_or_skip()
    admin, _ = co
    wf = create(admin, rich_body(name=XSS_NAME))
    raw = export(admin, wf, "devtools").raw
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "rec.json")
        with open(path, "wb") as f:
            f.write(raw)
        script = """
const fs = require('fs');
const { parse, stringify } = require('@puppeteer/replay');
const rec = parse(JSON.parse(fs.readFileSync(process.argv[1], 'utf8')));
stringify(rec).then((js) => {
  if (!js.includes('puppeteer')) throw new Error('no script');
  console.log(JSON.stringify({ title: rec.title, steps: rec.steps.map((s) => s.type) }));
});
"""
        p = run_node(node, script, path)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["title"] == XSS_NAME
    assert out["steps"][:3] == ["setViewport", "navigate", "click"]


FIXTURE = """<!DOCTYPE html><html><head><title>Fixture</title></head><body>
<form id="f" action="/done" method="get" onsubmit="event.preventDefault(); document.getElementById('out').textContent =
  [document.getElementById('email').value, document.getElementById('country').value, document.getElementById('pw').value].join('|');">
<button type="button" id="go" data-testid="go" onclick="this.textContent='Clicked'">Go</button>
<input id="email" name="email" aria-label="Email">
<input id="pw" type="password" aria-label="Password">
<select id="country"><option value="">-</option><option value="France">France</option></select>
<input id="last" name="last" aria-label="Last">
<button type="submit" id="send">Send</button>
</form><p id="out"></p></body></html>"""


class _Fixture(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        data = FIXTURE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_puppeteer_replay_runs_the_export_in_chromium(co):
    node = node_or_skip()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium or not os.path.isdir(PUPPETEER):
        pytest.skip("chromium or node_modules/puppeteer-core is missing")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Fixture)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{srv.server_address[1]}/form"
        admin, _ = co
        click = W.step(2)
        click["selectors"] = {"primary": '[data-testid="go"]', "css": "#go", "xpath": '//*[@id="go"]',
                              "data_testid": "go", "stable_attrs": {"id": "go"}, "aria": 'aria/Go[role="button"]'}
        # Clicked 4 px into a 20 × 16 button: the offsets stay inside the fixture's button.
        click["element_meta"]["bounding_box"] = {"x": 8, "y": 8, "width": 20, "height": 16}
        click["action_data"]["click_coordinates"] = {"x": 12, "y": 12}
        email = field_step(3, "input_commit", "ada@example.com", css="#email")
        pw = field_step(4, "input_commit", None, masked=True, ftype="password", css="#pw")
        country = field_step(5, "select_change", "France", tag="select", css="#country")
        submit = dict(field_step(6, "submit", None, css="#last"), action_data={"input_value": None, "submit_key": "enter"})
        last = field_step(6, "input_commit", "x", css="#last")
        submit["step_number"] = 7
        body = W.body(0, starting_url=url)
        body["steps"] = [nav_step(1, url), click, email, pw, country, last, submit]
        for s in body["steps"]:
            s["page_context"]["url"] = url
        wf = create(admin, body)
        raw = export(admin, wf, "devtools").raw
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "rec.json")
            with open(path, "wb") as f:
                f.write(raw)
            script = """
const fs = require('fs');
const puppeteer = require('puppeteer-core');
const { createRunner, parse, PuppeteerRunnerExtension } = require('@puppeteer/replay');
(async () => {
  const browser = await puppeteer.launch({ executablePath: process.argv[2], headless: 'new',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    const rec = parse(JSON.parse(fs.readFileSync(process.argv[1], 'utf8')));
    const runner = await createRunner(rec, new PuppeteerRunnerExtension(browser, page, { timeout: 10000 }));
    await runner.run();
    await new Promise((r) => setTimeout(r, 200));
    const out = await page.$eval('#out', (e) => e.textContent);
    const go = await page.$eval('#go', (e) => e.textContent);
    console.log(JSON.stringify({ out, go }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
"""
            p = run_node(node, script, path, chromium, timeout=180)
        assert p.returncode == 0, p.stderr + p.stdout
        got = json.loads(p.stdout.strip().splitlines()[-1])
        # The masked password is typed as its placeholder, never as a recorded value.
        assert got == {"out": "ada@example.com|France|<password>", "go": "Clicked"}, got
    finally:
        srv.shutdown()
        srv.server_close()


# ------------------------------------------------------------------------------------------------
# Import
# ------------------------------------------------------------------------------------------------

CHROME_RECORDING = {
    "title": "Log in (from Chrome)",
    "steps": [
        {"type": "setViewport", "width": 1280, "height": 720, "deviceScaleFactor": 1, "isMobile": False,
         "hasTouch": False, "isLandscape": False},
        {"type": "navigate", "url": "https://app.example.com/login",
         "assertedEvents": [{"type": "navigation", "url": "https://app.example.com/login", "title": "Login"}]},
        {"type": "click", "target": "main", "offsetX": 10, "offsetY": 5,
         "selectors": [["aria/Email"], ["#email"], ['xpath///*[@id="email"]'], ["pierce/#email"]]},
        {"type": "change", "value": "ada@example.com", "target": "main", "selectors": [["aria/Email"], ["#email"]]},
        {"type": "change", "value": "hunter2-plain", "target": "main",
         "selectors": [["aria/Password"], ['input[type="password"]']]},
        {"type": "keyDown", "key": "Enter", "target": "main"},
        {"type": "keyUp", "key": "Enter", "target": "main"},
        {"type": "change", "value": "fr", "target": "main", "selectors": [["form > select.country"]]},
        {"type": "scroll", "target": "main", "x": 0, "y": 300},
        {"type": "click", "target": "main", "offsetX": 1, "offsetY": 1,
         "selectors": [['aria/Save[role="button"]'], ['[data-testid="save"]'], ["text/Save"]]},
    ],
}


def import_(admin, recording, **kw):
    return admin.post("/api/workflows/import", recording, **kw)


def test_import_chrome_recording(co):
    admin, regular = co
    r = import_(admin, CHROME_RECORDING)
    d = assert_envelope(r, 201)
    assert set(d) == {"workflow_id", "status"} and d["status"] == "processing"
    data = W.wait_labeled(admin, d["workflow_id"])
    assert data["status"] == "needs_review"
    assert data["name"] == "Log in (from Chrome)"
    assert data["starting_url"] == "https://app.example.com/login"
    steps = data["steps"]
    assert [s["action_type"] for s in steps] == ["navigate", "click", "input_commit", "input_commit", "submit",
                                                 "select_change", "click"]
    assert all(s["field_label"] and s["instruction"] for s in steps), steps  # labeled like a recording
    assert steps[1]["selectors"]["aria"] == "aria/Email" and steps[1]["selectors"]["css"] == "#email"
    assert steps[1]["selectors"]["xpath"] == '//*[@id="email"]'
    assert steps[2]["action_data"]["input_value"] == "ada@example.com"
    assert steps[3]["action_data"]["input_value"] is None and steps[3]["action_data"]["value_masked"] is True
    assert "hunter2-plain" not in json.dumps(data)
    assert steps[4]["selectors"] == steps[3]["selectors"]
    assert steps[6]["selectors"]["data_testid"] == "save"
    assert steps[6]["element_meta"]["role"] == "button"
    assert_error(import_(regular, CHROME_RECORDING), 403)


def test_import_round_trip(co):
    admin, _ = co
    img = W.png(seed="rt")
    shot = W.upload_ok(admin, img)
    wf = create(admin, rich_body(name="Round trip", shot={"id": shot["screenshot_id"], "hash": W.sha_ref(img)}))
    original = W.detail(admin, wf)[0]
    rec = json.loads(export(admin, wf, "devtools").raw)
    d = assert_envelope(import_(admin, rec), 201)
    assert d["workflow_id"] != wf
    copy_ = W.wait_labeled(admin, d["workflow_id"])
    assert copy_["name"] == "Round trip"
    assert copy_["starting_url"] == original["starting_url"]
    assert len(copy_["steps"]) == len(original["steps"])
    assert [s["action_type"] for s in copy_["steps"]] == [s["action_type"] for s in original["steps"]]
    assert all(s["field_label"] for s in copy_["steps"])
    # Masked values stay masked; the placeholder is not stored as a value.
    masked = [s for s in copy_["steps"] if (s["action_data"] or {}).get("value_masked")]
    assert len(masked) == 2 and all(s["action_data"]["input_value"] is None for s in masked)
    assert "<password>" not in json.dumps(copy_)
    # And once more: the copy exports the same recording (up to its title).
    again = json.loads(export(admin, d["workflow_id"], "devtools").raw)
    assert [s["type"] for s in again["steps"]] == [s["type"] for s in rec["steps"]]


def test_import_round_trip_without_recorded_navigate(co):
    admin, _ = co
    wf = create(admin, W.body(3, name="Clicks only"))
    rec = json.loads(export(admin, wf, "devtools").raw)
    copy_ = W.wait_labeled(admin, assert_envelope(import_(admin, rec), 201)["workflow_id"])
    # The start becomes a navigate step, as the recorder records it; the clicks are all there.
    assert [s["action_type"] for s in copy_["steps"]] == ["navigate", "click", "click", "click"]


def _rec(*steps, title="T"):
    return {"title": title, "steps": list(steps)}


NAV = {"type": "navigate", "url": "https://app.example.com/"}
CLICK = {"type": "click", "selectors": [["#a"]], "offsetX": 1, "offsetY": 1}


@pytest.mark.parametrize("name,recording,pointer,words", [
    ("no-navigate", _rec(CLICK), "/steps", "no navigate step"),
    ("only-navigate", _rec(NAV), "/steps", "no step to import"),
    ("only-dropped", _rec(NAV, {"type": "hover", "selectors": [["#a"]]}, {"type": "keyUp", "key": "Enter"}),
     "/steps", "no step to import"),
    ("text-selector-only", _rec(NAV, dict(CLICK, selectors=[["text/Go"]])), "/steps", "no step to import"),
    ("js-url", _rec({"type": "navigate", "url": "javascript:alert(1)"}, CLICK), "/steps/0/url", "http"),
    ("navigate-no-url", _rec({"type": "navigate"}, CLICK), "/steps/0/url", "URL"),
])
def test_import_unusable_recordings(co, name, recording, pointer, words):
    admin, _ = co
    before = W.total(admin)
    err = assert_validation_error(import_(admin, recording), pointer)
    assert any(words in e["message"] for e in err["details"]["errors"]), err
    assert W.total(admin) == before


@pytest.mark.parametrize("name,mutate,pointer", [
    ("no-title", lambda r: r.pop("title"), ""),
    ("blank-title", lambda r: r.update(title="   "), "/title"),
    ("long-title", lambda r: r.update(title="x" * 201), "/title"),
    ("no-steps", lambda r: r.pop("steps"), ""),
    ("empty-steps", lambda r: r.update(steps=[]), "/steps"),
    ("unknown-type", lambda r: r["steps"].append({"type": "teleport"}), "/steps/2/type"),
    ("selector-not-array", lambda r: r["steps"][1].update(selectors=["#a"]), "/steps/1/selectors/0"),
    ("unknown-prop", lambda r: r.update(extra=1), ""),
    ("value-not-string", lambda r: r["steps"].append({"type": "change", "value": 5, "selectors": [["#a"]]}),
     "/steps/2/value"),
    ("too-many-steps", lambda r: r.update(steps=[NAV] + [CLICK] * 1000), "/steps"),
])
def test_import_schema_violations(co, name, mutate, pointer):
    admin, _ = co
    rec = copy.deepcopy(_rec(NAV, CLICK))
    mutate(rec)
    before = W.total(admin)
    err = assert_validation_error(import_(admin, rec))
    if pointer:
        assert any(e["pointer"] == pointer or e["pointer"].startswith(pointer + "/") for e in err["details"]["errors"]), err
    assert W.total(admin) == before


def test_import_more_steps_than_a_workflow_holds(co):
    admin, _ = co
    before = W.total(admin)
    err = assert_validation_error(import_(admin, _rec(NAV, *[CLICK] * 600)), "/steps")
    assert "at most 500" in json.dumps(err)
    assert W.total(admin) == before


def test_import_selectors_beyond_our_bounds_are_dropped(co):
    admin, _ = co
    long_css = "div " * 300 + "#a"  # 1,202 characters: the Recorder's bound, not ours
    rec = _rec(NAV, dict(CLICK, selectors=[[long_css], ["#a"]]))
    data = W.wait_labeled(admin, assert_envelope(import_(admin, rec), 201)["workflow_id"])
    assert data["steps"][1]["selectors"]["css"] == "#a"
    # With no selector left, the step is not usable.
    before = W.total(admin)
    assert_validation_error(import_(admin, _rec(NAV, dict(CLICK, selectors=[[long_css]]))), "/steps")
    assert W.total(admin) == before


def test_import_transport_errors(co):
    admin, _ = co
    before = W.total(admin)
    r = admin.server.request("POST", "/api/workflows/import", raw=b"{not json", token=admin.token,
                             headers={"Content-Type": "application/json"})
    assert_error(r, 400)
    r = admin.server.request("POST", "/api/workflows/import", raw=json.dumps(_rec(NAV, CLICK)).encode(),
                             token=admin.token, headers={"Content-Type": "text/plain"})
    assert_error(r, 415)
    assert_error(admin.server.request("POST", "/api/workflows/import", body=_rec(NAV, CLICK)), 401)
    big = json.dumps(_rec(NAV, dict(CLICK, selectors=[["#a"]]), title="x" * (6 * 1024 * 1024))).encode()
    r = W.send_raw(admin, "POST", "/api/workflows/import", big, {"Content-Type": "application/json"})
    assert_error(r, 413)
    assert W.total(admin) == before


# ------------------------------------------------------------------------------------------------
# Selector variants: exported as alternatives, imported back as variants
# ------------------------------------------------------------------------------------------------

def _heal(account, wf_id, step_id, selector, selectors=None):
    c = {"selector": selector, "deterministic_score": 100, "element_meta": {"tag_name": "button"}}
    if selectors is not None:
        c["selectors"] = selectors
    d = assert_envelope(account.post(f"/api/workflows/{wf_id}/auto-heal",
                                     {"step_id": step_id, "candidates": [c]}), 200)
    assert d["found"] and d["variant_id"], d
    return d


def test_variants_round_trip_through_export_and_import(co):
    admin, regular = co
    wf = create(admin, W.body(2, name="With variants"))
    W.activate(admin, wf)
    step = W.detail(admin, wf)[0]["steps"][0]
    # Two shared variants (an admin's heals), one pending (a regular user's).
    assert _heal(admin, wf, step["id"], "#new-save", {"css": "button.new-save"})["scope"] == "shared"
    assert _heal(admin, wf, step["id"], '[data-qa="save"]')["scope"] == "shared"
    assert _heal(regular, wf, step["id"], "#pending-only")["scope"] == "personal"

    rec = json.loads(assert_file(export(regular, wf, "devtools"), "devtools"))
    clicks = [s for s in rec["steps"] if s["type"] == "click"]
    assert clicks[0]["selectors"] == [['[data-testid="btn-1"]'], ["#b1"], ["xpath//html/body/button[1]"],
                                      ["#new-save"], ["button.new-save"], ['[data-qa="save"]']], clicks[0]
    assert "#pending-only" not in json.dumps(rec)
    js = assert_file(export(regular, wf, "playwright"), "playwright")
    assert ('page.locator("[data-testid=\\"btn-1\\"]").or(page.locator("#new-save"))'
            '.or(page.locator("[data-qa=\\"save\\"]")).first().click()') in js, js
    assert "#pending-only" not in js

    copy_ = W.wait_labeled(admin, assert_envelope(import_(admin, rec), 201)["workflow_id"])
    got = next(s for s in copy_["steps"] if s["action_type"] == "click")
    # The recorded selectors as they were, the shared variants as shared imported variants.
    assert (got["selectors"]["primary"], got["selectors"]["css"], got["selectors"]["xpath"]) == \
        ('[data-testid="btn-1"]', "#b1", "/html/body/button[1]"), got["selectors"]
    vs = got["selector_variants"]
    assert vs[0]["source"] == "recorded" and vs[0]["preferred"] is True, vs[0]
    assert [(v["selectors"]["primary"], v["source"], v["status"], v["method"], v["created_by"]) for v in vs[1:]] == [
        ("#new-save", "imported", "shared", "imported", admin.id),
        ("button.new-save", "imported", "shared", "imported", admin.id),
        ('[data-qa="save"]', "imported", "shared", "imported", admin.id)], vs
    # Exported again: the same alternatives.
    again = json.loads(export(admin, copy_["id"], "devtools").raw)
    assert [s for s in again["steps"] if s["type"] == "click"][0]["selectors"] == clicks[0]["selectors"]


# ------------------------------------------------------------------------------------------------
# Frames and shadow roots
# ------------------------------------------------------------------------------------------------

def _target(n, selectors, action="click", value=None, tag="button", url="https://app.example.com/form"):
    s = W.step(n, action=action)
    s["selectors"] = {"primary": None, "css": None, "xpath": None, "data_testid": None, "stable_attrs": None,
                      **selectors}
    s["element_meta"] = {"tag_name": tag, "bounding_box": {"x": 8, "y": 8, "width": 20, "height": 16}}
    s["action_data"] = ({"input_value": None, "click_coordinates": {"x": 12, "y": 12}} if action == "click"
                        else {"input_value": value})
    s["page_context"]["url"] = url
    s["dom_context"] = None
    return s


CLOSED_PAY = {"primary": "pierce/button", "pierce": "pierce/button",
              "shadow_chain": ["x-shop", "pay-button", "button"], "in_closed_shadow": True}


def framed_body(name="Framed"):
    """A click in the page's second frame, a field in a cross-origin frame nested in it, a button
    in an open shadow root of a frame that is itself in a shadow root, a button in a closed root."""
    body = W.body(0, name=name)
    body["steps"] = [
        nav_step(1),
        _target(2, {"primary": "#go", "css": "#go", "frame_path": ["#content-frame"],
                    "frame_urls": ["https://app.example.com/app"], "frame_index": [1]}),
        _target(3, {"primary": "#email", "css": "#email", "frame_path": ["#content-frame", "#partner"],
                    "frame_urls": ["https://app.example.com/app", "https://partner.example.net/form"],
                    "frame_index": [1, 0]}, action="input_commit", value="ada@example.com", tag="input"),
        _target(4, {"primary": "pierce/#deep", "pierce": "pierce/#deep", "shadow_chain": ["x-panel", "#deep"],
                    "frame_path": ["pierce/iframe#widget"], "frame_index": [0]}),
        _target(5, CLOSED_PAY),
    ]
    return body


def test_frames_and_shadow_roots_in_the_devtools_export(co):
    admin, _ = co
    wf = create(admin, framed_body())
    steps = W.detail(admin, wf)[0]["steps"]
    assert [s["selectors"].get("frame_index") for s in steps] == [None, [1], [1, 0], [0], None]
    rec = json.loads(assert_file(export(admin, wf, "devtools"), "devtools"))
    acts = [s for s in rec["steps"] if s["type"] in ("click", "change")]
    # The Recorder's `frame`: the index in each ancestor's frames, outermost first.
    assert [s.get("frame") for s in acts] == [[1], [1, 0], [0], None], acts
    assert all(s["target"] == "main" for s in acts)
    assert acts[2]["selectors"][0] == ["x-panel", "#deep"] and ["pierce/#deep"] in acts[2]["selectors"]
    assert acts[3]["selectors"][0] == ["x-shop", "pay-button", "button"]


def test_frames_and_shadow_roots_in_the_playwright_export(co):
    admin, _ = co
    wf = create(admin, framed_body())
    src = assert_file(export(admin, wf, "playwright"), "playwright")
    assert 'await page.frameLocator("#content-frame").locator("#go").click();' in src, src
    assert ('await page.frameLocator("#content-frame").frameLocator("#partner").locator("#email")'
            '.fill("ada@example.com");') in src, src
    # A frame in a shadow root and an element in an open root: Playwright's CSS pierces open roots.
    assert 'await page.frameLocator("iframe#widget").locator("x-panel").locator("#deep").click();' in src, src
    assert "pierce/" not in src
    # The closed root: said so, and its host clicked instead of the element Playwright cannot reach.
    closed = src[src.index("  // 5. "):]
    assert "Playwright cannot enter closed shadow roots" in closed, closed
    assert 'await page.locator("x-shop").locator("pay-button").click();' in closed, closed
    assert 'locator("button")' not in closed
    node = shutil.which("node")
    if node:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "framed.spec.mjs")
            with open(path, "w") as f:
                f.write(src)
            p = subprocess.run([node, "--check", path], capture_output=True, text=True, timeout=60)
            assert p.returncode == 0, p.stderr


def test_frame_index_round_trips_through_import(co):
    admin, _ = co
    wf = create(admin, framed_body(name="Framed round trip"))
    rec = json.loads(export(admin, wf, "devtools").raw)
    copy_ = W.wait_labeled(admin, assert_envelope(import_(admin, rec), 201)["workflow_id"])
    steps = copy_["steps"]
    assert [s["action_type"] for s in steps] == ["navigate", "click", "input_commit", "click", "click"]
    assert [s["selectors"].get("frame_index") for s in steps] == [None, [1], [1, 0], [0], None], steps
    # A recording knows frames by index only: no frame selectors are made up.
    assert all(not s["selectors"].get("frame_path") for s in steps), [s["selectors"] for s in steps]
    assert steps[3]["selectors"]["shadow_chain"] == ["x-panel", "#deep"]
    assert steps[4]["element_meta"]["tag_name"] == "button"  # the chain's element, not its first host
    again = json.loads(export(admin, copy_["id"], "devtools").raw)
    assert [s.get("frame") for s in again["steps"] if s["type"] in ("click", "change")] == [[1], [1, 0], [0], None]
    # Playwright has only the index to go by: the n-th iframe.
    src = export(admin, copy_["id"], "playwright").raw.decode()
    assert 'page.frameLocator("iframe").nth(1).frameLocator("iframe").nth(0).locator("#email")' in src, src


@pytest.mark.parametrize("bad", [[-1], [1001], [0] * 11, ["0"], [0.5]])
def test_frame_index_is_bounded(co, bad):
    admin, _ = co
    body = framed_body()
    body["steps"][1]["selectors"]["frame_index"] = bad
    assert_validation_error(admin.post("/api/workflows", body))


FRAMED_TOP = """<!DOCTYPE html><html><head><title>Framed</title></head><body>
<iframe id="ad" src="/ad" title="Ad"></iframe>
<iframe id="content-frame" src="/app" title="App"></iframe>
<x-shop></x-shop>
<script>
// A vendor's components with closed roots, inside the shop's open root.
const closed = (html, wire) => class extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({ mode: 'closed' });
    root.innerHTML = html;
    wire(root);
  }
};
customElements.define('pay-button', closed('<button>Place order</button>', (r) => {
  r.querySelector('button').onclick = () => { document.body.dataset.paid = 'yes'; };
}));
customElements.define('coupon-box', closed('<input aria-label="Coupon" value="OLD">', (r) => {
  r.querySelector('input').addEventListener('input', (e) => { document.body.dataset.coupon = e.target.value; });
}));
customElements.define('x-shop', class extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML = '<p><coupon-box></coupon-box></p><p><pay-button></pay-button></p>';
  }
});
</script>
</body></html>"""
# The ad frame has a #go too: a step in the wrong frame clicks it.
FRAMED_AD = """<!DOCTYPE html><html><body><button id="go" onclick="this.textContent='Wrong frame'">Go</button></body></html>"""
FRAMED_APP = """<!DOCTYPE html><html><body>
<button id="go" onclick="this.textContent='Clicked'">Go</button>
<x-panel></x-panel>
<iframe id="partner" src="{partner}/partner" title="Partner"></iframe>
<script>
customElements.define('x-panel', class extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = '<button id="deep">Deep</button>';
    root.querySelector('#deep').onclick = () => { document.body.dataset.deep = 'clicked'; };
  }
});
</script></body></html>"""
FRAMED_PARTNER = """<!DOCTYPE html><html><body><input id="email" aria-label="Email"></body></html>"""


def _serve(pages):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            page = pages.get(self.path)
            data = (page or "not found").encode()
            self.send_response(200 if page else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}"


@pytest.fixture
def framed_site():
    """The fixture's pages on two listeners (the partner frame on another site, so out of process)
    and the steps of a workflow recorded there that reach into its frames."""
    partner, partner_url = _serve({"/partner": FRAMED_PARTNER})
    # Another site than 127.0.0.1: Chromium puts the frame in a process of its own.
    partner_url = partner_url.replace("127.0.0.1", "localhost")
    app, app_url = _serve({"/top": FRAMED_TOP, "/ad": FRAMED_AD,
                           "/app": FRAMED_APP.replace("{partner}", partner_url)})
    top = f"{app_url}/top"
    steps = [
        nav_step(1, top),
        _target(2, {"primary": "#go", "css": "#go", "frame_path": ["#content-frame"], "frame_index": [1]}, url=top),
        _target(3, {"primary": "pierce/#deep", "pierce": "pierce/#deep", "shadow_chain": ["x-panel", "#deep"],
                    "frame_path": ["#content-frame"], "frame_index": [1]}, url=top),
        _target(4, {"primary": "#email", "css": "#email", "frame_path": ["#content-frame", "#partner"],
                    "frame_index": [1, 0]}, action="input_commit", value="ada@example.com", tag="input", url=top),
    ]
    yield top, steps
    for srv in (app, partner):
        srv.shutdown()
        srv.server_close()


def chromium_or_skip(module):
    node = node_or_skip()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium or not os.path.isdir(os.path.join(REPO_ROOT, "node_modules", module)):
        pytest.skip(f"chromium or node_modules/{module} is missing")
    return node, chromium


def run_exported(node, chromium, raw, script):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "exported")
        with open(path, "wb") as f:
            f.write(raw)
        p = run_node(node, script, path, chromium, timeout=180)
    assert p.returncode == 0, p.stderr + p.stdout
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_puppeteer_replay_runs_framed_steps_in_chromium(co, framed_site):
    """The exported `frame` leads @puppeteer/replay (frame.childFrames()[i] from the main frame)
    into the second frame of the page, into a frame of another site in it (out of process), and
    into an open shadow root inside a frame."""
    node, chromium = chromium_or_skip("puppeteer-core")
    top, steps = framed_site
    admin, _ = co
    body = W.body(0, name="Framed replay", starting_url=top)
    body["steps"] = steps
    raw = export(admin, create(admin, body), "devtools").raw
    got = run_exported(node, chromium, raw, """
const fs = require('fs');
const puppeteer = require('puppeteer-core');
const { createRunner, parse, PuppeteerRunnerExtension } = require('@puppeteer/replay');
(async () => {
  const browser = await puppeteer.launch({ executablePath: process.argv[2], headless: 'new',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--site-per-process'] });
  try {
    const page = await browser.newPage();
    const rec = parse(JSON.parse(fs.readFileSync(process.argv[1], 'utf8')));
    const runner = await createRunner(rec, new PuppeteerRunnerExtension(browser, page, { timeout: 10000 }));
    await runner.run();
    const frame = (p) => page.frames().find((f) => new URL(f.url()).pathname === p);
    console.log(JSON.stringify({
      go: await frame('/app').$eval('#go', (e) => e.textContent),
      ad: await frame('/ad').$eval('#go', (e) => e.textContent),
      deep: await frame('/app').$eval('body', (e) => e.dataset.deep || null),
      email: await frame('/partner').$eval('#email', (e) => e.value),
      // An out-of-process frame has a DevTools session of its own.
      oopif: frame('/partner').client !== frame('/app').client,
    }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
""")
    assert got == {"go": "Clicked", "ad": "Go", "deep": "clicked", "email": "ada@example.com", "oopif": True}, got


def test_playwright_export_runs_in_chromium(co, framed_site):
    """The Playwright export, run with playwright-core (its `test` stood in for): into the frames,
    an open shadow root in a frame, and two closed roots through their hosts (a button clicked, a
    field focused and typed over)."""
    node, chromium = chromium_or_skip("playwright-core")
    top, steps = framed_site
    admin, _ = co
    body = W.body(0, name="Framed Playwright", starting_url=top)
    body["steps"] = steps + [
        _target(5, CLOSED_PAY, url=top),
        _target(6, {"primary": "pierce/input", "shadow_chain": ["x-shop", "coupon-box", "input"],
                    "in_closed_shadow": True}, action="input_commit", value="WINTER10", tag="input", url=top),
    ]
    raw = export(admin, create(admin, body), "playwright").raw
    got = run_exported(node, chromium, raw, """
const fs = require('fs');
const { chromium } = require('playwright-core');
const src = fs.readFileSync(process.argv[1], 'utf8').replace("import { test } from '@playwright/test';", '');
let run = null;
new Function('test', src)((name, fn) => { run = fn; });
(async () => {
  const browser = await chromium.launch({ executablePath: process.argv[2],
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--site-per-process'] });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(10000);
    await run({ page });
    const frame = (p) => page.frames().find((f) => new URL(f.url()).pathname === p);
    console.log(JSON.stringify({
      go: await frame('/app').locator('#go').textContent(),
      ad: await frame('/ad').locator('#go').textContent(),
      deep: await frame('/app').evaluate(() => document.body.dataset.deep || null),
      email: await frame('/partner').locator('#email').inputValue(),
      paid: await page.evaluate(() => document.body.dataset.paid || null),
      coupon: await page.evaluate(() => document.body.dataset.coupon || null),
    }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
""")
    assert got == {"go": "Clicked", "ad": "Go", "deep": "clicked", "email": "ada@example.com", "paid": "yes",
                   "coupon": "WINTER10"}, got
