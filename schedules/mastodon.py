"""The Mastodon publisher (any instance, e.g. social.bund.de), through Mastodon.py, and its settings.

Each image is uploaded with its alt text as the description and the face as the focus point (from
the render's record of where the head landed), then one status carries them with the caption and
the post's language. The status is sent with an `Idempotency-Key` made of the post's id and the
version of what it shows: should the answer be lost, a second request with the same key returns the
status already made instead of making another. The uploaded media ids are handed to the runner
before the status is sent, so an `unknown` post is settled by finding the status that holds them
among the account's latest statuses. Uploads are not public: a failure there is safe to retry.

The access token comes from CAMPAIGN_MASTODON_TOKEN (the instance's Preferences > Development > New
application, scopes read and write:statuses write:media). Tests reach a fake instance through
CAMPAIGN_MASTODON_URL, honoured for this machine only.
"""
from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from portraits.messages import _m
from schedules.channel import Media, PermanentError, TransientError, UnknownOutcome
from schedules.channel_settings import PublisherSettings, check, https_origin
from schedules.secrets import local_test_url, redact, secret

if TYPE_CHECKING:
    from mastodon import Mastodon

TOKEN_ENV = "CAMPAIGN_MASTODON_TOKEN"
URL_ENV = "CAMPAIGN_MASTODON_URL"
TIMEOUT = 60.0  # seconds; an upload of a 1080x1350 JPEG takes a few
MASTODON_VERSION = "4.2.0"  # said up front (with version_check_mode "created"), so Mastodon.py does not
                            # ask the instance for its version before each upload
PROCESSING_POLLS = 20  # an instance may process an upload in the background: look this often, a second apart
RECENT_STATUSES = 40   # the most one page of an account's statuses holds
RATE_LIMIT_WAIT = 300.0
NO_FACE_ANCHOR = (0.5, 0.42)  # portraits.layouts.place puts the focal point there when no face was found


class MastodonSettings(PublisherSettings):
    """[channels.mastodon] with publisher = "mastodon"."""
    publisher: Literal["mastodon"] = "mastodon"
    instance: Annotated[str, check(https_origin)] = Field(
        "", description='mastodon: the instance\'s address, e.g. "https://social.bund.de"')
    visibility: Literal["public", "unlisted"] = Field(
        "public", description='mastodon: "public", or "unlisted" (not in the public timelines)')


def idempotency_key(post: dict[str, Any]) -> str:
    """The same post showing the same thing always has the same key (Mastodon keeps it an hour)."""
    return f"campaign-{post['id']}-{(post.get('content_hash') or 'v0')[:16]}"


def focus_of(image: Path) -> tuple[float, float] | None:
    """Where the face is in a render, as Mastodon's focus point (-1..1 from the centre, y upwards), so
    a cropped preview keeps it: the head's box the render recorded next to the image, or, for a photo
    without a found face, the point of the photo area the crop was centred on. None without a record."""
    try:
        boxes = json.loads(image.with_suffix(".json").read_text(encoding="utf-8"))["boxes"]
        if boxes.get("head"):
            x, y, w, h = boxes["head"]
            cx, cy = x + w / 2, y + h / 2
        else:
            x, y, w, h = boxes["photo"]
            cx, cy = x + w * NO_FACE_ANCHOR[0], y + h * NO_FACE_ANCHOR[1]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    from PIL import Image

    with Image.open(image) as im:
        width, height = im.size
    return (round(max(-1.0, min(1.0, cx / width * 2 - 1)), 2),
            round(max(-1.0, min(1.0, 1 - cy / height * 2)), 2))


