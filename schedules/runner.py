"""Publishing: one post at a time, never twice, never after a withdrawal; and the daemon.

`publish_post` never holds the store lock across a render or the platform call (up to its 120 s
timeout): a withdrawal, a STOP or an edit typed meanwhile is recorded at once. It works from a
snapshot (what the post publishes is worked out from the portrait as it is now: its current
renders, made then if stale, never a raw photo; a post without the approvals `[posting] approval`
asks for waits, and fails "not approved" past the grace window), then in one short transaction
checks consent, approval and the post's version again and writes it `publishing`, reads the store
once more right before the call, and records `published` / `failed` / `unknown` in another short
transaction after it. So:
- a crash (even kill -9) during the call leaves `publishing`, which the next start turns into
  `unknown`: it is never retried blindly, a person or `campaign reconcile` settles it;
- a `consent withdraw` recorded before the post is written `publishing` cancels it; one recorded
  while it is `publishing` lists it as a takedown task, and the check right before the call keeps
  it from going out when the call has not started yet.
The call lock (`call_lock`, one file per post in .private/calls/) is held from before `publishing`
is written until the result is: recovery and reconcile leave a post alone while it is held.

The daemon (`Runner`) is the only APScheduler scheduler of a workspace (a second one refuses to
start). The store stays the source of truth: a periodic sync gives each planned post a job with
the post's id (`replace_existing`) and removes jobs of posts that were cancelled or moved.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from portraits import consent, records
from portraits.errors import CampaignError, NotFound
from portraits.files import atomic_write_bytes
from portraits.messages import _m
from schedules import approval, posts
from schedules.channel import Media, PermanentError, Publisher, TransientError, UnknownOutcome, make_publisher
from schedules.content import Renders, content_of, with_images
from schedules.secrets import platform_text

log = logging.getLogger("schedules.runner")

BACKOFF_BASE = 60.0
BACKOFF_CAP = 6 * 3600.0
APPROVAL_RECHECK = 60.0  # seconds between looks at a due post that still waits for its approvals
HEARTBEAT = "daemon-heartbeat.json"  # in .private/: when the daemon last looked for due posts
HEARTBEAT_SLACK = 60.0  # s a look may be late (a slow publish holds the next one) before it counts as missed


class Site(Renders, Protocol):
    """What the runner needs of a workspace (campaign.outputs.renders.PublishingSite is one: a workspace
    with its renders): its store, its settings, its folders, its clock, and its renders (`campaign render`,
    reached through Renders)."""
    root: Path
    store: Any
    config: Any  # campaign.workspace.config.Settings: .posting, .channel(name), .captions, ...
    tz: ZoneInfo
    outbox: Path
    renders: Path
    private: Path

    def now(self) -> datetime: ...


def publisher_for(site: Site, channel: str) -> Publisher:
    return make_publisher(channel, site.config.channel(channel), site.outbox, site.private)


def _backoff(attempts: int, retry_after: float | None) -> float:
    delay = min(BACKOFF_BASE * 2 ** max(0, attempts - 1), BACKOFF_CAP)
    return max(delay, retry_after or 0.0)


def _message(error: Exception) -> str:
    return error.message if isinstance(error, CampaignError) else str(error)


def _relative(site: Site, path: Path) -> str:
    return str(path.relative_to(site.root)) if path.is_relative_to(site.root) else str(path)


def _late(site: Site, post: dict, now: datetime) -> bool:
    return now - datetime.fromisoformat(post["at"]) > timedelta(hours=site.config.posting.grace_hours)


def _wait_for_approval(site: Site, db, post: dict, verdict: approval.State, now: datetime) -> dict:
    """A due post without its approvals: look again in a while, and fail it past the grace window."""
    if _late(site, post, now):
        log.warning("%s not approved by the end of its grace window (%s)", post["id"], verdict.describe())
        return posts.update(db, post["id"], now, "failed", "not approved", reason="not approved", next_try=None,
                            error=f"{verdict.describe()} when it was due at {post['at']}")
    reason = f"{approval.WAITING}: {verdict.describe()}"
    if posts.due_time(post) > now:  # published by hand before its time: nothing to write
        return {**post, "reason": reason}
    recheck = (now + timedelta(seconds=APPROVAL_RECHECK)).isoformat(timespec="seconds")
    if post.get("reason") == reason:
        return posts.set_fields(db, post["id"], next_try=recheck)
    log.info("%s is due and %s", post["id"], reason)
    return posts.update(db, post["id"], now, note=reason, reason=reason, next_try=recheck)


def _checkpoint(site: Site, post_id: str) -> Callable[[dict[str, Any], str], None]:
    """Where a publisher hands over what it got midway (an Instagram container id): written onto the
    post at once, while it is still `publishing`, so a crash after it leaves something to ask about."""
    def write(fields: dict[str, Any], note: str) -> None:
        with site.store.transaction() as db:
            posts.update(db, post_id, site.now(), None, note, **fields)
    return write


def call_lock(site: Site, post_id: str):
    """The lock a publish holds from before it writes `publishing` until its result is written.

    The store lock is never held across the platform call (a withdrawal typed meanwhile must be
    recorded at once), so this is how others know a `publishing` post is really on the wire and
    not left by a crash: recovery and `campaign reconcile` leave a post alone while it is held."""
    from filelock import FileLock

    folder = site.private / "calls"
    folder.mkdir(mode=0o700, exist_ok=True)
    return FileLock(str(folder / f"{post_id}.lock"), mode=0o600)


def in_flight(site: Site, post_id: str) -> bool:
    """Whether a publish of this post is under way now (in this process or another)."""
    from filelock import Timeout

    lock = call_lock(site, post_id)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def _hold_back(site: Site, db, post: dict, now: datetime) -> tuple[str, str, str] | None:
    """Why the post may not go out now, as (status, note, reason); None when nothing stands in the way."""
    try:
        portrait = records.get(db, post["portrait_id"])
    except NotFound:
        return "cancelled", _m("portrait erased"), _m("portrait erased")
    if portrait.get("status") != "approved":
        return "cancelled", _m("portrait not approved"), _m("portrait not approved")
    if not consent.is_valid(db, portrait["id"], post["channel"], now.date()):
        return ("cancelled", _m("no valid consent at publish time"),
                _m("no valid {channel} consent at publish time", channel=post['channel']))
    return None


def _settle_blocked(site: Site, post_id: str, seen: dict, blocked: tuple[str, str, str]) -> dict:
    """Write what `_hold_back` found, unless the post changed meanwhile (then it is looked at again)."""
    status, note, reason = blocked
    with site.store.transaction() as db:
        post = posts.get(db, post_id)
        if post != seen:
            return post
        log.info("%s %s (%s)", status, post_id, reason)
        return posts.update(db, post_id, site.now(), status, note, reason=reason)


def _prepared_or_settled(site: Site, post_id: str, force: bool,
                         get_publisher: Callable[[str], Publisher]) -> tuple[dict, Any, Any] | dict:
    """Everything a publish needs, worked out from a snapshot without the store lock (the render
    too, when it is stale): (post, content, publisher); or the post as it ends up when it does not
    go out now (not due, cancelled, waiting for its approvals, could not be prepared)."""
    db = site.store.read()
    post = posts.get(db, post_id)
    now = site.now()
    if post["status"] != "planned" or (not force and posts.due_time(post) > now):
        return post
    blocked = _hold_back(site, db, post, now)
    if blocked:
        return _settle_blocked(site, post_id, post, blocked)
    portrait = records.get(db, post["portrait_id"])
    try:
        content = content_of(site, post, portrait)
        verdict = approval.state(post, content.digest, site.config.posting.approval)
        if not verdict.approved:
            with site.store.transaction() as wdb:
                current = posts.get(wdb, post_id)
                return current if current != post else _wait_for_approval(site, wdb, post, verdict, site.now())
        with_images(site, content, portrait)  # the current renders, made now if stale: no lock held
        pub = get_publisher(post["channel"])
    except (CampaignError, OSError) as e:
        msg = platform_text(_message(e))
        log.warning("%s could not be prepared: %s", post_id, msg)
        with site.store.transaction() as wdb:
            current = posts.get(wdb, post_id)
            if current != post:
                return current
            return posts.update(wdb, post_id, site.now(), "failed", msg, error=msg,
                                reason="could not prepare")
    return post, content, pub


def _changed(site: Site, db, seen: dict, content) -> bool:
    """Whether the post or what it would publish is no longer what was prepared (and approved)."""
    post = posts.get(db, seen["id"])
    if post["status"] != seen["status"] or any(post.get(k) != seen.get(k) for k in
                                               ("at", "channel", "format", "lang", "portrait_id")):
        return True
    try:
        now_content = content_of(site, post, records.get(db, post["portrait_id"]))
    except CampaignError:
        return True
    return now_content.digest != content.digest or not approval.state(
        post, content.digest, site.config.posting.approval).approved


PREPARE_TRIES = 3  # a post changed while it was being prepared is prepared again, this many times


def _first_comment(site: Site, pub: Publisher, post: dict, result: dict[str, Any]) -> dict[str, Any]:
    """The channel's first comment under a post that is out (a reply on Mastodon and Bluesky). The post
    is published whatever happens here: a comment that fails is noted on the post, never retried."""
    text = getattr(site.config.channel(post["channel"]), "first_comment", "")
    comment = getattr(pub, "comment", None)
    if not text or comment is None or post["format"] == "story":
        return {}
    try:
        return {"comment_id": comment(post, result, text)}
    except Exception as e:  # noqa: BLE001 - the post went out; only the comment is missing
        log.warning("%s is out, its first comment is not: %s", post["id"], platform_text(_message(e)))
        return {"comment_error": platform_text(_message(e))}


def publish_post(site: Site, post_id: str, force: bool = False,
                 publisher: Callable[[str], Publisher] | None = None) -> dict:
    """Publish one planned post if it is due (or `force`) and approved; return the post as it ends up.

    The store lock is only taken for short transactions, never across a render or the platform
    call: a withdrawal or an edit typed meanwhile is recorded at once, and seen by the checks just
    before the call. The call lock (`call_lock`) marks the post as on the wire meanwhile."""
    get_publisher = publisher or (lambda ch: publisher_for(site, ch))
    lock = call_lock(site, post_id)
    from filelock import Timeout

    try:
        lock.acquire(timeout=0)
    except Timeout:  # another process publishes this very post now
        return posts.get(site.store.read(), post_id)
    try:
        return _publish_locked(site, post_id, force, get_publisher)
    finally:
        lock.release()


def _publish_locked(site: Site, post_id: str, force: bool, get_publisher: Callable[[str], Publisher]) -> dict:
    for _ in range(PREPARE_TRIES):
        prepared = _prepared_or_settled(site, post_id, force, get_publisher)
        if isinstance(prepared, dict):
            return prepared
        seen, content, pub = prepared
        with site.store.transaction() as db:
            now = site.now()
            current = posts.get(db, post_id)
            if current["status"] != "planned":
                return current
            blocked = _hold_back(site, db, current, now)
            if blocked:
                log.info("%s %s (%s)", blocked[0], post_id, blocked[2])
                return posts.update(db, post_id, now, blocked[0], blocked[1], reason=blocked[2])
            if _changed(site, db, seen, content):
                continue  # edited, moved or re-approved while it was prepared: prepare it again
            images = [{"file": _relative(site, path), "lang": lang, "hash": digest, "alt_text": alt}
                      for path, lang, digest, alt in zip(content.images, content.langs, content.image_hashes,
                                                         content.alt_texts)]
            post = posts.update(db, post_id, now, "publishing", "calling " + current["channel"],
                                attempts=int(current.get("attempts") or 0) + 1, caption=content.caption,
                                alt_text=content.alt_texts[0], attempted_at=now.isoformat(timespec="seconds"),
                                image=images[0]["file"], images=images, content_hash=content.digest, reason=None)
            # Under the lock: an erasure rewrites the log under it, so no line naming them comes after it.
            log.info("publishing %s (%s) on %s", post_id, post["portrait_id"], post["channel"])
        return _call(site, post, content, pub)
    return posts.get(site.store.read(), post_id)


def _call_back(site: Site, post: dict, blocked: tuple[str, str, str] | None) -> dict:
    """The check right before the call found something: the post does not go out (not called)."""
    with site.store.transaction() as db:
        now = site.now()
        try:
            posts.get(db, post["id"])
        except NotFound:  # erased just now: nothing went out, nothing is left to write
            return {**post, "status": "cancelled", "reason": "portrait erased"}
        if blocked:
            return posts.update(db, post["id"], now, blocked[0], blocked[1] + " (just before the call)",
                                reason=blocked[2])
        return posts.update(db, post["id"], now, "planned", "changed just before the call",
                            attempts=max(0, int(post["attempts"]) - 1), reason=None)


def _call(site: Site, post: dict, content, pub: Publisher) -> dict:
    """Check once more (a short read), call the platform without any store lock, write the outcome."""
    post_id = post["id"]
    db = site.store.read()
    blocked = _hold_back(site, db, post, site.now())
    if blocked or _changed(site, db, post, content):  # _hold_back finds an erased post first
        return _call_back(site, post, blocked)
    media = [Media(path, alt, lang, digest) for path, alt, lang, digest in
             zip(content.images, content.alt_texts, content.langs, content.image_hashes)]
    outcome: dict[str, Any]
    try:
        pub.checkpoint = _checkpoint(site, post_id)
        result = pub.publish(post, media, content.caption)
        result.update(_first_comment(site, pub, post, result))
        outcome = {"status": "published", "note": "published", "remote_id": result.get("remote_id"),
                   "permalink": result.get("permalink"), "error": None,
                   **{k: result[k] for k in ("photo_id", "photo_ids", "code", "container_id", "comment_id",
                                             "comment_error") if result.get(k)}}
    except TransientError as e:
        outcome = {"status": "transient", "error": platform_text(e), "retry_after": e.retry_after}
    except PermanentError as e:
        outcome = {"status": "failed", "note": "permanent error", "error": platform_text(e)}
    except UnknownOutcome as e:
        outcome = {"status": "unknown", "note": "outcome unknown", "error": platform_text(e)}
    except Exception as e:  # noqa: BLE001 - anything unexpected mid-call: we cannot know if it went out
        outcome = {"status": "unknown", "note": "unexpected error during the call",
                   "error": platform_text(f"{type(e).__name__}: {e}")}
    return _record_outcome(site, post, outcome, pub)


def _record_outcome(site: Site, post: dict, outcome: dict[str, Any], pub: Publisher) -> dict:
    """The call's result, in its own short transaction. A withdrawal recorded during the call has
    listed the post as a takedown task; a transient failure then cancels it instead of retrying."""
    post_id = post["id"]
    with site.store.transaction() as db:
        now = site.now()
        status = outcome.pop("status")
        try:
            posts.get(db, post_id)
        except NotFound:  # the person was erased during the call; the erasure listed it to take down
            log.warning("%s was erased during the call (%s)", post_id, status)
            folder_for = getattr(pub, "folder_for", None)  # the outbox: what this call wrote goes too
            if folder_for is not None:
                import shutil

                folder = folder_for(post)
                for written in [folder, *folder.parent.glob(f".{folder.name}.*")]:
                    shutil.rmtree(written, ignore_errors=True)
            return {**post, "status": status, **outcome}
        if status == "published":
            post = posts.update(db, post_id, now, "published", outcome.pop("note"), published_at=now.isoformat(
                timespec="seconds"), next_try=None, **outcome)
            log.info("published %s (%s) on %s as %s", post_id, post["portrait_id"], post["channel"],
                     post["remote_id"])
        elif status == "transient":
            blocked = _hold_back(site, db, post, now)
            limit = site.config.posting.max_attempts
            if blocked:
                post = posts.update(db, post_id, now, blocked[0], blocked[1], error=outcome["error"],
                                    reason=blocked[2], next_try=None)
            elif post["attempts"] >= limit:
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


def _to_recover(site: Site, db, now: datetime, grace: timedelta) -> bool:
    """Whether `recover` has anything to change: its usual answer (every few seconds) is no, and a
    look at a read snapshot takes neither the store's lock nor a parse of an unchanged version."""
    return any((p["status"] == "publishing" and not in_flight(site, p["id"]))
               or (p["status"] == "planned" and posts.due_time(p) < now - grace) for p in posts.all_posts(db))


