"""Publishing: one post at a time, never twice, never after a withdrawal.

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

The daemon that calls `publish_post` for each due post (`Runner`, `run_once`) is schedules/daemon.py.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast
from zoneinfo import ZoneInfo

from portraits import consent, records
from portraits.errors import CampaignError, NotFound
from portraits.messages import _m
from portraits.model import as_portrait
from schedules import approval, posts
from schedules.channel import Media, PermanentError, Publisher, TransientError, UnknownOutcome, make_publisher
from schedules.content import Content, Renders, content_of, with_images
from schedules.model import Post, PostStatus
from schedules.secrets import platform_text

if TYPE_CHECKING:
    from filelock import BaseFileLock
    from tinydb import TinyDB

log = logging.getLogger("schedules.runner")

BACKOFF_BASE = 60.0
BACKOFF_CAP = 6 * 3600.0
APPROVAL_RECHECK = 60.0  # seconds between looks at a due post that still waits for its approvals


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
    return float(max(delay, retry_after or 0.0))


def _message(error: Exception) -> str:
    return error.message if isinstance(error, CampaignError) else str(error)


def _relative(site: Site, path: Path) -> str:
    return str(path.relative_to(site.root)) if path.is_relative_to(site.root) else str(path)


def _late(site: Site, post: Post, now: datetime) -> bool:
    return now - datetime.fromisoformat(post["at"]) > timedelta(hours=site.config.posting.grace_hours)


def _wait_for_approval(site: Site, db: TinyDB, post: Post, verdict: approval.State,
                       now: datetime) -> Post:
    """A due post without its approvals: look again in a while, and fail it past the grace window."""
    if _late(site, post, now):
        log.warning("%s not approved by the end of its grace window (%s)", post["id"], verdict.describe())
        return posts.update(db, post["id"], now, PostStatus.FAILED, "not approved", reason="not approved",
                            next_try=None, error=f"{verdict.describe()} when it was due at {post['at']}")
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


def call_lock(site: Site, post_id: str) -> BaseFileLock:
    """The lock a publish holds from before it writes `publishing` until its result is written.

    The store lock is never held across the platform call (a withdrawal typed meanwhile must be
    recorded at once), so this is how others know a `publishing` post is really on the wire and
    not left by a crash: recovery and `campaign reconcile` leave a post alone while it is held."""
    from filelock import FileLock

    folder = site.private / "calls"
    folder.mkdir(mode=0o700, exist_ok=True)
    return FileLock(str(folder / f"{post_id}.lock"), mode=0o600)


def held(lock: BaseFileLock) -> bool:
    """Whether another holder has the lock now (this process or another); asked without waiting."""
    from filelock import Timeout

    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def in_flight(site: Site, post_id: str) -> bool:
    """Whether a publish of this post is under way now (in this process or another)."""
    return held(call_lock(site, post_id))


def _hold_back(site: Site, db: TinyDB, post: Post, now: datetime) -> tuple[PostStatus, str, str] | None:
    """Why the post may not go out now, as (status, note, reason); None when nothing stands in the way."""
    try:
        portrait = as_portrait(records.get(db, post["portrait_id"]))
    except NotFound:
        return PostStatus.CANCELLED, _m("portrait erased"), _m("portrait erased")
    if portrait.get("status") != "approved":
        return PostStatus.CANCELLED, _m("portrait not approved"), _m("portrait not approved")
    if not consent.is_valid(db, portrait["id"], post["channel"], now.date()):
        return (PostStatus.CANCELLED, _m("no valid consent at publish time"),
                _m("no valid {channel} consent at publish time", channel=post['channel']))
    return None


def _settle_blocked(site: Site, post_id: str, seen: Post, blocked: tuple[PostStatus, str, str]) -> Post:
    """Write what `_hold_back` found, unless the post changed meanwhile (then it is looked at again)."""
    status, note, reason = blocked
    with site.store.transaction() as db:
        post = posts.get(db, post_id)
        if post != seen:
            return post
        log.info("%s %s (%s)", status, post_id, reason)
        return posts.update(db, post_id, site.now(), status, note, reason=reason)


def _prepared_or_settled(site: Site, post_id: str, force: bool,
                         get_publisher: Callable[[str], Publisher],
                         ) -> tuple[Post, Content, Publisher] | Post:
    """Everything a publish needs, worked out from a snapshot without the store lock (the render
    too, when it is stale): (post, content, publisher); or the post as it ends up when it does not
    go out now (not due, cancelled, waiting for its approvals, could not be prepared)."""
    db = site.store.read()
    post = posts.get(db, post_id)
    now = site.now()
    if post["status"] != PostStatus.PLANNED or (not force and posts.due_time(post) > now):
        return post
    blocked = _hold_back(site, db, post, now)
    if blocked:
        return _settle_blocked(site, post_id, post, blocked)
    portrait = as_portrait(records.get(db, post["portrait_id"]))
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
            return posts.update(wdb, post_id, site.now(), PostStatus.FAILED, msg, error=msg,
                                reason="could not prepare")
    return post, content, pub


def _changed(site: Site, db: TinyDB, seen: Post, content: Content) -> bool:
    """Whether the post or what it would publish is no longer what was prepared (and approved)."""
    post = posts.get(db, seen["id"])
    if post["status"] != seen["status"] or any(post.get(k) != seen.get(k) for k in
                                               ("at", "channel", "format", "lang", "portrait_id")):
        return True
    try:
        now_content = content_of(site, post, as_portrait(records.get(db, post["portrait_id"])))
    except CampaignError:
        return True
    return now_content.digest != content.digest or not approval.state(
        post, content.digest, site.config.posting.approval).approved


PREPARE_TRIES = 3  # a post changed while it was being prepared is prepared again, this many times


def _first_comment(site: Site, pub: Publisher, post: Post, result: dict[str, Any]) -> dict[str, Any]:
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
                 publisher: Callable[[str], Publisher] | None = None) -> Post:
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


def _publish_locked(site: Site, post_id: str, force: bool, get_publisher: Callable[[str], Publisher]) -> Post:
    for _ in range(PREPARE_TRIES):
        prepared = _prepared_or_settled(site, post_id, force, get_publisher)
        if isinstance(prepared, dict):
            return prepared
        seen, content, pub = prepared
        with site.store.transaction() as db:
            now = site.now()
            current = posts.get(db, post_id)
            if current["status"] != PostStatus.PLANNED:
                return current
            blocked = _hold_back(site, db, current, now)
            if blocked:
                log.info("%s %s (%s)", blocked[0], post_id, blocked[2])
                return posts.update(db, post_id, now, blocked[0], blocked[1], reason=blocked[2])
            if _changed(site, db, seen, content):
                continue  # edited, moved or re-approved while it was prepared: prepare it again
            assert content.images is not None  # with_images filled them in _prepared_or_settled
            images = [{"file": _relative(site, path), "lang": lang, "hash": digest, "alt_text": alt}
                      for path, lang, digest, alt in zip(content.images, content.langs, content.image_hashes,
                                                         content.alt_texts)]
            post = posts.update(db, post_id, now, PostStatus.PUBLISHING, "calling " + current["channel"],
                                attempts=int(current.get("attempts") or 0) + 1, caption=content.caption,
                                alt_text=content.alt_texts[0], attempted_at=now.isoformat(timespec="seconds"),
                                image=images[0]["file"], images=images, content_hash=content.digest, reason=None)
            # Under the lock: an erasure rewrites the log under it, so no line naming them comes after it.
            log.info("publishing %s (%s) on %s", post_id, post["portrait_id"], post["channel"])
        return _call(site, post, content, pub)
    return posts.get(site.store.read(), post_id)


def _call_back(site: Site, post: Post, blocked: tuple[PostStatus, str, str] | None) -> Post:
    """The check right before the call found something: the post does not go out (not called)."""
    with site.store.transaction() as db:
        now = site.now()
        try:
            posts.get(db, post["id"])
        except NotFound:  # erased just now: nothing went out, nothing is left to write
            return {**post, "status": PostStatus.CANCELLED, "reason": "portrait erased"}
        if blocked:
            return posts.update(db, post["id"], now, blocked[0], blocked[1] + " (just before the call)",
                                reason=blocked[2])
        return posts.update(db, post["id"], now, PostStatus.PLANNED, "changed just before the call",
                            attempts=max(0, int(post["attempts"]) - 1), reason=None)


def _call(site: Site, post: Post, content: Content, pub: Publisher) -> Post:
    """Check once more (a short read), call the platform without any store lock, write the outcome."""
    post_id = post["id"]
    db = site.store.read()
    blocked = _hold_back(site, db, post, site.now())
    if blocked or _changed(site, db, post, content):  # _hold_back finds an erased post first
        return _call_back(site, post, blocked)
    assert content.images is not None  # with_images filled them in _prepared_or_settled
    media = [Media(path, alt, lang, digest) for path, alt, lang, digest in
             zip(content.images, content.alt_texts, content.langs, content.image_hashes)]
    outcome: dict[str, Any]
    try:
        pub.checkpoint = _checkpoint(site, post_id)
        result = pub.publish(cast("dict[str, Any]", post), media, content.caption)
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


def _record_outcome(site: Site, post: Post, outcome: dict[str, Any], pub: Publisher) -> Post:
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
            return cast(Post, {**post, "status": status, **outcome})
        if status == "published":
            post = posts.update(db, post_id, now, PostStatus.PUBLISHED, outcome.pop("note"), published_at=now.isoformat(
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
                post = posts.update(db, post_id, now, PostStatus.FAILED, f"gave up after {post['attempts']} attempts",
                                    error=outcome["error"], reason="retries used up", next_try=None)
            else:
                wait = _backoff(post["attempts"], outcome.get("retry_after"))
                post = posts.update(db, post_id, now, PostStatus.PLANNED, f"transient error, retry in {wait:.0f} s",
                                    error=outcome["error"],
                                    next_try=(now + timedelta(seconds=wait)).isoformat(timespec="seconds"))
            log.warning("transient error on %s: %s", post_id, outcome["error"])
        else:
            reason = "permanent error" if status == "failed" else "check the account, then reconcile"
            post = posts.update(db, post_id, now, status, outcome.pop("note"), error=outcome["error"],
                                reason=reason)
            log.warning("%s %s: %s", status, post_id, outcome["error"])
    return post
