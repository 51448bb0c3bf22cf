"""The Bluesky publisher, through the atproto SDK, and its settings.

It logs in with an app password from CAMPAIGN_BLUESKY_APP_PASSWORD once and keeps the session in
.private/bluesky-session (mode 0600): Bluesky limits logins, so every later run reuses it (the SDK
refreshes it, and each refreshed session is written back). Images are uploaded as blobs, each under
Bluesky's size limit: a render over it is encoded again, smaller, never refused at 18:30. The post
record carries the caption (at most 300 graphemes), its hashtags and links as facets (byte offsets in
UTF-8), the images with their alt texts and aspect ratios, and the post's languages.

The record key is chosen before the call and handed to the runner first: the record is created
under that key, so a second attempt can never make a second post (the key is taken), and an
`unknown` post is settled by reading that one record. Tests reach a fake server through
CAMPAIGN_BLUESKY_URL, honoured for this machine only.
"""
from __future__ import annotations

import functools
import io
import re
import time
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from portraits.files import atomic_write_bytes
from portraits.messages import _m
from schedules.channel import Media, PermanentError, TransientError, UnknownOutcome, channel_spec
from schedules.channel_settings import PublisherSettings, check, fail, https_origin
from schedules.secrets import local_test_url, redact, secret

if TYPE_CHECKING:
    import ssl

    from atproto_client import Client

PASSWORD_ENV = "CAMPAIGN_BLUESKY_APP_PASSWORD"
URL_ENV = "CAMPAIGN_BLUESKY_URL"
SESSION_FILE = "bluesky-session"
POST_COLLECTION = "app.bsky.feed.post"
TIMEOUT = 60.0
MAX_LANGS = 3  # a post names at most three languages
RATE_LIMIT_WAIT = 300.0
QUALITIES = (80, 70, 60)  # tried in turn on an image over the limit (80 fits most at once: one encode),
                           # then the image is made smaller
SHRINK = 0.85
_TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"
HASHTAG = re.compile(r"(?<![\w#])#(\w*[^\W\d_]\w*)")
LINK = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]']")


class BlueskySettings(PublisherSettings):
    """[channels.bluesky] with publisher = "bluesky"."""
    publisher: Literal["bluesky"] = "bluesky"
    handle: Annotated[str, check(lambda v: v.lstrip("@") if re.fullmatch(r"@?([A-Za-z0-9-]+\.)+[A-Za-z]{2,}|", v)
                                 else fail(f"{v!r} is not a Bluesky handle: write it like "
                                           "stadt-duisburg.bsky.social"))] \
        = Field("", description='bluesky: the account\'s handle, e.g. "stadt-duisburg.bsky.social"')
    service: Annotated[str, check(https_origin)] = Field(
        "https://bsky.social", description="bluesky: the account's server (bsky.social unless it runs its own)")


# -- text, facets, images: what Bluesky counts and takes -------------------------------------