def recover(site: Site) -> dict:
    """At start: `publishing` left by a crash becomes `unknown`; posts missed past the grace window fail."""
    grace = timedelta(hours=site.config.posting.grace_hours)
    found: list[dict] = []
    missed: list[dict] = []
    if not _to_recover(site, site.store.read(), site.now(), grace):
        return {"unknown": [], "missed": []}
    with site.store.transaction() as db:
        now = site.now()
        for post in posts.all_posts(db):
            if post["status"] == "publishing" and not in_flight(site, post["id"]):
                found.append(posts.update(
                    db, post["id"], now, "unknown", "found publishing after a crash",
                    reason="the daemon stopped during the call; check the account, then reconcile"))
                log.warning("%s was publishing when the daemon stopped: now unknown", post["id"])
            elif post["status"] == "planned" and posts.due_time(post) < now - grace:
                reason = "not approved" if _unapproved(site, db, post) else "missed"
                missed.append(posts.update(db, post["id"], now, "failed", reason, reason=reason,
                                           error=f"was due {post['at']}, more than {grace} ago"))
                log.warning("%s %s (due %s)", post["id"], reason, post["at"])
    return {"unknown": [p["id"] for p in found], "missed": [p["id"] for p in missed]}


def _unapproved(site: Site, db, post: dict) -> bool:
    """Whether a post lacks the approvals its content needs (False when that cannot be worked out)."""
    if site.config.posting.approval == "none":
        return False
    try:
        content = content_of(site, post, records.get(db, post["portrait_id"]))
    except CampaignError:
        return False
    return not approval.state(post, content.digest, site.config.posting.approval).approved


def due_posts(site: Site) -> list[dict]:
    now = site.now()
    return [p for p in posts.all_posts(site.store.read()) if p["status"] == "planned" and posts.due_time(p) <= now]


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

    def to_json(self) -> dict:
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

    def __enter__(self):
        from filelock import Timeout

        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            raise CampaignError(_m("Another `campaign run` is already running on this workspace."),
                                _m("Stop it first (it keeps publishing on its own), or use "
                                   "`campaign status`.")) from None
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
                       if p["status"] == "planned"}
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
