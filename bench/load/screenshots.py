#!/usr/bin/env python3
"""Screenshot upload benchmark (issue 4), against a running server.

  screenshots.py BASE_URL TOKEN SERVER_PID

1. A de-duplicated upload (known hash) against a fresh one, both 300 KB PNGs, sequential:
   prints scenario=upload_fresh_300k / upload_dedupe_300k lines and their ratio.
2. 100 uploads of distinct 10 MB PNGs, 10 at a time: the server's peak RSS before and after.
Images are made here (stdlib only): noise pixels so they do not compress, and a tEXt chunk with
a counter so each file has its own hash without re-encoding the pixels.
"""
import concurrent.futures
import hashlib
import http.client
import json
import os
import random
import statistics
import struct
import sys
import time
import urllib.parse
import zlib


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def noise_png(width, height, seed):
    rnd = random.Random(seed)
    rows = b"".join(b"\x00" + rnd.randbytes(width * 3) for _ in range(height))
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    body = chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b"")
    return head, body


def variant(head, body, n):
    return head + chunk(b"tEXt", b"Comment\x00" + str(n).encode()) + body


def form(image):
    boundary = "bench" + os.urandom(8).hex()
    digest = "sha256:" + hashlib.sha256(image).hexdigest()
    out = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"s.png\"\r\n"
           "Content-Type: image/png\r\n\r\n").encode() + image + (
        f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"image_hash\"\r\n\r\n{digest}\r\n"
        f"--{boundary}--\r\n").encode()
    return out, "multipart/form-data; boundary=" + boundary


def upload(base, token, image, conn=None):
    u = urllib.parse.urlparse(base)
    c = conn or http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    body, ctype = form(image)
    start = time.perf_counter()
    c.request("POST", "/api/screenshots", body, {"Authorization": "Bearer " + token, "Content-Type": ctype})
    r = c.getresponse()
    r.read()
    return r.status, (time.perf_counter() - start) * 1000


def rss_mb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return 0.0


def line(name, times, errors):
    times = sorted(times)
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"scenario={name} rps={1000 / statistics.mean(times):.2f} p50_ms={p50:.3f} p99_ms={p99:.3f} errors={errors}")
    return statistics.mean(times)


def main():
    base, token, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    # 300 KB: about 320 x 310 noise pixels.
    head, body = noise_png(320, 310, 1)
    images = [variant(head, body, i) for i in range(40)]
    fresh, dedupe, errors = [], [], 0
    for img in images:
        s, ms = upload(base, token, img, conn)
        errors += s != 201
        fresh.append(ms)
    for img in images:
        s, ms = upload(base, token, img, conn)
        errors += s != 200
        dedupe.append(ms)
    mf = line("upload_fresh_300k", fresh, 0)
    md = line("upload_dedupe_300k", dedupe, errors)
    print(f"scenario=upload_dedupe_vs_fresh ratio_time={md / mf:.3f} (target <= 0.2)")

    head, body = noise_png(1800, 1790, 2)  # just under 10 MB
    before = rss_mb(pid, "VmHWM")
    print(f"memory=before_10mb_uploads rss_mb={rss_mb(pid, 'VmRSS'):.1f} peak_rss_mb={before:.1f} image_mb={len(variant(head, body, 0)) / 1e6:.1f}")
    statuses = []
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        futures = [pool.submit(upload, base, token, variant(head, body, 1000 + i)) for i in range(100)]
        for f in futures:
            statuses.append(f.result()[0])
    ok = sum(1 for s in statuses if s in (200, 201))
    print(f"memory=after_100_uploads_of_10mb rss_mb={rss_mb(pid, 'VmRSS'):.1f} peak_rss_mb={rss_mb(pid, 'VmHWM'):.1f} "
          f"uploads_ok={ok} other={json.dumps(sorted(set(statuses)))}")


if __name__ == "__main__":
    main()
