"""Shared helpers for the workflow / screenshot / blob tests (issue 4).

Standard library only: images are PNGs written here with zlib + struct; JPEG and WebP are
converted from them with the `vips` command line tool (Debian's libvips-tools) when it is there.
"""
import hashlib
import importlib.util
import json
import os
import secrets
import shutil
import socket
import struct
import subprocess
import tempfile
import uuid
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

import pytest

import helpers
from helpers import assert_envelope

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
STEPGEN = os.path.abspath(os.path.join(REPO_ROOT, "..", "shared", "anchors", "fastapi-ref", "bench", "stepgen.py"))
S3RVER = os.path.join(REPO_ROOT, "node_modules", "s3rver", "bin", "s3rver.js")
S3_BUCKET = "stepwise-wf-test"


# ------------------------------------------------------------------------------------------------
# Images
# ------------------------------------------------------------------------------------------------

def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width=64, height=48, seed=None, noise=False):
    """A valid RGB PNG. `seed` makes the pixels (and so the hash) unique; `noise` makes the image
    incompressible (for big files)."""
    seed = secrets.token_bytes(8) if seed is None else (seed if isinstance(seed, bytes) else str(seed).encode())
    rows = []
    if noise:
        stream = hashlib.shake_256(seed).digest(width * height * 3)
        for y in range(height):
            rows.append(b"\x00" + stream[y * width * 3:(y + 1) * width * 3])
    else:
        base = hashlib.sha256(seed).digest()
        for y in range(height):
            row = bytearray()
            for x in range(width):
                row += bytes(((x * 4 + base[0]) & 255, (y * 4 + base[1]) & 255, (x ^ y ^ base[2]) & 255))
            rows.append(b"\x00" + bytes(row))
    raw = b"".join(rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(raw, 1))
            + _chunk(b"IEND", b""))


def have_vips():
    return shutil.which("vips") is not None


def convert(png_bytes, fmt, options="", colourspace=None):
    """PNG bytes → 'jpg' or 'webp' bytes with the vips CLI (skips the test when it is missing).
    options: vips save options ("interlace", "lossless", "Q=5"); colourspace: "b-w", "cmyk", …"""
    if not have_vips():
        pytest.skip("the vips command line tool is missing (apt-get install libvips-tools)")
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "in.png")
        dst = os.path.join(d, "out." + fmt)
        with open(src, "wb") as f:
            f.write(png_bytes)
        target = dst + (f"[{options}]" if options else "")
        cmd = ["vips", "colourspace", src, target, colourspace] if colourspace else ["vips", "copy", src, target]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
        with open(dst, "rb") as f:
            return f.read()


