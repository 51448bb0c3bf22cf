"""A second pair of eyes: `[posting] approval = "one" | "two"`, approvals given to what a post shows
now, cleared by any change to it, and `schedule approve` / `cancel` for several posts at once."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from conftest import approved_portrait, due_post, set_config

from campaign.outputs.renders import publishing_site
from schedules import posts
from schedules.daemon import run_once
from schedules.runner import publish_post


@pytest.fixture
def four_eyes(ws):
    set_config(ws, 'approval = "none"', 'approval = "two"')
    return ws


def _post(ws, post_id):
    return posts.get(ws.store.read(), post_id)


def _outbox(ws):
    return [d.name for d in ws.outbox.iterdir()] if ws.outbox.exists() else []


def test_two_approvals_from_different_people_are_needed_and_one_person_cannot_give_both(cli, four_eyes):
    ws = four_eyes
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    post_id = due_post(ws, pid)
    r = cli("--user", "anna", "schedule", "approve", post_id)
    assert r.exit_code == 0, r.output
    assert "1 of 2 approvals (anna)" in r.output
    result = run_once(publishing_site(ws))
    assert result["posts"] == [{"id": post_id, "status": "planned", "error": None,
                                "reason": "waiting for approval: 1 of 2 approvals (anna)"}]
    assert _outbox(ws) == []
    before = ws.store.path.read_bytes()
    r = cli("--user", "anna", "schedule", "approve", post_id)
    assert r.exit_code == 1 and "anna has already approved" in r.output and "another person" in r.output
    assert ws.store.path.read_bytes() == before
    r = cli("--user", "ben", "schedule", "approve", post_id)
    assert r.exit_code == 0 and "approved by anna, ben" in r.output
    assert run_once(publishing_site(ws))["posts"][0]["status"] == "published"  # at once, not at the next look a minute later
    assert len(_outbox(ws)) == 1
    audit = [e for e in ws.store.read().table("audit").all() if e["action"] == "post.approve"]
    assert [e["who"] for e in audit] == ["anna", "ben"]


def test_a_quote_edit_clears_the_approvals_and_the_new_version_needs_them_again(cli, four_eyes, monkeypatch):
    ws = four_eyes
    pid = approved_portrait(ws, "Tamara", 32, "health")
    post_id = due_post(ws, pid)
    for user in ("anna", "ben"):
        assert cli("--user", user, "schedule", "approve", post_id).exit_code == 0
    assert cli("portrait", "edit", pid, "--quote", "Wir passen auf euch auf.").exit_code == 0
    shown = json.loads(cli("schedule", "show", post_id, "--json").output)
    assert shown["approval"]["approved"] is False and shown["approval"]["by"] == []
    assert shown["approval"]["earlier"] == ["anna", "ben"]
    assert "0 of 2 approvals; 2 earlier approvals of a version" in shown["approval"]["text"]
    assert publish_post(publishing_site(ws), post_id)["status"] == "planned" and _outbox(ws) == []
    status = cli("status").output
    assert f"Waiting for approval: {post_id}" in status and "campaign schedule approve" in status
    monkeypatch.setenv("CAMPAIGN_USER", "carla")  # who acts, from the environment
    assert cli("schedule", "approve", post_id).exit_code == 0
    assert cli("--user", "anna", "schedule", "approve", post_id).exit_code == 0
    post = publish_post(publishing_site(ws), post_id, force=True)
    assert post["status"] == "published"
    assert "Wir passen auf euch auf." in post["caption"]
    assert [a["who"] for a in post["approvals"]] == ["anna", "ben", "carla", "anna"]


@pytest.mark.parametrize("change", ["move", "brand", "focus", "translation"])
def test_any_change_to_what_a_post_publishes_clears_its_approval(cli, ws, change):
    set_config(ws, 'approval = "none"', 'approval = "one"')
    pid = approved_portrait(ws, "Mehmet", 45, "transport")
    assert cli("portrait", "translate", pid, "--lang", "tr", "--quote", "Birlikte.", "--role", "Şoför").exit_code == 0
    r = cli("schedule", "add", pid, "--at", "2030-05-04 18:30", "--channel", "instagram", "--format", "carousel",
            "--json")
    post_id = json.loads(r.output)[0]["id"]
    assert cli("schedule", "approve", post_id).exit_code == 0
    assert json.loads(cli("schedule", "show", post_id, "--json").output)["approval"]["approved"]
    if change == "move":
        assert cli("schedule", "move", post_id, "--to", "2030-05-05 18:30").exit_code == 0
    elif change == "brand":
        set_config(ws, 'secondary = "#1D1D1B"', 'secondary = "#003366"')
    elif change == "focus":
        assert cli("portrait", "edit", pid, "--focus", "0.4,0.3").exit_code == 0
    else:
        assert cli("portrait", "translate", pid, "--lang", "tr", "--quote", "Hep birlikte.").exit_code == 0
    assert not json.loads(cli("schedule", "show", post_id, "--json").output)["approval"]["approved"]


def test_a_due_post_without_approval_fails_as_not_approved_after_the_grace_window(cli, ws):
    set_config(ws, 'approval = "none"', 'approval = "one"')
    pid = approved_portrait(ws, "Olena", 27, "retail")
    soon = due_post(ws, pid, seconds_ahead=-60)
    late = due_post(ws, approved_portrait(ws, "Ben", 50, "senior"), seconds_ahead=-7 * 3600)
    run_once(publishing_site(ws))
    assert _post(ws, soon)["status"] == "planned"
    assert _post(ws, soon)["reason"] == "waiting for approval: 0 of 1 approvals"
    assert _post(ws, late)["status"] == "failed" and _post(ws, late)["reason"] == "not approved"
    assert _outbox(ws) == []
    r = cli("publish", soon)
    assert r.exit_code == 1 and "waiting for approval" in r.output and f"schedule approve {soon}" in r.output
    with ws.store.transaction() as db:  # the grace window passes while nobody approves
        posts.update(db, soon, ws.now(), at=(ws.now() - timedelta(hours=7)).isoformat(timespec="seconds"),
                     next_try=None)
    assert publish_post(publishing_site(ws), soon)["reason"] == "not approved"


def test_status_lists_what_waits_for_approval_before_it_is_due(cli, ws):
    set_config(ws, 'approval = "none"', 'approval = "one"')
    pid = approved_portrait(ws, "Anna", 40, "health")
    waiting = due_post(ws, pid, seconds_ahead=3 * 86400)
    done = due_post(ws, pid, seconds_ahead=4 * 86400)
    assert cli("schedule", "approve", done).exit_code == 0
    report = json.loads(cli("status", "--json").output)
    assert [p["id"] for p in report["awaiting_approval"]] == [waiting]
    assert report["awaiting_approval"][0]["approval"]["text"] == "0 of 1 approvals"


def test_approve_and_cancel_take_several_posts_by_id_portrait_or_dates(cli, ws):
    set_config(ws, 'approval = "none"', 'approval = "one"')
    anna = approved_portrait(ws, "Anna", 40, "health")
    ben = approved_portrait(ws, "Ben", 50, "senior")
    ids = {}
    for pid, day in ((anna, "2030-05-04"), (anna, "2030-05-11"), (ben, "2030-05-06"), (ben, "2030-06-01")):
        r = cli("schedule", "add", pid, "--at", f"{day} 18:30", "--channel", "instagram", "--json")
        ids[(pid, day)] = json.loads(r.output)[0]["id"]
    r = cli("schedule", "approve", "--portrait", anna, "--json")
    assert sorted(p["id"] for p in json.loads(r.output)["approved"]) == sorted([ids[(anna, "2030-05-04")],
                                                                                ids[(anna, "2030-05-11")]])
    again = json.loads(cli("schedule", "approve", "--from", "2030-05-01", "--to", "2030-05-31", "--json").output)
    assert [p["id"] for p in again["approved"]] == [ids[(ben, "2030-05-06")]]
    assert {p["id"] for p in again["skipped"]} == {ids[(anna, "2030-05-04")], ids[(anna, "2030-05-11")]}
    r = cli("schedule", "approve", ids[(ben, "2030-06-01")], ids[(anna, "2030-05-04")])  # by id: all or none
    assert r.exit_code == 1 and "already approved" in r.output
    assert not _post(ws, ids[(ben, "2030-06-01")])["approvals"]
    r = cli("schedule", "cancel", ids[(anna, "2030-05-04")], ids[(ben, "2030-05-06")])
    assert r.exit_code == 0
    assert {_post(ws, i)["status"] for i in (ids[(anna, "2030-05-04")], ids[(ben, "2030-05-06")])} == {"cancelled"}
    r = cli("schedule", "cancel", "--portrait", ben, "--from", "2030-05-20", "--json")
    assert [p["id"] for p in json.loads(r.output)] == [ids[(ben, "2030-06-01")]]
    assert _post(ws, ids[(anna, "2030-05-11")])["status"] == "planned"
    for args in ((), (ids[(anna, "2030-05-11")], "--portrait", anna)):
        r = cli("schedule", "cancel", *args)
        assert r.exit_code == 1 and ("Which posts?" in r.output or "not both" in r.output)


def test_cancelling_several_posts_changes_nothing_when_one_of_them_is_already_out(cli, ws):
    pid = approved_portrait(ws, "Anna", 40, "health")
    out = due_post(ws, pid)
    publish_post(publishing_site(ws), out)
    later = due_post(ws, pid, seconds_ahead=86400)
    before = ws.store.path.read_bytes()
    r = cli("schedule", "cancel", later, out)
    assert r.exit_code == 1 and f"{out} is published and cannot be cancelled" in r.output
    assert ws.store.path.read_bytes() == before


def test_a_user_name_must_be_plain_text(cli, ws):
    r = cli("--user", "a\x1bb", "status")
    assert r.exit_code == 2 and "plain characters" in r.output


@pytest.mark.slow
def test_the_daemon_publishes_a_waiting_post_as_soon_as_it_is_approved(cli, ws):
    import time

    from schedules.daemon import Runner

    set_config(ws, 'approval = "none"', 'approval = "one"')
    post_id = due_post(ws, approved_portrait(ws, "Amira", 38, "health"), seconds_ahead=1)
    runner = Runner(publishing_site(ws), sync_seconds=0.3)
    runner.start()
    try:
        deadline = time.monotonic() + 20
        while "waiting for approval" not in (_post(ws, post_id).get("reason") or "") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _post(ws, post_id)["status"] == "planned" and _outbox(ws) == []
        assert cli("schedule", "approve", post_id).exit_code == 0
        approved_at = time.monotonic()
        while _post(ws, post_id)["status"] != "published" and time.monotonic() < approved_at + 20:
            time.sleep(0.1)
    finally:
        runner.stop()
    assert _post(ws, post_id)["status"] == "published"
    assert time.monotonic() - approved_at < 10  # not at the next look a minute later
