#!/usr/bin/env python3
"""Peak memory of the server while it decodes large screenshots (issue 13).

  decode_memory.py [--uploads 8] [--side 7000] [--env KEY=VALUE ...]

Starts build/stepwise on a fresh SQLite database, signs up, and uploads N distinct PNGs of
side×side pixels (7000² = 49 megapixels, just under the 50 MP limit; they compress to ~0.5 MB
each) all at once, then waits for their thumbnails. Prints the server's peak RSS (VmHWM) and
its RSS before the uploads. Extra --env settings go to the server, so two runs side by side
compare a setting (IMAGE_DECODE_CONCURRENCY=8 against the default).
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "load"))
from screenshots import chunk, upload, variant  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def pattern_png(side):
    """An RGB image of bands and stripes: every pixel decodes, the file stays small."""
    rows = []
    for y in range(side):
        v = (y // 7) % 256
        row = bytes(((x // 5 + v) % 256) for x in range(3 * 64)) * (side * 3 // (3 * 64) + 1)
        rows.append(b"\x00" + row[: side * 3])
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", __import__("struct").pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
    body = chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
    return head, body


def rss(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024  # MB
    return 0


def request(base, path, body=None, token=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"{}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uploads", type=int, default=8)
    ap.add_argument("--side", type=int, default=7000)
    ap.add_argument("--env", action="append", default=[])
    args = ap.parse_args()
    head, body = pattern_png(args.side)
    images = [variant(head, body, n) for n in range(args.uploads)]
    tmp = tempfile.mkdtemp(prefix="stepwise-decode-")
    port = 20000 + os.getpid() % 20000
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "DATA_DIR": tmp,
           "DATABASE_URL": f"sqlite:///{tmp}/app.db", "BCRYPT_COST": "4", "RATE_LIMIT_AUTH_PER_MIN": "0",
           "RATE_LIMIT_USER_PER_MIN": "0", "ACCESS_LOG": "false", "PUBLIC_URL": f"http://127.0.0.1:{port}"}
    for kv in args.env:
        k, v = kv.split("=", 1)
        env[k] = v
    proc = subprocess.Popen([os.path.join(REPO, "build", "stepwise"), "serve"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                request(base, "/api/health")
                break
            except OSError:
                time.sleep(0.1)
        token = request(base, "/api/auth/signup", {"email": f"d{os.getpid()}@example.com", "password": "password-123",
                                                   "name": "D", "company_name": "D"})["data"]["token"]
        before = rss(proc.pid, "VmRSS")
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.uploads) as pool:
            statuses = [s for s, _ in pool.map(lambda im: upload(base, token, im), images)]
        upload_s = time.perf_counter() - start
        time.sleep(8)  # thumbnails are made after the answer
        peak = rss(proc.pid, "VmHWM")
        print(f"scenario=decode_{args.uploads}x{args.side}px settings={','.join(args.env) or 'default'} "
              f"statuses={sorted(set(statuses))} upload_s={upload_s:.2f} rss_before_mb={before} peak_rss_mb={peak}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
