"""The Instagram publisher on Meta's official Instagram Graph API (`publisher = "instagram-graph"`).

The recommended way for an official account: an Instagram professional account linked to the
city's Facebook Page publishes with the same Page token as the Facebook channel, through
facebook-sdk's GraphAPI (generic requests with the version in the path, schedules/graph.py).

A post is made in three steps: a media container from an image URL (with caption and alt text),
a wait until Meta has fetched and prepared it (`status_code` FINISHED), then `media_publish`.
Only that last call makes the post public, so the container id is handed to the runner's
checkpoint before it; after a crash `reconcile` asks the container whether it was published.

Meta fetches the image from a public address. `image_host = "page-photo"` uploads it to the Page
as an unpublished photo and uses the address Meta gives it; `image_host = "url"` copies it into the
office's web folder (`public_dir`, served as `public_base_url`) and checks the address answers.
Either way the copy is removed once the post is out (or has failed). Before anything is sent, the
image is checked against what Meta refuses, so the message names the problem.
"""
from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from portraits.messages import _m
from schedules import graph as meta
from schedules.channel import Media, PermanentError, TransientError
from schedules.channel_settings import ImageHost, PublicBaseUrl, PublicDir, PublisherSettings, digits
from schedules.secrets import platform_text, secret

TOKEN_ENV = meta.TOKEN_ENV
PLATFORM = "Instagram"
SCOPES = ("instagram_basic", "instagram_content_publish", "pages_read_engagement")
PAGE_PHOTO_SCOPES = ("pages_manage_posts",)  # uploading the unpublished photo to the Page
MAX_BYTES = 8 * 1024 * 1024  # Meta: "It should be less than 8 MiB"
FEED_RATIOS = (4 / 5, 1.91)  # width / height Instagram takes for a feed image
STORY_RATIO = 9 / 16
RATIO_SLACK = 0.01
CAROUSEL_SIZE = (2, 10)
# Seconds between status polls of a container; images are usually ready at the first look.
POLL_WAITS = (0.5, 1, 2, 3, 5, 5, 10, 10, 15, 15, 30, 30)
DEFAULT_QUOTA = 50  # posts per moving 24 hours, if Meta's answer does not say
METRICS = ("likes", "comments", "shares", "saved", "reach", "views")  # not impressions/plays: retired in 2025
MAX_PAGES = 10
SUBCODE = re.compile(r"\b(2207\d{3})\b")


def check_image(path: Path, fmt: str) -> None:
    """Refuse, with what to do, an image Meta would refuse: JPEG, sRGB, under 8 MB, a feed image
    between 4:5 and 1.91:1, a story 9:16."""
    from PIL import Image, ImageCms

    redo = "Render it again (campaign render ID), then: campaign schedule retry POST."
    size = Path(path).stat().st_size
    if size >= MAX_BYTES:
        raise PermanentError(_m("The image {name} is {value:.1f} MB; Instagram takes under 8 MB.",
                                name=Path(path).name, value=size / 1024 / 1024),
                             redo)
    with Image.open(path) as im:
        kind, mode, (w, h), icc = im.format, im.mode, im.size, im.info.get("icc_profile")
    if kind != "JPEG":
        raise PermanentError(_m("The image {name} is {kind}; Instagram takes JPEG only.", name=Path(path).name,
                                kind=kind),
                             redo)
    described = ""
    if icc:
        import io

        try:
            described = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
        except (OSError, ImageCms.PyCMSError):
            described = "an unreadable profile"
    if mode != "RGB" or icc and "srgb" not in described.replace(" ", "").lower():
        raise PermanentError(_m("The image {name} is not sRGB ({mode}{value}); Instagram takes sRGB colour "
                                "only.",
                                name=Path(path).name, mode=mode, value=', ' + described.strip() if icc else ''),
                             redo)
    ratio = w / h
    if fmt == "story":
        if abs(ratio - STORY_RATIO) > RATIO_SLACK:
            raise PermanentError(_m("The story image {name} is {w}x{h}; a story is 9:16 (e.g. 1080x1920).",
                                    name=Path(path).name, w=w, h=h),
                                 _m("Render the story format (campaign render ID --format story), then retry."))
    elif not FEED_RATIOS[0] - RATIO_SLACK <= ratio <= FEED_RATIOS[1] + RATIO_SLACK:
        raise PermanentError(_m("The image {name} is {w}x{h}; Instagram takes 4:5 (upright) to 1.91:1 (wide).",
                                name=Path(path).name, w=w, h=h),
                             redo)