def text_of(content: str) -> str:
    """A status's HTML as the plain text that was sent (paragraphs, line breaks, no links' markup)."""
    text = re.sub(r"</p>\s*<p>", "\n\n", content)
    text = re.sub(r"<br\s*/?>", "\n", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _stamp(value: Any) -> str:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat(timespec="seconds")


def _said(error: Exception) -> str:
    """What the instance answered, as "422 Unprocessable Entity: Text is too long" (Mastodon.py
    gives it as the arguments: message, status code, reason, the instance's error text)."""
    args = [str(a) for a in error.args[1:] if a is not None]
    return (f"{' '.join(args[:2])}: {args[2]}" if len(args) >= 3 else " ".join(args)) or str(error)


class MastodonPublisher:
    kind = "mastodon"

    def __init__(self, channel: str, settings: Any, outbox_dir: Path, private_dir: Path,
                 sleep: Callable[[float], None] = time.sleep):
        self.channel = channel
        self.instance = str(settings.instance)
        self.visibility = str(getattr(settings, "visibility", "public"))
        self.base_url = local_test_url(URL_ENV) or self.instance
        self.sleep = sleep
        self.checkpoint: Callable[[dict[str, Any], str], None] = lambda fields, note: None
        self._client: Mastodon | None = None

    @staticmethod
    def readiness(settings: Any, private_dir: Path) -> tuple[bool, str]:
        if not settings.instance:
            return False, _m("NOT READY: no instance in campaign.toml")
        if not secret(TOKEN_ENV):
            return False, _m("NOT READY: {token_env} is not set", token_env=TOKEN_ENV)
        return True, _m("{instance}, token set", instance=settings.instance)

    # -- calls ---------------------------------------------------------------------------------

    def client(self) -> Mastodon:
        if self._client is None:
            from mastodon import Mastodon

            token = secret(TOKEN_ENV)
            if not token:
                raise PermanentError(_m("No Mastodon token: {token_env} is not set.", token_env=TOKEN_ENV),
                                     _m("Make an application under Preferences > Development on {instance} "
                                        "and set {token_env} to its access token.",
                                        instance=self.instance or "the instance", token_env=TOKEN_ENV))
            if not self.base_url:
                raise PermanentError(_m("No Mastodon instance in campaign.toml."),
                                     _m("Set instance = \"https://...\" under [channels.{channel}].",
                                        channel=self.channel))
            self._client = Mastodon(access_token=token, api_base_url=self.base_url.rstrip("/"),
                                    request_timeout=TIMEOUT, mastodon_version=MASTODON_VERSION,
                                    version_check_mode="created", ratelimit_method="throw")
        return self._client

    def _call(self, fn: Callable[[], Any], reached: bool = False) -> Any:
        """One call, its errors made ours. `reached`: a lost answer may mean the status was made."""
        from mastodon import errors

        try:
            return fn()
        except errors.MastodonUnauthorizedError:
            raise PermanentError(_m("{instance} refused the Mastodon token (expired or revoked).",
                                    instance=self.instance or "Mastodon"),
                                 _m("Make a new access token on the instance and set {token_env}.",
                                    token_env=TOKEN_ENV)) from None
        except errors.MastodonRatelimitError:
            client = self._client
            reset = getattr(client, "ratelimit_reset", None) if client else None
            wait = max(float(reset) - time.time(), 60.0) if reset else RATE_LIMIT_WAIT
            raise TransientError(_m("{instance} asks us to slow down (rate limit).",
                                    instance=self.instance or "Mastodon"),
                                 _m("It is tried again later by itself."), retry_after=wait) from None
        except errors.MastodonServerError as e:
            if reached:
                raise UnknownOutcome(_m("Mastodon failed while making the status: {error}", error=redact(_said(e))),
                                     _m("Check the account, then: campaign reconcile")) from None
            raise TransientError(_m("Mastodon failed: {error}", error=redact(_said(e)))) from None
        except errors.MastodonNetworkError as e:
            if reached:
                raise UnknownOutcome(_m("No answer from Mastodon while making the status: {error}",
                                        error=redact(str(e))),
                                     _m("Check the account, then: campaign reconcile")) from None
            raise TransientError(_m("Mastodon did not answer: {error}", error=redact(str(e)))) from None
        except errors.MastodonAPIError as e:
            raise PermanentError(_m("Mastodon refused the post: {error}", error=redact(_said(e))),
                                 _m("Fix what it names, then: campaign schedule retry POST.")) from None

    def _upload(self, client: Mastodon, item: Media) -> str:
        focus = focus_of(Path(item.path))
        attachment = self._call(lambda: client.media_post(str(item.path), mime_type="image/jpeg",
                                                          description=item.alt_text, focus=focus))
        for _ in range(PROCESSING_POLLS):
            if attachment.get("url"):
                break
            self.sleep(1.0)
            media_id = attachment["id"]
            attachment = self._call(lambda: client.media(media_id))  # noqa: B023 - called at once
        else:
            raise TransientError(_m("{instance} is still processing the image.", instance=self.instance),
                                 _m("It is tried again later by itself."))
        return str(attachment["id"])

    # -- the publisher interface ---------------------------------------------------------------

    def publish(self, post: dict[str, Any], media: list[Media], caption: str) -> dict[str, Any]:
        if post["format"] not in ("feed", "square", "carousel"):
            raise PermanentError(_m("Mastodon has no {fmt!r} posts.", fmt=post["format"]),
                                 _m("Plan it as a feed post or a carousel."))
        client = self.client()
        media_ids = [self._upload(client, item) for item in media]
        key = idempotency_key(post)
        self.checkpoint({"media_ids": media_ids, "idempotency_key": key}, "images uploaded to Mastodon")
        status = self._call(lambda: client.status_post(caption, media_ids=media_ids, language=post.get("lang"),
                                                       visibility=self.visibility, idempotency_key=key),
                            reached=True)
        return {"remote_id": str(status["id"]), "permalink": status.get("url")}

    def comment(self, post: dict[str, Any], result: dict[str, Any], text: str) -> str:
        """The first comment: a reply to the status, with its own idempotency key."""
        client = self.client()
        key = idempotency_key(post) + "-comment"
        reply = self._call(lambda: client.status_post(text, in_reply_to_id=result["remote_id"],
                                                      language=post.get("lang"), visibility=self.visibility,
                                                      idempotency_key=key), reached=True)
        return str(reply["id"])

    def check(self) -> dict[str, Any]:
        account = self._call(lambda: self.client().account_verify_credentials())
        host = re.sub(r"^https?://", "", self.instance)
        return {"ok": True, "account": f"@{account['acct']}@{host}",
                "message": _m("token works for @{acct} on {instance}", acct=account["acct"], instance=host)}

    def _statuses(self) -> list[Any]:
        client = self.client()
        me = self._call(lambda: client.account_verify_credentials())
        return list(self._call(lambda: client.account_statuses(me["id"], limit=RECENT_STATUSES,
                                                                exclude_reblogs=True)))

    def recent_media(self, since: datetime) -> list[dict[str, Any]]:
        out = []
        for status in self._statuses():
            at = _stamp(status["created_at"])
            if datetime.fromisoformat(at) >= since:
                out.append({"remote_id": str(status["id"]), "caption": text_of(status.get("content") or ""),
                            "at": at, "permalink": status.get("url")})
        return out

    def settle(self, post: dict[str, Any]) -> dict[str, Any] | None:
        """The status holding the images this post uploaded, if the account shows one."""
        mine = set(post.get("media_ids") or ())
        if not mine:
            return None
        for status in self._statuses():
            if mine & {str(m["id"]) for m in status.get("media_attachments") or ()}:
                return {"state": "published", "reason": _m("the status holding its images is on the account"),
                        "media": {"remote_id": str(status["id"]), "permalink": status.get("url"),
                                  "at": _stamp(status["created_at"])}}
        return {"state": "not_published", "reason": _m("no status on the account holds its images")}

    def fetch_engagement(self, post: dict[str, Any]) -> dict[str, Any]:
        status = self._call(lambda: self.client().status(post["remote_id"]))
        return {"likes": int(status.get("favourites_count") or 0), "comments": int(status.get("replies_count") or 0),
                "shares": int(status.get("reblogs_count") or 0), "reach": None}

