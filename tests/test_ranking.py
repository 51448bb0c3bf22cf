"""Ranking: every post counted at the same age, interpolated between snapshots, explained."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from conftest import approved_portrait, set_config

from schedules import engagement, posts
from schedules.ranking import figures_at_age

T0 = datetime(2026, 3, 20, 18, 30, tzinfo=UTC)
WEEK = timedelta(days=7)


def snap(days: float, likes: int, comments: int = 0, shares: int = 0, reach=None) -> dict:
    return {"at": (T0 + timedelta(days=days)).isoformat(), "likes": likes, "comments": comments,
            "shares": shares, "reach": reach}


def test_exact_snapshot_at_the_age_is_used_as_it_is():
    fig = figures_at_age([snap(2, 50), snap(7, 300, 10), snap(20, 900)], T0, WEEK, T0 + timedelta(days=30))
    assert (fig["likes"], fig["comments"]) == (300, 10)
    assert fig["how"] == "counted at 7 days"


def test_between_two_snapshots_the_figures_are_interpolated_linearly():
    fig = figures_at_age([snap(5, 100, 10, 2, reach=1000), snap(9, 300, 30, 6, reach=3000)], T0, WEEK,
                         T0 + timedelta(days=30))
    assert (fig["likes"], fig["comments"], fig["shares"], fig["reach"]) == (200, 20, 4, 2000)
    assert "interpolated at 7 days between 5.0 days and 9.0 days" in fig["how"]


def test_before_the_first_snapshot_publishing_counts_as_zero():
    fig = figures_at_age([snap(14, 1400)], T0, WEEK, T0 + timedelta(days=30))
    assert fig["likes"] == 700
    assert "publishing (0)" in fig["how"]


def test_later_growth_does_not_count_when_a_count_exists_at_the_age():
    # A post that kept growing for months scores the same as one counted on day 7.
    late = figures_at_age([snap(7, 300), snap(90, 5000)], T0, WEEK, T0 + timedelta(days=100))
    assert late["likes"] == 300


def test_no_snapshot_after_the_age_uses_the_last_one_before_it():
    fig = figures_at_age([snap(1, 40), snap(3, 90)], T0, WEEK, T0 + timedelta(days=30))
    assert fig["likes"] == 90 and "last count at 3.0 days" in fig["how"]


def test_a_young_post_uses_its_latest_figures_and_says_so():
    fig = figures_at_age([snap(1, 40), snap(3, 90)], T0, WEEK, T0 + timedelta(days=3, hours=2))
    assert fig["likes"] == 90
    assert fig["how"].startswith("latest figures, post is only 3 days old")


def test_no_snapshots_scores_zero():
    fig = figures_at_age([], T0, WEEK, T0 + timedelta(days=30))
    assert fig["likes"] == 0 and fig["how"] == "no figures yet"


def published(ws, pid, channel, at):
    with ws.store.transaction() as db:
        post = posts.create(db, pid, channel, at, at - timedelta(days=1))
        return posts.update(db, post["id"], at, "published", "test", published_at=at.isoformat())


@pytest.mark.any_day
def test_engagement_top_ranks_over_all_channels_with_weights_and_explains(cli, ws):
    now = ws.now().replace(microsecond=0)
    # Instants in UTC: a week is 168 hours even when it crosses a daylight-saving change.
    old = (now - timedelta(days=40)).astimezone(UTC)
    a = approved_portrait(ws, "Brigitte", 81, "senior")
    b = approved_portrait(ws, "Tamara", 32, "health")
    pa_ig, pa_fb = published(ws, a, "instagram", old), published(ws, a, "facebook", old)
    pb = published(ws, b, "instagram", now - timedelta(days=10))
    with ws.store.transaction() as db:
        # Brigitte: 100 likes at day 7 on instagram, 10 comments on facebook; huge growth later ignored.
        engagement.record(db, pa_ig["id"], likes=100, comments=0, shares=0, at=old + WEEK, source="manual")
        engagement.record(db, pa_ig["id"], likes=9000, comments=0, shares=0, at=old + timedelta(days=30),
                          source="manual")
        engagement.record(db, pa_fb["id"], likes=0, comments=10, shares=0, at=old + WEEK, source="manual")
        # Tamara: 150 likes and 5 shares at day 7.
        engagement.record(db, pb["id"], likes=150, comments=0, shares=5, at=now - timedelta(days=3),
                          source="manual")
    set_config(ws, 'across_channels = "median"', 'across_channels = "sum"')  # raw figures, added up
    r = cli("engagement", "top", "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [(x["portrait_id"], x["score"]) for x in rows] == [(b, 165), (a, 120)]
    assert rows[1]["likes"] == 100 and rows[1]["comments"] == 10
    assert "2 posts on facebook, instagram" in rows[1]["why"]
    assert all({"portrait_id", "score", "likes", "comments", "shares"} <= set(x) for x in rows)

    set_config(ws, "weights = { likes = 1, comments = 2, shares = 3 }", "weights = { likes = 1, comments = 20, shares = 0 }")
    r = cli("engagement", "top", "--n", "1", "--json")
    assert [(x["portrait_id"], x["score"]) for x in json.loads(r.output)] == [(a, 300)]
    r = cli("engagement", "top")
    assert r.exit_code == 0 and "brigitte-81" in r.output and "counted at 7 days" in r.output


@pytest.mark.any_day
def test_record_at_a_given_time_and_bad_times_change_nothing(cli, ws):
    a = approved_portrait(ws, "Mehmet", 45, "transport")
    post = published(ws, a, "instagram", ws.now() - timedelta(days=9))
    day7 = (ws.now() - timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    r = cli("engagement", "record", post["id"], "--likes", "70", "--comments", "1", "--at", day7, "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["at"].startswith(day7.replace(" ", "T"))
    before = ws.store.path.read_bytes()
    for at in ("tomorrow", "2999-01-01 10:00"):
        r = cli("engagement", "record", post["id"], "--likes", "1", "--comments", "1", "--at", at)
        assert r.exit_code == 1 and "Traceback" not in r.output
    r = cli("engagement", "top", "--n", "0")
    assert r.exit_code == 1 and "positive" in r.output
    assert ws.store.path.read_bytes() == before


def test_channels_are_compared_against_their_own_median_post_and_the_explanation_says_so(cli, ws):
    """A small Mastodon audience: 40 favourites there is a great post, 400 likes on Instagram a usual one."""
    now = ws.now().replace(microsecond=0)
    old = (now - timedelta(days=40)).astimezone(UTC)
    scopes = "instagram,mastodon"
    people = [approved_portrait(ws, name, age, "senior", scopes=scopes) for name, age in
              (("Brigitte", 81), ("Tamara", 32), ("Jonas", 46), ("Amira", 38))]
    figures = {"instagram": (400, 420, 380, 410), "mastodon": (10, 12, 40, 11)}
    made = [(published(ws, pid, channel, old), n) for channel, likes in figures.items()
            for pid, n in zip(people, likes)]
    with ws.store.transaction() as db:
        for post, n in made:
            engagement.record(db, post["id"], likes=n, comments=0, shares=0, at=old + WEEK, source="manual")
    rows = json.loads(cli("engagement", "top", "--json").output)
    assert rows[0]["portrait_id"] == people[2]  # Jonas: a usual Instagram post, the best Mastodon post by far
    assert "each post against the median post of its channel (= 100): instagram 405, mastodon 11.5" in rows[0]["why"]
    (masto,) = [p for p in rows[0]["posts"] if p["channel"] == "mastodon"]
    assert masto["score"] == round(100 * 40 / 11.5, 1) and "40 against the mastodon median of 11.5" in masto["how"]
    set_config(ws, 'across_channels = "median"', 'across_channels = "sum"')
    rows = json.loads(cli("engagement", "top", "--json").output)
    assert rows[0]["portrait_id"] == people[1]  # raw sums: Instagram's numbers decide alone
