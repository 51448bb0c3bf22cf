"""The Facebook Page publisher, on facebook-sdk's GraphAPI.

facebook-sdk 3.1.0 only accepts Graph API versions up to 3.1, which Meta now answers with error
2635. The version we speak is pinned here, once, and set on the client after constructing it.
The Page access token comes from CAMPAIGN_FACEBOOK_TOKEN and never leaves this module in a message.

Feed and square posts are one photo on `/{page-id}/photos` with the caption. A story and a
carousel first upload their photos unpublished (nothing shows yet, so a failure there is safe to
retry), then one call makes them public: `/{page-id}/photo_stories` with the photo id (the Page
stories API), or a feed post on `/{page-id}/feed` with the photos as `attached_media`.
"""
from __future__ import annotations

import ipaddress
import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from schedules.channel import Media, PermanentError, TransientError, UnknownOutcome
from schedules.secrets import redact, secret

GRAPH_API_VERSION = "24.0"  # the one place the Graph API version is set
TOKEN_ENV = "CAMPAIGN_FACEBOOK_TOKEN"
RATE_LIMIT_CODES = {4, 17, 32, 613}
RATE_LIMIT_WAIT = 3600.0  # Meta's rate limits last about an hour: never a tight loop
TIMEOUT = (10, 120)  # connect, read (an upload may take a while)
MAX_PAGES = 10
GRAPH_URL_ENV = "CAMPAIGN_GRAPH_URL"
# The only shape a test server's address may have: http, a loopback host, a port. Nothing else
# (no user part, no backslash, no path tricks), so what we check is what requests will contact.
LOCAL_URL = re.compile(r"http://(?P<host>localhost|\d{1,3}(?:\.\d{1,3}){3}|\[::1\])(?::(?P<port>\d{1,5}))?/?")


def graph_client(token: str, graph_url: str | None = None, timeout=TIMEOUT):
    """A facebook-sdk GraphAPI speaking GRAPH_API_VERSION (optionally at a local test server)."""
    import facebook
    import requests

    graph = facebook.GraphAPI(access_token=token, version="3.1", timeout=timeout)
    graph.version = "v" + GRAPH_API_VERSION  # after construction: the SDK's check stops at 3.1
    if graph_url:
        class LocalSession(requests.Session):
            def request(self, method, url, *args, **kwargs):
                return super().request(method, url.replace(facebook.FACEBOOK_GRAPH_URL, graph_url, 1), *args, **kwargs)

        graph.session = LocalSession()
    return graph


def local_graph_url() -> str | None:
    """CAMPAIGN_GRAPH_URL: a fake Graph API for tests and drills, honoured only on this machine so
    that a token can never be sent elsewhere. The address is rebuilt from its checked parts."""
    raw = os.environ.get(GRAPH_URL_ENV)
    if not raw:
        return None
    m = LOCAL_URL.fullmatch(raw)
    host = m and m.group("host")
    loopback = host == "localhost" or bool(host) and _is_loopback(host.strip("[]"))
    port = int(m.group("port") or 80) if m else 0
    if not m or not loopback or not 0 < port < 65536:
        raise PermanentError(f"{GRAPH_URL_ENV} is not a test server on this machine.",
                             f"Unset {GRAPH_URL_ENV}, or give it as http://127.0.0.1:PORT/.")
    return f"http://{host}:{port}/"


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def translate(error: Exception, during_upload: bool = False) -> Exception:
    """facebook-sdk and requests errors -> ours, with any token removed from the message."""
    import facebook
    import requests

    if isinstance(error, facebook.GraphAPIError):
        code = error.code if isinstance(error.code, int) else None
        msg = redact(str(error.message))
        if code == 190:
            return PermanentError(f"Facebook refused the Page token (expired or revoked): {msg}",
                                  "Reconnect the Page: make a new Page access token and set CAMPAIGN_FACEBOOK_TOKEN.")
        if code in RATE_LIMIT_CODES:
            return TransientError(f"Facebook rate limit (code {code}): {msg}", "It is retried in an hour.",
                                  retry_after=RATE_LIMIT_WAIT)
        return PermanentError(f"Facebook said: {msg}" + (f" (code {code})" if code else ""),
                              "Fix what Meta names, then: campaign schedule retry POST.")
    if isinstance(error, (requests.ConnectTimeout,)) or (
            isinstance(error, requests.ConnectionError) and "NewConnectionError" in repr(error)):
        return TransientError(f"Facebook could not be reached: {redact(str(error))}", retry_after=300)
    if during_upload and isinstance(error, (requests.Timeout, requests.ConnectionError)):
        return UnknownOutcome(f"The upload to Facebook was cut off: {redact(str(error))}",
                              "It may have gone out: campaign reconcile settles it.")
    if isinstance(error, requests.RequestException):
        return TransientError(f"Facebook did not answer: {redact(str(error))}", retry_after=300)
    return error


