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
