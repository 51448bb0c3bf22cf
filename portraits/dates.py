"""Dates and times as people type them, parsed with a clear error instead of a traceback.

Accepted everywhere a date or time is typed: ISO (`2026-12-24`, `2026-12-24 18:30`, also with
`T`, seconds or an offset such as `+01:00`) and the German way (`24.12.2026`, `24.12.2026 18:30`,
`24.12.2026, 18.30 Uhr`). A wall time that the campaign's clock skips (spring forward) or shows
twice (fall back) is refused rather than guessed; an offset makes the second kind exact.
Years outside 1900-9999 are typing mistakes here, and refused before any arithmetic can overflow.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portraits.errors import CampaignError
from portraits.messages import _m

MIN_YEAR = 1900
MAX_YEAR = 9999  # 9999-12-31 is how some offices write "no end"
DATE_HINT = _m("Write it as YYYY-MM-DD or DD.MM.YYYY, e.g. 2026-12-24 or 24.12.2026.")
TIME_HINT = _m("Write it as YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM, e.g. 24.12.2026 18:30.")

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?(?:\s*Uhr)?", re.IGNORECASE)
_GERMAN_DATETIME = re.compile(r"(\d{1,2}\.\d{1,2}\.\d{4})\s*(?:,\s*|\s+)(.+)")


def _date_from(text: str) -> date | None:
    """The date of ISO or German text, None when it is neither form; ValueError for 31.02."""
    if m := _ISO_DATE.fullmatch(text):
        y, mo, d = m.groups()
    elif m := _GERMAN_DATE.fullmatch(text):
        d, mo, y = m.groups()
    else:
        return None
    return date(int(y), int(mo), int(d))


def _check_year(value: date, what: str, text: str, last_year: int = MAX_YEAR) -> None:
    if not MIN_YEAR <= value.year <= last_year:
        raise CampaignError(_m("The {what} {text!r} is not in a year from {min_year} to {last_year}.",
                               what=what, text=text, min_year=MIN_YEAR, last_year=last_year),
                            _m("Check the year. {hint}", hint=DATE_HINT))


def parse_date(text: str | date | None, what: str = "date") -> date | None:
    """`2026-12-24` or `24.12.2026` (or a date) -> date; None stays None."""
    if text is None or isinstance(text, date) and not isinstance(text, datetime):
        return text
    raw = str(text).strip()
    try:
        value = _date_from(raw)
    except ValueError:
        raise CampaignError(_m("The {what} {raw!r} is not a date on the calendar.", what=what, raw=raw),
                            DATE_HINT) from None
    if value is None:
        raise CampaignError(_m("The {what} {raw!r} is not a date.", what=what, raw=raw), DATE_HINT)
    _check_year(value, what, raw)
    return value


def _naive_or_aware(raw: str, what: str) -> datetime:
    """Text -> datetime (naive when no offset was given), or a CampaignError saying why not."""
    german = _GERMAN_DATETIME.fullmatch(raw)
    try:
        if _GERMAN_DATE.fullmatch(raw):
            return datetime.combine(_date_from(raw), time())  # type: ignore[arg-type]
        if german:
            day = _date_from(german.group(1))
            clock = _CLOCK.fullmatch(german.group(2).strip())
            if day is None or clock is None:
                raise ValueError
            hh, mm, ss = (int(v or 0) for v in clock.groups())
            return datetime.combine(day, time(hh, mm, ss))
        if not _ISO_DATE.match(raw):
            raise ValueError
        return datetime.fromisoformat(raw)
    except ValueError:
        raise CampaignError(_m("The {what} {raw!r} is not a date and time.", what=what, raw=raw), TIME_HINT) from None


def _occurrences(wall: datetime, tz: ZoneInfo) -> int:
    """How often a naive wall-clock time happens in `tz`: 0 (skipped), 1, or 2 (clocks went back)."""
    earlier, later = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return 1
    # fold=0 and fold=1 differ for a skipped time too; a skipped time does not survive a round trip.
    exists = earlier.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) == wall
    return 2 if exists else 0


def parse_datetime(text: str | datetime, tz: ZoneInfo, what: str = "time") -> datetime:
    """ISO or German date and time, in the campaign's time zone unless an offset is given -> aware datetime."""
    if isinstance(text, datetime):
        value = text
        raw = value.isoformat()
    else:
        raw = " ".join(str(text).split())
        value = _naive_or_aware(raw, what)
    _check_year(value.date(), what, raw, MAX_YEAR - 1)  # so that any zone's offset stays in range
    if value.tzinfo is None:
        seen = _occurrences(value, tz)
        if seen == 0:
            raise CampaignError(_m("{value:%d.%m.%Y %H:%M} does not exist in {key}: the clocks skip that "
                                   "hour.", value=value, key=tz.key),
                                _m("Choose a time an hour later or earlier."))
        if seen == 2:
            summer = value.replace(tzinfo=tz, fold=0).strftime("%z")
            winter = value.replace(tzinfo=tz, fold=1).strftime("%z")
            raise CampaignError(_m("{value:%d.%m.%Y %H:%M} happens twice in {key}: the clocks go back that "
                                   "night.", value=value, key=tz.key),
                                _m("Choose another time, or add the offset: {first} (the first) or {second} "
                                   "(the second).",  # what to type: ISO text in every language
                                   first=f"{value:%Y-%m-%d %H:%M}{summer[:3]}:{summer[3:]}",
                                   second=f"{value:%Y-%m-%d %H:%M}{winter[:3]}:{winter[3:]}"))
        value = value.replace(tzinfo=tz)
    return value.astimezone(tz)


def parse_clock(text: str, what: str = "time") -> time:
    """`18:30`, `18.30` or `18:30 Uhr` -> time."""
    clock = _CLOCK.fullmatch(" ".join(str(text).split()))
    try:
        if clock is None:
            raise ValueError
        hh, mm, ss = (int(v or 0) for v in clock.groups())
        return time(hh, mm, ss)
    except ValueError:
        raise CampaignError(_m("The {what} {text!r} is not a time of day.", what=what, text=text),
                            _m("Write it as HH:MM, e.g. 18:30.")) from None


def days_ahead(today: date, days: int) -> date:
    """`today` plus `days`, or the last day of the calendar when that is beyond it."""
    try:
        return today + timedelta(days=days)
    except OverflowError:
        return date.max
