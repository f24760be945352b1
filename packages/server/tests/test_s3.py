"""S3 blob store, checked against the outside world (ISSUE 4, "SigV4 checked three ways").

1. Byte-identical SigV4: our signer (`stepwise_blob_tool sigv4`) and the AWS SDK for JavaScript's
   (tests/s3/sigv4-reference.mjs) sign the same ~20 requests with the same keys and clock; the
   Authorization headers and pre-signed URLs must match byte for byte.
2. A real S3-protocol server: `s3rver` (npm) on a loopback port; put, get, delete, exists and a
   pre-signed GET through our store, and objects crossing between our store and the SDK's
   S3 client in both directions. s3rver does not verify V4 signatures, hence check 1 (and AWS's
   published vectors in the C++ unit tests).

AWS's own test-suite vectors are in src/storage/blobs/sigv4_test.cpp.
"""
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
S3_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "s3")
S3RVER = os.path.join(REPO_ROOT, "node_modules", "s3rver", "bin", "s3rver.js")
BUCKET = "stepwise-test"
EMPTY_SHA = hashlib.sha256(b"").hexdigest()


def _node():
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed: the S3 checks need it (scripts/install-deps.sh)")
    return node


@pytest.fixture(scope="module")
def blob_tool():
    """stepwise_blob_tool beside the server binary under test (the ASan build has its own)."""
    candidates = []
    if os.environ.get("STEPWISE_BIN"):
        candidates.append(os.path.join(os.path.dirname(os.environ["STEPWISE_BIN"]), "stepwise_blob_tool"))
    candidates.append(os.path.join(REPO_ROOT, "build", "release", "stepwise_blob_tool"))
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    pytest.fail(f"stepwise_blob_tool not found (looked at {candidates}); build the server first", pytrace=False)


