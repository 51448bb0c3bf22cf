"""Month grids for the report: weeks from Monday to Sunday, each day with its posts."""
from __future__ import annotations

import calendar
from datetime import date


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month(first: date, posts_by_day: dict[date, list[dict]], today: date) -> dict:
    """{"first", "weeks": [[{"day", "in_month", "today", "posts"}, ...7], ...]} for the month of `first`."""
    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(first.year, first.month)
    return {"first": first,
            "weeks": [[{"day": d, "in_month": d.month == first.month, "today": d == today,
                        "posts": posts_by_day.get(d, []) if d.month == first.month else []} for d in week]
                      for week in weeks]}


def weekday_names(lang: str) -> list[str]:
    """Monday to Sunday, abbreviated in the interface language ("Mo." / "Mon")."""
    from babel.dates import get_day_names

    names = get_day_names("abbreviated", locale=lang)
    return [names[i] for i in range(7)]
