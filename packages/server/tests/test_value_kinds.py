"""Value kinds (issue 15, item 1): whose value a typed step takes decides its words, and a step
whose target shows a value typed earlier (value_from) is named without it. Black box, both engines:
the upload, the labels the embedded labeler writes, PATCH value_kind, and value_from kept pointing
at the same step through renumbering."""
import pytest

from helpers import assert_envelope, assert_validation_error
import wf_support as W


@pytest.fixture
def co(server):
    admin, regular = server.company_team()
    return admin, regular


def typed(n, label, value, kind=None, tag="input", **meta):
    s = W.step(n, action="input_commit")
    s["element_meta"] = {"tag_name": tag, "type": "text", "label_text": label, **meta}
    s["action_data"] = {"input_value": value}
    if kind is not None:
        s["action_data"]["value_kind"] = kind
    return s


def link(n, text, value_from=None):
    s = W.step(n, action="click")
    s["element_meta"] = {"tag_name": "a", "inner_text": text, "href": "https://app.example.com/pages/9"}
    if value_from is not None:
        s["action_data"] = {"input_value": None, "value_from": value_from}
    return s


def upload(admin, steps):
    body = W.body(1)
    body["steps"] = steps
    wf_id = W.create(admin, body)
    d, _ = W.detail(admin, wf_id)
    return wf_id, d["steps"]


def test_personal_and_free_values_are_never_quoted_fixed_ones_are(co):
    admin, _ = co
    _, steps = upload(admin, [
        typed(1, "Username", "ada.admin", "personal"),
        typed(2, "Title", "Q3 launch plan", "free"),
        typed(3, "Quantity", "12", "fixed"),
        typed(4, "Reference", "PO-7"),  # no kind: fixed, as before
        link(5, "Q3 launch plan", value_from=2),
    ])
    assert steps[0]["instruction"] == "Enter your username."
    assert steps[1]["instruction"] == "Type the title you want."
    assert steps[2]["instruction"] == "Enter \u201c12\u201d in the Quantity field."
    assert steps[3]["instruction"] == "Enter \u201cPO-7\u201d in the Reference field."
    assert steps[4]["instruction"] == "Open the page you just created."
    assert steps[4]["field_label"] == "The page you created"
    for s in steps:
        for own in ("ada.admin", "Q3 launch plan"):
            assert own not in s["instruction"] and own not in (s["field_label"] or ""), s
    # What the recorder sent is kept as sent.
    assert steps[0]["action_data"]["value_kind"] == "personal"
    assert steps[4]["action_data"]["value_from"] == 2


def test_value_from_follows_the_uploads_numbering_and_must_name_an_earlier_step(co):
    admin, _ = co
    _, steps = upload(admin, [
        typed(10, "Title", "Launch", "free"),
        link(20, "Launch", value_from=10),
        link(30, "Launch", value_from=40),   # a later step: dropped
        typed(40, "Note", "x", "free"),
        link(50, "Launch", value_from=77),   # no such step: dropped
    ])
    assert [s["step_number"] for s in steps] == [1, 2, 3, 4, 5]
    assert steps[1]["action_data"]["value_from"] == 1
    assert "value_from" not in steps[2]["action_data"]
    assert "value_from" not in steps[4]["action_data"]


def test_patch_value_kind_rewrites_the_words_not_edited(co):
    admin, _ = co
    wf_id, steps = upload(admin, [typed(1, "Username", "ada.admin"), typed(2, "Title", "Launch"), link(3, "Go")])
    assert steps[0]["instruction"] == "Enter \u201cada.admin\u201d in the Username field."
    url = f"/api/workflows/{wf_id}/steps/{steps[0]['id']}"
    data = assert_envelope(admin.patch(url, {"value_kind": "personal"}), 200)
    assert data["action_data"]["value_kind"] == "personal"
    assert data["action_data"]["input_value"] == "ada.admin"  # the recorded value stays stored
    assert data["instruction"] == "Enter your username."
    assert data["label_edited"] is False and data["instruction_edited"] is False
    assert W.detail(admin, wf_id)[0]["steps"][0]["instruction"] == "Enter your username."
    # And back: the value is quoted again.
    data = assert_envelope(admin.patch(url, {"value_kind": "fixed"}), 200)
    assert data["instruction"] == "Enter \u201cada.admin\u201d in the Username field."

    # An admin's own instruction is never rewritten; one set in the same request wins.
    url2 = f"/api/workflows/{wf_id}/steps/{steps[1]['id']}"
    assert_envelope(admin.patch(url2, {"instruction": "Name the launch"}), 200)
    data = assert_envelope(admin.patch(url2, {"value_kind": "free"}), 200)
    assert data["instruction"] == "Name the launch" and data["action_data"]["value_kind"] == "free"
    data = assert_envelope(admin.patch(url2, {"value_kind": "personal", "field_label": "Launch name"}), 200)
    assert data["field_label"] == "Launch name" and data["instruction"] == "Name the launch"


