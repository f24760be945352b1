"""Screenshots and signed blob URLs (issue 4), black box, over both blob backends.

`store` runs every test twice: on the local file store (signed /api/blobs/ URLs) and on S3 (an
s3rver on a loopback port; pre-signed GETs that point at it). Bad multipart bodies get a clear 4xx
and store nothing (GET /api/company screenshot_count / screenshot_bytes unchanged).
"""
import hashlib
import hmac
import os
import socket
import struct
import threading
import time
import urllib.parse

import pytest

import helpers
from helpers import assert_envelope, assert_error, assert_validation_error
import wf_support as W

SCREENSHOT_KEYS = {"screenshot_id", "storage_url", "hash", "thumbnail_url", "width", "height", "format",
                   "file_size", "workflow_id", "created_at"}
MB = 1024 * 1024


@pytest.fixture(scope="module")
def s3_endpoint():
    try:
        proc, endpoint, data = W.start_s3rver()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    yield endpoint, data
    W.stop_s3rver(proc, data)


@pytest.fixture(scope="module", params=["file", "s3"])
def store(request, stepwise_bin, db_kind, tmp_path_factory):
    """A server on one blob backend: {"kind", "server", "endpoint"}."""
    env = {}
    endpoint = None
    root = None
    if request.param == "s3":
        endpoint, root = request.getfixturevalue("s3_endpoint")
        env = W.s3_env(endpoint, prefix="shots")
    srv = W.dedicated_server(stepwise_bin, db_kind, tmp_path_factory, **env)
    root = root or os.path.join(srv.data_dir, "blobs")
    yield {"kind": request.param, "server": srv, "endpoint": endpoint, "root": root}
    problems, logs = W.stop_dedicated(srv)
    if problems:
        pytest.fail("\n".join(problems) + "\n" + logs, pytrace=False)


@pytest.fixture
def co(store):
    admin, regular = store["server"].company_team()
    return admin, regular


def blob_files(store, company_id, temp=False):
    """The stored objects of a company, as the backend holds them on disk (file store or s3rver's);
    the store's temporary files (a write in progress) only with temp=True."""
    marker = f"companies/{company_id}/screenshots/"
    found = set()
    for d, _, files in os.walk(store["root"]):
        for f in files:
            if f.startswith(".tmp") and not temp:
                continue
            p = os.path.join(d, f)
            if marker in p and "metadata" not in f:
                found.add(p[p.index(marker) + len(marker):].split(os.sep)[0].split("._S3rver_object")[0])
    return found


def _blob_path(store, url):
    """Where a local-store URL's key lies on disk."""
    key = urllib.parse.unquote(urllib.parse.urlsplit(url).path[len("/api/blobs/"):])
    return os.path.join(store["server"].data_dir, "blobs", key)


def _check_url(store, url, expect):
    """The signed URL serves `expect` (bytes), without any token."""
    if store["kind"] == "s3":
        assert url.startswith(store["endpoint"] + "/" + W.S3_BUCKET + "/shots/companies/"), url
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=900" in url, url
    else:
        srv = store["server"]
        assert url.startswith(f"http://127.0.0.1:{srv.port}/api/blobs/companies/"), url
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        assert set(q) == {"expires", "sig"}, url
        assert 0 < int(q["expires"][0]) - time.time() <= 901, url
    status, headers, data = W.fetch(url)
    assert status == 200, (status, data[:300])
    assert data == expect
    return headers


