"""`engagement record`: hand-typed figures become snapshots; bad figures change nothing."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from conftest import approved_portrait

from campaign.outputs.renders import publishing_site
from schedules import engagement, posts
from schedules.runner import publish_post


def published_post(ws, first="Anna", age=40):
    pid = approved_portrait(ws, first, age, "health")
    with ws.store.transaction() as db:
        post = posts.create(db, pid, "instagram", ws.now() + timedelta(hours=1), ws.now())
    return publish_post(publishing_site(ws), post["id"], force=True)


@pytest.mark.any_day
def test_record_keeps_every_snapshot_as_a_time_series(cli, ws):
    post = published_post(ws)
    assert post["status"] == "published"
    r = cli("engagement", "record", post["id"], "--likes", "120", "--comments", "8", "--shares", "3", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["likes"] == 120
    r = cli("engagement", "record", post["id"], "--likes", "1700", "--comments", "40")
    assert r.exit_code == 0 and "1,700 likes" in r.output  # figures in the interface language
    snaps = engagement.snapshots(ws.store.read(), post["id"])
    assert [(s["likes"], s["comments"], s["shares"], s["source"]) for s in snaps] == \
        [(120, 8, 3, "manual"), (1700, 40, 0, "manual")]
    assert all(s["portrait_id"] == post["portrait_id"] and s["channel"] == "instagram" for s in snaps)


def test_bad_figures_and_unpublished_posts_are_refused_and_change_nothing(cli, ws):
    post = published_post(ws)
    pid = approved_portrait(ws, "Ben", 50, "senior")
    with ws.store.transaction() as db:
        planned = posts.create(db, pid, "facebook", ws.now() + timedelta(days=1), ws.now())
    before = ws.store.path.read_bytes()
    for args, words in [((post["id"], "--likes", "-5", "--comments", "1"), "negative"),
                        ((post["id"], "--likes", "many", "--comments", "1"), "not a whole number"),
                        ((post["id"], "--likes", "2.5", "--comments", "1"), "not a whole number"),
                        ((planned["id"], "--likes", "5", "--comments", "1"), "not published"),
                        (("p-999", "--likes", "5", "--comments", "1"), "No post")]:
        r = cli("engagement", "record", *args)
        assert r.exit_code == 1 and words in r.output, (args, r.output)
        assert "Traceback" not in r.output
        assert ws.store.path.read_bytes() == before
