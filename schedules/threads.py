"""The Threads publisher, on Meta's official Threads API (graph.threads.net), and its settings.

A post is made as on Instagram's official API, which this publisher extends: a media container
from the image's public address with the text (500 characters) and the alt text, its `status`
polled until FINISHED, then `threads_publish`. Carousels are one container per image
(`is_carousel_item`) and a CAROUSEL container. The container id is handed to the runner before the
publishing call, so `reconcile` asks it what became of an `unknown` post. The 24-hour limit is read
from `threads_publishing_limit` before each post.

Threads fetches the image from a public address, hosted as for `instagram-graph`: `image_host =
"url"` copies it into the office's web folder; `"page-photo"` uploads it unpublished to the city's
Facebook Page (with the Page token, CAMPAIGN_FACEBOOK_TOKEN) and uses the address Meta gives it.
The Threads token is the account's own (CAMPAIGN_THREADS_TOKEN). Tests reach a fake Threads API
through CAMPAIGN_THREADS_URL, honoured for this machine only.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from portraits.messages import _m
from schedules import graph as meta
from schedules.channel import Media, PermanentError, TransientError
from schedules.channel_settings import ImageHost, PublicBaseUrl, PublicDir, PublisherSettings, digits
from schedules.instagram_graph import POLL_WAITS, InstagramGraphPublisher
from schedules.secrets import local_test_url, redact, secret

TOKEN_ENV = "CAMPAIGN_THREADS_TOKEN"
URL_ENV = "CAMPAIGN_THREADS_URL"
THREADS_URL = "https://graph.threads.net/"
API_VERSION = "v1.0"
PLATFORM = "Threads"
DEFAULT_QUOTA = 250  # posts per moving 24 hours, if the answer does not say
METRICS = ("views", "likes", "replies", "reposts", "quotes")
TIMEOUT = meta.TIMEOUT  # connect, read


class ThreadsSettings(PublisherSettings):
    """[channels.threads] with publisher = "threads"."""
    publisher: Literal["threads"] = "threads"
    threads_user_id: Annotated[str, digits("a Threads account id", "digits only")] = Field(
        "", description='threads: the account id ("" = the token\'s own)')
    image_host: ImageHost = Field("url", description='threads: where Threads fetches the image: "url" or "page-photo"')
    page_id: Annotated[str, digits("a Page id", "the Page's number, digits only")] = Field(
        "", description='threads, image_host "page-photo": the Facebook Page that hosts the images')
    public_dir: PublicDir = Field(
        "", description='image_host "url": the folder your web server publishes (absolute path)')
    public_base_url: PublicBaseUrl = Field(
        "", description='image_host "url": the address of that folder, e.g. "https://www.stadt.de/kampagne/"')

    @model_validator(mode="after")
    def _hosting(self) -> ThreadsSettings:
        self.require_url_host()
        if self.image_host == "page-photo" and not self.page_id:
            raise ValueError('image_host: "page-photo" needs page_id (the Page that hosts the images); or use "url"')
        return self


class ThreadsPublisher(InstagramGraphPublisher):
    kind = "threads"
    platform = PLATFORM
    status_fields = ("status", "error_message")
    limit_edge = "threads_publishing_limit"
    default_quota = DEFAULT_QUOTA

    def __init__(self, channel: str, settings: Any, outbox_dir: Path, private_dir: Path):
        self.channel = channel
        self.page_id = str(settings.page_id)
        self.ig_user_id = str(settings.threads_user_id)
        self.image_host = str(settings.image_host)
        self.public_dir = Path(settings.public_dir) if settings.public_dir else None
        self.public_base_url = str(settings.public_base_url)
        self.graph_url = local_test_url(URL_ENV) or THREADS_URL
        self.retired: set[str] = set()
        self.checkpoint: Callable[[dict[str, Any], str], None] = lambda fields, note: None

    @staticmethod
    def readiness(settings: Any, private_dir: Path) -> tuple[bool, str]:
        if not secret(TOKEN_ENV):
            return False, _m("NOT READY: {token_env} is not set", token_env=TOKEN_ENV)
        if settings.image_host == "page-photo" and not secret(meta.TOKEN_ENV):
            return False, _m("NOT READY: {token_env} is not set", token_env=meta.TOKEN_ENV)
        if settings.image_host == "url" and not Path(settings.public_dir or "/nonexistent").is_dir():
            return False, _m("NOT READY: public_dir {public_dir} is not a folder", public_dir=settings.public_dir)
        return True, _m("the token's Threads account, images via {image_host}", image_host=settings.image_host)

    # -- calls ---------------------------------------------------------------------------------

    def _graph(self) -> Any:
        token = secret(TOKEN_ENV)
        if not token:
            raise PermanentError(_m("No Threads token: {token_env} is not set.", token_env=TOKEN_ENV),
                                 _m("Make a long-lived Threads user token (README: Threads) and set {token_env}.",
                                    token_env=TOKEN_ENV))
        graph = meta.graph_client(token, self.graph_url, timeout=TIMEOUT)
        graph.version = API_VERSION  # Threads has its own versions, not the Graph API's
        return graph

    def _page_graph(self, graph: Any) -> Any:
        """The Page's Graph API client (not the Threads one), for hosting images as unpublished Page photos."""
        return meta.graph_client(meta.page_token(), meta.local_graph_url())

    def _call(self, fn: Callable[[], Any], during_upload: bool = False) -> Any:
        import facebook

        try:
            return fn()
        except facebook.GraphAPIError as e:
            if getattr(e, "code", None) == 190:
                raise PermanentError(_m("Threads refused the token (expired or revoked)."),
                                     _m("Make a new long-lived Threads token and set {token_env}; it lasts 60 days "
                                        "and is renewed by refreshing it before then.", token_env=TOKEN_ENV)) from None
            raise meta.channel_error(e, during_upload, PLATFORM) from None
        except Exception as e:  # noqa: BLE001 - translated as every Graph API error is
            raise meta.channel_error(e, during_upload, PLATFORM) from None

    def _account(self, graph: Any) -> str:
        return self.ig_user_id or str(self._get(graph, "me", fields="id,username")["id"])

    def _create(self, graph: Any, account: str, **fields: Any) -> str:
        return str(self._post(graph, account, "threads", **fields)["id"])

    def _container(self, graph: Any, account: str, fmt: str, media: list[Media], urls: list[str], caption: str) -> str:
        if fmt == "carousel":
            children = [self._create(graph, account, media_type="IMAGE", image_url=url, is_carousel_item="true",
                                     alt_text=m.alt_text) for m, url in zip(media, urls)]
            for child in children:
                self._wait(graph, child)
            return self._create(graph, account, media_type="CAROUSEL", children=",".join(children), text=caption)
        return self._create(graph, account, media_type="IMAGE", image_url=urls[0], text=caption,
                            alt_text=media[0].alt_text)

    def _wait(self, graph: Any, container: str) -> None:
        for wait in (0, *POLL_WAITS):
            time.sleep(wait)
            state = self._get(graph, container, fields="status,error_message")
            code = state.get("status")
            if code in ("FINISHED", "PUBLISHED"):
                return
            if code in ("ERROR", "EXPIRED"):
                said = redact(str(state.get("error_message") or "no reason given"))
                raise PermanentError(_m("Threads could not prepare the image ({code}: {said}); nothing was published.",
                                        code=code, said=said),
                                     _m("Check the image and its address, then: campaign schedule retry POST."))
        raise TransientError(_m("Threads was still preparing the image (container {container}); nothing was "
                                "published.", container=container),
                             _m("It is tried again later by itself."), retry_after=meta.RETRY_WAIT)

    # -- the publisher interface ---------------------------------------------------------------

    def publish(self, post: dict[str, Any], media: list[Media], caption: str) -> dict[str, Any]:
        fmt = post.get("format") or "feed"
        if fmt not in ("feed", "square", "carousel"):
            raise PermanentError(_m("Threads has no {fmt!r} posts.", fmt=fmt),
                                 _m("Plan it as a feed post or a carousel."))
        graph = self._graph()
        account = self._account(graph)
        left, total = self._posts_left(graph, account)
        if left <= 0:
            raise TransientError(_m("Threads' limit of {total} posts in 24 hours is used up.", total=total),
                                 _m("It is retried in an hour."), retry_after=meta.RATE_LIMIT_WAIT)
        with self._hosted(graph, post, media) as urls:
            container = self._container(graph, account, fmt, media, urls, caption)
            self.checkpoint({"container_id": container}, f"Threads container {container} created")
            self._wait(graph, container)
            published = self._post(graph, account, "threads_publish", during_upload=True, creation_id=container)
        media_id = str(published["id"])
        try:  # the post is out: nothing after this may turn it into a failure
            permalink = graph.request(meta.path(graph, media_id), {"fields": "permalink"}).get("permalink")
        except Exception:  # noqa: BLE001
            permalink = None
        return {"remote_id": media_id, "container_id": container, "permalink": permalink}

    def comment(self, post: dict[str, Any], result: dict[str, Any], text: str) -> str:
        """The first comment: a reply (a text container answering the post, then published)."""
        graph = self._graph()
        account = self._account(graph)
        reply = self._create(graph, account, media_type="TEXT", text=text, reply_to_id=result["remote_id"])
        self._wait(graph, reply)
        return str(self._post(graph, account, "threads_publish", during_upload=True, creation_id=reply)["id"])

    def check(self) -> dict[str, Any]:
        graph = self._graph()
        me = self._get(graph, "me", fields="id,username")
        left, total = self._posts_left(graph, self._account(graph))
        account = f"@{me.get('username')} ({me.get('id')})"
        return {"ok": True, "account": account,
                "message": _m("the token reaches {account}; {left} of {total} posts left in the 24 h window",
                              account=account, left=left, total=total)}

    def recent_media(self, since: datetime) -> list[dict[str, Any]]:
        graph = self._graph()
        page = self._get(graph, self._account(graph), "threads", fields="id,text,timestamp,permalink", limit=50)
        out = []
        for item in page.get("data", []):
            at = datetime.strptime(item["timestamp"], "%Y-%m-%dT%H:%M:%S%z")
            if at >= since:
                out.append({"remote_id": str(item["id"]), "caption": item.get("text", ""), "at": at.isoformat(),
                            "permalink": item.get("permalink")})
        return out


    def fetch_engagement(self, post: dict[str, Any]) -> dict[str, Any]:
        graph = self._graph()
        values, warnings = meta.insights(graph, post["remote_id"], METRICS, self.retired, PLATFORM)
        return {"likes": int(values["likes"] or 0), "comments": int(values["replies"] or 0),
                "shares": int(values["reposts"] or 0) + int(values["quotes"] or 0), "reach": None,
                "views": values["views"], "warnings": warnings}
