"""The posting plan: days, holidays, time zones, rotation, consent; re-planning; iCalendar."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import approved_portrait
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portraits import consent, records
from portraits.errors import CampaignError
from schedules import plan as planner
from schedules import posts

BERLIN = ZoneInfo("Europe/Berlin")
EARLY = datetime(2026, 1, 2, 9, 0, tzinfo=BERLIN)


def make_plan(ws, start, end, days="mon-sat", channels=("instagram",), now=EARLY):
    with ws.store.transaction() as db:
        return planner.plan(db, start, end, days=days, at=time(18, 30), channels=list(channels), tz=BERLIN,
                            holidays_country="DE", holidays_subdivision="NW", now=now)


def test_good_friday_and_easter_monday_are_skipped(ws):
    for i, cat in enumerate(["health", "senior", "retail", "transport"]):
        approved_portrait(ws, f"Person{chr(65 + i)}", 30 + i, cat)
    result = make_plan(ws, date(2026, 3, 30), date(2026, 4, 11))
    days = {datetime.fromisoformat(p["at"]).date() for p in result["created"]}
    assert date(2026, 4, 3) not in days and date(2026, 4, 6) not in days  # Karfreitag, Ostermontag
    assert date(2026, 4, 2) in days and date(2026, 4, 4) in days
    assert date(2026, 4, 5) not in days  # Sunday: not a posting day
    names = {h["date"]: h["name"] for h in result["holidays"]}
    assert "2026-04-03" in names and "2026-04-06" in names


@pytest.mark.any_day
def test_daylight_saving_days_post_at_1830_local(ws):
    approved_portrait(ws, "Anna", 40, "health")
    approved_portrait(ws, "Ben", 50, "senior")
    spring = make_plan(ws, date(2026, 3, 28), date(2026, 3, 30), days="mon-sun")["created"]
    autumn = make_plan(ws, date(2026, 10, 24), date(2026, 10, 26), days="mon-sun")["created"]
    ats = [p["at"] for p in spring + autumn]
    assert ats == ["2026-03-28T18:30:00+01:00", "2026-03-29T18:30:00+02:00", "2026-03-30T18:30:00+02:00",
                   "2026-10-24T18:30:00+02:00", "2026-10-25T18:30:00+01:00", "2026-10-26T18:30:00+01:00"]
    # 18:30 in Berlin is 16:30 UTC in summer and 17:30 UTC in winter.
    utc = [datetime.fromisoformat(a).astimezone(UTC).strftime("%H:%M") for a in ats]
    assert utc == ["17:30", "16:30", "16:30", "16:30", "17:30", "17:30"]


def test_replanning_is_idempotent_and_fills_cancelled_gaps(ws):
    for i, cat in enumerate(["health", "senior", "retail", "youth"]):
        approved_portrait(ws, f"Person{chr(65 + i)}", 30 + i, cat)
    first = make_plan(ws, date(2026, 2, 2), date(2026, 2, 7))["created"]
    assert len(first) == 6
    assert make_plan(ws, date(2026, 2, 2), date(2026, 2, 7))["created"] == []
    with ws.store.transaction() as db:
        posts.cancel(db, first[2]["id"], EARLY)
    refill = make_plan(ws, date(2026, 2, 2), date(2026, 2, 7))["created"]
    assert len(refill) == 1
    assert refill[0]["at"] == first[2]["at"]
    assert refill[0]["portrait_id"] != first[2]["portrait_id"]
    db = ws.store.read()
    assert [p["status"] for p in posts.all_posts(db)].count("cancelled") == 1


def test_only_approved_portraits_with_consent_for_the_channel_on_the_day(ws):
    approved_portrait(ws, "Anna", 40, "health", scopes="instagram", expires="2026-02-04")
    approved_portrait(ws, "Ben", 50, "senior", scopes="facebook")
    result = make_plan(ws, date(2026, 2, 2), date(2026, 2, 7), channels=("instagram", "facebook"))
    insta = [p for p in result["created"] if p["channel"] == "instagram"]
    assert {p["portrait_id"] for p in insta} == {"anna-40"}
    assert max(p["at"] for p in insta) < "2026-02-05"
    assert {p["portrait_id"] for p in result["created"] if p["channel"] == "facebook"} == {"ben-50"}
    assert any(g["channel"] == "instagram" for g in result["gaps"])


def test_plan_refuses_bad_input_through_cli(cli, ws):
    approved_portrait(ws, "Anna", 40, "health")
    before = ws.store.path.read_bytes()
    for args, msg in ((["--start", "2026-02-30"], "not a date"),
                      (["--start", "2027-02-10", "--end", "2027-02-01"], "before the start"),
                      (["--start", "2027-02-01", "--days", "funday"], "not weekdays"),
                      (["--start", "2027-02-01", "--time", "25:99"], "not a time"),
                      (["--start", "2027-02-01", "--channels", "tiktok"], "Unknown channel")):
        r = cli("schedule", "plan", *args)
        assert r.exit_code == 1 and msg in r.output, (args, r.output)
    assert ws.store.path.read_bytes() == before


@pytest.mark.any_day
def test_schedule_cli_add_move_cancel_list_and_ical(cli, ws, tmp_path):
    approved_portrait(ws, "Anna", 40, "health", surname="Geheimname")
    r = cli("schedule", "add", "anna-40", "--at", "2030-05-04 18:30", "--channel", "instagram", "--json")
    assert r.exit_code == 0, r.output
    post = json.loads(r.output)[0]
    assert post["at"] == "2030-05-04T18:30:00+02:00" and post["status"] == "planned"
    assert cli("schedule", "add", "anna-40", "--at", "2001-01-01 10:00").exit_code == 1
    assert cli("schedule", "add", "nobody-1", "--at", "2030-05-04 18:30").exit_code == 1
    cal1 = tmp_path / "a.ics"
    assert cli("schedule", "ical", cal1).exit_code == 0
    assert cli("schedule", "move", post["id"], "--to", "2030-05-05 19:00").exit_code == 0
    cal2 = tmp_path / "b.ics"
    assert cli("schedule", "ical", cal2).exit_code == 0
    from icalendar import Calendar
    e1 = [e for e in Calendar.from_ical(cal1.read_bytes()).walk("VEVENT")]
    e2 = [e for e in Calendar.from_ical(cal2.read_bytes()).walk("VEVENT")]
    assert [str(e["uid"]) for e in e1] == [str(e["uid"]) for e in e2]  # same event, updated
    assert e1[0].decoded("dtstart") != e2[0].decoded("dtstart")
    assert "Anna (40)" in str(e2[0]["summary"])
    assert b"Geheimname" not in cal2.read_bytes()
    assert cli("schedule", "cancel", post["id"]).exit_code == 0
    rows = json.loads(cli("schedule", "list", "--json").output)
    assert rows[0]["status"] == "cancelled"
    for key in ("id", "portrait_id", "channel", "at", "status", "remote_id"):
        assert key in rows[0]
    before = ws.store.path.read_bytes()
    assert cli("schedule", "move", "p-999", "--to", "2030-05-05 19:00").exit_code == 1
    assert cli("schedule", "move", post["id"], "--to", "2030-05-05 19:00").exit_code == 1  # cancelled
    assert ws.store.path.read_bytes() == before


def test_caption_limits_are_checked(ws):
    from schedules import captions
    portrait = {"id": "a-1", "first_name": "Anna", "age": 40, "role": "Ärztin", "quote": "x" * 280, "lang": "de",
                "credit": "Studio"}
    config = ws.config
    text = captions.caption(portrait, "de", config)
    assert "Anna (40), Ärztin" in text and "x" * 280 in text and "#duisburgistechtsolidarisch" in text
    config = config.model_copy(update={"captions": {"de": "{quote} " + " ".join(f"#t{i}" for i in range(31))}})
    with pytest.raises(CampaignError, match="31 hashtags"):
        captions.caption(portrait, "de", config)
    config = config.model_copy(update={"captions": {"de": "{first_name} {surname}"}})
    with pytest.raises(CampaignError, match="unknown field"):
        captions.caption(portrait, "de", config)


def test_a_year_plans_every_posting_day_exactly_once_per_channel(ws):
    """A year for 60 portraits: every posting day exactly once per channel, no gaps."""
    cats = ["health", "senior", "retail", "transport", "youth"]
    for i in range(60):
        approved_portrait(ws, f"P{chr(65 + i // 26)}{chr(97 + i % 26)}", 20 + i, cats[i % 5], seed=i)
    result = make_plan(ws, date(2026, 1, 5), date(2026, 12, 31), channels=("instagram", "facebook"))
    per_day = Counter((datetime.fromisoformat(p["at"]).date(), p["channel"]) for p in result["created"])
    assert set(per_day.values()) == {1}
    assert not result["gaps"]


# --- the property test --------------------------------------------------------------------

CATEGORIES = ["health", "senior", "retail", "transport", "youth", "culture"]


@st.composite
def campaigns(draw):
    n = 40
    cats = draw(st.lists(st.sampled_from(CATEGORIES[:draw(st.integers(2, 6))]), min_size=n, max_size=n))
    windows = []
    for _ in range(n):
        start = draw(st.integers(-30, 50))
        length = draw(st.one_of(st.none(), st.integers(1, 90)))
        windows.append((start, length))
    scopes = draw(st.lists(st.sampled_from(["instagram", "facebook", "instagram,facebook"]), min_size=n, max_size=n))
    days = draw(st.sampled_from(["mon-sat", "mon-fri", "mon,wed,fri", "mon-sun"]))
    return cats, windows, scopes, days


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=campaigns())
def test_a_60_day_plan_for_40_portraits_keeps_every_rule(tmp_path_factory, data):
    from campaign.workspace import init_workspace

    cats, windows, scopes, days = data
    ws = init_workspace(tmp_path_factory.mktemp("prop") / "ws")
    start = date(2026, 3, 2)
    end = start + timedelta(days=59)
    with ws.store.transaction() as db:
        for i in range(40):
            photo = ws.root / f"p{i}.jpg"
            from conftest import make_photo
            make_photo(photo, size=(60, 75), seed=i)
            rec = records.add_portrait(db, ws.photos, photo, first_name="Person", age=20 + i, role="R",
                                       role_category=cats[i], quote="Q", portrait_id=f"p{i}")
            first, length = windows[i]
            signed = start + timedelta(days=first)
            consent.grant(db, rec["id"], scopes[i], signed,
                          expires=signed + timedelta(days=length) if length else None, today=date(2100, 1, 1))
            records.approve_portrait(db, rec["id"], True)
    result = make_plan(ws, start, end, days=days, channels=("instagram", "facebook"))
    db = ws.store.read()
    cat = {p["id"]: p["role_category"] for p in records.all_portraits(db)}
    win = consent.windows(db)
    weekday_set = planner.parse_days(days)
    hol = planner.holiday_dates("DE", "NW", start, end)
    by_channel = defaultdict(list)
    for p in result["created"]:
        by_channel[p["channel"]].append(p)
    gaps = {(g["date"], g["channel"]) for g in result["gaps"]}
    for channel, plist in by_channel.items():
        plist.sort(key=lambda p: p["at"])
        seen_days = set()
        counts: Counter = Counter()
        prev = None
        for p in plist:
            at = datetime.fromisoformat(p["at"])
            day = at.date()
            assert at.astimezone(BERLIN).time() == time(18, 30)
            assert day.weekday() in weekday_set and day not in hol and start <= day <= end
            assert day not in seen_days
            seen_days.add(day)
            w = win[p["portrait_id"]][channel]
            assert w[0] <= day and (w[1] is None or day <= w[1]), "consent not valid that day"
            if prev is not None:
                assert cat[p["portrait_id"]] != cat[prev["portrait_id"]], "same category twice in a row"
            eligible = [pid for pid, ws_ in win.items() if channel in ws_ and ws_[channel][0] <= day
                        and (ws_[channel][1] is None or day <= ws_[channel][1])]
            low = min(counts[e] for e in eligible)
            if counts[p["portrait_id"]] != low:
                waiting = [e for e in eligible if counts[e] == low]
                assert prev is not None and all(cat[e] == cat[prev["portrait_id"]] for e in waiting), \
                    "a portrait came again before the others had their turn"
            counts[p["portrait_id"]] += 1
            prev = p
        # A posting day without a post is reported with its reason.
        for d in planner.posting_days(start, end, weekday_set, hol):
            assert d in seen_days or (d.isoformat(), channel) in gaps


@pytest.mark.parametrize("lang, words", [("de", ["03.04.2026", "Karfreitag", "Ostermontag",
                                                  "Beiträge geplant."]),
                                          ("en", ["Good Friday", "Easter Monday", "posts."])])
def test_schedule_plan_names_the_holidays_it_skips_in_the_interface_language(cli, ws, monkeypatch, lang, words):
    for i, cat in enumerate(["health", "senior"]):
        approved_portrait(ws, f"Person{chr(65 + i)}", 30 + i, cat)
    monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)
    r = cli("schedule", "plan", "--start", "2026-04-01", "--end", "2026-04-07")
    assert r.exit_code == 0, r.output
    for word in words:
        assert word in r.output
    assert ("Good Friday" in r.output) == (lang == "en") and "post(s)" not in r.output
    r = cli("schedule", "plan", "--start", "2026-04-01", "--end", "2026-04-07", "--json")
    assert {h["name"] for h in json.loads(r.output)["holidays"]} >= {"Good Friday"}  # --json stays English


def test_the_calendar_words_its_events_in_the_campaigns_german(cli, ws, tmp_path, monkeypatch):
    from icalendar import Calendar

    approved_portrait(ws, "Anna", 40, "health")
    assert cli("schedule", "add", "anna-40", "--at", "2030-05-04 18:30", "--channel", "facebook").exit_code == 0
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "en")  # the interface's language does not matter: staff read it in German
    cal = tmp_path / "k.ics"
    assert cli("schedule", "ical", cal).exit_code == 0
    event = next(iter(Calendar.from_ical(cal.read_bytes()).walk("VEVENT")))
    assert str(event["summary"]).startswith("Facebook Page: Anna (40)")
    assert str(event["description"]).startswith("Beitrag ") and "Status: geplant" in str(event["description"])
