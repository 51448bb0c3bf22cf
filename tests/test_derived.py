"""What pages derive from the store (posts in order, consent today) is kept per store version in the
web app and the daemon (portraits.derived): a save shows at once, and a caller's change to what it got
never reaches the next page."""
from __future__ import annotations

from datetime import date, timedelta

from conftest import approved_portrait

from campaign.workspace.store import Store
from portraits import consent, records
from schedules import posts


def test_a_change_from_another_process_shows_in_the_next_pages_views(ws):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    ws.store.share_reads()  # as the web app does
    with ws.store.transaction() as db:
        posts.create(db, pid, "instagram", ws.now() + timedelta(days=2), ws.now(), lang="de")
    db = ws.store.read()
    assert [p["channel"] for p in posts.all_posts(db)] == ["instagram"]
    assert consent.summaries(db, ws.now().date())[pid]["scopes"]
    with Store(ws.store.path).transaction() as other:  # the CLI or the daemon
        posts.create(other, pid, "facebook", ws.now() + timedelta(days=1), ws.now(), lang="de")
        consent.withdraw(other, pid, now=ws.now())
    db = ws.store.read()
    assert [p["channel"] for p in posts.all_posts(db)] == ["facebook", "instagram"]
    assert consent.summaries(db, ws.now().date())[pid]["scopes"] == []


def test_what_a_page_changes_in_its_rows_does_not_reach_the_next_page(ws):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    with ws.store.transaction() as db:
        posts.create(db, pid, "instagram", ws.now() + timedelta(days=2), ws.now(), lang="de")
    ws.store.share_reads()
    first = ws.store.read()
    posts.all_posts(first)[0]["status"] = "published"
    records.all_portraits(first)[0]["first_name"] = "Changed"
    consent.summaries(first, date(2026, 6, 1))[pid]["scopes"] = []
    again = ws.store.read()
    assert posts.all_posts(again)[0]["status"] == "planned"
    assert records.all_portraits(again)[0]["first_name"] == "Brigitte"
    assert consent.summaries(again, date(2026, 6, 1))[pid]["scopes"]


def test_consent_is_worked_out_for_the_day_asked(ws):
    """Kept per version and day: the next day's page sees a consent that ran out overnight."""
    pid = approved_portrait(ws, "Brigitte", 81, "senior", expires="2026-06-30")
    ws.store.share_reads()
    db = ws.store.read()
    assert consent.summaries(db, date(2026, 6, 30))[pid]["scopes"]
    assert consent.summaries(db, date(2026, 7, 1))[pid]["scopes"] == []


def test_a_week_of_posts_is_the_same_found_by_halving_as_by_reading_every_post(ws):
    """Heute and Kalender find their days' posts in the ordered list (posts.between): the same posts,
    in the same order, as reading every post's time (posts.in_range), at either edge of a day too."""
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    start = ws.now().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    with ws.store.transaction() as db:
        for n in range(40):
            posts.create(db, pid, ("instagram", "facebook")[n % 2], start + timedelta(hours=7 * n), ws.now(),
                         lang="de")
    ws.store.share_reads()
    db = ws.store.read()
    for lo, days in [(start, 1), (start + timedelta(hours=7), 3), (start - timedelta(days=2), 30), (start, 0)]:
        hi = lo + timedelta(days=days)
        assert posts.between(db, lo, hi) == posts.in_range(posts.all_posts(db), lo, hi)
    assert len(posts.between(db, start, start + timedelta(days=1))) == 4  # 0:00, 7:00, 14:00, 21:00