def _check_shape(fmt: str, media: list[Media]) -> None:
    if fmt in ("feed", "square", "story") and len(media) != 1:
        raise PermanentError(_m("An Instagram {fmt} post takes one image, not {count}.", fmt=fmt, count=len(media)),
                             _m("Plan it as a carousel, or with one image."))
    if fmt == "carousel" and not CAROUSEL_SIZE[0] <= len(media) <= CAROUSEL_SIZE[1]:
        raise PermanentError(_m("An Instagram carousel takes 2 to 10 images, not {count}.", count=len(media)),
                             _m("Plan it as a feed post, or with 2 to 10 images."))
    if fmt not in ("feed", "square", "story", "carousel"):
        raise PermanentError(_m("Instagram has no {fmt!r} post format.", fmt=fmt),
                             _m("Use feed, square, story or carousel."))


class InstagramGraphSettings(PublisherSettings):
    """[channels.instagram] with publisher = "instagram-graph" (the official API on a Page token)."""
    publisher: Literal["instagram-graph"] = "instagram-graph"
    page_id: Annotated[str, digits("a Page id", "the Page's number, digits only")] = Field(
        "", description="the numeric id of the Facebook Page")
    ig_user_id: Annotated[str, digits("an Instagram account id", "digits only")] = Field(
        "", description='instagram-graph: the account id ("" = the one linked to page_id)')
    image_host: ImageHost = Field(
        "page-photo", description='instagram-graph: where Meta fetches the image: "page-photo" or "url"')
    public_dir: PublicDir = Field(
        "", description='image_host "url": the folder your web server publishes (absolute path)')
    public_base_url: PublicBaseUrl = Field(
        "", description='image_host "url": the address of that folder, e.g. "https://www.stadt.de/kampagne/"')

    @model_validator(mode="after")
    def _url_host(self) -> InstagramGraphSettings:
        self.require_url_host()
        return self