class FacebookPublisher:
    kind = "facebook"

    def __init__(self, channel: str, settings: Any, outbox_dir: Path, private_dir: Path):
        self.channel = channel
        self.page_id = settings.page_id
        self.graph_url = local_graph_url()

    @staticmethod
    def readiness(settings: Any, private_dir: Path) -> tuple[bool, str]:
        if not settings.page_id:
            return False, "NOT READY: no page_id in campaign.toml"
        if not secret(TOKEN_ENV):
            return False, f"NOT READY: {TOKEN_ENV} is not set"
        return True, f"Page {settings.page_id}, token set"

    def _graph(self):
        token = secret(TOKEN_ENV)
        if not token:
            raise PermanentError(f"No Facebook Page token: {TOKEN_ENV} is not set.",
                                 f"Set {TOKEN_ENV} to the Page access token in the daemon's environment.")
        if not self.page_id:
            raise PermanentError("No Facebook Page id in campaign.toml.",
                                 "Set page_id under [channels.facebook] in campaign.toml.")
        return graph_client(token, self.graph_url)

    def _call(self, fn, during_upload: bool = False):
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - translated or re-raised as it was
            raise translate(e, during_upload) from None

    def publish(self, post: dict, media: list[Media], caption: str) -> dict[str, Any]:
        graph = self._graph()
        if post["format"] == "story":
            return self._story(graph, media[0])
        if post["format"] == "carousel":
            return self._carousel(graph, media, caption)
        with open(media[0].path, "rb") as f:
            result = self._call(lambda: graph.put_photo(image=f, album_path=f"{self.page_id}/photos",
                                                        message=caption), during_upload=True)
        post_id = str(result.get("post_id") or f"{self.page_id}_{result['id']}")
        return {"remote_id": post_id, "photo_id": str(result.get("id")),
                "permalink": f"https://www.facebook.com/{post_id}"}

    def _unpublished_photo(self, graph, item: Media) -> str:
        with open(item.path, "rb") as f:
            result = self._call(lambda: graph.put_photo(image=f, album_path=f"{self.page_id}/photos",
                                                        published="false"))
        return str(result["id"])

    def _story(self, graph, item: Media) -> dict[str, Any]:
        photo_id = self._unpublished_photo(graph, item)
        result = self._call(lambda: graph.put_object(self.page_id, "photo_stories", photo_id=photo_id),
                            during_upload=True)
        post_id = str(result.get("post_id") or photo_id)
        return {"remote_id": post_id, "photo_id": photo_id, "permalink": f"https://www.facebook.com/{post_id}"}

    def _carousel(self, graph, media: list[Media], caption: str) -> dict[str, Any]:
        photo_ids = [self._unpublished_photo(graph, item) for item in media]
        attached = {f"attached_media[{i}]": json.dumps({"media_fbid": pid}) for i, pid in enumerate(photo_ids)}
        result = self._call(lambda: graph.put_object(self.page_id, "feed", message=caption, **attached),
                            during_upload=True)
        post_id = str(result["id"])
        return {"remote_id": post_id, "photo_ids": photo_ids, "permalink": f"https://www.facebook.com/{post_id}"}

    def check(self) -> dict[str, Any]:
        graph = self._graph()
        page = self._call(lambda: graph.get_object(self.page_id, fields="id,name"))
        return {"ok": True, "account": f"Page {page.get('name')} ({page.get('id')})",
                "message": f"the token reaches the Page {page.get('name')}"}

    def recent_media(self, since: datetime) -> list[dict[str, Any]]:
        graph = self._graph()
        out: list[dict[str, Any]] = []
        args = {"fields": "id,message,created_time,permalink_url", "limit": 100, "since": int(since.timestamp())}
        for _ in range(MAX_PAGES):
            page = self._call(lambda: graph.get_connections(self.page_id, "published_posts", **args))
            for item in page.get("data", []):
                out.append({"remote_id": item["id"], "caption": item.get("message", ""),
                            "at": datetime.strptime(item["created_time"], "%Y-%m-%dT%H:%M:%S%z").isoformat(),
                            "permalink": item.get("permalink_url")})
            after = page.get("paging", {}).get("cursors", {}).get("after")
            if not after or "next" not in page.get("paging", {}):
                break
            args = {**args, "after": after}
        return out

    def fetch_engagement(self, post: dict) -> dict[str, Any]:
        graph = self._graph()
        data = self._call(lambda: graph.get_object(
            post["remote_id"], fields="reactions.summary(total_count).limit(0),comments.summary(true).limit(0),shares"))
        return {"likes": int(data.get("reactions", {}).get("summary", {}).get("total_count", 0)),
                "comments": int(data.get("comments", {}).get("summary", {}).get("total_count", 0)),
                "shares": int(data.get("shares", {}).get("count", 0)), "reach": None}
