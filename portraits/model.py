"""The people's records as the store keeps them, and their statuses: written once here, below every
module that reads or writes them.

The records are TypedDicts, not dataclasses: they go in and out of the store (TinyDB documents) and
`--json` as they are, so the store format stays the plain dicts it always was. A status is a
`StrEnum`: each member *is* its string (`PortraitStatus.APPROVED == "approved"`), so a record read
from the store compares equal to the member, and json/orjson write the member as the plain string.
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, NotRequired, TypedDict, cast


class PortraitStatus(StrEnum):
    """draft -> approved (an edit of what a person reads takes the approval away again)."""
    DRAFT = "draft"
    APPROVED = "approved"


class ConsentEventKind(StrEnum):
    """A consent record is an event: a signed form that opens scopes, or a withdrawal that closes them."""
    GRANT = "grant"
    WITHDRAW = "withdraw"


class Photo(TypedDict):
    """The kept photo of a portrait (a copy without metadata) and where its focus is."""
    file: str
    sha256: NotRequired[str]
    kept_sha256: NotRequired[str]
    width: NotRequired[int]
    height: NotRequired[int]
    format: NotRequired[str]
    focus: list[float]
    focus_source: str
    warnings: NotRequired[list[Any]]
    face: NotRequired[list[float]]


class Translation(TypedDict):
    quote: str
    role: str | None


class Portrait(TypedDict):
    """One person: what they said, their photo and its status. `surname` is private (never shown)."""
    id: str
    first_name: str
    age: int
    role: str
    role_category: str
    quote: str
    lang: str
    credit: str
    status: PortraitStatus  # read back from the store: the plain string, equal to its member
    photo: Photo
    translations: dict[str, Translation]
    created_at: str
    updated_at: str
    surname: NotRequired[str]
    approved_at: NotRequired[str | None]
    approved_by: NotRequired[str | None]
    edited_by: NotRequired[str]


class ConsentEvent(TypedDict):
    """A grant (signed form) or a withdrawal of some scopes; the store keeps every one, in order."""
    portrait_id: str
    event: ConsentEventKind
    scopes: list[str]
    recorded_at: str
    signed_on: NotRequired[str]
    expires: NotRequired[str | None]
    signed_by: NotRequired[str]
    guardians: NotRequired[list[str]]
    guardians_signed: NotRequired[int]
    minor: NotRequired[bool]
    evidence: NotRequired[dict[str, Any] | None]
    text_version: NotRequired[str]
    received: NotRequired[str]
    via: NotRequired[str]


def as_portrait(record: Mapping[str, Any]) -> Portrait:
    """A portrait as an untyped function hands it over (portraits/records.py still returns `dict`):
    the same dict, seen as what it is. Goes when records.py returns Portrait itself."""
    return cast(Portrait, record)