@pytest.mark.parametrize("payload,pointer", [
    ({"value_kind": "secret"}, "/value_kind"),
    ({"value_kind": None}, "/value_kind"),
    ({"value_kind": 1}, "/value_kind"),
])
def test_patch_value_kind_bad_input(co, payload, pointer):
    admin, _ = co
    wf_id, steps = upload(admin, [typed(1, "Username", "ada")])
    before = steps[0]
    assert_validation_error(admin.patch(f"/api/workflows/{wf_id}/steps/{before['id']}", payload), pointer)
    assert W.detail(admin, wf_id)[0]["steps"][0] == before


def test_a_click_has_no_value_kind(co):
    admin, _ = co
    wf_id, steps = upload(admin, [link(1, "Go")])
    r = admin.patch(f"/api/workflows/{wf_id}/steps/{steps[0]['id']}", {"value_kind": "free"})
    err = assert_validation_error(r, "/value_kind")
    assert "input_commit" in str(err), err
    assert W.detail(admin, wf_id)[0]["steps"][0] == steps[0]


def test_regular_users_cannot_change_a_value_kind(co):
    admin, regular = co
    wf_id, steps = upload(admin, [typed(1, "Username", "ada")])
    W.activate(admin, wf_id)
    r = regular.patch(f"/api/workflows/{wf_id}/steps/{steps[0]['id']}", {"value_kind": "personal"})
    assert r.status == 403


def test_reorder_and_delete_keep_value_from_on_the_same_step(co):
    admin, _ = co
    wf_id, steps = upload(admin, [
        link(1, "Start"),
        typed(2, "Title", "Launch", "free"),
        link(3, "Launch", value_from=2),
        typed(4, "Note", "n", "free"),
        link(5, "n", value_from=4),
    ])
    ids = [s["id"] for s in steps]
    # Move the first step to the end: the title step is now 1, its link 2.
    order = ids[1:] + ids[:1]
    r = admin.server.request("PUT", f"/api/workflows/{wf_id}/steps/order", {"step_ids": order}, token=admin.token)
    after = assert_envelope(r, 200)["steps"]
    by_id = {s["id"]: s for s in after}
    assert by_id[ids[2]]["action_data"]["value_from"] == by_id[ids[1]]["step_number"] == 1
    assert by_id[ids[4]]["action_data"]["value_from"] == by_id[ids[3]]["step_number"] == 3
    # Deleting the title step drops the reference to it; the other one is renumbered.
    assert admin.delete(f"/api/workflows/{wf_id}/steps/{ids[1]}").status == 204
    after = {s["id"]: s for s in W.detail(admin, wf_id)[0]["steps"]}
    assert "value_from" not in after[ids[2]]["action_data"]
    assert after[ids[4]]["action_data"]["value_from"] == after[ids[3]]["step_number"] == 2


def test_a_free_value_made_fixed_is_quoted_again_by_the_steps_that_showed_it(co):
    admin, _ = co
    wf_id, steps = upload(admin, [typed(1, "Title", "Launch", "free"), link(2, "Launch", value_from=1)])
    assert steps[1]["instruction"] == "Open the page you just created."
    assert_envelope(admin.patch(f"/api/workflows/{wf_id}/steps/{steps[0]['id']}", {"value_kind": "fixed"}), 200)
    after = W.detail(admin, wf_id)[0]["steps"]
    assert "value_from" not in after[1]["action_data"]
    assert after[1]["instruction"] == "Click the \u201cLaunch\u201d link."
    assert after[0]["instruction"] == "Enter \u201cLaunch\u201d in the Title field."
