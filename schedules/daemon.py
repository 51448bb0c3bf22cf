"""The daemon: one per workspace, it recovers after a crash, beats and publishes what is due.

`Runner` is the only APScheduler scheduler of a workspace (a second one refuses to start: `DaemonLock`).
The store stays the source of truth: a periodic sync gives each planned post a job with the post's id
(`replace_existing`) and removes jobs of posts that were cancelled or moved. `run_once` is the same
for cron or a systemd timer. Publishing one post is schedules/runner.py.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from portraits import records
from portraits.errors import CampaignError
from portraits.files import atomic_write_bytes
from portraits.messages import _m
from portraits.model import as_portrait
from schedules import approval, posts
from schedules.content import content_of
from schedules.model import Post, PostStatus
from schedules.runner import Site, held, in_flight, publish_post
from schedules.secrets import platform_text

if TYPE_CHECKING:
    from tinydb import TinyDB

log = logging.getLogger("schedules.runner")  # the daemon's lines read as the publisher's in campaign.log

HEARTBEAT = "daemon-heartbeat.json"  # in .private/: when the daemon last looked for due posts
HEARTBEAT_SLACK = 60.0  # s a look may be late (a slow publish holds the next one) before it counts as missed


def _to_recover(site: Site, db: TinyDB, now: datetime, grace: timedelta) -> bool:
    """Whether `recover` has anything to change: its usual answer (every few seconds) is no, and a
    look at a read snapshot takes neither the store's lock nor a parse of an unchanged version."""
    return any((p["status"] == PostStatus.PUBLISHING and not in_flight(site, p["id"]))
               or (p["status"] == PostStatus.PLANNED and posts.due_time(p) < now - grace)
               for p in posts.in_order(db))


def recover(site: Site) -> dict[str, Any]:
    """At start: `publishing` left by a crash becomes `unknown`; posts missed past the grace window fail."""
    grace = timedelta(hours=site.config.posting.grace_hours)
    found: list[Post] = []
    missed: list[Post] = []
    if not _to_recover(site, site.store.read(), site.now(), grace):
        return {"unknown": [], "missed": []}
    with site.store.transaction() as db:
        now = site.now()
        for post in posts.all_posts(db):
            if post["status"] == PostStatus.PUBLISHING and not in_flight(site, post["id"]):
                found.append(posts.update(
                    db, post["id"], now, PostStatus.UNKNOWN, "found publishing after a crash",
                    reason="the daemon stopped during the call; check the account, then reconcile"))
                log.warning("%s was publishing when the daemon stopped: now unknown", post["id"])
            elif post["status"] == PostStatus.PLANNED and posts.due_time(post) < now - grace:
                reason = "not approved" if _unapproved(site, db, post) else "missed"
                missed.append(posts.update(db, post["id"], now, PostStatus.FAILED, reason, reason=reason,
                                           error=f"was due {post['at']}, more than {grace} ago"))
                log.warning("%s %s (due %s)", post["id"], reason, post["at"])
    return {"unknown": [p["id"] for p in found], "missed": [p["id"] for p in missed]}


def _unapproved(site: Site, db: TinyDB, post: Post) -> bool:
    """Whether a post lacks the approvals its content needs (False when that cannot be worked out)."""
    if site.config.posting.approval == "none":
        return False
    try:
        content = content_of(site, post, as_portrait(records.get(db, post["portrait_id"])))
    except CampaignError:
        return False
    return not approval.state(post, content.digest, site.config.posting.approval).approved


def due_posts(site: Site) -> list[Post]:
    now = site.now()
    return [p for p in posts.all_posts(site.store.read())
            if p["status"] == PostStatus.PLANNED and posts.due_time(p) <= now]


def beat(site: Site, interval: float | None) -> None:
    """Note that the daemon just looked for due posts (`interval`: when it will look again; None for
    `run --once`). Monitoring and the web app read it: a lock alone says a process lives, not that it works."""
    beat = {"at": site.now().isoformat(timespec="seconds"), "interval_seconds": interval, "pid": os.getpid()}
    try:
        atomic_write_bytes(site.private / HEARTBEAT, json.dumps(beat).encode(), mode=0o600)
    except OSError as e:  # a full disk must not stop publishing; the missing beat will show
        log.error("could not write the heartbeat: %s", e.strerror)


@dataclass(frozen=True)
class Heartbeat:
    """When the daemon last looked for due posts, and whether that is longer ago than its interval allows."""
    at: datetime | None
    interval_seconds: float | None
    seconds_since: float | None
    late: bool

    def to_json(self) -> dict[str, Any]:
        return {"last_look": self.at.isoformat(timespec="seconds") if self.at else None,
                "interval_seconds": self.interval_seconds, "seconds_since": self.seconds_since, "late": self.late}


