"""Reading Meta Business Suite post exports (Facebook and Instagram, German or English headers).

Rows are matched to our posts by the platform's post id or by permalink; a row that matches
nothing is reported, never guessed. German number formats ("1.700") are read as numbers.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from portraits.errors import CampaignError
from portraits.messages import Message, _m

# Our field -> the header names Meta uses for it (lower case), English and German.
HEADERS = {
    "post_id": ("post id", "beitrags-id", "beitrags id", "media id", "medien-id", "id"),
    "permalink": ("permalink", "link", "post link", "beitragslink"),
    "likes": ("likes", "reactions", "gefällt mir", "gefällt mir-angaben", "gefällt-mir-angaben", "reaktionen"),
    "comments": ("comments", "kommentare"),
    "shares": ("shares", "geteilte inhalte", "mal geteilt", "teilen", "geteilt"),
    "reach": ("reach", "reichweite", "accounts reached", "erreichte konten"),
}
_GROUPED = r"\d{1,3}(?:%s\d{3})+|\d+"
_WHOLE = {True: re.compile(_GROUPED % r"[.,\u00a0\u202f ]"), False: re.compile(_GROUPED % r"[.\u00a0\u202f ]")}
_FRACTION = re.compile(r"\d[\d.\u00a0\u202f ]*,\d+|\d+\.\d{1,2}")


def parse_number(text: str, column: str, comma_groups: bool = True) -> int | None:
    """A whole number as people and Meta exports write it; empty is None, anything else a ValueError.

    "1.700" (German), "1 700" and "1700" are 1700. `comma_groups` (exports, which may be English)
    also reads "1,700" as 1700. A person in a German office typing "1,5" or "1,700" means a
    fraction, so without `comma_groups` those are refused, never read as thousands."""
    value = (text or "").strip()
    if value in ("", "-", "--"):
        return None
    if _WHOLE[comma_groups].fullmatch(value):
        digits = re.sub(r"\D", "", value)
        if len(digits) > 30:  # no platform counts that far; Python would not even read 4,300 digits
            raise ValueError(f"{column} {value[:12]!r}... ({len(digits)} digits) is far out of range")
        return int(digits)
    if value.startswith(("-", "\u2212")):
        raise NumberError(column, _m("{value!r} is negative", value=value))
    if _FRACTION.fullmatch(value):
        raise NumberError(column, _m("{value!r} is a fraction, not a whole number", value=value))
    raise NumberError(column, _m("{value!r} is not a whole number", value=value))


class NumberError(ValueError):
    """A figure that is not a whole number: `problem` says why ("'1,5' is a fraction, ..."), and
    the error's text names the column too ("likes '1,5' is ...")."""

    def __init__(self, column: str, problem: Message):
        self.column, self.problem = column, problem
        super().__init__(_m("{column} {problem}", column=column, problem=problem))


def norm_link(url: str | None) -> str:
    url = (url or "").strip().lower()
    url = re.sub(r"^https?://", "", url)
    url = re.sub(r"^(www\.|m\.)", "", url)
    return url.rstrip("/")


def _read_text(path: Path) -> str:
    raw = Path(path).read_bytes()
    encodings = ("utf-16",) if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "cp1252")
    for encoding in encodings:  # cp1252: an export re-saved by Excel on Windows
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CampaignError(_m("{name} is not text in UTF-8, UTF-16 or Windows-1252.", name=Path(path).name),
                        _m("Export the posts from Meta Business Suite again as CSV."))


def read_export(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, {post_id, permalink, likes, comments, shares, reach}) for every row."""
    try:
        text = _read_text(path)
    except FileNotFoundError:
        raise CampaignError(_m("No file at {path}.", path=path), _m("Check the path of the export.")) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        return _rows(reader, Path(path).name)
    except csv.Error as e:  # e.g. a field over the csv module's limit of 131,072 characters
        raise CampaignError(_m("{name} line {line_num} cannot be read as CSV: {e}.", name=Path(path).name,
                               line_num=reader.line_num, e=e),
                            _m("Export the posts from Meta Business Suite again, unchanged.")) from None


def _rows(reader: Iterator[list[str]], name: str) -> list[tuple[int, dict[str, Any]]]:
    header = next(reader, None)
    if not header:
        raise CampaignError(_m("{name} is empty.", name=name),
                            _m("Export the posts from Meta Business Suite again."))
    lowered = [h.strip().lower() for h in header]
    columns = {}
    for field, names in HEADERS.items():
        for i, h in enumerate(lowered):
            if h in names and field not in columns:
                columns[field] = i
    if "post_id" not in columns and "permalink" not in columns:
        raise CampaignError(_m("{name} has no post id or permalink column.", name=name),
                            _m("Export posts from Meta Business Suite with 'Post ID' or 'Permalink' "
                               "(Beitrags-ID)."))
    if "likes" not in columns and "comments" not in columns:
        raise CampaignError(_m("{name} has no likes, reactions or comments column.", name=name),
                            _m("Include Reactions/Likes and Comments (Reaktionen, Kommentare) in the export."))
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        row = {}
        for field, i in columns.items():
            row[field] = cells[i].strip() if i < len(cells) else ""
        rows.append((line, row))
    return rows
