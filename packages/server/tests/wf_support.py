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