class InstagramGraphPublisher:
    kind = "instagram-graph"
    platform = PLATFORM
    status_fields = ("status_code", "status")  # a container's state and Meta's reason for it
    limit_edge = "content_publishing_limit"  # where the API says how many posts are left today
    default_quota = DEFAULT_QUOTA

    def __init__(self, channel: str, settings: Any, outbox_dir: Path, private_dir: Path):
        self.channel = channel
        self.page_id = str(settings.page_id)
        self.ig_user_id = str(settings.ig_user_id)
        self.image_host = str(settings.image_host)
        self.public_dir = Path(settings.public_dir) if settings.public_dir else None
        self.public_base_url = str(settings.public_base_url)
        self.graph_url = meta.local_graph_url()
        self.retired: set[str] = set()  # metrics Meta refused during this run
        # the runner sets the real one: what a publish got midway (a container id) is written at once
        self.checkpoint: Callable[[dict[str, Any], str], None] = lambda fields, note: None

    @staticmethod
    def readiness(settings: Any, private_dir: Path) -> tuple[bool, str]:
        if not settings.ig_user_id and not settings.page_id:
            return False, _m("NOT READY: neither ig_user_id nor page_id in campaign.toml")
        if settings.image_host == "page-photo" and not settings.page_id:
            return False, _m("NOT READY: image_host \"page-photo\" needs page_id in campaign.toml")
        if not secret(TOKEN_ENV):
            return False, _m("NOT READY: {token_env} is not set", token_env=TOKEN_ENV)
        if settings.image_host == "url" and not Path(settings.public_dir).is_dir():
            return False, _m("NOT READY: public_dir {public_dir} is not a folder", public_dir=settings.public_dir)
        account = (_m("account {ig_user_id}", ig_user_id=settings.ig_user_id) if settings.ig_user_id
                   else _m("the account linked to Page {page_id}", page_id=settings.page_id))
        return True, _m("{account}, token set, images via {image_host}", account=account,
                        image_host=settings.image_host)

    # -- calls ---------------------------------------------------------------------------------

    def _graph(self) -> Any:
        token = meta.page_token()
        if not self.ig_user_id and not self.page_id:
            raise PermanentError(_m("No Instagram account id and no Facebook Page id in campaign.toml."),
                                 _m("Set page_id (and optionally ig_user_id) under [channels.instagram]."))
        return meta.graph_client(token, self.graph_url)

    def _call(self, fn: Callable[[], Any], during_upload: bool = False) -> Any:
        return meta.call(fn, during_upload, PLATFORM)

    def _get(self, graph: Any, *parts: str, **args: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self._call(lambda: graph.request(meta.path(graph, *parts), args))
        return answer

    def _post(self, graph: Any, *parts: str, during_upload: bool = False, files: dict[str, Any] | None = None,
              **fields: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self._call(
            lambda: graph.request(meta.path(graph, *parts), post_args=fields, files=files), during_upload)
        return answer

    def _account(self, graph: Any) -> str:
        """The Instagram account id: ig_user_id, or the professional account linked to the Page."""
        if self.ig_user_id:
            return self.ig_user_id
        page = self._get(graph, self.page_id, fields="instagram_business_account")
        linked = (page.get("instagram_business_account") or {}).get("id")
        if not linked:
            raise PermanentError(_m("The Facebook Page {page_id} has no Instagram professional account "
                                    "linked.", page_id=self.page_id),
                                 _m("Link the account in the Page's settings (or Meta Business Suite), or "
                                    "set ig_user_id under [channels.instagram]."))
        return str(linked)

    def _posts_left(self, graph: Any, account: str) -> tuple[int, int]:
        answer = self._get(graph, account, self.limit_edge, fields="quota_usage,config")
        row = (answer.get("data") or [{}])[0]
        total = int((row.get("config") or {}).get("quota_total") or self.default_quota)
        return max(0, total - int(row.get("quota_usage") or 0)), total

    # -- image hosting -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _hosted(self, graph: Any, post: dict[str, Any], media: list[Media]) -> Iterator[list[str]]:
        """Public addresses Meta can fetch the images from, removed again afterwards."""
        if self.image_host == "url":
            with self._in_public_dir(post, media) as urls:
                yield urls
        else:
            with self._as_page_photos(self._page_graph(graph), media) as urls:
                yield urls

    def _page_graph(self, graph: Any) -> Any:
        """The client that hosts images as unpublished Page photos: here the publishing client itself."""
        return graph

    @contextlib.contextmanager
    def _as_page_photos(self, graph: Any, media: list[Media]) -> Iterator[list[str]]:
        if not self.page_id:
            raise PermanentError(_m("image_host = \"page-photo\" needs the Page: set page_id under "
                                    "[channels.instagram]."))
        photo_ids: list[str] = []
        try:
            urls = []
            for m in media:
                with open(m.path, "rb") as f:
                    photo = self._post(graph, self.page_id, "photos", files={"source": f}, published="false")
                photo_ids.append(str(photo["id"]))
                self.checkpoint({"hosted_photo_ids": list(photo_ids)},
                                f"image uploaded unpublished to the Page as {photo['id']}")
                images = self._get(graph, photo["id"], fields="images").get("images") or []
                if not images:
                    raise PermanentError(_m("Facebook gave no address for the uploaded photo."),
                                         _m("Try again later, or set image_host = \"url\"."))
                urls.append(max(images, key=lambda i: int(i.get("width", 0)) * int(i.get("height", 0)))["source"])
            yield urls
        finally:
            for photo_id in photo_ids:
                with contextlib.suppress(Exception):  # cleanup must not decide the post's fate
                    graph.request(meta.path(graph, photo_id), method="DELETE")

    @contextlib.contextmanager
    def _in_public_dir(self, post: dict[str, Any], media: list[Media]) -> Iterator[list[str]]:
        import requests

        if self.public_dir is None or not self.public_dir.is_dir():
            raise PermanentError(_m("public_dir {public_dir} is not a folder.", public_dir=self.public_dir),
                                 _m("Set public_dir to the folder your web server publishes as "
                                    "public_base_url."))
        copies: list[Path] = list(self.public_dir.glob(f"{post['id']}-*.jpg"))  # from an attempt that crashed
        try:
            urls = []
            for m in media:
                # an unguessable name: nobody finds the picture before it is published
                name = f"{post['id']}-{secrets.token_hex(8)}.jpg"
                tmp = self.public_dir / f".{name}.tmp"
                shutil.copyfile(m.path, tmp)
                copies.append(tmp)
                tmp.replace(self.public_dir / name)  # the web server never serves half a file
                copies[-1] = self.public_dir / name
                url = self.public_base_url + name
                try:
                    answer = meta.kept_session().get(url, timeout=(5, 30))
                    works = answer.status_code == 200 and len(answer.content) == m.path.stat().st_size
                    said = f"HTTP {answer.status_code}"
                except requests.RequestException as e:
                    works, said = False, type(e).__name__
                if not works:
                    raise PermanentError(_m("The image is not reachable at {url} ({said}).", url=url, said=said),
                                         _m("Check that public_dir is the folder the web server publishes as "
                                            "public_base_url, or set image_host = \"page-photo\"."))
                urls.append(url)
            yield urls
        finally:
            for copy in copies:
                with contextlib.suppress(OSError):
                    copy.unlink()

    # -- containers ----------------------------------------------------------------------------

    def _create(self, graph: Any, account: str, **fields: Any) -> str:
        return str(self._post(graph, account, "media", **fields)["id"])

    def _container(self, graph: Any, account: str, fmt: str, media: list[Media], urls: list[str], caption: str) -> str:
        if fmt == "story":  # stories take neither a caption nor alt text through the API
            return self._create(graph, account, image_url=urls[0], media_type="STORIES")
        if fmt == "carousel":
            children = [self._create(graph, account, image_url=url, is_carousel_item="true", alt_text=m.alt_text)
                        for m, url in zip(media, urls)]
            for child in children:
                self._wait(graph, child)
            return self._create(graph, account, media_type="CAROUSEL", children=",".join(children), caption=caption)
        return self._create(graph, account, image_url=urls[0], caption=caption, alt_text=media[0].alt_text)

    def _wait(self, graph: Any, container: str) -> None:
        """Until Meta has fetched and prepared the container (FINISHED), or says it cannot."""
        for wait in (0, *POLL_WAITS):
            time.sleep(wait)
            state = self._get(graph, container, fields="status_code,status")
            code = state.get("status_code")
            if code in ("FINISHED", "PUBLISHED"):
                return
            if code in ("ERROR", "EXPIRED"):
                raise self._container_error(container, code, platform_text(str(state.get("status") or "")))
        raise TransientError(_m("Instagram was still preparing the image after {poll_waits:.0f} s (container "
                                "{container}); nothing was published.",
                                poll_waits=sum(POLL_WAITS), container=container),
                             _m("It is tried again in a few minutes."), retry_after=meta.RETRY_WAIT)

    @staticmethod
    def _container_error(container: str, code: str, status: str) -> Exception:
        found = SUBCODE.search(status)
        subcode = int(found.group(1)) if found else None
        said = f"Instagram could not prepare the image ({code}: {status or 'no reason given'}); nothing was published"
        if subcode in meta.IG_TRY_AGAIN or code == "EXPIRED":
            return TransientError(said + ".", _m("It is tried again in a few minutes."),
                                  retry_after=meta.RETRY_WAIT)
        hint = meta.IG_REFUSED.get(subcode or 0, "Check the image (JPEG, sRGB, under 8 MB, 4:5 to 1.91:1).")
        return PermanentError(said + ".", hint + " Then: campaign schedule retry POST.")

    # -- the publisher interface ---------------------------------------------------------------

    def publish(self, post: dict[str, Any], media: list[Media], caption: str) -> dict[str, Any]:
        fmt = post.get("format") or "feed"
        _check_shape(fmt, media)
        for m in media:
            check_image(m.path, fmt)
        graph = self._graph()
        account = self._account(graph)
        left, total = self._posts_left(graph, account)
        if left <= 0:
            raise TransientError(_m("Instagram's limit of {total} posts in 24 hours is used up.", total=total),
                                 _m("It is retried in an hour."), retry_after=meta.RATE_LIMIT_WAIT)
        with self._hosted(graph, post, media) as urls:
            container = self._container(graph, account, fmt, media, urls, caption)
            self.checkpoint({"container_id": container},
                            f"Instagram container {container} created; {left} of {total} posts left in the 24 h window")
            self._wait(graph, container)
            published = self._post(graph, account, "media_publish", during_upload=True, creation_id=container)
        media_id = str(published["id"])
        try:  # the post is out: nothing after this may turn it into a failure
            permalink = graph.request(meta.path(graph, media_id), {"fields": "permalink"}).get("permalink")
        except Exception:  # noqa: BLE001
            permalink = None
        return {"remote_id": media_id, "container_id": container, "permalink": permalink, "posts_left": left - 1}

    def comment(self, post: dict[str, Any], result: dict[str, Any], text: str) -> str:
        """The first comment under the media."""
        graph = self._graph()
        return str(self._post(graph, result["remote_id"], "comments", message=text)["id"])

    def check(self) -> dict[str, Any]:
        graph = self._graph()
        account = self._account(graph)
        info = self._get(graph, account, fields="id,username")
        left, total = self._posts_left(graph, account)
        needs = SCOPES + (PAGE_PHOTO_SCOPES if self.image_host == "page-photo" else ())
        health = meta.token_health(graph, meta.page_token(), self.page_id, needs, PLATFORM)
        extra = [f"{left} of {total} posts left in the 24 h window"]
        if not self.ig_user_id:
            extra.append(f'set ig_user_id = "{account}" to save a call per post')
        return meta.health_report(f"@{info.get('username')} ({account})", health, extra)

    def recent_media(self, since: datetime) -> list[dict[str, Any]]:
        graph = self._graph()
        account = self._account(graph)
        out: list[dict[str, Any]] = []
        args = {"fields": "id,caption,timestamp,permalink", "limit": 50}
        for _ in range(MAX_PAGES):
            page = self._get(graph, account, "media", **args)
            older = False
            for item in page.get("data", []):
                at = datetime.strptime(item["timestamp"], "%Y-%m-%dT%H:%M:%S%z")
                if at < since:
                    older = True
                    continue
                out.append({"remote_id": str(item["id"]), "caption": item.get("caption", ""),
                            "at": at.isoformat(), "permalink": item.get("permalink")})
            after = page.get("paging", {}).get("cursors", {}).get("after")
            if older or not after or "next" not in page.get("paging", {}):
                break
            args = {**args, "after": after}
        return out

    def _remove_leftovers(self, graph: Any, post: dict[str, Any]) -> None:
        """Hosting copies a crash left behind: unpublished Page photos (their ids are on the post) and
        files in the web folder (named after the post)."""
        photo_ids = post.get("hosted_photo_ids") or []
        page = self._page_graph(graph) if photo_ids else graph
        for photo_id in photo_ids:
            with contextlib.suppress(Exception):
                page.request(meta.path(page, photo_id), method="DELETE")
        if self.public_dir is not None and self.public_dir.is_dir():
            for leftover in self.public_dir.glob(f"{post['id']}-*.jpg"):
                with contextlib.suppress(OSError):
                    leftover.unlink()

    def settle(self, post: dict[str, Any]) -> dict[str, Any] | None:
        """What became of the post's container (see the Publisher protocol)."""
        graph = self._graph()
        self._remove_leftovers(graph, post)
        container = post.get("container_id")
        if not container:
            return None
        code_field, reason_field = self.status_fields
        state = self._get(graph, container, fields=f"{code_field},{reason_field}")
        return meta.settle_container(self.platform, container, state.get(code_field),
                                     platform_text(str(state.get(reason_field) or "")), post["id"])

    def fetch_engagement(self, post: dict[str, Any]) -> dict[str, Any]:
        graph = self._graph()
        values, warnings = meta.insights(graph, post["remote_id"], METRICS, self.retired, PLATFORM)
        if values["likes"] is None or values["comments"] is None:  # the counts are also plain fields
            counts = self._get(graph, post["remote_id"], fields="like_count,comments_count")
            values["likes"] = values["likes"] if values["likes"] is not None else counts.get("like_count")
            values["comments"] = values["comments"] if values["comments"] is not None else counts.get("comments_count")
        return {"likes": int(values["likes"] or 0), "comments": int(values["comments"] or 0),
                "shares": int(values["shares"] or 0), "reach": values["reach"], "saved": values["saved"],
                "views": values["views"], "warnings": warnings}
