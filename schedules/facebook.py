"""The Facebook Page publisher, on facebook-sdk's GraphAPI (shared pieces in schedules/graph.py).

Every photo carries its alt text (`alt_text_custom`). `check()` reads the Page token's type, scopes
and expiry and says until when the Graph API version we speak is served. Insights ask for the
reactions, comments and shares, and the unique media views that replaced post impressions (as
reach), so that one metric Meta retires cannot take the others down.

Feed and square posts are one photo on `/{page-id}/photos` with the caption. A story and a
carousel first upload their photos unpublished (nothing shows yet, so a failure there is safe to
retry), then one call makes them public: `/{page-id}/photo_stories` with the photo id (the Page
stories API), or a feed post on `/{page-id}/feed` with the photos as `attached_media`.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from portraits.messages import _m
from schedules import graph as meta
from schedules.channel import Media, PermanentError
from schedules.channel_settings import PublisherSettings, digits
from schedules.secrets import secret

TOKEN_ENV = meta.TOKEN_ENV
MAX_PAGES = 10
SCOPES = ("pages_manage_posts", "pages_read_engagement")
# post_impressions_unique was retired on 15 June 2025; Meta names this one as its replacement.
REACH_METRIC = "post_total_media_view_unique"


class FacebookSettings(PublisherSettings):
    """[channels.facebook] with publisher = "facebook"."""
    publisher: Literal["facebook"] = "facebook"
    page_id: Annotated[str, digits("a Page id", "the Page's number, digits only")] = Field(
        "", description="the numeric id of the Facebook Page")


class FacebookPublisher:
    kind = "facebook"

    def __init__(self, channel: str, settings: Any, outbox_dir: Path, private_dir: Path):
        self.channel = channel
        self.page_id = settings.page_id
        self.graph_url = meta.local_graph_url()
        self.retired: set[str] = set()  # metrics Meta refused during this run

    @staticmethod
    def readiness(settings: Any, private_dir: Path) -> tuple[bool, str]:
        if not settings.page_id:
            return False, _m("NOT READY: no page_id in campaign.toml")
        if not secret(TOKEN_ENV):
            return False, _m("NOT READY: {token_env} is not set", token_env=TOKEN_ENV)
        return True, _m("Page {page_id}, token set", page_id=settings.page_id)

    def _graph(self) -> Any:
        token = meta.page_token()
        if not self.page_id:
            raise PermanentError(_m("No Facebook Page id in campaign.toml."),
                                 _m("Set page_id under [channels.facebook] in campaign.toml."))
        return meta.graph_client(token, self.graph_url)

    def _call(self, fn: Callable[[], Any], during_upload: bool = False) -> Any:
        return meta.call(fn, during_upload)

    def publish(self, post: dict[str, Any], media: list[Media], caption: str) -> dict[str, Any]:
        graph = self._graph()
        if post["format"] == "story":
            return self._story(graph, media[0])
        if post["format"] == "carousel":
            return self._carousel(graph, media, caption)
        with open(media[0].path, "rb") as f:
            result = self._call(lambda: graph.put_photo(image=f, album_path=f"{self.page_id}/photos",
                                                        message=caption, alt_text_custom=media[0].alt_text),
                                during_upload=True)
        post_id = str(result.get("post_id") or f"{self.page_id}_{result['id']}")
        return {"remote_id": post_id, "photo_id": str(result.get("id")),
                "permalink": f"https://www.facebook.com/{post_id}"}

    def _unpublished_photo(self, graph: Any, item: Media) -> str:
        with open(item.path, "rb") as f:
            result = self._call(lambda: graph.put_photo(image=f, album_path=f"{self.page_id}/photos",
                                                        published="false", alt_text_custom=item.alt_text))
        return str(result["id"])

    def _story(self, graph: Any, item: Media) -> dict[str, Any]:
        photo_id = self._unpublished_photo(graph, item)
        result = self._call(lambda: graph.put_object(self.page_id, "photo_stories", photo_id=photo_id),
                            during_upload=True)
        post_id = str(result.get("post_id") or photo_id)
        return {"remote_id": post_id, "photo_id": photo_id, "permalink": f"https://www.facebook.com/{post_id}"}

    def _carousel(self, graph: Any, media: list[Media], caption: str) -> dict[str, Any]:
        photo_ids = [self._unpublished_photo(graph, item) for item in media]
        attached = {f"attached_media[{i}]": json.dumps({"media_fbid": pid}) for i, pid in enumerate(photo_ids)}
        result = self._call(lambda: graph.put_object(self.page_id, "feed", message=caption, **attached),
                            during_upload=True)
        post_id = str(result["id"])
        return {"remote_id": post_id, "photo_ids": photo_ids, "permalink": f"https://www.facebook.com/{post_id}"}

    def comment(self, post: dict[str, Any], result: dict[str, Any], text: str) -> str:
        """The first comment under the Page's post."""
        graph = self._graph()
        answer = self._call(lambda: graph.put_object(result["remote_id"], "comments", message=text))
        return str(answer["id"])

    def check(self) -> dict[str, Any]:
        graph = self._graph()
        page = self._call(lambda: graph.get_object(self.page_id, fields="id,name"))
        health = meta.token_health(graph, meta.page_token(), self.page_id, SCOPES)
        return meta.health_report(f"Page {page.get('name')} ({page.get('id')})", health)

    def recent_media(self, since: datetime) -> list[dict[str, Any]]:
        graph = self._graph()
        out: list[dict[str, Any]] = []
        args: dict[str, Any] = {"fields": "id,message,created_time,permalink_url", "limit": 100,
                                "since": int(since.timestamp())}
        for _ in range(MAX_PAGES):
            page = self._published_posts(graph, args)
            for item in page.get("data", []):
                out.append({"remote_id": item["id"], "caption": item.get("message", ""),
                            "at": datetime.strptime(item["created_time"], "%Y-%m-%dT%H:%M:%S%z").isoformat(),
                            "permalink": item.get("permalink_url")})
            after = page.get("paging", {}).get("cursors", {}).get("after")
            if not after or "next" not in page.get("paging", {}):
                break
            args = {**args, "after": after}
        return out

    def _published_posts(self, graph: Any, args: dict[str, Any]) -> dict[str, Any]:
        page: dict[str, Any] = self._call(lambda: graph.get_connections(self.page_id, "published_posts", **args))
        return page

    def fetch_engagement(self, post: dict[str, Any]) -> dict[str, Any]:
        graph = self._graph()
        data = self._call(lambda: graph.get_object(
            post["remote_id"], fields="reactions.summary(total_count).limit(0),comments.summary(true).limit(0),shares"))
        views, warnings = meta.insights(graph, post["remote_id"], (REACH_METRIC,), self.retired)
        return {"likes": int(data.get("reactions", {}).get("summary", {}).get("total_count", 0)),
                "comments": int(data.get("comments", {}).get("summary", {}).get("total_count", 0)),
                "shares": int(data.get("shares", {}).get("count", 0)), "reach": views[REACH_METRIC],
                "warnings": warnings}
