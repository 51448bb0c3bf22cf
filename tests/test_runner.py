"""The publishing daemon: real scheduler, real subprocesses, real kills, real races."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from conftest import ROOT, approved_portrait, configure, run_campaign, set_config

from campaign.outputs.renders import publishing_site
from portraits.errors import CampaignError
from schedules import posts
from schedules.channel import PermanentError, TransientError
from schedules.daemon import Runner, run_once
from schedules.runner import publish_post


def add_post(ws, pid, seconds_ahead, channel="instagram"):
    now = datetime.now(UTC)  # seconds ahead in real time, even across a clock change
    with ws.store.transaction() as db:
        return posts.create(db, pid, channel, (now + timedelta(seconds=seconds_ahead)).astimezone(ws.tz), now,
                            lang="de")


def status_of(ws, post_id):
    return posts.get(ws.store.read(), post_id)


def wait_for(predicate, timeout=15.0, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return False


def outbox_dirs(ws):
    return sorted(p.name for p in ws.outbox.iterdir() if p.is_dir() and not p.name.startswith("."))


def daemon(ws, *extra):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "campaign", "-w", str(ws.root), "run", "--sync-seconds", "0.3",
                             *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
@pytest.mark.any_day
def test_real_scheduler_publishes_into_the_outbox_on_time(ws):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommer")
    post = add_post(ws, pid, 2.0)
    runner = Runner(publishing_site(ws), sync_seconds=0.5)
    runner.start()
    try:
        assert wait_for(lambda: status_of(ws, post["id"])["status"] == "published", timeout=15)
    finally:
        runner.stop()
    done = status_of(ws, post["id"])
    assert datetime.fromisoformat(done["published_at"]) >= datetime.fromisoformat(post["at"]).replace(microsecond=0)
    folder = ws.outbox / f"{post['at'][:10]}-{post['id']}-instagram"
    assert done["remote_id"] == f"outbox:{folder.name}"
    caption = (folder / "caption.txt").read_text()
    assert "Brigitte (81)" in caption and "Sommer" not in caption
    assert "Sommer" not in (folder / "alt.txt").read_text()
    meta = json.loads((folder / "post.json").read_text())
    assert meta["planned_at"] == post["at"] and meta["published_at"]
    from PIL import Image
    with Image.open(folder / "image.jpg") as im:
        assert not im.getexif() and "comment" not in im.info and "exif" not in im.info
    assert [h["status"] for h in done["history"]] == ["planned", "publishing", "published"]


@pytest.mark.real_clock
def test_a_second_daemon_refuses_to_start(ws):
    runner = Runner(publishing_site(ws), sync_seconds=5)
    runner.start()
    try:
        with pytest.raises(CampaignError, match="already running"):
            Runner(publishing_site(ws)).start()
        r = run_campaign("-w", ws.root, "run", "--once")
        assert r.returncode == 1 and "already running" in r.stderr
    finally:
        runner.stop()
    again = Runner(publishing_site(ws), sync_seconds=5)  # once stopped, a new daemon may start
    again.start()
    again.stop()


@pytest.mark.real_clock
def test_kill_9_while_publishing_leaves_unknown_and_no_second_post(ws):
    pid = approved_portrait(ws, "Tamara", 32, "health")
    configure(ws, "channels.instagram", simulate_upload_seconds=30)
    post = add_post(ws, pid, 1.0)
    proc = daemon(ws)
    try:
        assert wait_for(lambda: status_of(ws, post["id"])["status"] == "publishing", timeout=20), proc.stderr.read() if proc.poll() is not None else ""
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert status_of(ws, post["id"])["status"] == "publishing"
    configure(ws, "channels.instagram", simulate_upload_seconds=0)
    for _ in range(2):
        r = run_campaign("-w", ws.root, "run", "--once")
        assert r.returncode == 0, r.stderr
    after = status_of(ws, post["id"])
    assert after["status"] == "unknown"
    assert "reconcile" in after["reason"]
    assert outbox_dirs(ws) == []
    r = run_campaign("-w", ws.root, "status")
    assert f"Unknown {post['id']}" in r.stdout and "reconcile" in r.stdout


@pytest.mark.real_clock
def test_cancel_from_the_cli_while_the_daemon_runs_means_never_published(ws):
    pid = approved_portrait(ws, "Mehmet", 45, "transport")
    keep_pid = approved_portrait(ws, "Olena", 27, "retail")
    # Due well after the cancel lands, even on a busy machine where starting Python takes seconds.
    post = add_post(ws, pid, 12.0)
    keep = add_post(ws, keep_pid, 12.0)
    proc = daemon(ws)
    try:
        log = ws.root / "campaign.log"
        assert wait_for(lambda: log.is_file() and "daemon started" in log.read_text(), timeout=20)
        time.sleep(0.5)  # the daemon has synced and holds a job for the post
        r = run_campaign("-w", ws.root, "schedule", "cancel", post["id"])
        assert r.returncode == 0, r.stderr
        assert wait_for(lambda: status_of(ws, keep["id"])["status"] == "published", timeout=40)
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert status_of(ws, post["id"])["status"] == "cancelled"
    assert [d for d in outbox_dirs(ws) if post["id"] + "-" in d] == []
    log = (ws.root / "campaign.log").read_text()
    assert f"published {keep['id']}" in log and f"published {post['id']} " not in log


def test_withdrawal_racing_a_publish_never_lets_the_post_out_after_it(ws):
    from campaign.privacy.withdrawal import withdraw

    configure(ws, "channels.instagram", simulate_upload_seconds=0.4)
    for i, head_start in enumerate([0.0, 0.1, 0.2, 0.6]):
        pid = approved_portrait(ws, f"Race{chr(97 + i)}", 30 + i, f"cat{i}")
        post = add_post(ws, pid, -1)  # due now
        results = {}
        pub = threading.Thread(target=lambda results=results, post=post:
                               results.setdefault("post", publish_post(publishing_site(ws), post["id"])))
        if head_start == 0.0:
            results["withdraw"] = withdraw(ws, pid, "instagram")
            pub.start()
        else:
            pub.start()
            time.sleep(head_start)
            results["withdraw"] = withdraw(ws, pid, "instagram")
        pub.join()
        final = status_of(ws, post["id"])
        w = results["withdraw"]
        if final["status"] == "published":
            # The call was on the wire before the withdrawal was recorded, and it is listed for takedown.
            assert post["id"] in [p["id"] for p in w["takedown"]]
            withdrawn_at = [e for e in ws.store.read().table("consents").all() if e["portrait_id"] == pid][-1]["recorded_at"]
            assert datetime.fromisoformat(final["attempted_at"]) <= datetime.fromisoformat(withdrawn_at)
        else:
            assert final["status"] == "cancelled"
            assert not [d for d in outbox_dirs(ws) if f"-{post['id']}-" in d]
        if head_start == 0.0:
            assert final["status"] == "cancelled"
        if head_start == 0.6:
            assert final["status"] == "published"


def test_missed_posts_fail_outside_the_grace_window_and_go_out_inside_it(ws):
    a = approved_portrait(ws, "Anna", 40, "health")
    b = approved_portrait(ws, "Ben", 50, "senior")
    late = add_post(ws, a, -7 * 3600)
    recent = add_post(ws, b, -1 * 3600)
    result = run_once(publishing_site(ws))
    assert result["missed"] == [late["id"]]
    assert status_of(ws, late["id"])["status"] == "failed" and status_of(ws, late["id"])["reason"] == "missed"
    assert status_of(ws, recent["id"])["status"] == "published"
    # A person decides to send the missed one after all.
    from campaign.posting.scheduling import retry_post
    retry_post(ws, late["id"])
    run_once(publishing_site(ws))
    assert status_of(ws, late["id"])["status"] == "published"


class FlakyPlatform:
    """A stand-in platform (not our code) that fails the way real ones do."""
    kind = "fake"

    def __init__(self, errors):
        self.errors = list(errors)
        self.calls = 0

    def publish(self, post, media, caption):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"remote_id": "R1", "permalink": "https://example.invalid/p/R1"}


def test_transient_errors_back_off_and_permanent_errors_fail_at_once(ws):
    pid = approved_portrait(ws, "Anna", 40, "health")
    post = add_post(ws, pid, -1)
    platform = FlakyPlatform([TransientError("rate limited", retry_after=900)])
    after = publish_post(publishing_site(ws), post["id"], publisher=lambda ch: platform)
    assert after["status"] == "planned" and after["error"] == "rate limited"
    wait = datetime.fromisoformat(after["next_try"]) - ws.now()
    assert timedelta(seconds=850) < wait <= timedelta(seconds=900)
    # Not due yet: a second call does nothing (no tight loop).
    assert publish_post(publishing_site(ws), post["id"], publisher=lambda ch: platform)["status"] == "planned"
    assert platform.calls == 1
    # Forced (as `campaign publish` does): the platform answers now.
    assert publish_post(publishing_site(ws), post["id"], force=True, publisher=lambda ch: platform)["status"] == "published"

    post2 = add_post(ws, approved_portrait(ws, "Ben", 50, "senior"), -1)
    perm = FlakyPlatform([PermanentError("Token expired: reconnect the Page")])
    after = publish_post(publishing_site(ws), post2["id"], publisher=lambda ch: perm)
    assert after["status"] == "failed" and "reconnect" in after["error"] and perm.calls == 1

    post3 = add_post(ws, approved_portrait(ws, "Cem", 30, "retail"), -1)
    set_config(ws, "max_attempts = 5", "max_attempts = 2")
    flaky = FlakyPlatform([TransientError("busy")] * 5)
    publish_post(publishing_site(ws), post3["id"], publisher=lambda ch: flaky)
    final = publish_post(publishing_site(ws), post3["id"], force=True, publisher=lambda ch: flaky)
    assert final["status"] == "failed" and final["reason"] == "retries used up" and flaky.calls == 2


def test_an_unexpected_error_mid_call_becomes_unknown(ws):
    post = add_post(ws, approved_portrait(ws, "Anna", 40, "health"), -1)
    after = publish_post(publishing_site(ws), post["id"], publisher=lambda ch: FlakyPlatform([TimeoutError("read timed out")]))
    assert after["status"] == "unknown"
    assert run_once(publishing_site(ws))["posts"] == []  # never retried automatically


def test_consent_is_checked_again_at_the_moment_of_publishing(ws):

    pid = approved_portrait(ws, "Anna", 40, "health", expires="2026-02-01")
    post = add_post(ws, pid, -1)
    after = publish_post(publishing_site(ws), post["id"])
    assert after["status"] == "cancelled" and "consent" in after["reason"]
    assert outbox_dirs(ws) == []


def test_publish_and_status_commands(cli, ws):
    pid = approved_portrait(ws, "Anna", 40, "health")
    post = add_post(ws, pid, 3600)
    r = cli("status")
    assert r.exit_code == 0 and post["id"] in r.output and "not running" in r.output
    r = cli("publish", post["id"])
    assert r.exit_code == 0, r.output
    assert "Published" in r.output
    r = cli("publish", post["id"])
    assert r.exit_code == 1 and "only planned posts" in r.output
    assert len(outbox_dirs(ws)) == 1
    assert cli("publish", "p-404").exit_code == 1


def test_a_person_erased_while_their_post_is_written_to_the_outbox_leaves_nothing_there(ws):
    from campaign.privacy.gdpr import erase_person

    configure(ws, "channels.instagram", simulate_upload_seconds=1.0)
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    post = add_post(ws, pid, -1)
    ended = {}
    pub = threading.Thread(target=lambda: ended.update(publish_post(publishing_site(ws), post["id"])))
    pub.start()
    try:
        assert wait_for(lambda: status_of(ws, post["id"])["status"] == "publishing", timeout=30)
        erase_person(ws, pid)  # typed during the call: done at once, not after it
        assert pub.is_alive()
    finally:
        pub.join(30)
    assert ended["status"] in ("published", "unknown")  # the erasure listed it to take down
    assert not ws.outbox.exists() or [p.name for p in ws.outbox.iterdir()] == []
    log = ws.root / "campaign.log"
    assert not log.exists() or pid not in log.read_text()


HOLD_LOCK = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


def test_the_daemons_look_with_nothing_to_recover_neither_waits_for_the_store_nor_writes(ws):
    """Every few seconds the daemon looks for crashed or missed posts. With nothing to recover that look
    reads a snapshot: it does not wait while the web app or the CLI holds the store for a save."""
    from schedules.daemon import recover

    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    with ws.store.transaction() as db:
        posts.create(db, pid, "instagram", ws.now() + timedelta(days=1), ws.now(), lang="de")
    raw = ws.store.path.read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, f"{ws.store.path}.lock"], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        ws.store.lock.timeout = 0.2  # a look that waited for the lock fails here (after 60 s in real use)
        assert recover(publishing_site(ws)) == {"unknown": [], "missed": []}
    finally:
        holder.kill()
        holder.wait()
    assert ws.store.path.read_bytes() == raw
