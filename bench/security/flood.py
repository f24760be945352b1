#!/usr/bin/env python3
"""Idle-connection flood (issue 13): how other clients are served while one address holds
thousands of idle connections.

  flood.py [--idle 10000] [--probes 200]

Runs two servers one after the other on fresh SQLite databases: `defaults` (MAX_CONNECTIONS_PER_IP
64, FIRST_REQUEST_TIMEOUT_SECONDS 10) and `uncapped` (MAX_CONNECTIONS_PER_IP=0,
FIRST_REQUEST_TIMEOUT_SECONDS=60: the behaviour before the fix). For each: opens --idle TCP
connections from 127.0.0.1 that never send a byte, then a second client bound to 127.0.0.2 sends
--probes GET /api/health requests (a new connection each, 5 s timeout) and reports how many were
answered and their p50/p99 latency. One line per server; compare them side by side.
"""
import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def start(env_extra):
    tmp = tempfile.mkdtemp(prefix="stepwise-flood-")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PORT": str(port), "HOST": "0.0.0.0", "DATA_DIR": tmp,
           "DATABASE_URL": f"sqlite:///{tmp}/app.db", "ACCESS_LOG": "false", "LOG_LEVEL": "warn",
           "PUBLIC_URL": f"http://127.0.0.1:{port}", **env_extra}
    proc = subprocess.Popen([os.path.join(REPO, "build", "stepwise"), "serve"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            if probe(port, "127.0.0.1") is not None:
                return proc, port, tmp
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server did not start")


def probe(port, source):
    """Milliseconds for one GET /api/health on a new connection from `source`; None on failure."""
    t0 = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0)) as s:
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            if not data.startswith(b"HTTP/1.1 200"):
                return None
    except OSError:
        return None
    return (time.perf_counter() - t0) * 1000


def run(name, env_extra, idle, probes):
    proc, port, tmp = start(env_extra)
    held = []
    try:
        refused = 0
        for _ in range(idle):
            try:
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", port))
                held.append(s)
            except OSError:
                refused += 1
        time.sleep(1.0)  # let the server accept (and close) what it will
        times = [probe(port, "127.0.0.2") for _ in range(probes)]
        ok = sorted(t for t in times if t is not None)
        q = statistics.quantiles(ok, n=100) if len(ok) >= 2 else [float("nan")] * 99
        print(f"scenario=idle_flood server={name} idle={idle} answered={len(ok)}/{probes} "
              f"p50_ms={q[49]:.1f} p99_ms={q[98]:.1f} max_ms={(ok[-1] if ok else float('nan')):.1f}")
    finally:
        for s in held:
            s.close()
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idle", type=int, default=10000)
    ap.add_argument("--probes", type=int, default=200)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server inherits it too
    if args.idle + 100 > hard:
        sys.exit(f"RLIMIT_NOFILE hard limit {hard} is below --idle {args.idle}")
    run("defaults", {}, args.idle, args.probes)
    run("uncapped", {"MAX_CONNECTIONS_PER_IP": "0", "FIRST_REQUEST_TIMEOUT_SECONDS": "60"}, args.idle, args.probes)


if __name__ == "__main__":
    main()
