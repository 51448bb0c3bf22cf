"""What a post would publish, worked out one way for planning, `schedule show`, approval and the runner.

A post's images are renders of the portrait as it is now: the layout its channel uses for its
format, in its language (a carousel: its lead language first, then the portrait's other
languages). Its caption comes from the template of that language, the alt text of each image from
that image's language. The content hash covers all of it, plus time, channel and format: it is
what an approval is given to. Rendering is the workspace's business (`campaign render`); this
package reaches it through the `Renders` protocol, so that `schedules` never imports `campaign`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from portraits.errors import CampaignError
from portraits.messages import _m
from portraits.model import Portrait
from schedules import approval, captions
from schedules.channel import layout_for
from schedules.model import Post


class Renders(Protocol):
    """The renders of a workspace (campaign.outputs.renders.PublishingSite is one: a workspace with its renders)."""
    config: Any  # campaign.workspace.config.Settings

    def render_hashes(self, portrait: dict[str, Any], layout: str, langs: list[str]) -> list[str]:
        """The input hash each image would have now, without rendering anything."""

    def current_renders(self, portrait: dict[str, Any], layout: str, langs: list[str]) -> list[dict[str, Any]]:
        """[{"path", "hash"}] of current renders, made now under `campaign render`'s rules where
        missing or stale; CampaignError (with the reason) when the portrait cannot be rendered."""


@dataclass
class Content:
    post: Post
    layout: str
    langs: list[str]
    caption: str
    alt_texts: list[str]
    image_hashes: list[str]
    digest: str
    images: list[Path] | None = None  # the render files, when asked for


def languages(post: Post, portrait: Portrait) -> list[str]:
    """The language of each image of the post, in order."""
    lead = post.get("lang") or portrait["lang"]
    return captions.carousel_languages(portrait, lead) if post["format"] == "carousel" else [lead]


def content_of(site: Renders, post: Post, portrait: Portrait, render: bool = False) -> Content:
    """What `post` would publish now; with `render`, the image files too (rendered if stale).
    Raises CampaignError when it could not go out as it stands (a missing translation or template,
    a caption over the platform's limit, a format the channel does not take)."""
    config = site.config
    layout = layout_for(post["channel"], post["format"], config.channel(post["channel"]).publisher)
    langs = languages(post, portrait)
    captions.check_language(portrait, langs[0], config)
    text = captions.for_post(portrait, post["channel"], post["format"], langs, config)
    alts = [captions.alt_text(portrait, lang, config) for lang in langs]
    hashes = site.render_hashes(cast(dict[str, Any], portrait), layout, langs)
    content = Content(post, layout, langs, text, alts, hashes, approval.content_hash(post, langs, hashes, text, alts))
    return with_images(site, content, portrait) if render else content


def with_images(site: Renders, content: Content, portrait: Portrait) -> Content:
    """The same content with its image files, each made now if it is missing or stale."""
    made = site.current_renders(cast(dict[str, Any], portrait), content.layout, content.langs)
    if [m["hash"] for m in made] != content.image_hashes:  # current_renders checks this too; never send another
        raise CampaignError(_m("{id} changed while its images were being made.", id=portrait['id']),
                            _m("Try again in a moment."))
    content.images = [Path(m["path"]) for m in made]
    return content