def _bytes_at(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def facets(text: str) -> list[dict[str, Any]]:
    """Hashtags and links of the text as Bluesky facets: byte ranges in its UTF-8, not characters."""
    out: list[dict[str, Any]] = []
    for m in LINK.finditer(text):
        out.append({"index": {"byteStart": _bytes_at(text, m.start()), "byteEnd": _bytes_at(text, m.end())},
                    "features": [{"$type": "app.bsky.richtext.facet#link", "uri": m.group(0)}]})
    links = [(f["index"]["byteStart"], f["index"]["byteEnd"]) for f in out]
    for m in HASHTAG.finditer(text):
        start, end = _bytes_at(text, m.start()), _bytes_at(text, m.end())
        if any(a <= start < b for a, b in links):  # a "#" inside a link is part of the link
            continue
        out.append({"index": {"byteStart": start, "byteEnd": end},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": m.group(1)}]})
    return sorted(out, key=lambda f: f["index"]["byteStart"])


def fit_image(path: Path, limit: int) -> tuple[bytes, tuple[int, int]]:
    """The image's JPEG bytes under `limit`, and its size: the file as it is when it fits, else encoded
    again at lower qualities and, if need be, smaller, from its pixels (so nothing but them goes out)."""
    from PIL import Image

    data = Path(path).read_bytes()
    with Image.open(io.BytesIO(data)) as opened:
        if len(data) <= limit:
            return data, opened.size
        picture: Image.Image = opened if opened.mode == "RGB" else opened.convert("RGB")
        while True:
            for quality in QUALITIES:
                buf = io.BytesIO()
                picture.save(buf, "JPEG", quality=quality)
                if buf.tell() <= limit:
                    return buf.getvalue(), picture.size
            picture = picture.resize((max(1, int(picture.width * SHRINK)), max(1, int(picture.height * SHRINK))),
                                     Image.Resampling.BILINEAR)


def record_key(post_id: str, when: datetime) -> str:
    """A record key of the kind Bluesky wants for posts (a TID: microseconds and a clock id, in its
    sortable base32), made once per post before the call; the clock id comes from the post's id."""
    value = (int(when.timestamp() * 1_000_000) << 10) | (zlib.crc32(post_id.encode()) & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_TID_CHARS[value & 31])
        value >>= 5
    return "".join(reversed(chars))


@functools.lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """One TLS context for every client of the process: making one costs about 0.1 s."""
    import ssl

    return ssl.create_default_context()


def _did(client: Client) -> str:
    """The account's DID, from the session the client holds (no call)."""
    from atproto_client.client.session import Session

    return str(Session.decode(client.export_session_string()).did)


def _rkey_of(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _web_link(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{_rkey_of(uri)}"


class BlueskyPublisher:
    kind = "bluesky"

    def __init__(self, channel: str, settings: Any, outbox_dir: Path, private_dir: Path,
                 now: Callable[[], datetime] = lambda: datetime.now().astimezone()):
        self.channel = channel
        self.handle = str(settings.handle)
        self.service = str(settings.service)
        self.base_url = local_test_url(URL_ENV) or self.service
        self.session_path = Path(private_dir) / SESSION_FILE
        self.now = now
        self.checkpoint: Callable[[dict[str, Any], str], None] = lambda fields, note: None
        self._client: Client | None = None

    @staticmethod
    def readiness(settings: Any, private_dir: Path) -> tuple[bool, str]:
        if not settings.handle:
            return False, _m("NOT READY: no handle in campaign.toml")
        if not secret(PASSWORD_ENV) and not (Path(private_dir) / SESSION_FILE).is_file():
            return False, _m("NOT READY: {token_env} is not set", token_env=PASSWORD_ENV)
        return True, _m("@{account}, app password set", account=settings.handle)

    # -- the session -----------------------------------------------------------------------------

    def _save(self, session_string: str) -> None:
        self.session_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write_bytes(self.session_path, session_string.encode(), mode=0o600)

    def client(self) -> Client:
        """A client on the kept session, or logged in with the app password (then kept)."""
        if self._client is not None:
            return self._client
        from atproto_client import Client
        from atproto_client.request import Request

        if not self.handle:
            raise PermanentError(_m("No Bluesky handle in campaign.toml."),
                                 _m("Set handle = \"...\" under [channels.{channel}].", channel=self.channel))
        client = Client(base_url=self.base_url, request=Request(timeout=TIMEOUT, verify=_tls()))
        client.on_session_change(lambda _event, _session: self._save(client.export_session_string()))
        saved = self.session_path.read_text().strip() if self.session_path.is_file() else ""
        if saved:
            try:
                client.login(session_string=saved, fetch_bsky_profile=False)
                self._client = client
                return client
            except Exception:  # noqa: BLE001 - a damaged or foreign session file: log in afresh below
                pass
        self._login(client)
        self._client = client
        return client

    def _login(self, client: Client) -> None:
        password = secret(PASSWORD_ENV)
        if not password:
            raise PermanentError(_m("No Bluesky app password: {token_env} is not set.", token_env=PASSWORD_ENV),
                                 _m("Make an app password under Settings > Privacy and security > App passwords "
                                    "and set {token_env} to it.", token_env=PASSWORD_ENV))
        self._call(lambda: client.login(self.handle, password, fetch_bsky_profile=False), login=True)

    def _call(self, fn: Callable[[], Any], reached: bool = False, login: bool = False) -> Any:
        """One call, its errors made ours; an expired session is renewed with the app password once.
        `reached`: a lost answer may mean the record was made."""
        from atproto_client import exceptions as at

        try:
            return fn()
        except (at.UnauthorizedError, at.BadRequestError) as e:
            if isinstance(e, at.BadRequestError) and not _expired(e):
                raise PermanentError(_m("Bluesky refused the post: {error}", error=_said(e)),
                                     _m("Fix what it names, then: campaign schedule retry POST.")) from None
            if login:
                raise PermanentError(_m("Bluesky refused the app password of @{account}.", account=self.handle),
                                     _m("Make a new app password and set {token_env} to it.",
                                        token_env=PASSWORD_ENV)) from None
            if self._client is None or not secret(PASSWORD_ENV):
                raise PermanentError(_m("Bluesky refused the saved session of @{account} ({error}).",
                                        account=self.handle, error=_said(e)),
                                     _m("Set {token_env} to an app password: the tool logs in again.",
                                        token_env=PASSWORD_ENV)) from None
            self.session_path.unlink(missing_ok=True)
            self._login(self._client)
            return self._call(fn, reached)
        except at.RateLimitExceededError as e:
            reset = (e.response.headers or {}).get("ratelimit-reset") if e.response else None
            wait = max(float(reset) - time.time(), 60.0) if reset and reset.isdigit() else RATE_LIMIT_WAIT
            raise TransientError(_m("Bluesky asks us to slow down (rate limit)."),
                                 _m("It is tried again later by itself."), retry_after=wait) from None
        except at.NetworkError as e:
            if reached:
                raise UnknownOutcome(_m("No answer from Bluesky while making the post: {error}", error=_said(e)),
                                     _m("Check the account, then: campaign reconcile")) from None
            raise TransientError(_m("Bluesky did not answer: {error}", error=_said(e))) from None
        except at.RequestException as e:
            if reached:
                raise UnknownOutcome(_m("Bluesky failed while making the post: {error}", error=_said(e)),
                                     _m("Check the account, then: campaign reconcile")) from None
            raise TransientError(_m("Bluesky failed: {error}", error=_said(e))) from None

    # -- the publisher interface -----------------------------------------------------------------

    def publish(self, post: dict[str, Any], media: list[Media], caption: str) -> dict[str, Any]:
        spec = channel_spec(self.channel)
        if post["format"] not in ("feed", "square", "carousel"):
            raise PermanentError(_m("Bluesky has no {fmt!r} posts.", fmt=post["format"]),
                                 _m("Plan it as a feed post or a carousel."))
        client = self.client()
        did = _did(client)
        images = []
        for item in media:
            data, (width, height) = fit_image(Path(item.path), spec.image_bytes or 1_000_000)
            blob = self._call(lambda: client.upload_blob(data)).blob  # noqa: B023 - called at once
            images.append({"$type": "app.bsky.embed.images#image", "alt": item.alt_text[:spec.alt_chars],
                           "image": blob.model_dump(by_alias=True, exclude_none=True),
                           "aspectRatio": {"width": width, "height": height}})
        rkey = post.get("rkey") or record_key(post["id"], self.now())
        self.checkpoint({"rkey": rkey, "did": did}, "record key chosen for Bluesky")
        langs = [lang for lang in dict.fromkeys([post.get("lang"), *(m.lang for m in media)]) if lang][:MAX_LANGS]
        record = {"$type": POST_COLLECTION, "text": caption, "createdAt": self.now().isoformat(timespec="milliseconds"),
                  "langs": langs, "facets": facets(caption),
                  "embed": {"$type": "app.bsky.embed.images", "images": images}}
        from atproto_client import models

        made = self._call(lambda: client.com.atproto.repo.create_record(models.ComAtprotoRepoCreateRecord.Data(
            repo=did, collection=POST_COLLECTION, rkey=rkey, record=record, validate=True)), reached=True)
        return {"remote_id": made.uri, "cid": made.cid, "permalink": _web_link(self.handle, made.uri)}

    def comment(self, post: dict[str, Any], result: dict[str, Any], text: str) -> str:
        """The first comment: a reply to the post (root and parent both the post)."""
        from atproto_client import models

        client = self.client()
        spec = channel_spec(self.channel)
        parent = {"uri": result["remote_id"], "cid": result["cid"]}
        langs = [post["lang"]] if post.get("lang") else []
        record = {"$type": POST_COLLECTION, "text": text[:spec.caption_chars], "langs": langs,
                  "createdAt": self.now().isoformat(timespec="milliseconds"), "facets": facets(text),
                  "reply": {"root": parent, "parent": parent}}
        made = self._call(lambda: client.com.atproto.repo.create_record(models.ComAtprotoRepoCreateRecord.Data(
            repo=_did(client), collection=POST_COLLECTION, rkey=record_key(post["id"] + "-comment", self.now()),
            record=record)), reached=True)
        return str(made.uri)


    def check(self) -> dict[str, Any]:
        client = self.client()
        session = self._call(lambda: client.com.atproto.server.get_session())
        return {"ok": True, "account": f"@{session.handle}",
                "message": _m("app password works for @{account}", account=session.handle)}

    def recent_media(self, since: datetime) -> list[dict[str, Any]]:
        client = self.client()
        did = _did(client)
        feed = self._call(lambda: client.app.bsky.feed.get_author_feed({"actor": did, "limit": 50}))
        out = []
        for item in feed.feed:
            at = datetime.fromisoformat(item.post.indexed_at.replace("Z", "+00:00"))
            if at >= since:
                out.append({"remote_id": item.post.uri, "caption": getattr(item.post.record, "text", ""),
                            "at": at.isoformat(timespec="seconds"), "permalink": _web_link(self.handle, item.post.uri)})
        return out

    def settle(self, post: dict[str, Any]) -> dict[str, Any] | None:
        """Read the one record the post was to be made under: there is one, or there is not."""
        if not post.get("rkey"):
            return None
        from atproto_client import exceptions as at

        client = self.client()
        did = post.get("did") or _did(client)
        try:
            found = self._call(lambda: client.com.atproto.repo.get_record(
                {"repo": did, "collection": POST_COLLECTION, "rkey": post["rkey"]}))
        except PermanentError:
            return {"state": "not_published", "reason": _m("no post under its record key on the account")}
        except at.AtProtocolError:
            return None
        return {"state": "published", "reason": _m("its record is on the account"),
                "media": {"remote_id": found.uri, "permalink": _web_link(self.handle, found.uri),
                          "at": str(post.get("attempted_at") or post["at"])}}

    def fetch_engagement(self, post: dict[str, Any]) -> dict[str, Any]:
        client = self.client()
        answer = self._call(lambda: client.app.bsky.feed.get_posts({"uris": [post["remote_id"]]}))
        if not answer.posts:
            raise PermanentError(_m("The Bluesky post {id} is no longer there.", id=post["remote_id"]),
                                 _m("It was deleted on Bluesky; its figures stay as they were."))
        view = answer.posts[0]
        return {"likes": int(view.like_count or 0), "comments": int(view.reply_count or 0),
                "shares": int(view.repost_count or 0) + int(view.quote_count or 0), "reach": None}


def _expired(error: Exception) -> bool:
    """A session the server no longer takes (it says so with a 400, not a 401)."""
    content = getattr(getattr(error, "response", None), "content", None)
    return getattr(content, "error", None) in ("ExpiredToken", "InvalidToken")


def _said(error: Exception) -> str:
    """What the server answered ("400 InvalidRequest: ..."), never a header or a token."""
    response = getattr(error, "response", None)
    content = getattr(response, "content", None)
    if response is not None and content is not None and hasattr(content, "error"):
        return redact(f"{response.status_code} {content.error}: {content.message or ''}".rstrip(": "))
    return redact(type(error).__name__ + (f": {error}" if str(error) else ""))
