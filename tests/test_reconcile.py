"""Settling unknown posts: a crash between the platform call and the store write ends `published`,
with no second upload; a post the account does not show fails once the window has passed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from conftest import FB_TOKEN, ROOT, approved_portrait

from schedules import posts


def _due(ws, pid, channel="facebook"):
    with ws.store.transaction() as db:
        return posts.create(db, pid, channel, ws.now() - timedelta(seconds=5), ws.now() - timedelta(minutes=1))["id"]


@pytest.mark.real_clock
def test_kill_9_after_the_upload_then_reconcile_is_published_without_a_second_upload(cli, ws, graph):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", size=(1400, 1750))
    post_id = _due(ws, pid)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAMPAIGN_FACEBOOK_TOKEN": FB_TOKEN}
    proc = subprocess.Popen([sys.executable, "-m", "campaign", "-w", str(ws.root), "publish", post_id], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    graph.kill_on_upload = proc.pid  # Meta stores the photo; the process dies before it hears back
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert len(graph.uploads) == 1
    assert posts.get(ws.store.read(), post_id)["status"] == "publishing"  # the store never heard either

    r = cli("reconcile")
    assert r.exit_code == 0, r.output
    post = posts.get(ws.store.read(), post_id)
    assert post["status"] == "published" and post["remote_id"] == graph.posts[0]["id"]
    assert f"{post_id}: published as {post['remote_id']}" in r.output

    graph.kill_on_upload = None
    again = cli("publish", post_id)
    assert again.exit_code == 1 and "is published" in again.output
    assert cli("run", "--once").exit_code == 0
    assert len(graph.uploads) == 1  # never a second upload


def test_not_on_the_account_after_the_window_fails_ready_for_retry(cli, ws, graph):
    pid = approved_portrait(ws, "Tamara", 32, "health", size=(1400, 1750))
    recent, old = _due(ws, pid), _due(ws, pid)
    with ws.store.transaction() as db:
        posts.update(db, recent, ws.now(), "unknown", "test", caption="c1",
                     attempted_at=(ws.now() - timedelta(minutes=5)).isoformat(timespec="seconds"))
        posts.update(db, old, ws.now(), "unknown", "test", caption="c2",
                     attempted_at=(ws.now() - timedelta(hours=2)).isoformat(timespec="seconds"))
    graph.add_post("c2 but much later", ws.now())  # a different caption is not our post
    r = cli("reconcile", "--json")
    assert r.exit_code == 0, r.output
    assert posts.get(ws.store.read(), recent)["status"] == "unknown"  # still inside the 30-minute window
    failed = posts.get(ws.store.read(), old)
    assert failed["status"] == "failed" and f"campaign schedule retry {old}" in failed["reason"]
    assert cli("schedule", "retry", old).exit_code == 0
    assert posts.get(ws.store.read(), old)["status"] == "planned"
    assert graph.uploads == []


def test_reconcile_on_the_outbox_finds_what_went_out(cli, ws):
    pid = approved_portrait(ws, "Mehmet", 45, "transport", size=(700, 875))
    post_id = _due(ws, pid, "instagram")
    assert cli("publish", post_id).exit_code == 0
    with ws.store.transaction() as db:  # as if the store write had been lost
        posts.update(db, post_id, ws.now(), "unknown", "test", remote_id=None)
    r = cli("reconcile")
    assert r.exit_code == 0 and "published" in r.output
    assert posts.get(ws.store.read(), post_id)["remote_id"].startswith("outbox:")
    assert cli("reconcile").output.startswith("Nothing to settle")
