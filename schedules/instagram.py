"""The Instagram publisher, on instagrapi.

One login, then the session (cookies and device ids) is kept in .private/instagram-session.json
(mode 0600) and reused on every run, so Instagram sees the same phone each time. A re-login only
happens when Instagram rejects the session, and only with the password from the environment.
`delay_range` spaces the client's requests out like a person's. Throttling and "please wait"
become long back-offs, never a tight loop; challenges and blocks need a person.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from portraits.files import atomic_write_bytes
from portraits.messages import _m
from schedules.channel import Media, PermanentError, TransientError, UnknownOutcome
from schedules.channel_settings import PublisherSettings, check, plain_text
from schedules.secrets import platform_text, secret

PASSWORD_ENV = "CAMPAIGN_INSTAGRAM_PASSWORD"
SESSION_FILE = "instagram-session.json"
DELAY_RANGE = [2, 6]  # seconds between the client's requests
THROTTLE_WAIT = 3600.0
PLEASE_WAIT = 900.0
RECENT = 50


def save_session(path: Path, settings: dict[str, Any]) -> None:
    """Write the session atomically, readable by this user only."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    atomic_write_bytes(path, json.dumps(settings, default=str).encode(), mode=0o600)


def channel_error(error: Exception, during_upload: bool = False) -> Exception:
    """instagrapi's exceptions -> ours, each saying what to do."""
    from instagrapi import exceptions as ig

    msg = platform_text(str(error) or type(error).__name__)
    if isinstance(error, (ig.ChallengeRequired, ig.ChallengeError, ig.SelectContactPointRecoveryForm,
                          ig.RecaptchaChallengeForm, ig.TwoFactorRequired)):
        return PermanentError(_m("Instagram asks for a security check: {msg}", msg=msg),
                              _m("Log in once by hand: campaign channel login instagram (it asks for the "
                                 "code)."))
    if isinstance(error, (ig.LoginRequired, ig.ClientLoginRequired, ig.BadPassword, ig.BadCredentials,
                          ig.ReloginAttemptExceeded)):
        return PermanentError(_m("Instagram needs a new login: {msg}", msg=msg),
                              _m("Run: campaign channel login instagram"))
    if isinstance(error, (ig.FeedbackRequired, ig.SentryBlock, ig.AccountSuspended)):
        return PermanentError(_m("Instagram blocked the action: {msg}", msg=msg),
                              _m("Open the Instagram app, read the notice and wait a day before retrying by "
                                 "hand."))
    if isinstance(error, ig.PleaseWaitFewMinutes):
        return TransientError(_m("Instagram asks to wait a few minutes: {msg}", msg=msg),
                              retry_after=PLEASE_WAIT)
    if isinstance(error, (ig.RateLimitError, ig.ClientThrottledError)):
        return TransientError(_m("Instagram is throttling this account: {msg}", msg=msg),
                              _m("It is retried in an hour."), retry_after=THROTTLE_WAIT)
    if during_upload and isinstance(error, (ig.ClientConnectionError, ig.ClientRequestTimeout,
                                            ig.ClientIncompleteReadError, TimeoutError, ConnectionError)):
        return UnknownOutcome(_m("The upload to Instagram was cut off: {msg}", msg=msg),
                              _m("It may have gone out: campaign reconcile settles it."))
    if isinstance(error, (ig.ClientConnectionError, ig.ClientRequestTimeout, ig.ClientIncompleteReadError)):
        return TransientError(_m("Instagram could not be reached: {msg}", msg=msg), retry_after=300)
    if isinstance(error, ig.ClientError):
        return PermanentError(_m("Instagram said: {msg}", msg=msg),
                              _m("Fix what it names, then: campaign schedule retry POST."))
    return error


def _with_alt_texts(client: Any, media: list[Media]) -> Callable[..., Any]:
    """album_upload has no alt-text parameter; its `configure_handler` gets each image's upload
    (`children`) before the album is put together, and the app's field for alt text goes there."""
    def configure(children: list[dict[str, Any]], caption: str, usertags: Any, location: Any,
                  extra_data: dict[str, Any] | None = None) -> dict[str, Any]:
        for child, item in zip(children, media):
            child["custom_accessibility_caption"] = item.alt_text
        configured: dict[str, Any] = client.album_configure(children, caption, usertags, location,
                                                            extra_data=extra_data or {})
        return configured
    return configure


def new_client() -> Any:
    from instagrapi import Client

    return Client(delay_range=DELAY_RANGE)


class InstagramSettings(PublisherSettings):
    """[channels.instagram] with publisher = "instagram" (instagrapi)."""
    publisher: Literal["instagram"] = "instagram"
    account: Annotated[str, check(lambda v: plain_text(v, "account", 60, True).lstrip("@"))] = Field(
        "", description="the Instagram user name")


