"""The posting plan: almost every day a new face, on each channel, within the rules.

For each posting day (campaign weekdays, minus public holidays of the region) and channel, pick
one approved portrait whose consent for that channel is valid on that day:
- never the same role category as the post before or after it on that channel;
- no portrait again before every other eligible one has had its turn, except where the only
  ones still waiting share the neighbouring post's category (then the next round starts for
  another category and they follow right after);
- ties go to the category with most portraits still waiting, then to whoever waited longest,
  then by id, so the same input always gives the same plan.
Re-planning keeps every existing post; a slot is free only when it holds nothing but cancelled
posts, and the portrait cancelled there is not put back into the same slot.

Languages (`langs`, e.g. de,tr,ar): the first is the language of every posting day, so only
portraits with a quote in it are planned; each further language follows on the same day, `lang_gap`
after the first post and the next, for the day's portrait where it has a quote in that language.
Without `langs`, each portrait goes out in its own language, once a posting day.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import TypedDict, cast
from zoneinfo import ZoneInfo

from tinydb import TinyDB

from portraits import consent, records
from portraits.dates import days_ahead
from portraits.errors import CampaignError
from portraits.messages import _m
from portraits.model import Portrait, PortraitStatus
from schedules import captions
from schedules import posts as posts_mod
from schedules.model import Post, PostStatus
from schedules.weekdays import parse_days

Window = tuple[date, date | None]  # a consent scope's first and last valid day (None: open-ended)


class Gap(TypedDict):
    """A posting day left empty on a channel, and why (said to the person planning)."""
    date: str
    channel: str
    reason: str


class Holiday(TypedDict):
    date: str
    name: str
    name_de: str


class Planned(TypedDict):
    """What `plan` made: the new posts, the holidays it skipped, the days it could not fill."""
    created: list[Post]
    holidays: list[Holiday]
    gaps: list[Gap]


def holiday_dates(country: str, subdivision: str | None, start: date, end: date,
                  language: str | None = None) -> dict[date, str]:
    """The region's public holidays between `start` and `end`, named in `language` (the library's
    codes, e.g. "de"; its default, English, when None or not offered for the country)."""
    import holidays

    try:
        cal = holidays.country_holidays(country, subdiv=subdivision or None, years=range(start.year, end.year + 1))
        if language and language != "en" and language in cal.supported_languages:
            cal = holidays.country_holidays(country, subdiv=subdivision or None,
                                            years=range(start.year, end.year + 1), language=language)
    except (NotImplementedError, KeyError, AttributeError):
        raise CampaignError(_m("No public holidays known for {country}/{subdivision}.", country=country,
                               subdivision=subdivision),
                            _m("Set holidays_country and holidays_subdivision in campaign.toml, e.g. DE and "
                               "NW.")) from None
    return {d: name for d, name in cal.items() if start <= d <= end}


def slot_time(day: date, at: time, tz: ZoneInfo) -> datetime:
    """`at` local time on `day`; a wall time skipped by a clock change moves an hour on."""
    local = datetime.combine(day, at, tzinfo=tz)
    try:
        if local.astimezone(ZoneInfo("UTC")).astimezone(tz).time() != at:
            local = datetime.combine(day, at, tzinfo=tz) + timedelta(hours=1)
    except OverflowError:  # the last hours of 31.12.9999 in a zone behind UTC
        raise CampaignError(_m("{day} {at:%H:%M} is beyond the end of the calendar.", day=day, at=at),
                            _m("Plan earlier days.")) from None
    return local


def posting_days(start: date, end: date, days: set[int], skip: dict[date, str]) -> list[date]:
    every = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [d for d in every if d.weekday() in days and d not in skip]


def plan(db: TinyDB, start: date, end: date, *, days: str, at: time, channels: list[str], tz: ZoneInfo,
         holidays_country: str = "DE", holidays_subdivision: str | None = "NW",
         now: datetime, langs: list[str] | None = None, lang_gap: timedelta = timedelta(minutes=10)) -> Planned:
    """Fill the calendar from `start` to `end`; returns created posts, skipped holidays and gaps."""
    if end < start:
        raise CampaignError(_m("The end {end} is before the start {start}.", end=end, start=start),
                            _m("Give --end on or after --start."))
    if (end - start).days > 3 * 366:
        raise CampaignError(_m("That is more than three years of posts."),
                            _m("Plan a shorter period; re-plan later."))
    weekday_set = parse_days(days)
    channels = list(dict.fromkeys(channels))  # a channel named twice gets one post a day, not two
    skip = holiday_dates(holidays_country, holidays_subdivision, start, end)
    portraits = {p["id"]: p for p in cast(list[Portrait], records.all_portraits(db))
                 if p.get("status") == PortraitStatus.APPROVED and (not langs or captions.has_quote(p, langs[0]))}
    windows = consent.windows(db)
    existing = posts_mod.all_posts(db)
    created: list[Post] = []
    gaps: list[Gap] = []
    for channel in channels:
        made, missing = _plan_channel(db, channel, portraits, windows, existing, start, end, weekday_set, skip,
                                      at, tz, now, langs or [], lang_gap)
        created += made
        gaps += missing
    # the English name for --json and logs, the German one for the German interface
    german = holiday_dates(holidays_country, holidays_subdivision, start, end, language="de")
    return {"created": created, "holidays": [{"date": d.isoformat(), "name": n, "name_de": german.get(d, n)}
                                             for d, n in sorted(skip.items()) if d.weekday() in weekday_set],
            "gaps": gaps}


def _plan_channel(db: TinyDB, channel: str, portraits: dict[str, Portrait], windows: dict[str, dict[str, Window]],
                  existing: list[Post], start: date, end: date, weekday_set: set[int], skip: dict[date, str],
                  at: time, tz: ZoneInfo, now: datetime, langs: list[str],
                  lang_gap: timedelta) -> tuple[list[Post], list[Gap]]:
    mine = [p for p in existing if p["channel"] == channel]
    live = [p for p in mine if p["status"] != PostStatus.CANCELLED]
    taken = {datetime.fromisoformat(p["at"]).astimezone(tz).date() for p in live}
    refused = {(datetime.fromisoformat(p["at"]).astimezone(tz).date(), p["portrait_id"])
               for p in mine if p["status"] == PostStatus.CANCELLED}
    counts: Counter[str] = Counter(p["portrait_id"] for p in live)
    last_day: dict[str, date] = {}
    # day -> category of the live post on that day, to keep neighbours apart
    timeline: dict[date, str | None] = {}
    for p in live:
        d = datetime.fromisoformat(p["at"]).astimezone(tz).date()
        last_day[p["portrait_id"]] = max(last_day.get(p["portrait_id"], d), d)
        if p["portrait_id"] in portraits:
            timeline[d] = portraits[p["portrait_id"]].get("role_category")
        else:
            timeline[d] = None
    created: list[Post] = []
    gaps: list[Gap] = []
    for day in posting_days(start, end, weekday_set, skip):
        when = slot_time(day, at, tz)
        if day in taken or when <= now:
            continue
        prev_cat = _neighbour(timeline, day, -1)
        next_cat = _neighbour(timeline, day, +1)
        eligible = [pid for pid, p in portraits.items()
                    if _valid(windows.get(pid, {}).get(channel), day) and (day, pid) not in refused]
        if not eligible:
            reason = "no approved portrait with consent" + (f" and a {langs[0]} quote" if langs else "")
            gaps.append({"date": day.isoformat(), "channel": channel, "reason": reason})
            continue
        choice = _choose(eligible, portraits, counts, last_day, prev_cat, next_cat)
        if choice is None:
            gaps.append({"date": day.isoformat(), "channel": channel,
                         "reason": _m("every eligible portrait shares the category of a neighbouring post")})
            continue
        chosen = portraits[choice]
        day_langs = ([langs[0], *(lang for lang in langs[1:] if captions.has_quote(chosen, lang))] if langs
                     else [chosen["lang"]])
        for n, lang in enumerate(dict.fromkeys(day_langs)):
            created.append(posts_mod.create(db, choice, channel, when + n * lang_gap, now, lang=lang))
        counts[choice] += 1
        last_day[choice] = day
        timeline[day] = portraits[choice].get("role_category")
        taken.add(day)
    return created, gaps


def _valid(window: Window | None, day: date) -> bool:
    if not window:
        return False
    first, last = window
    return first <= day and (last is None or day <= last)


def _neighbour(timeline: dict[date, str | None], day: date, step: int) -> str | None:
    keys = [d for d in timeline if (d < day if step < 0 else d > day)]
    if not keys:
        return None
    return timeline[max(keys) if step < 0 else min(keys)]


def _choose(eligible: list[str], portraits: dict[str, Portrait], counts: Counter[str], last_day: dict[str, date],
            prev_cat: str | None, next_cat: str | None) -> str | None:
    def cat(pid: str) -> str | None:
        return portraits[pid].get("role_category")

    allowed = [pid for pid in eligible if cat(pid) not in {prev_cat, next_cat} - {None}]
    if not allowed:
        return None
    lowest = min(counts[pid] for pid in eligible)
    pool = [pid for pid in allowed if counts[pid] == lowest]
    if not pool:  # only same-category portraits are waiting: another category starts its next round
        low = min(counts[pid] for pid in allowed)
        pool = [pid for pid in allowed if counts[pid] == low]
    waiting = Counter(cat(pid) for pid in eligible if counts[pid] == lowest)
    return min(pool, key=lambda pid: (-waiting.get(cat(pid), 0), last_day.get(pid, date.min), pid))


def default_end(start: date) -> date:
    return days_ahead(start, 27)