def _webp_size(data):
    """(width, height) of a WebP (VP8, VP8L or VP8X)."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", data[:16]
    kind = data[12:16]
    if kind == b"VP8X":
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    if kind == b"VP8L":
        b = int.from_bytes(data[21:25], "little")
        return (b & 0x3FFF) + 1, ((b >> 14) & 0x3FFF) + 1
    if kind == b"VP8 ":
        assert data[23:26] == b"\x9d\x01\x2a", data[20:30]
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    raise AssertionError(f"unknown WebP chunk {kind!r}")


# ------------------------------------------------------------------------------------------------
# Upload: success, formats, dedupe
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
def test_upload_each_format(store, co, fmt):
    admin, _ = co
    src = W.png(120, 90)
    data = {"png": src, "jpeg": lambda: W.convert(src, "jpg"), "webp": lambda: W.convert(src, "webp")}[fmt]
    data = data() if callable(data) else data
    mime = f"image/{fmt}"
    before = W.usage(admin)
    r = W.upload(admin, data, ctype=mime, filename=f"step.{fmt}", step_id="client-step-7")
    assert r.status == 201, r
    assert r.body["meta"] == {}
    d = r.body["data"]
    assert set(d) == SCREENSHOT_KEYS, d.keys()
    assert d["format"] == fmt and (d["width"], d["height"]) == (120, 90)
    assert d["file_size"] == len(data) and d["hash"] == W.sha_ref(data)
    assert d["workflow_id"] is None
    assert d["thumbnail_url"] is None or isinstance(d["thumbnail_url"], str)
    assert helpers.TIMESTAMP_RE.match(d["created_at"]), d
    assert hashlib.sha256(data).hexdigest() in d["storage_url"]
    ext = {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}[fmt]
    assert f"/companies/{admin.company_id}/screenshots/{hashlib.sha256(data).hexdigest()}{ext}" in d["storage_url"]
    headers = _check_url(store, d["storage_url"], data)
    stored = blob_files(store, admin.company_id)
    assert any(f.startswith(hashlib.sha256(data).hexdigest() + ext) for f in stored), stored
    if store["kind"] == "file":
        assert headers.get("Content-Type") == mime, dict(headers)
    assert W.usage(admin) == (before[0] + 1, before[1] + len(data))
    # GET: the same record with a fresh signed URL.
    got = assert_envelope(admin.get(f"/api/screenshots/{d['screenshot_id']}"), 200)
    assert {k: got[k] for k in SCREENSHOT_KEYS - {"storage_url", "thumbnail_url"}} == \
        {k: d[k] for k in SCREENSHOT_KEYS - {"storage_url", "thumbnail_url"}}
    _check_url(store, got["storage_url"], data)


def test_thumbnail_is_made(store, co):
    admin, _ = co
    data = W.png(1000, 500)
    d = W.upload_ok(admin, data, status=201)
    got = W.wait_thumbnail(admin, d["screenshot_id"])
    # Written whole (temp file renamed) before the record names it.
    assert {f for f in blob_files(store, admin.company_id, temp=True)} == \
        {hashlib.sha256(data).hexdigest() + ".png", hashlib.sha256(data).hexdigest() + ".thumb.webp"}
    status, _, thumb = W.fetch(got["thumbnail_url"])
    assert status == 200, thumb[:200]
    w, h = _webp_size(thumb)
    assert 300 <= w <= 420 and abs(w / h - 2.0) < 0.1, (w, h)
    if store["kind"] == "file":
        assert ".thumb.webp" in got["thumbnail_url"]
    # The workflow detail carries the thumbnail's signed URL too.
    wf_id = W.create(admin, W.body(1, shots={1: {"id": d["screenshot_id"]}}))
    link = W.detail(admin, wf_id)[0]["steps"][0]["screenshot"]
    assert W.fetch(link["thumbnail_url"])[2] == thumb
    assert W.fetch(link["url"])[2] == data


def test_dedupe_per_company(store, co):
    admin, regular = co
    data = W.png()
    first = W.upload_ok(admin, data, status=201)
    usage = W.usage(admin)
    # Same bytes, other file name, other declared type, other user of the company: the same record.
    for who, kw in ((admin, {}), (regular, {"filename": "other.bin", "ctype": "application/octet-stream"}),
                    (admin, {"step_id": "s-2"})):
        r = W.upload(who, data, **kw)
        assert r.status == 200, r
        assert r.body["data"]["screenshot_id"] == first["screenshot_id"]
        assert r.body["data"]["hash"] == first["hash"]
    assert W.usage(admin) == usage
    assert {f for f in blob_files(store, admin.company_id) if ".thumb." not in f} == \
        {hashlib.sha256(data).hexdigest() + ".png"}
    # Another company stores its own copy under its own key.
    other, _ = store["server"].company_team()
    theirs = W.upload_ok(other, data, status=201)
    assert theirs["screenshot_id"] != first["screenshot_id"]
    assert f"/companies/{other.company_id}/" in theirs["storage_url"]
    assert W.usage(other) == (1, len(data))
    assert W.usage(admin) == usage
    _check_url(store, theirs["storage_url"], data)
    _check_url(store, first["storage_url"], data)


def test_concurrent_identical_uploads_store_once(store, co):
    admin, _ = co
    data = W.png(200, 200)
    before = W.usage(admin)
    results = [None] * 8

    def go(i):
        results[i] = W.upload(admin, data)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in results)
    assert statuses.count(201) == 1 and statuses.count(200) == 7, results
    assert len({r.body["data"]["screenshot_id"] for r in results}) == 1
    assert W.usage(admin) == (before[0] + 1, before[1] + len(data))


def test_upload_with_own_workflow_id(store, co):
    admin, regular = co
    wf_id = W.create(admin, W.body(1))
    d = W.upload_ok(regular, W.png(), workflow_id=wf_id, status=201)
    assert d["workflow_id"] == wf_id


def test_upload_needs_a_token(store):
    srv = store["server"]
    body, ctype = W.multipart(W.upload_parts(W.png()))
    assert_error(srv.request("POST", "/api/screenshots", raw=body, headers={"Content-Type": ctype}), 401)
    assert_error(srv.request("GET", "/api/screenshots/1"), 401)


def test_path_traversal_filename_does_not_matter(store, co):
    admin, _ = co
    data = W.png()
    for name in ("../../etc/passwd", "..\\..\\windows\\system32", "/etc/shadow", "a/../../b.png", "%2e%2e/x"):
        r = W.upload(admin, data, filename=name)
        assert r.status in (200, 201), (name, r)
        url = r.body["data"]["storage_url"]
        assert "passwd" not in url and "shadow" not in url and ".." not in url and "system32" not in url, url
        assert f"/companies/{admin.company_id}/screenshots/{hashlib.sha256(data).hexdigest()}.png" in url
    assert W.usage(admin) == (1, len(data))
    if store["kind"] == "file":
        srv = store["server"]
        for p in ("etc/passwd", "etc", "b.png", "x"):
            assert not os.path.exists(os.path.join(srv.tmp_dir, p)), p
            assert not os.path.exists(os.path.join(srv.data_dir, p)), p
        assert os.path.isfile(_blob_path(store, url))


# ------------------------------------------------------------------------------------------------
# Upload: bad input → clear 4xx, nothing stored
# ------------------------------------------------------------------------------------------------

PNG = W.png(40, 30, seed="fixed-bad-input")
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def _p(name, value, filename=None, ctype=None):
    return (name, value, filename, ctype)


BAD_FORMS = [
    # (id, parts, status, code, pointer)
    ("no-image", [_p("image_hash", W.sha_ref(PNG))], 422, "VALIDATION_ERROR", "/image"),
    ("no-hash", [_p("image", PNG, "a.png", "image/png")], 422, "VALIDATION_ERROR", "/image_hash"),
    ("no-parts-at-all", [], {400, 422}, None, None),
    ("two-images", [_p("image", PNG, "a.png", "image/png"), _p("image", PNG, "b.png", "image/png"),
                    _p("image_hash", W.sha_ref(PNG))], 422, "VALIDATION_ERROR", "/image"),
    ("two-hashes", [_p("image", PNG, "a.png", "image/png"), _p("image_hash", W.sha_ref(PNG)),
                    _p("image_hash", W.sha_ref(PNG))], 422, "VALIDATION_ERROR", "/image_hash"),
    ("unknown-part", W.upload_parts(PNG) + [_p("owner_company_id", "1")], 422, "VALIDATION_ERROR",
     "/owner_company_id"),
    ("hash-mismatch", W.upload_parts(PNG, image_hash="sha256:" + "ab" * 32), 422, "VALIDATION_ERROR", "/image_hash"),
    ("hash-uppercase", W.upload_parts(PNG, image_hash=W.sha_ref(PNG).upper().replace("SHA256", "sha256")), 422,
     "VALIDATION_ERROR", "/image_hash"),
    ("hash-no-prefix", W.upload_parts(PNG, image_hash=hashlib.sha256(PNG).hexdigest()), 422, "VALIDATION_ERROR",
     "/image_hash"),
    ("hash-md5", W.upload_parts(PNG, image_hash="md5:" + hashlib.md5(PNG).hexdigest()), 422, "VALIDATION_ERROR",
     "/image_hash"),
    ("hash-1mb", W.upload_parts(PNG, image_hash="sha256:" + "a" * MB), 422, "VALIDATION_ERROR", "/image_hash"),
    ("workflow-id-word", W.upload_parts(PNG, workflow_id="abc"), 422, "VALIDATION_ERROR", "/workflow_id"),
    ("workflow-id-zero", W.upload_parts(PNG, workflow_id="0"), 422, "VALIDATION_ERROR", "/workflow_id"),
    ("workflow-id-negative", W.upload_parts(PNG, workflow_id="-4"), 422, "VALIDATION_ERROR", "/workflow_id"),
    ("workflow-id-unknown", W.upload_parts(PNG, workflow_id="987654321"), 404, "WORKFLOW_NOT_FOUND", None),
    ("step-id-65", W.upload_parts(PNG, step_id="s" * 65), 422, "VALIDATION_ERROR", "/step_id"),
    ("empty-image", W.upload_parts(b"", image_hash=W.sha_ref(b"")), 422, "VALIDATION_ERROR", "/image"),
    ("not-an-image", W.upload_parts(b"hello, I am text", ctype="image/png"), 415, "UNSUPPORTED_MEDIA_TYPE", None),
    ("html-as-png", W.upload_parts(HTML, ctype="image/png"), 415, "UNSUPPORTED_MEDIA_TYPE", None),
    ("png-header-glued-to-html", W.upload_parts(PNG[:8] + HTML), 415, "UNSUPPORTED_MEDIA_TYPE", None),
    ("png-ihdr-then-html", W.upload_parts(PNG[:33] + HTML), 415, "UNSUPPORTED_MEDIA_TYPE", None),
    ("jpeg-magic-then-garbage", W.upload_parts(b"\xff\xd8\xff\xe0" + os.urandom(2000), ctype="image/jpeg"), 415,
     "UNSUPPORTED_MEDIA_TYPE", None),
    ("webp-magic-then-garbage", W.upload_parts(b"RIFF\x00\x10\x00\x00WEBPVP8 " + os.urandom(500),
                                               ctype="image/webp"), 415, "UNSUPPORTED_MEDIA_TYPE", None),
    ("truncated-png", W.upload_parts(W.png(200, 200, seed="trunc")[:-300]), 415, "UNSUPPORTED_MEDIA_TYPE", None),
    ("gif", W.upload_parts(b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00"
                           b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", ctype="image/gif"), 415,
     "UNSUPPORTED_MEDIA_TYPE", None),
    ("svg", W.upload_parts(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                           ctype="image/svg+xml"), 415, "UNSUPPORTED_MEDIA_TYPE", None),
    ("png-declared-jpeg", W.upload_parts(PNG, ctype="image/jpeg"), 415, "UNSUPPORTED_MEDIA_TYPE", None),
    ("png-declared-html", W.upload_parts(PNG, ctype="text/html"), 415, "UNSUPPORTED_MEDIA_TYPE", None),
]


@pytest.mark.parametrize("parts,status,code,pointer", [b[1:] for b in BAD_FORMS], ids=[b[0] for b in BAD_FORMS])
def test_bad_upload_stores_nothing(store, co, parts, status, code, pointer):
    admin, _ = co
    before = W.usage(admin)
    files = blob_files(store, admin.company_id)
    r = W.post_form(admin, parts)
    assert blob_files(store, admin.company_id) == files, "a rejected upload left bytes in the store"
    err = assert_error(r, status, code)
    if pointer:
        assert_validation_error(r, pointer)
    assert W.usage(admin) == before, "a rejected upload was stored"
    assert "sha256:" + "a" * 100 not in err["message"], "the error echoes the whole bad input"


def _bare(store, co, body, ctype, **kw):
    admin, _ = co
    before = W.usage(admin)
    hdrs = {"Content-Type": ctype} if ctype is not None else {"Content-Type": None}
    r = store["server"].request("POST", "/api/screenshots", raw=body, token=admin.token, headers=hdrs, **kw)
    return admin, before, r


def test_wrong_boundary_400(store, co):
    body, _ = W.multipart(W.upload_parts(PNG), boundary="the-real-boundary")
    admin, before, r = _bare(store, co, body, "multipart/form-data; boundary=another-boundary")
    assert_error(r, 400, "INVALID_MULTIPART")
    assert W.usage(admin) == before


def test_truncated_multipart_400(store, co):
    body, ctype = W.multipart(W.upload_parts(W.png(300, 300, seed="cut")))
    for cut in (len(body) - 10, len(body) // 2, 60):
        admin, before, r = _bare(store, co, body[:cut], ctype)
        assert_error(r, 400, "INVALID_MULTIPART")
        assert W.usage(admin) == before


def test_body_cut_off_on_the_wire(store, co):
    """Content-Length promises more than arrives, then the client goes away: nothing stored."""
    admin, _ = co
    before = W.usage(admin)
    body, ctype = W.multipart(W.upload_parts(W.png(300, 300, seed="wire")))
    data = W.raw_http("POST", "/api/screenshots", body, {"Content-Type": ctype}, store["server"].port,
                      token=admin.token)
    sock = socket.create_connection(("127.0.0.1", store["server"].port), timeout=10)
    sock.sendall(data[:len(data) - len(body) // 2])
    sock.shutdown(socket.SHUT_WR)
    try:
        sock.recv(65536)  # whatever the server answers (or a close)
    except OSError:
        pass
    sock.close()
    assert W.usage(admin) == before
    assert_envelope(admin.get("/api/company"), 200)


@pytest.mark.parametrize("ctype", [None, "application/json", "text/plain", "image/png", "multipart/form-data",
                                   "multipart/mixed; boundary=abc", "application/x-www-form-urlencoded"])
def test_not_multipart_415(store, co, ctype):
    body, _ = W.multipart(W.upload_parts(PNG), boundary="abc")
    admin, before, r = _bare(store, co, body, ctype)
    assert_error(r, 415)
    assert W.usage(admin) == before


@pytest.mark.parametrize("boundary_header", ['multipart/form-data; boundary=""',
                                             "multipart/form-data; boundary=" + "b" * 71,
                                             "multipart/form-data; charset=utf-8"])
def test_bad_boundary_parameter(store, co, boundary_header):
    body, _ = W.multipart(W.upload_parts(PNG), boundary="b" * 70)
    admin, before, r = _bare(store, co, body, boundary_header)
    assert_error(r, {400, 415})
    assert W.usage(admin) == before


def test_garbage_between_parts_400(store, co):
    body, ctype = W.multipart(W.upload_parts(PNG), boundary="xyz")
    mangled = body.replace(b"--xyz\r\nContent-Disposition", b"--xyz\r\nContent-Disposition-Broken", 1)
    mangled = mangled.replace(b'Content-Disposition-Broken: form-data; name="image"', b"this is not a header", 1)
    admin, before, r = _bare(store, co, mangled, ctype)
    assert_error(r, {400, 422})
    assert W.usage(admin) == before


def test_11mb_image_413(store, co):
    admin, _ = co
    before = W.usage(admin)
    big = W.png(1960, 1960, seed="eleven", noise=True)  # ~11.5 MB of incompressible pixels
    assert len(big) > 11 * 1000 * 1000
    body, ctype = W.multipart(W.upload_parts(big))
    r = W.send_raw(admin, "POST", "/api/screenshots", body, {"Content-Type": ctype})
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")
    assert W.usage(admin) == before


def test_just_over_10mb_image_413(store, co):
    """Over 10 MB but inside the body limit (the framing allowance): refused by the image check."""
    admin, _ = co
    before = W.usage(admin)
    big = W.png(1875, 1865, seed="tenplus", noise=True)
    assert 10 * MB < len(big) < 10 * MB + 60 * 1024, len(big)
    body, ctype = W.multipart(W.upload_parts(big))
    r = W.send_raw(admin, "POST", "/api/screenshots", body, {"Content-Type": ctype})
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")
    assert W.usage(admin) == before


def test_near_10mb_image_accepted(store, co):
    admin, _ = co
    big = W.png(1800, 1800, seed="nine-point-something", noise=True)
    assert 9 * MB < len(big) < 10 * MB
    d = W.upload_ok(admin, big, status=201)
    assert (d["width"], d["height"], d["file_size"]) == (1800, 1800, len(big))
    _check_url(store, d["storage_url"], big)


# ------------------------------------------------------------------------------------------------
# Tenant isolation
# ------------------------------------------------------------------------------------------------

def test_other_company_cannot_see_or_use_screenshots(store, co):
    admin, regular = co
    b_admin, b_regular = store["server"].company_team()
    data = W.png()
    mine = W.upload_ok(admin, data, status=201)
    wf_id = W.create(admin, W.body(1, shots={1: {"id": mine["screenshot_id"]}}))
    assert_envelope(regular.get(f"/api/screenshots/{mine['screenshot_id']}"), 200)
    for who in (b_admin, b_regular):
        assert_error(who.get(f"/api/screenshots/{mine['screenshot_id']}"), 404)
        # Uploading "into" A's workflow: 404, nothing stored for anyone.
        r = W.upload(who, W.png(), workflow_id=wf_id)
        assert_error(r, 404, "WORKFLOW_NOT_FOUND")
    assert W.usage(b_admin) == (0, 0)
    # B cannot reference A's screenshot in its own workflow.
    r = b_admin.post("/api/workflows", W.body(1, shots={1: {"id": mine["screenshot_id"], "hash": mine["hash"]}}))
    assert_validation_error(r, "/steps/0/screenshot_ref/id")
    assert W.total(b_admin) == 0


# ------------------------------------------------------------------------------------------------
# Deleting a workflow removes screenshots nothing else uses, bytes included
# ------------------------------------------------------------------------------------------------

def test_delete_workflow_removes_unreferenced_blobs(store, co):
    admin, _ = co
    own, shared, loose = W.png(), W.png(), W.png()
    s_own = W.upload_ok(admin, own, status=201)
    s_shared = W.upload_ok(admin, shared, status=201)
    s_loose = W.upload_ok(admin, loose, status=201)  # uploaded, never referenced
    thumbs = W.wait_thumbnail(admin, s_own["screenshot_id"])["thumbnail_url"]
    keep = W.create(admin, W.body(1, shots={1: {"id": s_shared["screenshot_id"]}}))
    gone = W.create(admin, W.body(2, shots={1: {"id": s_own["screenshot_id"]},
                                            2: {"id": s_shared["screenshot_id"]}}))
    links = [s["screenshot"] for s in W.detail(admin, gone)[0]["steps"]]
    _check_url(store, links[0]["url"], own)
    if store["kind"] == "file":
        own_file = _blob_path(store, links[0]["url"])
        assert os.path.isfile(own_file)
    count, size = W.usage(admin)
    assert admin.delete(f"/api/workflows/{gone}").status == 204
    # The workflow's own image and its thumbnail: row and bytes gone.
    assert_error(admin.get(f"/api/screenshots/{s_own['screenshot_id']}"), 404)
    for url in (links[0]["url"], thumbs):
        status, _, _ = W.fetch(url)
        assert status == 404, (url, status)
    if store["kind"] == "file":
        assert not os.path.exists(own_file)
        assert not os.path.exists(_blob_path(store, thumbs))
    assert W.usage(admin) == (count - 1, size - len(own))
    own_hex = hashlib.sha256(own).hexdigest()
    left = blob_files(store, admin.company_id)
    assert not any(f.startswith(own_hex) for f in left), left  # the image and its thumbnail
    assert any(f.startswith(hashlib.sha256(shared).hexdigest()) for f in left), left
    # Still used by `keep`, and never attached: both stay.
    _check_url(store, links[1]["url"], shared)
    assert W.detail(admin, keep)[0]["steps"][0]["screenshot"]["id"] == s_shared["screenshot_id"]
    got = assert_envelope(admin.get(f"/api/screenshots/{s_loose['screenshot_id']}"), 200)
    _check_url(store, got["storage_url"], loose)


# ------------------------------------------------------------------------------------------------
# Signed URLs (local store): tampering, expiry, other keys, traversal
# ------------------------------------------------------------------------------------------------

def _blob_key_secret():
    return hmac.new(helpers.JWT_SECRET.encode(), b"stepwise blob urls v1", hashlib.sha256).hexdigest()


def _sign(key, expires):
    return hmac.new(_blob_key_secret().encode(), f"{key}\n{expires}".encode(), hashlib.sha256).hexdigest()


def _parts(url):
    u = urllib.parse.urlsplit(url)
    q = urllib.parse.parse_qs(u.query)
    return u.path[len("/api/blobs/"):], int(q["expires"][0]), q["sig"][0]


@pytest.fixture
def local(store):
    if store["kind"] != "file":
        pytest.skip("S3 pre-signed URLs are checked by the store (s3rver does not verify signatures)")
    return store["server"]


def test_blob_url_tampering_403(local, store, co):
    admin, _ = co
    data = W.png()
    d = W.upload_ok(admin, data, status=201)
    key, expires, sig = _parts(d["storage_url"])
    ok = f"/api/blobs/{key}?expires={expires}&sig={sig}"
    r = local.request("GET", ok)
    assert r.status == 200 and r.raw == data, r
    # No token needed, and a token does not replace the signature.
    flipped = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    bad = [
        f"/api/blobs/{key}?expires={expires}&sig={flipped}",
        f"/api/blobs/{key}?expires={expires + 1}&sig={sig}",
        f"/api/blobs/{key}?expires={expires - 1}&sig={sig}",
        f"/api/blobs/{key}?expires={expires}&sig={sig.upper()}",
        f"/api/blobs/{key.replace('.png', '.jpg')}?expires={expires}&sig={sig}",
        f"/api/blobs/{key}?expires={expires}&sig={'0' * 64}",
    ]
    for path in bad:
        r = local.request("GET", path)
        assert_error(r, 403, "FORBIDDEN")
        assert r.raw != data
    r = local.request("GET", f"/api/blobs/{key}?expires={expires}&sig={flipped}", token=admin.token)
    assert_error(r, 403)
    for path in (f"/api/blobs/{key}", f"/api/blobs/{key}?expires={expires}", f"/api/blobs/{key}?sig={sig}",
                 f"/api/blobs/{key}?expires=abc&sig={sig}", f"/api/blobs/{key}?expires={expires}&sig=short"):
        r = local.request("GET", path)
        assert_error(r, {403, 422})


def test_blob_url_expired_403(local, co):
    admin, _ = co
    d = W.upload_ok(admin, W.png(), status=201)
    key, expires, sig = _parts(d["storage_url"])
    if _sign(key, expires) != sig:
        pytest.skip("cannot reproduce the server's signing key derivation; expiry not checked")
    past = int(time.time()) - 5
    r = local.request("GET", f"/api/blobs/{key}?expires={past}&sig={_sign(key, past)}")
    assert_error(r, 403, "FORBIDDEN")
    # A correctly signed URL for the future still works (the derivation above is right).
    future = int(time.time()) + 60
    assert local.request("GET", f"/api/blobs/{key}?expires={future}&sig={_sign(key, future)}").status == 200


def test_blob_url_of_other_company_403(local, store, co):
    """B holds a URL signed for its own key; pointing it at A's key is refused."""
    a_admin, _ = co
    b_admin, _ = store["server"].company_team()
    a_data, b_data = W.png(), W.png()
    a_shot = W.upload_ok(a_admin, a_data, status=201)
    b_shot = W.upload_ok(b_admin, b_data, status=201)
    a_key, _, _ = _parts(a_shot["storage_url"])
    b_key, b_exp, b_sig = _parts(b_shot["storage_url"])
    assert a_key != b_key
    r = local.request("GET", f"/api/blobs/{a_key}?expires={b_exp}&sig={b_sig}")
    assert_error(r, 403, "FORBIDDEN")
    assert r.raw != a_data
    # The same image under B's company id (guessing the key from the hash) is not A's either.
    guess = b_key.rsplit("/", 1)[0] + "/" + a_key.rsplit("/", 1)[1]
    r = local.request("GET", f"/api/blobs/{guess}?expires={b_exp}&sig={b_sig}")
    assert_error(r, 403)


