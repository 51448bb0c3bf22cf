"""Dates and times typed the ISO or the German way, across clock changes and at the calendar's ends."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import approved_portrait
from hypothesis import given, settings
from hypothesis import strategies as st

from portraits.dates import parse_date, parse_datetime
from portraits.errors import CampaignError

BERLIN = ZoneInfo("Europe/Berlin")


def _times_on_the_clock(wall: datetime) -> int:
    """How often Berlin's clocks show `wall`, counted from UTC instants (independent of the parser)."""
    hits = 0
    for offset_hours in (1, 2):  # CET and CEST
        instant = (wall - timedelta(hours=offset_hours)).replace(tzinfo=UTC)
        local = instant.astimezone(BERLIN)
        if local.replace(tzinfo=None) == wall and local.utcoffset() == timedelta(hours=offset_hours):
            hits += 1
    return hits


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_a_date_reads_the_same_typed_iso_or_german(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day:%d.%m.}{day.year:04d}") == day
    assert parse_date(f" {day.day}.{day.month}.{day.year:04d} ") == day


# Around the clock changes of several years, minute by minute, plus anywhere else.
_near_changes = st.builds(lambda year, spring, minute: datetime(year, 3 if spring else 10,
                                                                 1 + (31 - 7), 0, 0) + timedelta(minutes=minute),
                          st.integers(2024, 2032), st.booleans(), st.integers(0, 8 * 24 * 60))


@settings(max_examples=400, deadline=None)
@given(st.one_of(_near_changes, st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1))))
def test_a_wall_time_is_taken_when_it_happens_once_and_refused_when_skipped_or_doubled(wall):
    wall = wall.replace(second=0, microsecond=0)
    seen = _times_on_the_clock(wall)
    for typed in (f"{wall:%Y-%m-%d %H:%M}", f"{wall:%d.%m.%Y %H:%M}", f"{wall:%d.%m.%Y}, {wall:%H.%M} Uhr"):
        if seen == 1:
            value = parse_datetime(typed, BERLIN)
            assert value.replace(tzinfo=None) == wall and value.tzinfo is not None
            assert value.astimezone(UTC).astimezone(BERLIN) == value
        else:
            with pytest.raises(CampaignError, match="does not exist" if seen == 0 else "happens twice"):
                parse_datetime(typed, BERLIN)


def test_a_doubled_time_with_its_offset_is_exact():
    first = parse_datetime("2026-10-25 02:30+02:00", BERLIN)
    second = parse_datetime("2026-10-25 02:30+01:00", BERLIN)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
    assert (first.isoformat(), second.isoformat()) == ("2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00")
    with pytest.raises(CampaignError) as refused:
        parse_datetime("25.10.2026 02:30", BERLIN)
    assert "2026-10-25 02:30+02:00" in refused.value.hint and "2026-10-25 02:30+01:00" in refused.value.hint


