#!/usr/bin/env python3
"""clang-tidy on the C++ files the last commit changed; fails on a finding on a line it changed
(in a changed source, or in a changed header one of them includes).

  tidy-new.py [BASE]        (BASE defaults to HEAD~1)

Findings on lines the commit did not touch (older code, headers) are printed as notes and do not
fail: the check holds new code to the rules without asking one commit to fix the whole file.
Files run in parallel, one clang-tidy per core. Needs build/release/compile_commands.json.
"""
import concurrent.futures
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
FINDING = re.compile(r"^(?P<path>/[^:]+):(?P<line>\d+):\d+: (?:warning|error): .*\[(?P<check>[\w.,-]+)\]$")


def changed_lines(base):
    """{absolute path: set of line numbers added or changed} for C++ files under packages/server/src."""
    diff = subprocess.run(["git", "diff", "-U0", base, "--", "packages/server/src/*.cpp", "packages/server/src/*.hpp"],
                          cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout
    out, path = {}, None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            path = None if name == "/dev/null" else os.path.join(ROOT, name[2:])
            if path:
                out.setdefault(path, set())
        elif line.startswith("@@") and path:
            m = re.search(r"\+(\d+)(?:,(\d+))?", line)
            start, count = int(m.group(1)), int(m.group(2) or 1)
            out[path].update(range(start, start + count))
    return {os.path.realpath(p): lines for p, lines in out.items()
            if lines and os.path.exists(p) and not p.endswith("_test.cpp")}


def tidy(path):
    r = subprocess.run(["clang-tidy", "-p", os.path.join(ROOT, "build/release"), "--quiet", path], cwd=ROOT,
                       capture_output=True, text=True)
    return path, r.stdout


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else "HEAD~1"
    if not os.path.exists(os.path.join(ROOT, "build/release/compile_commands.json")):
        print("tidy-new: no build/release/compile_commands.json; build first")
        return 1
    try:
        files = changed_lines(base)
    except subprocess.CalledProcessError:
        print(f"tidy-new: cannot diff against {base}; nothing checked")
        return 0
    new, old = [], set()
    sources = sorted(p for p in files if p.endswith(".cpp"))
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        for _, output in pool.map(tidy, sources):
            for line in output.splitlines():
                m = FINDING.match(line)
                if not m or m.group("check") == "clang-diagnostic-error":
                    continue  # a diagnostic of the tool's own parse (coroutines in clang 14), not a finding
                path = os.path.realpath(m.group("path"))
                if int(m.group("line")) in files.get(path, ()):
                    if line not in new:
                        new.append(line)  # a header's finding is reported by every file including it
                else:
                    old.add(line)
    for line in new:
        print(line)
    print(f"clang-tidy: {len(sources)} changed sources ({len(files)} files), {len(new)} findings on changed lines, "
          f"{len(old)} elsewhere (not failing)")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
