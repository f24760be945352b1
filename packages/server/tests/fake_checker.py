#!/usr/bin/env python3
"""A scripted checker for the server's side of the checker protocol (docs/checker.md): what the
server records, decides and retries, without a browser. The real checker (packages/checker) is
tested against real Chromium in its own package and end to end.

The workflow's name picks the script: "[found]" every step found; "[missing]" the second step not
found; "[heal]" the first step's selectors fail and the server is asked (heal), its decision used;
"[session]" a sign-in page; "[crash]" the process exits in the middle of its first check of that
workflow (a marker file in FAKE_CHECKER_DIR remembers it); "[hang]" it never answers; "[slow]"
waits 1 s per step. Every check message is appended to FAKE_CHECKER_DIR/checks.jsonl.
"""
import base64
import json
import os
import sys
import threading
import time

DIR = os.environ.get("FAKE_CHECKER_DIR", "/tmp")
JPEG = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9").decode()
out_lock = threading.Lock()
heal_answers = {}
heal_cv = threading.Condition()
hung = set()


def send(obj):
    with out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def step_line(check, i, step, outcome="found", method="selector", score=100.0, message=None):
    box = {"x": 10, "y": 20 + i, "width": 80, "height": 30} if outcome in ("found", "healed") else None
    return {"type": "step", "id": check["id"], "step_id": step["id"], "index": i, "outcome": outcome,
            "method": method if box else None, "score": score if box else None, "selector": "#x",
            "time_ms": 12 + i, "page_url": step["page_context"]["url"], "page_state_hash": "s" * 16,
            "box": box, "viewport": {"width": 1280, "height": 800}, "screenshot": JPEG, "message": message}


def run(check):
    with open(os.path.join(DIR, "checks.jsonl"), "a") as f:
        f.write(json.dumps(check) + "\n")
    wf = check["workflow"]
    name = wf["name"]
    steps = wf["steps"]
    status = "passed"
    if "[hang]" in name:
        hung.add(check["id"])
        return
    if "[crash]" in name:
        marker = os.path.join(DIR, f"crashed-{wf['id']}")
        if not os.path.exists(marker):
            open(marker, "w").close()
            send(step_line(check, 0, steps[0]))
            time.sleep(0.2)
            os._exit(3)
    if "[session]" in name:
        send(step_line(check, 0, steps[0], "not_found", message="a sign-in page"))
        send({"type": "done", "id": check["id"], "status": "session_expired",
              "message": "The check landed on a sign-in page at http://127.0.0.1/login.", "duration_ms": 5})
        return
    for i, step in enumerate(steps):
        if "[slow]" in name:
            time.sleep(1)
        if "[missing]" in name and i == 1:
            send(step_line(check, i, step, "not_found"))
            status = "at_risk"
            continue
        if "[heal]" in name and i == 0:
            meta = dict(step["element_meta"])
            meta["inner_text"] = meta.get("inner_text", "") + " (moved)"
            send({"type": "heal", "id": check["id"], "seq": 1, "step_id": step["id"],
                  "candidates": [{"selector": "#moved-1", "selectors": {"primary": "#moved-1", "css": "#moved-1"},
                                  "element_meta": meta, "deterministic_score": 95},
                                 {"selector": "#other", "element_meta": {"tag_name": "a", "inner_text": "Other"},
                                  "deterministic_score": 40}],
                  "page_state_hash": "changed-state", "page_url": step["page_context"]["url"], "screenshot": JPEG})
            with heal_cv:
                heal_cv.wait_for(lambda: (check["id"], 1) in heal_answers, timeout=30)
                decision = heal_answers.get((check["id"], 1))
            with open(os.path.join(DIR, "heal_results.jsonl"), "a") as f:
                f.write(json.dumps(decision) + "\n")
            if decision and decision.get("found") and not decision.get("ask_user"):
                send(step_line(check, i, step, "healed", decision["method"], 95))
            else:
                send(step_line(check, i, step, "uncertain"))
                status = "at_risk"
            continue
        send(step_line(check, i, step))
    send({"type": "done", "id": check["id"], "status": status, "message": None, "duration_ms": 10})


def main():
    send({"type": "ready", "version": "fake", "chromium": "none", "max_pages": 2})
    for raw in sys.stdin:
        try:
            msg = json.loads(raw)
        except ValueError:
            send({"type": "log", "level": "error", "message": "not JSON"})
            continue
        if msg.get("type") == "check":
            threading.Thread(target=run, args=(msg,), daemon=True).start()
        elif msg.get("type") == "heal_result":
            with heal_cv:
                heal_answers[(msg["id"], msg["seq"])] = msg["decision"]
                heal_cv.notify_all()
        elif msg.get("type") == "cancel" and msg["id"] not in hung:
            send({"type": "done", "id": msg["id"], "status": "error", "message": "cancelled", "duration_ms": 0})


if __name__ == "__main__":
    main()