class InstagramPublisher:
    kind = "instagram"

    def __init__(self, channel: str, settings: Any, outbox_dir: Path, private_dir: Path, client: Any = None):
        self.channel = channel
        self.account = settings.account.lstrip("@")
        self.session_path = Path(private_dir) / SESSION_FILE
        self._client = client  # tests pass a stand-in built to instagrapi.Client's signatures

    @staticmethod
    def readiness(settings: Any, private_dir: Path) -> tuple[bool, str]:
        if not settings.account:
            return False, _m("NOT READY: no account in campaign.toml")
        if not (Path(private_dir) / SESSION_FILE).is_file():
            return False, _m("NOT READY: not logged in (campaign channel login instagram)")
        return True, _m("@{account}, session saved", account=settings.account)

    def _session_client(self) -> Any:
        """A client with the saved session (no network call); the same device every time."""
        client = self._client if self._client is not None else new_client()
        client.delay_range = DELAY_RANGE
        if not self.session_path.is_file():
            raise PermanentError(_m("Instagram is not logged in on this machine."),
                                 _m("Run: campaign channel login instagram"))
        try:
            client.set_settings(json.loads(self.session_path.read_text()))
        except ValueError:
            raise PermanentError(_m("The saved Instagram session is damaged."),
                                 _m("Run: campaign channel login instagram")) from None
        return client

    def _relogin(self, client: Any) -> bool:
        """Instagram rejected the session: log in again with the same device ids, if a password is set."""
        password = secret(PASSWORD_ENV)
        if not password or not self.account:
            return False
        uuids = client.get_settings().get("uuids")
        client.set_settings({})
        if uuids:
            client.set_uuids(uuids)
        client.login(self.account, password)
        save_session(self.session_path, client.get_settings())
        return True

    def _call(self, client: Any, fn: Callable[[], Any], during_upload: bool = False) -> Any:
        from instagrapi.exceptions import LoginRequired

        try:
            try:
                return fn()
            except LoginRequired:
                if during_upload or not self._relogin(client):
                    raise
                return fn()
        except Exception as e:  # noqa: BLE001 - translated or re-raised as it was
            raise channel_error(e, during_upload) from None

    def login(self, password: str | None, ask_code: Callable[[str], str]) -> dict[str, Any]:
        """Interactive login; saves the session. `ask_code` is asked for a challenge or 2FA code."""
        from instagrapi.exceptions import TwoFactorRequired

        if not self.account:
            raise PermanentError(_m("No Instagram account in campaign.toml."),
                                 _m("Set account under [channels.instagram] in campaign.toml."))
        password = password or secret(PASSWORD_ENV)
        if not password:
            raise PermanentError(_m("No Instagram password given."),
                                 _m("Type it when asked, or set {password_env}.", password_env=PASSWORD_ENV))
        client = self._client if self._client is not None else new_client()
        client.delay_range = DELAY_RANGE
        if self.session_path.is_file():  # keep the device ids of the earlier session
            try:
                client.set_uuids(json.loads(self.session_path.read_text()).get("uuids") or {})
            except ValueError:
                pass
        client.challenge_code_handler = lambda username, choice: ask_code(
            _m("Instagram sent a security code ({choice})", choice=choice))
        try:
            try:
                client.login(self.account, password)
            except TwoFactorRequired:
                client.login(self.account, password, verification_code=ask_code(_m("Two-factor code")))
        except Exception as e:  # noqa: BLE001
            raise channel_error(e) from None
        save_session(self.session_path, client.get_settings())
        return {"ok": True, "account": f"@{self.account}", "session": str(self.session_path)}

    def publish(self, post: dict[str, Any], media: list[Media], caption: str) -> dict[str, Any]:
        """Feed and square: `photo_upload` with the alt text; story: `photo_upload_to_story` (stories
        have neither caption nor alt text); carousel: one `album_upload` with every image's alt text."""
        client = self._session_client()
        fmt = post["format"]
        if fmt == "carousel":
            result = self._call(client, lambda: client.album_upload(
                [Path(m.path) for m in media], caption, configure_handler=_with_alt_texts(client, media)),
                during_upload=True)
        elif fmt == "story":
            result = self._call(client, lambda: client.photo_upload_to_story(Path(media[0].path)), during_upload=True)
        else:
            result = self._call(client, lambda: client.photo_upload(
                Path(media[0].path), caption, extra_data={"custom_accessibility_caption": media[0].alt_text}),
                during_upload=True)
        try:
            save_session(self.session_path, client.get_settings())
        except (OSError, TypeError, ValueError):
            pass  # the post is out; an old session file still works next time
        if fmt == "story":
            return {"remote_id": str(result.pk),
                    "permalink": f"https://www.instagram.com/stories/{self.account}/{result.pk}/"}
        return {"remote_id": str(result.pk), "code": result.code,
                "permalink": f"https://www.instagram.com/p/{result.code}/"}

    def check(self) -> dict[str, Any]:
        client = self._session_client()
        account = self._call(client, client.account_info)
        return {"ok": True, "account": f"@{account.username}", "message": f"the session reaches @{account.username}"}

    def recent_media(self, since: datetime) -> list[dict[str, Any]]:
        client = self._session_client()
        me = self._call(client, client.account_info)
        medias = self._call(client, lambda: client.user_medias(str(me.pk), amount=RECENT))
        out = []
        for m in medias:
            at = m.taken_at if m.taken_at.tzinfo else m.taken_at.replace(tzinfo=UTC)
            if at >= since:
                out.append({"remote_id": str(m.pk), "caption": m.caption_text or "", "at": at.isoformat(),
                            "permalink": f"https://www.instagram.com/p/{m.code}/", "code": m.code})
        return out

    def fetch_engagement(self, post: dict[str, Any]) -> dict[str, Any]:
        client = self._session_client()
        media = self._call(client, lambda: client.media_info(post["remote_id"], use_cache=False))
        # Instagram's media info has no share count; it is recorded as 0 (imports can bring it).
        return {"likes": int(media.like_count or 0), "comments": int(media.comment_count or 0), "shares": 0,
                "reach": None}
