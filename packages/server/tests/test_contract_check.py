"""The reference implementation's contract checker must also pass against our server."""
import os
import subprocess
import sys

import pytest

from conftest import REPO_ROOT

CHECKER = os.path.join(REPO_ROOT, "..", "shared", "anchors", "fastapi-ref", "bench", "contract_check.py")


def test_contract_check(server):
    # Was xfail until the workflows API (issue 4) landed in 49032d2; it passes on SQLite and PostgreSQL.
    if not os.path.isfile(CHECKER):
        pytest.skip(f"contract checker not found at {os.path.normpath(CHECKER)} (shared/ beside the repo)")
    out = subprocess.run([sys.executable, CHECKER, server.base], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"contract_check failed:\n{out.stdout[-6000:]}\n{out.stderr[-3000:]}"