@pytest.mark.parametrize("key", [
    "companies/1/screenshots/../../../../../../etc/passwd",
    "../../../../etc/passwd",
    "companies/1/screenshots/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/etc/passwd",
    "companies/1/screenshots/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "companies//1/screenshots/x.png",
    "companies/1/screenshots/x.png\x00.jpg",
])
def test_blob_keys_cannot_escape_the_store(local, co, key):
    """Even a correctly signed URL for a key that leaves the store is refused."""
    admin, _ = co
    d = W.upload_ok(admin, W.png(), status=201)
    k, e, s = _parts(d["storage_url"])
    if _sign(k, e) != s:
        pytest.skip("cannot reproduce the server's signing key derivation")
    expires = int(time.time()) + 300
    quoted = urllib.parse.quote(key, safe="/%")
    for path_key, signed_key in ((quoted, key), (quoted, urllib.parse.unquote(key))):
        r = local.request("GET", f"/api/blobs/{path_key}?expires={expires}&sig={_sign(signed_key, expires)}")
        assert r.status in (400, 403, 404, 422), r
        assert b"root:" not in r.raw, r


def test_blob_missing_object_404(local, co):
    admin, _ = co
    d = W.upload_ok(admin, W.png(), status=201)
    k, e, s = _parts(d["storage_url"])
    if _sign(k, e) != s:
        pytest.skip("cannot reproduce the server's signing key derivation")
    key = f"companies/{admin.company_id}/screenshots/{'f' * 64}.png"
    expires = int(time.time()) + 300
    assert_error(local.request("GET", f"/api/blobs/{key}?expires={expires}&sig={_sign(key, expires)}"), 404)


