#!/usr/bin/env python3
"""Sums the JUnit XML files of a test run and prints the closing line.

usage: junit-summary.py RESULTS_DIR [FAILED_SUITE...]
Exit status 1 when any test failed, any suite failed, or no test ran at all.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET


def count(path):
    # Test cases anywhere in the tree: some reporters (node's) put them straight under <testsuites>.
    total = failed = skipped = 0
    for case in ET.parse(path).getroot().iter("testcase"):
        total += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
    return total, failed, skipped


def main():
    results = pathlib.Path(sys.argv[1])
    failed_suites = sys.argv[2:]
    passed = failed = skipped = 0
    for f in sorted(results.rglob("*.xml")):
        try:
            t, fl, sk = count(f)
        except ET.ParseError as e:
            print(f"  {f.name}: unreadable ({e})")
            failed_suites.append(f.stem)
            continue
        print(f"  {f.relative_to(results)}: {t - fl - sk} passed, {fl} failed, {sk} skipped")
        passed += t - fl - sk
        failed += fl
        skipped += sk
    if failed_suites:
        print("failed suites: " + ", ".join(failed_suites))
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
    ok = failed == 0 and not failed_suites and passed > 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