def sha_ref(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------------------
# Multipart
# ------------------------------------------------------------------------------------------------

def multipart(parts, boundary=None):
    """parts: list of (name, value, filename or None, content type or None). Returns (body, ctype)."""
    boundary = boundary or "----stepwise" + secrets.token_hex(12)
    out = bytearray()
    for name, value, filename, ctype in parts:
        if isinstance(value, str):
            value = value.encode()
        out += b"--" + boundary.encode() + b"\r\n"
        disp = f'Content-Disposition: form-data; name="{name}"'
        if filename is not None:
            disp += f'; filename="{filename}"'
        out += disp.encode() + b"\r\n"
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + value + b"\r\n"
    out += b"--" + boundary.encode() + b"--\r\n"
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def upload_parts(image, image_hash=None, workflow_id=None, step_id=None, filename="shot.png", ctype="image/png"):
    parts = [("image", image, filename, ctype),
             ("image_hash", image_hash if image_hash is not None else sha_ref(image), None, None)]
    if workflow_id is not None:
        parts.append(("workflow_id", str(workflow_id), None, None))
    if step_id is not None:
        parts.append(("step_id", step_id, None, None))
    return parts


def post_form(account, parts=None, body=None, ctype=None, boundary=None, headers=None, timeout=120):
    if parts is not None:
        body, ctype = multipart(parts, boundary)
    hdrs = {"Content-Type": ctype}
    hdrs.update(headers or {})
    return account.server.request("POST", "/api/screenshots", token=account.token, raw=body, headers=hdrs,
                                  timeout=timeout)


def upload(account, image, **kw):
    return post_form(account, upload_parts(image, **kw))


def upload_ok(account, image=None, status=(200, 201), **kw):
    image = image if image is not None else png()
    r = upload(account, image, **kw)
    assert r.status in (status if isinstance(status, tuple) else (status,)), r
    return assert_envelope(r, r.status)


def usage(admin):
    d = assert_envelope(admin.get("/api/company"), 200)
    return d["screenshot_count"], d["screenshot_bytes"]


def wait_thumbnail(account, shot_id, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        d = assert_envelope(account.get(f"/api/screenshots/{shot_id}"), 200)
        if d["thumbnail_url"]:
            return d
        if time.monotonic() > deadline:
            raise AssertionError(f"no thumbnail for screenshot {shot_id} within {timeout}s: {d}")
        time.sleep(0.1)


def fetch(url, timeout=30):
    """GET an absolute URL without a token; (status, headers, bytes)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def local_path(url):
    """The path + query of an absolute URL (to send it to a server on another port/host)."""
    u = urllib.parse.urlsplit(url)
    return u.path + ("?" + u.query if u.query else "")


# ------------------------------------------------------------------------------------------------
# Workflows
# ------------------------------------------------------------------------------------------------

def step(n, action="click", shot=None, **extra):
    """A small valid RecordedStep."""
    s = {
        "step_number": n,
        "timestamp": "2026-11-25T21:30:00.000Z",
        "action_type": action,
        "selectors": {"primary": f'[data-testid="btn-{n}"]', "css": f"#b{n}", "xpath": f"/html/body/button[{n}]",
                      "data_testid": f"btn-{n}", "stable_attrs": {"id": f"b{n}"}},
        "element_meta": {"tag_name": "button", "role": "button", "inner_text": f"Button {n}",
                         "classes": ["btn"], "bounding_box": {"x": 10, "y": 20.5, "width": 100, "height": 30}},
        "page_context": {"url": "https://app.example.com/form", "title": "Form",
                         "viewport": {"width": 1280, "height": 800}},
        "action_data": {"input_value": None, "click_coordinates": {"x": 50, "y": 35}},
        "dom_context": {"element_html": f'<button id="b{n}">Button {n}</button>', "parent_html": "<div></div>"},
    }
    if shot is not None:
        s["screenshot_ref"] = shot
    s.update(extra)
    return s


def body(n_steps=3, name=None, starting_url="https://app.example.com/form", tags=None, description="desc",
         shots=None):
    shots = shots or {}
    meta = {"name": name or f"WF {secrets.token_hex(4)}", "starting_url": starting_url}
    if description is not None:
        meta["description"] = description
    if tags is not None:
        meta["tags"] = tags
    return {"metadata": meta, "steps": [step(i + 1, shot=shots.get(i + 1)) for i in range(n_steps)]}


def create(admin, payload=None, wait=True, **kw):
    """Uploads a workflow; it is `processing` while its steps are labeled. With `wait`, returns once
    labeling is done (status `needs_review`)."""
    r = admin.post("/api/workflows", payload if payload is not None else body(**kw))
    d = assert_envelope(r, 201)
    assert set(d) == {"workflow_id", "status"}, r
    assert d["status"] == "processing", r
    if wait:
        wait_labeled(admin, d["workflow_id"])
    return d["workflow_id"]


def wait_labeled(account, wf_id, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        r = account.get(f"/api/workflows/{wf_id}")
        data = assert_envelope(r, 200)
        if data["status"] != "processing":
            return data
        assert time.monotonic() < deadline, f"workflow {wf_id} still processing: {data.get('labeling')}"
        time.sleep(0.02)


def force_status(admin, wf_id, status):
    """Puts a workflow in a status the API cannot move it to (draft) or keep it in (processing):
    written in the database, then a no-op edit through the API so that the server's caches drop it."""
    admin.server.db.execute("UPDATE workflows SET status = %s WHERE id = %s", (status, wf_id))
    name = assert_envelope(admin.get(f"/api/workflows/{wf_id}"), 200)["name"]
    assert_envelope(put(admin, wf_id, {"name": name}), 200)


def detail(account, wf_id):
    r = account.get(f"/api/workflows/{wf_id}")
    return assert_envelope(r, 200), r


def put(account, wf_id, payload, if_match=None):
    hdrs = {"If-Match": if_match} if if_match else None
    return account.server.request("PUT", f"/api/workflows/{wf_id}", body=payload, token=account.token,
                                  headers=hdrs)


def set_status(admin, wf_id, *statuses):
    for s in statuses:
        r = put(admin, wf_id, {"status": s})
        assert_envelope(r, 200)
        assert r.body["data"]["status"] == s, r


def activate(admin, wf_id):
    set_status(admin, wf_id, "active")


def total(account, query="include_archived=true"):
    r = account.get("/api/workflows?" + query if query else "/api/workflows")
    assert_envelope(r, 200)
    return r.body["meta"]["total"]


def stepgen():
    """The anchor's StepGenerator class (skips when the anchor is absent)."""
    if not os.path.isfile(STEPGEN):
        pytest.skip(f"the anchor's payload generator is missing: {STEPGEN}")
    spec = importlib.util.spec_from_file_location("anchor_stepgen", STEPGEN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.StepGenerator


# ------------------------------------------------------------------------------------------------
# s3rver and dedicated servers
# ------------------------------------------------------------------------------------------------

def start_s3rver():
    """(process, endpoint, data dir) of a throwaway s3rver with one bucket; skips when unavailable."""
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed: no S3-protocol server for the s3 blob backend")
    if not os.path.isfile(S3RVER):
        pytest.skip("node_modules/s3rver is missing (scripts/npm-deps.sh installs it): s3 backend not tested")
    data = tempfile.mkdtemp(prefix="stepwise-wf-s3rver-")
    port = helpers.free_port()
    log = open(data + ".log", "w+b")
    proc = subprocess.Popen([node, S3RVER, "-d", data, "-a", "127.0.0.1", "-p", str(port), "--silent",
                             "--configure-bucket", S3_BUCKET], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 20
    while True:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"s3rver exited with {proc.returncode}: {log.read().decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.time() > deadline:
                proc.kill()
                raise RuntimeError("s3rver did not start listening within 20 s")
            time.sleep(0.1)
    log.close()
    return proc, f"http://127.0.0.1:{port}", data


def stop_s3rver(proc, data):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(data, ignore_errors=True)
    try:
        os.unlink(data + ".log")
    except OSError:
        pass


def s3_env(endpoint, prefix="shots"):
    return {"STORAGE_URL": f"s3://{S3_BUCKET}/{prefix}?endpoint={endpoint}&region=us-east-1&path_style=true",
            "AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER", "AWS_SESSION_TOKEN": None}


def dedicated_server(stepwise_bin, db_kind, tmp_path_factory, **env):
    """A server owned by the caller (module fixtures): call stop_dedicated() when done."""
    tmp = str(tmp_path_factory.mktemp("wfserver"))
    srv = helpers.Server(stepwise_bin, tmp, db_kind, os.environ.get("TEST_DATABASE_ADMIN_URL"), env=env)
    try:
        srv.start()
    except RuntimeError as e:
        srv.close()
        pytest.fail(str(e), pytrace=False)
    return srv


def stop_dedicated(srv):
    problems = srv.stop()
    logs = srv.logs()
    srv.close()
    return problems, logs


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"))


def raw_http(method, path, body, headers, port, token=None):
    """The bytes of one HTTP/1.1 request (for bodies the server may refuse before reading them all)."""
    hdrs = {"Host": f"127.0.0.1:{port}", "Connection": "close"}
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    hdrs.update(headers)
    if body is not None and "Content-Length" not in hdrs:
        hdrs["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
    return head.encode() + (body or b"")


def send_raw(account, method, path, body, headers):
    """Sends a request whose body the server may cut short; returns the Resp (fails without one)."""
    data = raw_http(method, path, body, headers, account.server.port, token=account.token)
    resp, err = account.server.raw(data, timeout=120)
    assert resp is not None, f"connection dropped without a response: {err}"
    return resp


def png_bomb(width=10000, height=10000):
    """A tiny 1-bit greyscale PNG that decodes to width × height pixels (a decompression bomb)."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    c = zlib.compressobj(9)
    idat = c.compress(row * height) + c.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))


def png_kind(width, height, color_type, bit_depth=8, seed=b"k"):
    """A PNG of another kind: greyscale (0), RGB (2), palette (3), grey+alpha (4), RGBA (6)."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    bits_per_row = width * channels * bit_depth
    row_bytes = (bits_per_row + 7) // 8
    stream = hashlib.shake_256(seed if isinstance(seed, bytes) else str(seed).encode()).digest(row_bytes * height)
    raw = b"".join(b"\x00" + stream[y * row_bytes:(y + 1) * row_bytes] for y in range(height))
    if color_type == 3:  # palette indexes must exist: use a full palette for the bit depth
        entries = 1 << bit_depth
        plte = bytes((i * 37) & 255 for i in range(entries * 3))
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    out = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
    if color_type == 3:
        out += _chunk(b"PLTE", plte)
    return out + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")


# ------------------------------------------------------------------------------------------------
# Job queue and labeling (issue 5): `stepwise worker` processes, a Redis of our own, RESP commands
# ------------------------------------------------------------------------------------------------

class Worker:
    """A `stepwise worker --concurrency N` process with a server's settings (same database, Redis,
    AI vendors), plus `env` overrides. stop() sends SIGTERM; kill() is kill -9."""

    def __init__(self, server, concurrency=4, **env):
        self.server = server
        self.concurrency = concurrency
        self.env = env
        self.log_path = os.path.join(server.tmp_dir, f"worker-{secrets.token_hex(4)}.log")
        self.proc = None

    def start(self):
        base = self.server.environment()
        for k, v in self.env.items():
            if v is None:
                base.pop(k, None)
            else:
                base[k] = str(v)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.server.binary, "worker", "--concurrency", str(self.concurrency)],
                                     cwd=self.server.tmp_dir, env=base, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + 30
        while "worker started" not in self.logs():
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited with {self.proc.returncode} during start\n{self.logs()}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"worker did not start within 30 s\n{self.logs()}")
            time.sleep(0.02)
        return self

    def logs(self, tail=None):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode(errors="replace")
        except OSError:
            return ""
        return text[-tail:] if tail else text

    def kill(self):
        """kill -9."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self, timeout=15):
        """SIGTERM; returns the exit code (None when it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def redis_cmd(url, *args, timeout=5):
    """One Redis command over RESP (no client library); returns the decoded reply (errors raise)."""
    u = urllib.parse.urlsplit(url)
    with socket.create_connection((u.hostname, u.port or 6379), timeout=timeout) as s:
        f = s.makefile("rb")
        db = (u.path or "/0").strip("/") or "0"
        cmds = ([["SELECT", db]] if db != "0" else []) + [list(args)]
        for cmd in cmds:
            parts = [str(a).encode() if not isinstance(a, bytes) else a for a in cmd]
            s.sendall(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
            reply = _resp_read(f)
        return reply


def _resp_read(f):
    line = f.readline()
    if not line:
        raise ConnectionError("redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RuntimeError("redis: " + rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode(errors="replace")
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_resp_read(f) for _ in range(n)]
    raise RuntimeError(f"redis: unexpected reply {line!r}")


class RedisServer:
    """A redis-server of our own (for restart tests): AOF persistence in a temp dir when `persist`.
    Skips the test when redis-server is not installed."""

    def __init__(self, persist=True, port=None):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            pytest.skip("redis-server is not installed")
        self.dir = tempfile.mkdtemp(prefix="stepwise-redis-own-")
        self.port = port or helpers.free_port()
        self.persist = persist
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir, "--save", ""]
        args += ["--appendonly", "yes", "--appendfsync", "always"] if self.persist else ["--appendonly", "no"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis_cmd(self.url, "PING", timeout=1) == "PONG":
                    return self
            except (OSError, RuntimeError):
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("could not start redis-server")
            time.sleep(0.05)

    def stop(self):
        """A clean shutdown (SIGTERM: the AOF is flushed)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_for(pred, timeout=20, interval=0.05, what="condition"):
    """Polls pred() until it returns a true value (returned); fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        assert time.monotonic() < deadline, f"{what} not reached within {timeout} s"
        time.sleep(interval)


# Settings of issue 5 a developer's shell could leak into a server under test: unset unless a test
# sets them.
LABELING_ENV_CLEAN = {k: None for k in (
    "JOB_QUEUE", "REDIS_URL", "REDIS_PREFIX", "WORKER_CONCURRENCY", "JOB_VISIBILITY_MS", "JOB_RETRY_BASE_MS",
    "LABELING_DEADLINE_MS", "AI_PROVIDER", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL",
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "AI_MAX_IN_FLIGHT", "AI_ATTEMPTS",
    "AI_CONNECT_TIMEOUT_MS", "AI_TIMEOUT_MS", "AI_BACKOFF_BASE_MS")}


def queue_settings(kind, redis_url=None):
    """Server settings for a queue backend: "embedded", or "redis" with a prefix of its own."""
    if kind == "embedded":
        return {"JOB_QUEUE": "embedded", "REDIS_URL": None}
    assert kind == "redis" and redis_url, kind
    return {"JOB_QUEUE": "redis", "REDIS_URL": redis_url, "REDIS_PREFIX": "t" + secrets.token_hex(6)}


def element_step(n, action="click", tag="button", text=None, value=None, url="https://app.example.com/form",
                 title="Form", shot=None, **meta):
    """A RecordedStep for labeling tests: element_meta from tag/text/meta (label_text, placeholder,
    name, type, role, aria_label, …); `value` goes to action_data.input_value."""
    m = {"tag_name": tag, "classes": [], "bounding_box": {"x": 10, "y": 20, "width": 100, "height": 30}}
    if text is not None:
        m["inner_text"] = text
    masked = meta.pop("value_masked", None)
    m.update(meta)
    s = {
        "step_number": n,
        "timestamp": "2026-11-25T21:30:00.000Z",
        "action_type": action,
        "selectors": {"primary": f"#e{n}", "css": f"#e{n}", "xpath": f"/html/body/*[{n}]"},
        "element_meta": m,
        "page_context": {"url": url, "title": title, "viewport": {"width": 1280, "height": 800}},
        "action_data": {"input_value": value},
        "dom_context": {"element_html": f"<{tag} id=\"e{n}\"></{tag}>", "parent_html": "<div></div>"},
    }
    if masked is not None:
        s["action_data"]["value_masked"] = masked
    if shot is not None:
        s["screenshot_ref"] = shot
    return s


def unique_steps(n, tag="button"):
    """n click steps whose element texts are unique (no label-cache hit between tests)."""
    salt = secrets.token_hex(3)
    return [element_step(i + 1, text=f"Action {salt} {i + 1}", tag=tag) for i in range(n)]


def wf_body(steps, name=None):
    return {"metadata": {"name": name or f"WF {secrets.token_hex(4)}", "starting_url": "https://app.example.com/"},
            "steps": steps}


def db_steps(server, wf_id):
    """(id, field_label, instruction, ai_model, label_status, label_edited, instruction_edited) by step_number."""
    return server.db.query("SELECT id, field_label, instruction, ai_model, label_status, label_edited, "
                           "instruction_edited FROM steps WHERE workflow_id = %s ORDER BY step_number", (wf_id,))


def lenv(*dicts, **kw):
    """Server settings for labeling tests: LABELING_ENV_CLEAN, then each dict, then keywords."""
    out = dict(LABELING_ENV_CLEAN)
    for d in dicts:
        out.update(d)
    out.update(kw)
    return out


def break_workflow(admin):
    """Publishes a new two-step workflow and reports three failed runs: it is broken, and a
    `workflow_broken` alert (an error: sent to the webhook) exists. Returns its id."""
    wf = create(admin, body(2))
    activate(admin, wf)
    for _ in range(3):
        entry = {"client_id": str(uuid.uuid4()), "run_id": str(uuid.uuid4()), "step_id": None, "status": "failed"}
        assert_envelope(admin.post(f"/api/workflows/{wf}/health-logs", {"entries": [entry]}), 200)
    assert detail(admin, wf)[0]["status"] == "broken"
    return wf