# ------------------------------------------------------------------------------------------------
# More hostile uploads
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(10000, 10000), (20000, 10), (10, 17000)])
def test_huge_dimensions_refused(store, co, size):
    """A few KB that decode to 100 M pixels, or a side over 16384 px: 415, nothing stored."""
    admin, _ = co
    bomb = W.png_bomb(*size)
    assert len(bomb) < 2 * MB
    before = W.usage(admin)
    r = W.upload(admin, bomb)
    assert_error(r, {413, 415, 422})
    assert W.usage(admin) == before
    assert_envelope(admin.get("/api/company"), 200)


def test_too_many_parts_refused(store, co):
    admin, _ = co
    before = W.usage(admin)
    parts = W.upload_parts(PNG) + [(f"x{i}", "1", None, None) for i in range(40)]
    r = W.post_form(admin, parts)
    assert_error(r, {400, 422})
    assert W.usage(admin) == before


def test_oversized_part_headers_refused(store, co):
    admin, _ = co
    before = W.usage(admin)
    parts = W.upload_parts(PNG, filename="f" * (16 * 1024) + ".png")
    r = W.post_form(admin, parts)
    assert_error(r, {400, 413, 422})
    assert W.usage(admin) == before


@pytest.mark.parametrize("step_id", [b"a\x00b", b"\xff\xfe\xfd", "é".encode("latin-1")])
def test_odd_bytes_in_step_id_never_500(store, co, step_id):
    """The client's step_id is stored as text: a NUL or invalid UTF-8 is refused (or stored), never a 500."""
    admin, _ = co
    before = W.usage(admin)
    data = W.png()
    r = W.post_form(admin, W.upload_parts(data, step_id=step_id))
    if r.status != 201:
        assert blob_files(store, admin.company_id) == set(), f"a refused upload ({r.status}) left its bytes behind"
    assert r.status in (201, 422), r
    if r.status == 422:
        assert_validation_error(r, "/step_id")
        assert W.usage(admin) == before
    else:
        assert W.usage(admin) == (before[0] + 1, before[1] + len(data))