def heartbeat(site: Site) -> Heartbeat:
    """The last beat; `late` when the daemon (not `run --once`) missed its looks by more than the slack."""
    try:
        raw = json.loads((site.private / HEARTBEAT).read_bytes())
        at = datetime.fromisoformat(raw["at"])
        interval = float(raw["interval_seconds"]) if raw.get("interval_seconds") is not None else None
    except (OSError, ValueError, KeyError, TypeError):
        return Heartbeat(None, None, None, False)
    since = max(0.0, (site.now() - at).total_seconds())
    late = interval is not None and since > interval + max(HEARTBEAT_SLACK, 2 * interval)
    return Heartbeat(at, interval, round(since, 1), late)


class DaemonLock:
    """One daemon per workspace: a lock file held for the daemon's lifetime."""

    def __init__(self, site: Site):
        from filelock import FileLock

        self.lock = FileLock(str(site.private / "daemon.lock"), mode=0o600)

    def __enter__(self) -> DaemonLock:
        from filelock import Timeout

        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            raise CampaignError(_m("Another `campaign run` is already running on this workspace."),
                                _m("Stop it first (it keeps publishing on its own), or use "
                                   "`campaign status`.")) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()

    @staticmethod
    def running(site: Site) -> bool:
        from filelock import FileLock

        return held(FileLock(str(site.private / "daemon.lock"), mode=0o600))


def run_once(site: Site) -> dict[str, Any]:
    """Publish what is due now and return; for cron or a systemd timer."""
    with DaemonLock(site):
        summary = recover(site)
        beat(site, None)
        results = [publish_post(site, p["id"]) for p in due_posts(site)]
    summary["posts"] = [{"id": p["id"], "status": p["status"], "error": p.get("error"), "reason": p.get("reason")}
                        for p in results]
    return summary


class Runner:
    """The publishing daemon: APScheduler jobs for planned posts, a periodic sync with the store."""

    def __init__(self, site: Site, sync_seconds: float | None = None):
        self.site = site
        self.sync_seconds = float(sync_seconds or site.config.posting.sync_seconds)
        self.scheduler: Any = None  # a BackgroundScheduler once started (APScheduler has no types)
        self.stopped = threading.Event()
        self._lock = DaemonLock(site)
        # sync() calls into the scheduler; shutdown() waits for running jobs while holding the
        # scheduler's own locks, so stop() must first keep sync() out.
        self._sync_lock = threading.Lock()
        self._closing = False

    def start(self) -> dict[str, Any]:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self._lock.__enter__()
        self.site.store.share_reads()  # each sync reads the store: an unchanged version is not parsed again
        try:
            summary = recover(self.site)
            self.scheduler = BackgroundScheduler(
                timezone=self.site.tz,
                executors={"default": ThreadPoolExecutor(1), "publish": ThreadPoolExecutor(1)},
                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
            self.scheduler.add_job(self.sync, "interval", seconds=self.sync_seconds, id="sync",
                                   next_run_time=datetime.now(self.site.tz))
            self.scheduler.start()
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        log.info("daemon started (sync every %.0f s)", self.sync_seconds)
        return summary

    def sync(self) -> None:
        """Make the jobs match the store: one job per planned post, at its due time."""
        with self._sync_lock:
            if not self._closing:
                self._sync()

    def _sync(self) -> None:
        try:
            recover_missed = recover(self.site)
            del recover_missed
            planned = {p["id"]: posts.due_time(p) for p in posts.all_posts(self.site.store.read())
                       if p["status"] == PostStatus.PLANNED}
        except Exception as e:  # noqa: BLE001 (keep the daemon alive; the next sync tries again)
            log.error("sync failed: %s", platform_text(e))
            return
        beat(self.site, self.sync_seconds)
        jobs = {j.id: j for j in self.scheduler.get_jobs() if j.id != "sync"}
        for job_id in set(jobs) - set(planned):
            self.scheduler.remove_job(job_id)
        now = datetime.now(self.site.tz)
        for post_id, due in planned.items():
            job = jobs.get(post_id)
            run_at = max(due, now)
            if job is not None and job.next_run_time is not None and abs(
                    (job.next_run_time - due).total_seconds()) < 0.5:
                continue
            if job is not None and due <= now and (job.next_run_time is None or job.next_run_time <= now):
                continue  # already queued to run now (a later look, e.g. for approval, is brought forward)
            self.scheduler.add_job(self._publish, "date", run_date=run_at, args=[post_id], id=post_id,
                                   replace_existing=True, executor="publish")

    def _publish(self, post_id: str) -> None:
        try:
            publish_post(self.site, post_id)
        except Exception as e:  # noqa: BLE001 (a broken post must not stop the daemon)
            log.error("publishing %s failed: %s", post_id, platform_text(e))

    def stop(self) -> None:
        with self._sync_lock:
            self._closing = True
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self._lock.__exit__(None, None, None)
        self.stopped.set()
        log.info("daemon stopped")

    def run_forever(self) -> None:
        """Start, then block until SIGINT or SIGTERM."""
        import signal

        self.start()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stopped.set())
        try:
            while not self.stopped.wait(3600):
                pass
        finally:
            self.stopped.clear()
            self.stop()
