"""Publishing: one post at a time, never twice, never after a withdrawal; and the daemon.

`publish_post` holds the store's inter-process lock from its last consent check to its final
write. Inside it: the post is written `publishing` (committed to disk) before the platform is
called, and `published` / `failed` / `unknown` after. So:
- a crash (even kill -9) during the call leaves `publishing`, which the next start turns into
  `unknown`: it is never retried blindly, a person or `campaign reconcile` settles it;
- a `consent withdraw` from the command line either lands before (the post is cancelled here) or
  waits until the post is out (and then lists it as a takedown task) — it can never slip between.

The daemon (`Runner`) is the only APScheduler scheduler of a workspace (a second one refuses to
start). The store stays the source of truth: a periodic sync gives each planned post a job with
the post's id (`replace_existing`) and removes jobs of posts that were cancelled or moved.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Protocol
from zoneinfo import ZoneInfo

from portraits import consent, records
from portraits.errors import CampaignError, NotFound
from schedules import captions, posts
from schedules.channel import (Media, PermanentError, Publisher, TransientError, UnknownOutcome, channel_spec,
                               make_publisher)
from schedules.secrets import redact

log = logging.getLogger("schedules.runner")

BACKOFF_BASE = 60.0
BACKOFF_CAP = 6 * 3600.0


class Site(Protocol):
    """What the runner needs of a workspace (campaign.workspace.Workspace is one)."""
    root: Path
    store: Any
    config: Any  # campaign.config.Settings: .posting, .channel(name), .captions, ...
    tz: ZoneInfo
    outbox: Path
    renders: Path
    private: Path

    def now(self) -> datetime: ...


def publisher_for(site: Site, channel: str) -> Publisher:
    return make_publisher(channel, site.config.channel(channel), site.outbox, site.private)


def image_for(site: Site, portrait: dict, channel: str, lang: str | None) -> Path:
    """The render for the channel (and language) if there is one, else a metadata-free copy of the photo."""
    spec = channel_spec(channel)
    fmt = spec.formats[spec.default_format]
    folder = site.renders / portrait["id"]
    names = ([f"{fmt}-{lang}.jpg"] if lang and lang != portrait.get("lang") else []) + [f"{fmt}.jpg"]
    for name in names:
        if (folder / name).is_file():
            return folder / name
    return _clean_copy(site.root / portrait["photo"]["file"], folder / "photo-clean.jpg")


def _clean_copy(src: Path, target: Path) -> Path:
    """Upright pixels only: no EXIF, GPS, XMP, IPTC or comment can survive a fresh image."""
    if target.is_file():
        return target
    from PIL import Image, ImageOps

    with Image.open(src) as im:
        im = ImageOps.exif_transpose(im).convert("RGB")
        clean = Image.new("RGB", im.size)
        clean.paste(im)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    clean.save(tmp, "JPEG", quality=92)
    tmp.replace(target)
    return target


def _backoff(attempts: int, retry_after: float | None) -> float:
    delay = min(BACKOFF_BASE * 2 ** max(0, attempts - 1), BACKOFF_CAP)
    return max(delay, retry_after or 0.0)


def _checkpoint(site: Site, post_id: str) -> Callable[[dict[str, Any], str], None]:
    """Where a publisher hands over what it got midway (an Instagram container id): written onto the
    post at once, while it is still `publishing`, so a crash after it leaves something to ask about."""
    def write(fields: dict[str, Any], note: str) -> None:
        with site.store.transaction() as db:
            posts.update(db, post_id, site.now(), None, note, **fields)
    return write


def publish_post(site: Site, post_id: str, force: bool = False,
                 publisher: Callable[[str], Publisher] | None = None) -> dict:
    """Publish one planned post if it is due (or `force`); return the post as it ends up."""
    get_publisher = publisher or (lambda ch: publisher_for(site, ch))
    with site.store.lock:
        with site.store.transaction() as db:
            post = posts.get(db, post_id)
            now = site.now()
            if post["status"] != "planned":
                return post
            if not force and posts.due_time(post) > now:
                return post
            try:
                portrait = records.get(db, post["portrait_id"])
            except NotFound:
                return posts.update(db, post_id, now, "cancelled", "portrait erased", reason="portrait erased")
            if portrait.get("status") != "approved":
                return posts.update(db, post_id, now, "cancelled", "portrait not approved",
                                    reason="portrait not approved")
            if not consent.is_valid(db, portrait["id"], post["channel"], now.date()):
                log.info("cancelled %s (%s): no valid %s consent at publish time", post_id, portrait["id"],
                         post["channel"])
                return posts.update(db, post_id, now, "cancelled", "no valid consent at publish time",
                                    reason=f"no valid {post['channel']} consent at publish time")
            try:
                text = captions.caption(portrait, post.get("lang"), site.config, post["channel"])
                alt = captions.alt_text(portrait, post.get("lang"), site.config)
                image = image_for(site, portrait, post["channel"], post.get("lang"))
                pub = get_publisher(post["channel"])
            except (CampaignError, OSError) as e:
                msg = e.message if isinstance(e, CampaignError) else str(e)
                return posts.update(db, post_id, now, "failed", msg, error=redact(msg), reason="could not prepare")
            post = posts.update(db, post_id, now, "publishing", "calling " + post["channel"],
                                attempts=int(post.get("attempts") or 0) + 1, caption=text, alt_text=alt,
                                attempted_at=now.isoformat(timespec="seconds"),
                                image=str(image.relative_to(site.root)) if image.is_relative_to(site.root) else str(image))
        log.info("publishing %s (%s) on %s", post_id, portrait["id"], post["channel"])
        outcome: dict[str, Any]
        try:
            pub.checkpoint = _checkpoint(site, post_id)
            result = pub.publish(post, [Media(image, alt, post.get("lang"))], text)
            outcome = {"status": "published", "note": "published", "remote_id": result.get("remote_id"),
                       "permalink": result.get("permalink"), "error": None,
                       **{k: result[k] for k in ("photo_id", "code", "container_id") if result.get(k)}}
        except TransientError as e:
            outcome = {"status": "transient", "error": redact(str(e)), "retry_after": e.retry_after}
        except PermanentError as e:
            outcome = {"status": "failed", "note": "permanent error", "error": redact(str(e))}
        except UnknownOutcome as e:
            outcome = {"status": "unknown", "note": "outcome unknown", "error": redact(str(e))}
        except Exception as e:  # noqa: BLE001 - anything unexpected mid-call: we cannot know if it went out
            outcome = {"status": "unknown", "note": "unexpected error during the call",
                       "error": redact(f"{type(e).__name__}: {e}")}
        with site.store.transaction() as db:
            now = site.now()
            status = outcome.pop("status")
            if status == "published":
                post = posts.update(db, post_id, now, "published", outcome.pop("note"), published_at=now.isoformat(
                    timespec="seconds"), next_try=None, **outcome)
                log.info("published %s (%s) on %s as %s", post_id, post["portrait_id"], post["channel"],
                         post["remote_id"])
            elif status == "transient":
                limit = site.config.posting.max_attempts
                if post["attempts"] >= limit:
                    post = posts.update(db, post_id, now, "failed", f"gave up after {post['attempts']} attempts",
                                        error=outcome["error"], reason="retries used up", next_try=None)
                else:
                    wait = _backoff(post["attempts"], outcome.get("retry_after"))
                    post = posts.update(db, post_id, now, "planned", f"transient error, retry in {wait:.0f} s",
                                        error=outcome["error"],
                                        next_try=(now + timedelta(seconds=wait)).isoformat(timespec="seconds"))
                log.warning("transient error on %s: %s", post_id, outcome["error"])
            else:
                reason = "permanent error" if status == "failed" else "check the account, then reconcile"
                post = posts.update(db, post_id, now, status, outcome.pop("note"), error=outcome["error"],
                                    reason=reason)
                log.warning("%s %s: %s", status, post_id, outcome["error"])
    return post


def recover(site: Site) -> dict:
    """At start: `publishing` left by a crash becomes `unknown`; posts missed past the grace window fail."""
    grace = timedelta(hours=site.config.posting.grace_hours)
    found, missed = [], []
    with site.store.transaction() as db:
        now = site.now()
        for post in posts.all_posts(db):
            if post["status"] == "publishing":
                found.append(posts.update(db, post["id"], now, "unknown", "found publishing after a crash",
                                          reason="the daemon stopped during the call; check the account, then reconcile"))
                log.warning("%s was publishing when the daemon stopped: now unknown", post["id"])
            elif post["status"] == "planned" and posts.due_time(post) < now - grace:
                missed.append(posts.update(db, post["id"], now, "failed", "missed", reason="missed",
                                           error=f"was due {post['at']}, more than {grace} ago"))
                log.warning("%s missed (due %s)", post["id"], post["at"])
    return {"unknown": [p["id"] for p in found], "missed": [p["id"] for p in missed]}


def due_posts(site: Site) -> list[dict]:
    now = site.now()
    return [p for p in posts.all_posts(site.store.read()) if p["status"] == "planned" and posts.due_time(p) <= now]


class DaemonLock:
    """One daemon per workspace: a lock file held for the daemon's lifetime."""

    def __init__(self, site: Site):
        from filelock import FileLock

        self.lock = FileLock(str(site.private / "daemon.lock"), mode=0o600)

    def __enter__(self):
        from filelock import Timeout

        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            raise CampaignError("Another `campaign run` is already running on this workspace.",
                                "Stop it first (it keeps publishing on its own), or use `campaign status`.") from None
        return self

    def __exit__(self, *exc):
        self.lock.release()

    @staticmethod
    def running(site: Site) -> bool:
        from filelock import FileLock, Timeout

        lock = FileLock(str(site.private / "daemon.lock"), mode=0o600)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return True
        lock.release()
        return False


