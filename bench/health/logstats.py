#!/usr/bin/env python3
"""Server-side time from the access log: p50/p99/max of duration_ms for one route, over the log
lines after byte offset START (bench/health/run.sh records the offset before each scenario).
Usage: logstats.py LOG START ROUTE SCENARIO"""
import json
import sys


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def main():
    log, start, route, scenario = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    with open(log, "rb") as f:
        f.seek(start)
        lines = f.read().decode(errors="replace").splitlines()
    ms, bad = [], 0
    for line in lines:
        try:
            j = json.loads(line)
        except ValueError:
            continue
        if j.get("msg") != "request" or j.get("route") != route:
            continue
        ms.append(float(j["duration_ms"]))
        bad += 0 if 200 <= int(j.get("status", 0)) < 300 else 1
    print(f"scenario={scenario} server_side=access_log requests={len(ms)} p50_ms={pct(ms, 50):.3f} "
          f"p99_ms={pct(ms, 99):.3f} p999_ms={pct(ms, 99.9):.3f} max_ms={max(ms) if ms else float('nan'):.3f} "
          f"errors={bad}")


if __name__ == "__main__":
    main()
