"""Idempotency-Key on creating requests (issue 17): a create whose answer was lost can be sent
again; the same key and body answer the first answer and create nothing more, another body with
the same key is 422, keys are per user, and two requests with one key at once create one
workflow. Both engines."""
import threading

import pytest

from helpers import assert_envelope, assert_error, assert_validation_error
import wf_support as W


@pytest.fixture(scope="module")
def team(server):
    return server.company_team()


def create(admin, body, key):
    return admin.post("/api/workflows", body, headers={"Idempotency-Key": key})


def count(admin, name):
    data = assert_envelope(admin.get("/api/workflows?limit=200&include_archived=true"), 200)
    return len([w for w in data if w["name"] == name])


def test_the_same_key_and_body_answer_the_first_answer(team):
    admin, _ = team
    body = W.body(2)
    first = create(admin, body, "key-create-1")
    d1 = assert_envelope(first, 201)
    assert first.header("Idempotency-Replayed") is None
    again = create(admin, body, "key-create-1")
    d2 = assert_envelope(again, 201)
    assert d2 == d1 and again.header("Idempotency-Replayed") == "true"
    assert count(admin, body["metadata"]["name"]) == 1
    # Without a key every request creates.
    assert_envelope(admin.post("/api/workflows", body), 201)
    assert count(admin, body["metadata"]["name"]) == 2


def test_another_body_with_the_same_key_is_refused(team):
    admin, _ = team
    body = W.body(1)
    assert_envelope(create(admin, body, "key-reused"), 201)
    other = W.body(1)
    r = create(admin, other, "key-reused")
    assert_error(r, 422, "IDEMPOTENCY_KEY_REUSED")
    assert count(admin, other["metadata"]["name"]) == 0
    # And for another operation.
    assert_error(admin.post("/api/workflows/import", {"title": "x", "steps": []},
                            headers={"Idempotency-Key": "key-reused"}), 422)


def test_keys_are_each_users_own(server, team):
    admin, _ = team
    other, _ = server.company_team()
    body = W.body(1)
    a = assert_envelope(create(admin, body, "shared-key"), 201)
    b = assert_envelope(create(other, body, "shared-key"), 201)
    assert a["workflow_id"] != b["workflow_id"]


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "tab\there", "caf\u00e9"])
def test_a_malformed_key_is_422(team, key):
    admin, _ = team
    if key == "":
        # An empty header is no key at all.
        assert_envelope(create(admin, W.body(1), key), 201)
        return
    r = admin.post("/api/workflows", W.body(1), headers={"Idempotency-Key": key.encode("utf-8").decode("latin-1")})
    assert_validation_error(r, "/headers/Idempotency-Key")


def test_two_requests_with_one_key_at_once_create_one_workflow(team):
    admin, _ = team
    body = W.body(3)
    answers = []

    def send():
        answers.append(create(admin, body, "key-race"))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = {assert_envelope(r, 201)["workflow_id"] for r in answers}
    assert len(ids) == 1, answers
    assert sum(1 for r in answers if r.header("Idempotency-Replayed") == "true") == 5
    assert count(admin, body["metadata"]["name"]) == 1


def test_an_import_is_idempotent_too(team):
    admin, _ = team
    recording = {"title": "Imported once", "steps": [
        {"type": "setViewport", "width": 1280, "height": 800},
        {"type": "navigate", "url": "https://app.example.com/form"},
        {"type": "click", "selectors": [["#save"]], "offsetX": 1, "offsetY": 1}]}
    first = admin.post("/api/workflows/import", recording, headers={"Idempotency-Key": "import-1"})
    if first.status != 201:
        pytest.fail(f"import refused: {first}")
    again = admin.post("/api/workflows/import", recording, headers={"Idempotency-Key": "import-1"})
    assert assert_envelope(again, 201) == assert_envelope(first, 201)
    assert again.header("Idempotency-Replayed") == "true"
    assert count(admin, "Imported once") == 1