def test_german_dates_and_times_work_in_every_command_that_takes_one(cli, ws):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", size=(1400, 1750))  # large enough for the billboard
    r = cli("consent", "grant", pid, "--scope", "press", "--signed-on", "01.06.2026", "--expires", "31.12.2027",
            "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["signed_on"] == "2026-06-01" and json.loads(r.output)["expires"] == "2027-12-31"
    r = cli("schedule", "add", pid, "--at", "24.12.2026 18:30", "--channel", "instagram", "--json")
    assert r.exit_code == 0, r.output
    post = json.loads(r.output)[0]
    assert post["at"] == "2026-12-24T18:30:00+01:00"
    r = cli("schedule", "move", post["id"], "--to", "23.12.2026, 18.00 Uhr")
    assert r.exit_code == 0 and "Dec 23, 2026, 6:00" in r.output  # said as a person reads it, not ISO
    r = cli("schedule", "list", "--from", "23.12.2026", "--to", "23.12.2026", "--json")
    assert [(p["id"], p["at"]) for p in json.loads(r.output)] == [(post["id"], "2026-12-23T18:00:00+01:00")]
    r = cli("schedule", "plan", "--start", "01.07.2026", "--end", "04.07.2026", "--time", "18.30",
            "--channels", "facebook", "--json")
    assert r.exit_code == 0, r.output
    assert [p["at"][:10] for p in json.loads(r.output)["created"]][:1] == ["2026-07-01"]
    r = cli("billboard", "pick", "--from", "01.07.2026", "--to", "10.07.2026", "--json")
    assert r.exit_code == 0, r.output
    assert (json.loads(r.output)["from"], json.loads(r.output)["to"]) == ("2026-07-01", "2026-07-10")
    r = cli("consent", "withdraw", pid, "--scope", "press", "--received", "16.06.2026", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["scopes"] == ["press"]


@pytest.mark.parametrize("args, says", [
    (("schedule", "plan", "--start", "0001-01-01"), "not in a year from 1900"),
    (("schedule", "plan", "--start", "2026-07-01", "--end", "9999-12-31"), "more than three years"),
    (("schedule", "add", "P", "--at", "0001-01-01 00:30"), "not in a year from 1900"),
    (("schedule", "add", "P", "--at", "9999-12-31 23:30"), "not in a year from 1900"),
    (("schedule", "add", "P", "--at", "25.10.2026 02:30"), "happens twice"),
    (("schedule", "add", "P", "--at", "28.03.2027 02:30"), "does not exist"),
    (("schedule", "add", "P", "--at", "31.02.2027 18:30"), "not a date and time"),
    (("consent", "grant", "P", "--scope", "press", "--signed-on", "24.12.26"), "not a date"),
    (("engagement", "record", "p-1", "--likes", "3", "--comments", "1", "--at", "0001-01-01"), "not in a year"),
])
def test_dates_at_the_ends_of_the_calendar_or_on_a_clock_change_are_refused_cleanly(cli, ws, args, says):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    before = ws.store.path.read_bytes()
    r = cli(*[pid if a == "P" else a for a in args])
    assert r.exit_code == 1, r.output
    assert says in r.output and "Traceback" not in r.output
    assert ws.store.path.read_bytes() == before


def test_far_dates_and_huge_day_counts_give_a_result_not_a_traceback(cli, ws):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    assert cli("consent", "grant", pid, "--scope", "press", "--signed-on", "2026-01-01",
               "--expires", "31.12.9999").exit_code == 0
    r = cli("consent", "status", "--expiring-within", "99999999999", "--json")
    assert r.exit_code == 0, r.output
    assert [row["expires"] for row in json.loads(r.output)] == ["9999-12-31"]
    r = cli("billboard", "pick", "--from", "9999-12-31")
    assert r.exit_code == 1 and "Traceback" not in r.output  # one day left in the calendar: no photo fits
    r = cli("schedule", "plan", "--start", "9999-12-20", "--channels", "instagram", "--json")
    assert r.exit_code == 0, r.output
    days = [p["at"][:10] for p in json.loads(r.output)["created"]]
    assert days and days[-1] <= "9999-12-31" and days[0] >= "9999-12-20"
    r = cli("schedule", "list", "--from", "1900-01-01", "--to", "9999-12-31", "--json")
    assert r.exit_code == 0 and len(json.loads(r.output)) == len(days)


@pytest.mark.any_day
def test_engagement_record_reads_german_thousands_and_refuses_fractions(cli, ws):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    now = ws.now()
    from schedules import posts

    with ws.store.transaction() as db:
        post = posts.create(db, pid, "instagram", now - timedelta(days=3), now - timedelta(days=4))
        posts.update(db, post["id"], now, "published", "test")
    r = cli("engagement", "record", post["id"], "--likes", "1.700", "--comments", "1 200", "--shares", "25",
            "--reach", "40.000", "--json")
    assert r.exit_code == 0, r.output
    snap = json.loads(r.output)
    assert (snap["likes"], snap["comments"], snap["shares"], snap["reach"]) == (1700, 1200, 25, 40000)
    before = ws.store.path.read_bytes()
    for likes, says in (("1,5", "fraction"), ("1,700", "fraction"), ("1.5", "fraction"), ("-3", "negative"),
                        ("viele", "not a whole number"), ("1.70.0", "not a whole number")):
        r = cli("engagement", "record", post["id"], "--likes", likes, "--comments", "1")
        assert r.exit_code == 1 and says in r.output and "Traceback" not in r.output, (likes, r.output)
    assert ws.store.path.read_bytes() == before
