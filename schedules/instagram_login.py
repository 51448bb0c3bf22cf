"""Instagram with Instagram Login (`publisher = "instagram-login"`): Meta's official API on
graph.instagram.com for a professional account that has no Facebook Page, and its settings.

The steps are those of `instagram-graph` (schedules/instagram_graph.py, which this publisher
extends): the daily limit read from `content_publishing_limit` (Meta's documented 50 posts in 24
hours is not a constant), a container from the image's public address with caption and alt text,
its status polled, `media_publish`, the container id handed to the runner before that last call so
`reconcile` can ask it. What differs: the token is the account's own Instagram user token
(CAMPAIGN_INSTAGRAM_TOKEN, not a Page token), the account is the token's (`/me`), and the image can
only be hosted by URL, in the office's public folder (there is no Page to upload it to). Stories go
out where the account type allows them (a business account).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from portraits.messages import _m
from schedules import graph as meta
from schedules.channel import Media, PermanentError
from schedules.channel_settings import PublicBaseUrl, PublicDir, PublisherSettings, digits
from schedules.instagram_graph import InstagramGraphPublisher
from schedules.secrets import secret

TOKEN_ENV = "CAMPAIGN_INSTAGRAM_TOKEN"
INSTAGRAM_GRAPH_URL = "https://graph.instagram.com/"  # where the token goes (tests: CAMPAIGN_GRAPH_URL)
STORY_ACCOUNTS = ("BUSINESS",)
PROFESSIONAL = ("BUSINESS", "MEDIA_CREATOR")


class InstagramLoginSettings(PublisherSettings):
    """[channels.instagram] with publisher = "instagram-login"."""
    publisher: Literal["instagram-login"] = "instagram-login"
    ig_user_id: Annotated[str, digits("an Instagram account id", "digits only")] = Field(
        "", description='instagram-login: the account id ("" = the token\'s own)')
    public_dir: PublicDir = Field(
        "", description="instagram-login: the folder your web server publishes (absolute path), for the images")
    public_base_url: PublicBaseUrl = Field(
        "", description='instagram-login: the address of that folder, e.g. "https://www.stadt.de/kampagne/"')

    @model_validator(mode="after")
    def _both(self) -> InstagramLoginSettings:
        if bool(self.public_dir) != bool(self.public_base_url):
            raise ValueError("public_dir: Instagram Login needs both public_dir and public_base_url "
                             "(the web folder and its address), for Instagram to fetch the images")
        return self


class InstagramLoginPublisher(InstagramGraphPublisher):
    kind = "instagram-login"

    def __init__(self, channel: str, settings: Any, outbox_dir: Path, private_dir: Path):
        self.channel = channel
        self.page_id = ""
        self.ig_user_id = str(settings.ig_user_id)
        self.image_host = "url"
        self.public_dir = Path(settings.public_dir) if settings.public_dir else None
        self.public_base_url = str(settings.public_base_url)
        self.graph_url = meta.local_graph_url() or INSTAGRAM_GRAPH_URL
        self.retired: set[str] = set()
        self.checkpoint: Callable[[dict[str, Any], str], None] = lambda fields, note: None
        self._me: dict[str, Any] | None = None

    @staticmethod
    def readiness(settings: Any, private_dir: Path) -> tuple[bool, str]:
        if not secret(TOKEN_ENV):
            return False, _m("NOT READY: {token_env} is not set", token_env=TOKEN_ENV)
        if not settings.public_dir or not Path(settings.public_dir).is_dir():
            return False, _m("NOT READY: public_dir {public_dir} is not a folder", public_dir=settings.public_dir)
        return True, _m("the token's Instagram account, images via {image_host}", image_host=settings.public_base_url)

    def _graph(self) -> Any:
        token = secret(TOKEN_ENV)
        if not token:
            raise PermanentError(_m("No Instagram token: {token_env} is not set.", token_env=TOKEN_ENV),
                                 _m("Make a long-lived Instagram user token (README: Instagram without a "
                                    "Facebook Page) and set {token_env}.", token_env=TOKEN_ENV))
        return meta.graph_client(token, self.graph_url)

    def _call(self, fn: Callable[[], Any], during_upload: bool = False) -> Any:
        import facebook

        try:
            return fn()
        except facebook.GraphAPIError as e:
            if getattr(e, "code", None) == 190:
                raise PermanentError(_m("Instagram refused the token (expired or revoked)."),
                                     _m("Make a new long-lived Instagram user token and set {token_env}; it "
                                        "lasts 60 days and is renewed by refreshing it before then.",
                                        token_env=TOKEN_ENV)) from None
            raise meta.channel_error(e, during_upload, "Instagram") from None
        except Exception as e:  # noqa: BLE001 - translated as every Graph API error is
            raise meta.channel_error(e, during_upload, "Instagram") from None

    def _profile(self, graph: Any) -> dict[str, Any]:
        if self._me is None:
            self._me = self._get(graph, "me", fields="user_id,username,account_type")
        return self._me

    def _account(self, graph: Any) -> str:
        return self.ig_user_id or str(self._profile(graph).get("user_id") or self._profile(graph).get("id"))

    def publish(self, post: dict[str, Any], media: list[Media], caption: str) -> dict[str, Any]:
        if post.get("format") == "story":
            kind = self._profile(self._graph()).get("account_type")
            if kind not in STORY_ACCOUNTS:
                raise PermanentError(_m("This Instagram account ({kind}) cannot post stories through the API.",
                                        kind=kind or "?"),
                                     _m("Plan a feed post instead, or switch the account to a business account."))
        return super().publish(post, media, caption)

    def check(self) -> dict[str, Any]:
        graph = self._graph()
        me = self._profile(graph)
        kind = str(me.get("account_type") or "")
        account = f"@{me.get('username')} ({self._account(graph)})"
        if kind not in PROFESSIONAL:
            return {"ok": False, "account": account,
                    "message": _m("a personal account: neither Instagram route can publish to it; switch it to a "
                                  "professional account in the Instagram app")}
        left, total = self._posts_left(graph, self._account(graph))
        route = _m("Instagram Login fits this {kind} account (no Facebook Page needed); if it is linked to the "
                   "city's Page, instagram-graph works as well", kind=kind.lower().replace("_", " "))
        stories = "" if kind in STORY_ACCOUNTS else "; " + _m("no stories for this account type")
        return {"ok": True, "account": account,
                "message": _m("the token reaches {account}; {route}; {left} of {total} posts left in the 24 h "
                              "window", account=account, route=route, left=left, total=total) + stories}