@pytest.mark.parametrize("name", [b"\xff\xfe", b"a\x00b", b"image\xc3"])
def test_odd_bytes_in_part_name_never_500(store, co, name):
    admin, _ = co
    before = W.usage(admin)
    extra = (b"--B\r\nContent-Disposition: form-data; name=\"" + name + b"\"\r\n\r\nv\r\n")
    body, ctype = W.multipart(W.upload_parts(PNG), boundary="B")
    body = body[:-len(b"--B--\r\n")] + extra + b"--B--\r\n"
    r = store["server"].request("POST", "/api/screenshots", raw=body, token=admin.token,
                                headers={"Content-Type": ctype})
    assert_error(r, {400, 422})
    assert W.usage(admin) == before


def test_blob_response_headers(local, co):
    """Bytes served from the local store cannot run as a page: right type, nosniff, sandboxed."""
    admin, _ = co
    d = W.upload_ok(admin, W.png(), status=201)
    r = local.request("GET", W.local_path(d["storage_url"]))
    assert r.status == 200, r
    assert r.header("Content-Type") == "image/png"
    assert (r.header("X-Content-Type-Options") or "").lower() == "nosniff"
    assert "sandbox" in (r.header("Content-Security-Policy") or "")


def test_etag_changes_when_a_thumbnail_appears(store, co):
    """The detail's ETag names its content: once a step's thumbnail exists, a client revalidating
    with the old ETag must get the new body (with thumbnail_url), not 304."""
    admin, _ = co
    big = W.png(1800, 1800, seed="slow-thumb", noise=True)
    shot = W.upload_ok(admin, big, status=201)
    wf_id = W.create(admin, W.body(1, shots={1: {"id": shot["screenshot_id"]}}))
    d, r = W.detail(admin, wf_id)
    if d["steps"][0]["screenshot"]["thumbnail_url"] is not None:
        pytest.skip("the thumbnail was made before the first read; nothing to revalidate")
    etag = r.header("ETag")
    W.wait_thumbnail(admin, shot["screenshot_id"])
    r2 = admin.get(f"/api/workflows/{wf_id}", headers={"If-None-Match": etag})
    assert r2.status == 200, f"304 for a body that changed (thumbnail_url null -> URL): {r2!r}"
    assert r2.body["data"]["steps"][0]["screenshot"]["thumbnail_url"]