@pytest.fixture(scope="module")
def sdk_modules():
    for mod in ("@smithy/signature-v4", "@aws-crypto/sha256-js", "@aws-sdk/s3-request-presigner",
                "@aws-sdk/client-s3"):
        if not os.path.isdir(os.path.join(REPO_ROOT, "node_modules", *mod.split("/"))):
            pytest.skip(f"node_modules/{mod} is missing (scripts/npm-deps.sh installs it)")
    return _node()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3rver():
    """A throwaway s3rver on a free loopback port with one bucket; yields its endpoint URL."""
    node = _node()
    if not os.path.isfile(S3RVER):
        pytest.skip("node_modules/s3rver is missing (scripts/npm-deps.sh installs it): no S3-protocol server to test against")
    data = tempfile.mkdtemp(prefix="stepwise-s3rver-")
    port = _free_port()
    log = open(os.path.join(data, "..", os.path.basename(data) + ".log"), "w+b")
    proc = subprocess.Popen([node, S3RVER, "-d", data, "-a", "127.0.0.1", "-p", str(port), "--silent",
                             "--configure-bucket", BUCKET], stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 20
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"s3rver exited with {proc.returncode}: {log.read().decode(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.time() > deadline:
                    pytest.fail("s3rver did not start listening within 20 s")
                time.sleep(0.1)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        os.unlink(log.name)
        shutil.rmtree(data, ignore_errors=True)


def _store_env(endpoint, prefix="screens"):
    env = dict(os.environ)
    env.update({
        "STORAGE_URL": f"s3://{BUCKET}/{prefix}?endpoint={endpoint}&region=us-east-1&path_style=true",
        "AWS_ACCESS_KEY_ID": "S3RVER",  # s3rver's built-in account
        "AWS_SECRET_ACCESS_KEY": "S3RVER",
    })
    env.pop("AWS_SESSION_TOKEN", None)
    return env


def _tool(blob_tool, env, *args, input=None, check=True):
    r = subprocess.run([blob_tool, *args], env=env, input=input, capture_output=True, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"stepwise_blob_tool {' '.join(args)} exited {r.returncode}: {r.stderr.decode()}")
    return r


# --- 1. byte-identical with the AWS SDK ------------------------------------------------------------

def _requests():
    base = {
        "access_key_id": "AKIAIOSFODNN7EXAMPLE",
        "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "region": "us-east-1",
        "now": 1369353600,
        "expires": 900,
        "query": [],
        "headers": [],
        "payload_sha256": EMPTY_SHA,
    }
    body = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    cases = [
        {"name": "get-plain", "method": "GET", "host": "examplebucket.s3.amazonaws.com", "path": "/test.txt"},
        {"name": "put-png", "method": "PUT", "host": "examplebucket.s3.amazonaws.com",
         "path": "/companies/42/screenshots/" + hashlib.sha256(body).hexdigest() + ".png",
         "headers": [["content-type", "image/png"]], "payload_sha256": hashlib.sha256(body).hexdigest()},
        {"name": "path-style-port", "method": "GET", "host": "127.0.0.1:4569",
         "path": "/stepwise-test/prefix/companies/1/screenshots/a.jpg"},
        {"name": "space-in-key", "method": "GET", "host": "b.s3.amazonaws.com", "path": "/my folder/a b.jpg"},
        {"name": "unicode-key", "method": "PUT", "host": "b.s3.amazonaws.com", "path": "/été/日本語/ß.png",
         "payload_sha256": hashlib.sha256("ü".encode()).hexdigest()},
        {"name": "tilde-plus-equals", "method": "GET", "host": "b.s3.amazonaws.com", "path": "/a~b+c=d&e$f@g:h,i;j"},
        {"name": "slashes", "method": "DELETE", "host": "b.s3.amazonaws.com", "path": "/a//b/./c/../d/"},
        {"name": "percent-and-parens", "method": "HEAD", "host": "b.s3.amazonaws.com", "path": "/100% (final)!*'.jpg"},
        {"name": "query-params", "method": "GET", "host": "b.s3.amazonaws.com", "path": "/",
         "query": [["prefix", "companies/42/"], ["max-keys", "2"], ["list-type", "2"]]},
        {"name": "query-special", "method": "GET", "host": "b.s3.amazonaws.com", "path": "/k",
         "query": [["a b", "c d+e=f/g~h"], ["empty", ""], ["é", "ü"], ["response-content-type", "image/webp"]]},
        {"name": "query-duplicates", "method": "GET", "host": "b.s3.amazonaws.com", "path": "/k",
         "query": [["p", "2"], ["p", "1"], ["P", "0"]]},
        {"name": "session-token", "method": "GET", "host": "b.s3.eu-west-3.amazonaws.com", "path": "/k.webp",
         "region": "eu-west-3", "session_token": "FwoGZXIvYXdzEDMa/DPWKaVEQA+D5xrr7=="},
        {"name": "session-token-put", "method": "PUT", "host": "b.s3.eu-west-3.amazonaws.com", "path": "/k.webp",
         "region": "eu-west-3", "session_token": "IQoJb3JpZ2luX2VjE+/=", "headers": [["content-type", "image/webp"]],
         "payload_sha256": hashlib.sha256(b"webp").hexdigest()},
        {"name": "headers-collapse", "method": "PUT", "host": "b.s3.amazonaws.com", "path": "/k",
         "headers": [["Content-Type", "  text/plain;   charset=utf-8 "], ["x-amz-meta-Note", "a   b\tc"],
                     ["x-amz-acl", "private"], ["Content-Length", "0"]]},
        {"name": "range", "method": "GET", "host": "examplebucket.s3.amazonaws.com", "path": "/test.txt",
         "headers": [["Range", "bytes=0-9"]]},
        {"name": "unsigned-payload", "method": "PUT", "host": "b.s3.amazonaws.com", "path": "/k",
         "payload_sha256": "UNSIGNED-PAYLOAD"},
        {"name": "other-clock-leap-day", "method": "GET", "host": "b.s3.amazonaws.com", "path": "/k",
         "now": 1709251199},
        {"name": "year-end", "method": "GET", "host": "b.s3.amazonaws.com", "path": "/k", "now": 1704067199,
         "expires": 604800},
        {"name": "one-second", "method": "GET", "host": "b.s3.amazonaws.com", "path": "/k", "expires": 1},
        {"name": "other-keys", "method": "GET", "host": "minio.internal:9000", "path": "/bucket/x",
         "access_key_id": "minioadmin", "secret_access_key": "minio+secret/with=odd chars", "region": "ap-south-1"},
        {"name": "root", "method": "GET", "host": "b.s3.amazonaws.com", "path": "/"},
    ]
    return [{**base, **c} for c in cases]


def test_sigv4_is_byte_identical_to_the_aws_sdk(blob_tool, sdk_modules):
    payload = json.dumps(_requests()).encode()
    ref = subprocess.run([sdk_modules, os.path.join(S3_DIR, "sigv4-reference.mjs")], input=payload,
                         capture_output=True, timeout=60, cwd=REPO_ROOT)
    assert ref.returncode == 0, ref.stderr.decode()
    ours = _tool(blob_tool, dict(os.environ), "sigv4", input=payload)
    expected = json.loads(ref.stdout)
    got = json.loads(ours.stdout)
    assert len(expected) == len(got) == len(_requests()) >= 20
    for e, g in zip(expected, got):
        assert g["authorization"] == e["authorization"], f"{e['name']}\ncanonical request:\n{g['canonical_request']}"
        assert g["presigned_url"] == e["presigned_url"], e["name"]


# --- 2. a real S3-protocol server -------------------------------------------------------------------

def test_put_get_exists_delete(blob_tool, s3rver, tmp_path):
    env = _store_env(s3rver)
    key = "companies/7/screenshots/" + "ab" * 32 + ".png"
    data = os.urandom(300 * 1024) + b"\r\n\x00end"
    f = tmp_path / "blob"
    f.write_bytes(data)

    assert _tool(blob_tool, env, "exists", key).stdout.strip() == b"false"
    assert _tool(blob_tool, env, "get", key, check=False).returncode == 3
    _tool(blob_tool, env, "put", key, str(f), "image/png")
    assert _tool(blob_tool, env, "exists", key).stdout.strip() == b"true"
    assert _tool(blob_tool, env, "get", key).stdout == data

    f.write_bytes(b"second version")
    _tool(blob_tool, env, "put", key, str(f), "image/png")
    assert _tool(blob_tool, env, "get", key).stdout == b"second version"

    _tool(blob_tool, env, "delete", key)
    assert _tool(blob_tool, env, "exists", key).stdout.strip() == b"false"
    assert _tool(blob_tool, env, "get", key, check=False).returncode == 3
    _tool(blob_tool, env, "delete", key)  # idempotent

    f.write_bytes(b"")
    _tool(blob_tool, env, "put", "empty", str(f))
    assert _tool(blob_tool, env, "get", "empty").stdout == b""


def test_presigned_get_is_fetched_with_plain_http(blob_tool, s3rver, tmp_path):
    env = _store_env(s3rver)
    key = "companies/9/screenshots/shot.webp"
    data = b"RIFF\x00\x00\x00\x00WEBP" + os.urandom(4096)
    f = tmp_path / "blob"
    f.write_bytes(data)
    _tool(blob_tool, env, "put", key, str(f), "image/webp")
    url = _tool(blob_tool, env, "sign", key, str(int(time.time())), "900").stdout.decode().strip()
    assert url.startswith(f"{s3rver}/{BUCKET}/screens/{key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&"), url
    assert "X-Amz-Expires=900" in url and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as resp:  # no Authorization header at all
        assert resp.status == 200
        assert resp.read() == data


def test_object_written_by_us_reads_back_through_the_aws_sdk(blob_tool, s3rver, sdk_modules, tmp_path):
    env = _store_env(s3rver, prefix="p")
    key = "companies/3/screenshots/x.jpg"
    data = b"\xff\xd8\xff" + os.urandom(20000)
    f = tmp_path / "blob"
    f.write_bytes(data)
    _tool(blob_tool, env, "put", key, str(f), "image/jpeg")
    r = subprocess.run([sdk_modules, os.path.join(S3_DIR, "sdk-object.mjs"), "get", s3rver, BUCKET, f"p/{key}"],
                       env=env, capture_output=True, timeout=60, cwd=REPO_ROOT)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == data


def test_object_written_by_the_aws_sdk_reads_back_through_us(blob_tool, s3rver, sdk_modules, tmp_path):
    env = _store_env(s3rver, prefix="q")
    key = "companies/4/screenshots/y.png"
    data = os.urandom(5000)
    f = tmp_path / "blob"
    f.write_bytes(data)
    r = subprocess.run([sdk_modules, os.path.join(S3_DIR, "sdk-object.mjs"), "put", s3rver, BUCKET, f"q/{key}",
                        str(f)], env=env, capture_output=True, timeout=60, cwd=REPO_ROOT)
    assert r.returncode == 0, r.stderr.decode()
    assert _tool(blob_tool, env, "get", key).stdout == data


def test_errors_carry_status_and_s3_code(blob_tool, s3rver, tmp_path):
    env = _store_env(s3rver)
    env["STORAGE_URL"] = f"s3://no-such-bucket?endpoint={s3rver}&path_style=true"
    f = tmp_path / "blob"
    f.write_bytes(b"x")
    r = _tool(blob_tool, env, "put", "k", str(f), check=False)
    assert r.returncode == 1
    assert b"HTTP 404" in r.stderr and b"NoSuchBucket" in r.stderr, r.stderr


def test_keys_that_could_escape_are_refused_before_any_request(blob_tool, s3rver):
    env = _store_env(s3rver)
    for bad in ["../x", "/abs", "a//b", "a/./b", "a\\b"]:
        r = _tool(blob_tool, env, "exists", bad, check=False)
        assert r.returncode == 1 and b"invalid blob key" in r.stderr, bad
