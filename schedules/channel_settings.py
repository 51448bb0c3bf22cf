"""The base of every publisher's settings model ([channels.<name>] in campaign.toml) and the checks
they share. Each publisher module defines its own model next to its publisher, so a channel's keys,
defaults and checks live in one place; campaign.workspace.config joins them into one union on `publisher`.

Imported only where campaign.toml is checked (pydantic costs time a quick command does not spend).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
IMAGE_HOSTS = ("page-photo", "url")


def plain_text(value: str, what: str = "text", max_len: int = 120, allow_empty: bool = False) -> str:
    """One line of text a person typed: no control or invisible characters, not too long."""
    value = value.strip()
    if not value and not allow_empty:
        raise ValueError(f"{what} is empty")
    if CONTROL.search(value):
        raise ValueError(f"{what} holds control or invisible characters")
    if len(value) > max_len:
        raise ValueError(f"{what} is longer than {max_len} characters")
    return value


def fail(message: str) -> NoReturn:
    raise ValueError(message)


def check(fn: Callable[[Any], Any]) -> AfterValidator:
    return AfterValidator(fn)


def digits(what: str, hint: str) -> AfterValidator:
    """An id Meta gives as a number: digits only (or empty, meaning not set yet)."""
    return check(lambda v: v if re.fullmatch(r"\d{0,30}", v) else fail(f"{v!r} is not {what}: {hint}"))


def public_dir(value: str) -> str:
    if value and not Path(value).is_absolute():
        raise ValueError(f"{value!r} is not an absolute path: give the web server's folder, e.g. /var/www/kampagne")
    return value


def public_base_url(value: str) -> str:
    if not value:
        return value
    if not re.fullmatch(r"https?://[^\s/?#@\\]+(/[^\s?#\\]*)?", value):
        raise ValueError(f"{value!r} is not a web address: write it like https://www.stadt.de/kampagne/")
    return value if value.endswith("/") else value + "/"


def https_origin(value: str) -> str:
    """An instance's address: https, a host name, nothing after it (tokens go there)."""
    value = value.strip().rstrip("/")
    if not value:
        return value
    if not re.fullmatch(r"https://[A-Za-z0-9\u00c0-\uffff.-]+\.[A-Za-z\u00c0-\uffff]{2,}", value):
        raise ValueError(f"{value!r} is not an instance address: write it like https://social.bund.de")
    return value


def hashtag_set(value: list[str]) -> list[str]:
    """A channel's own hashtags: each one word after one # (added if missing), each once."""
    out = []
    for tag in value:
        tag = plain_text(tag, "a hashtag", 100)
        tag = tag if tag.startswith("#") else "#" + tag
        if not re.fullmatch(r"#\w+", tag):
            raise ValueError(f"{tag!r} is not one hashtag: use letters, digits and _ after one #")
        out.append(tag)
    return list(dict.fromkeys(out))


PublicDir = Annotated[str, check(public_dir)]
PublicBaseUrl = Annotated[str, check(public_base_url)]
ImageHost = Annotated[str, check(lambda v: v if v in IMAGE_HOSTS else
                                 fail(f"{v!r} is not an image host: use \"page-photo\" or \"url\""))]


class PublisherSettings(BaseModel):
    """Strict: TOML has real numbers and booleans, so "six" or "yes" is a mistake, not a value. Every
    channel may have its own hashtag set and first comment, whatever its publisher."""
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    hashtags: Annotated[list[str], check(hashtag_set)] = Field(
        default_factory=list, description='this channel\'s hashtags after the caption, e.g. ["#EchtSolidarisch"]')
    first_comment: Annotated[str, check(lambda v: plain_text(v, "first_comment", 500, True))] = Field(
        "", description="posted as the first comment (a reply on Mastodon and Bluesky) right after each post")

    def require_url_host(self) -> None:
        """Shared by the publishers that host images by URL: both the folder and its address are needed."""
        if getattr(self, "image_host", "") == "url" and not (getattr(self, "public_dir", "")
                                                            and getattr(self, "public_base_url", "")):
            raise ValueError('image_host: "url" needs both public_dir and public_base_url '
                             '(the web folder and its address); or use "page-photo"')