def run_once(site: Site) -> dict:
    """Publish what is due now and return; for cron or a systemd timer."""
    with DaemonLock(site):
        summary = recover(site)
        results = [publish_post(site, p["id"]) for p in due_posts(site)]
    summary["posts"] = [{"id": p["id"], "status": p["status"], "error": p.get("error")} for p in results]
    return summary


class Runner:
    """The publishing daemon: APScheduler jobs for planned posts, a periodic sync with the store."""

    def __init__(self, site: Site, sync_seconds: float | None = None):
        self.site = site
        self.sync_seconds = float(sync_seconds or site.config.posting.sync_seconds)
        self.scheduler = None
        self.stopped = threading.Event()
        self._lock = DaemonLock(site)
        # sync() calls into the scheduler; shutdown() waits for running jobs while holding the
        # scheduler's own locks, so stop() must first keep sync() out.
        self._sync_lock = threading.Lock()
        self._closing = False

    def start(self) -> dict:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self._lock.__enter__()
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
                       if p["status"] == "planned"}
        except Exception as e:  # keep the daemon alive; the next sync tries again
            log.error("sync failed: %s", redact(str(e)))
            return
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
            if job is not None and due <= now:
                continue  # already queued to run now
            self.scheduler.add_job(self._publish, "date", run_date=run_at, args=[post_id], id=post_id,
                                   replace_existing=True, executor="publish")

    def _publish(self, post_id: str) -> None:
        try:
            publish_post(self.site, post_id)
        except Exception as e:  # a broken post must not stop the daemon
            log.error("publishing %s failed: %s", post_id, redact(str(e)))

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
