#!/usr/bin/env python3
"""Seeds a running server for bench/health/run.sh: one company, N active workflows of 3 labeled
steps each. Prints JSON: token, workflow ids, their step ids."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "packages", "server", "tests"))
import helpers  # noqa: E402
import wf_support as W  # noqa: E402


def main():
    port = int(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    srv = helpers.Server.__new__(helpers.Server)  # only the HTTP shortcuts are used
    srv.port = port
    admin = srv.signup_admin()
    wfs = []
    for _ in range(n):
        wf_id = W.create(admin, W.body(3))
        W.activate(admin, wf_id)
        steps = [s["id"] for s in W.detail(admin, wf_id)[0]["steps"]]
        wfs.append({"id": wf_id, "steps": steps})
    print(json.dumps({"token": admin.token, "workflows": wfs}))


if __name__ == "__main__":
    main()
