"""Dates and times as users type them, parsed with a clear error instead of a traceback."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from portraits.errors import CampaignError


def parse_date(text: str | date | None, what: str = "date") -> date | None:
    """YYYY-MM-DD (or a date) -> date; None stays None."""
    if text is None or isinstance(text, date) and not isinstance(text, datetime):
        return text  # type: ignore[return-value]
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise CampaignError(f"The {what} {text!r} is not a date.", "Write it as YYYY-MM-DD, e.g. 2026-03-20.") from None


def parse_datetime(text: str | datetime, tz: ZoneInfo, what: str = "time") -> datetime:
    """'YYYY-MM-DD HH:MM' (campaign time) or ISO 8601 with offset -> aware datetime."""
    if isinstance(text, datetime):
        value = text
    else:
        raw = str(text).strip().replace("T", " ")
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise CampaignError(f"The {what} {text!r} is not a date and time.",
                                "Write it as YYYY-MM-DD HH:MM, e.g. 2026-03-20 18:30.") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
        # A wall time that does not exist (spring forward) or is ambiguous: refuse rather than guess.
        round_trip = value.astimezone(ZoneInfo("UTC")).astimezone(tz)
        if round_trip.replace(tzinfo=None) != value.replace(tzinfo=None):
            raise CampaignError(f"{value:%Y-%m-%d %H:%M} does not exist in {tz.key} (clocks change).",
                                "Choose a time an hour later or earlier.")
    return value.astimezone(tz)


def parse_clock(text: str, what: str = "time") -> time:
    """'HH:MM' -> time."""
    try:
        hh, mm = str(text).strip().split(":")
        return time(int(hh), int(mm))
    except (ValueError, TypeError):
        raise CampaignError(f"The {what} {text!r} is not a time of day.", "Write it as HH:MM, e.g. 18:30.") from None