@pytest.mark.parametrize("color_type,bit_depth", [(0, 8), (0, 1), (0, 16), (2, 16), (3, 8), (3, 4), (4, 8), (6, 8),
                                                  (6, 16)], ids=["grey8", "grey1", "grey16", "rgb16", "palette8",
                                                                 "palette4", "grey-alpha", "rgba8", "rgba16"])
def test_png_kinds_are_measured_and_thumbnailed(store, co, color_type, bit_depth):
    """Every PNG colour type a browser may produce: measured right, and a thumbnail is made."""
    admin, _ = co
    data = W.png_kind(640, 360, color_type, bit_depth, seed=f"{color_type}-{bit_depth}")
    d = W.upload_ok(admin, data, status=201)
    assert (d["format"], d["width"], d["height"], d["file_size"]) == ("png", 640, 360, len(data))
    got = W.wait_thumbnail(admin, d["screenshot_id"])
    status, _, thumb = W.fetch(got["thumbnail_url"])
    assert status == 200
    w, h = _webp_size(thumb)
    assert 300 <= w <= 420 and abs(w / h - 640 / 360) < 0.1, (w, h)


@pytest.mark.parametrize("fmt,options,colourspace,mime", [
    ("jpg", "", "cmyk", "image/jpeg"), ("jpg", "", "b-w", "image/jpeg"), ("jpg", "interlace", None, "image/jpeg"),
    ("jpg", "Q=5", None, "image/jpeg"), ("webp", "lossless", None, "image/webp"), ("webp", "Q=10", None, "image/webp"),
], ids=["jpeg-cmyk", "jpeg-grey", "jpeg-progressive", "jpeg-q5", "webp-lossless", "webp-lossy"])
def test_jpeg_and_webp_kinds(store, co, fmt, options, colourspace, mime):
    admin, _ = co
    data = W.convert(W.png(320, 200), fmt, options=options, colourspace=colourspace)
    d = W.upload_ok(admin, data, status=201, ctype=mime, filename="x." + fmt)
    assert (d["width"], d["height"], d["file_size"]) == (320, 200, len(data))
    assert d["format"] == {"jpg": "jpeg", "webp": "webp"}[fmt]
    _check_url(store, d["storage_url"], data)
    got = W.wait_thumbnail(admin, d["screenshot_id"])
    status, _, thumb = W.fetch(got["thumbnail_url"])
    assert status == 200 and _webp_size(thumb)[0] <= 420


def test_two_processes_dedupe_identical_uploads(server_factory, tmp_path):
    """Two server processes on one database and one blob store: the same image uploaded to both at
    once is stored once (one 201, the rest 200 with the same id)."""
    shared = tmp_path / "shared-blobs"
    first = server_factory(STORAGE_URL=f"file://{shared}")
    second = server_factory(database=first.db, STORAGE_URL=f"file://{shared}")
    admin = first.signup_admin()
    data = W.png(300, 300, seed="two-procs")
    body, ctype = W.multipart(W.upload_parts(data))
    results = [None] * 10

    def go(i):
        srv = (first, second)[i % 2]
        results[i] = srv.request("POST", "/api/screenshots", raw=body, token=admin.token,
                                 headers={"Content-Type": ctype})

    threads = [threading.Thread(target=go, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in results)
    assert statuses == [200] * 9 + [201], results
    assert len({r.body["data"]["screenshot_id"] for r in results}) == 1
    assert W.usage(admin) == (1, len(data))
    for srv in (first, second):
        url = assert_envelope(srv.request("GET", f"/api/screenshots/{results[0].body['data']['screenshot_id']}",
                                          token=admin.token), 200)["storage_url"]
        assert W.fetch(url)[2] == data
