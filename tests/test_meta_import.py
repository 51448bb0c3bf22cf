"""engagement import: Meta Business Suite exports, German or English, matched by id or permalink."""
from __future__ import annotations

import json
from datetime import timedelta

from conftest import approved_portrait

from schedules import engagement, posts


def _published(ws, pid, channel, remote_id, permalink):
    with ws.store.transaction() as db:
        post = posts.create(db, pid, channel, ws.now() - timedelta(days=2), ws.now() - timedelta(days=3))
        posts.update(db, post["id"], ws.now(), "published", "test", remote_id=remote_id, permalink=permalink,
                     published_at=(ws.now() - timedelta(days=2)).isoformat())
    return post["id"]


def _campaign(ws):
    a = approved_portrait(ws, "Brigitte", 81, "senior")
    b = approved_portrait(ws, "Tamara", 32, "health")
    fb1 = _published(ws, a, "facebook", "1001_9001", "https://www.facebook.com/1001_9001")
    fb2 = _published(ws, b, "facebook", "1001_9002", "https://www.facebook.com/1001_9002")
    ig = _published(ws, b, "instagram", "3141592653", "https://www.instagram.com/p/CxYz123/")
    return fb1, fb2, ig


def test_german_facebook_export_with_german_numbers(cli, ws, tmp_path):
    fb1, fb2, _ig = _campaign(ws)
    export = tmp_path / "Beitraege.csv"
    export.write_text("Beitrags-ID;Permalink;Veröffentlichungszeitpunkt;Reaktionen;Kommentare;Geteilte Inhalte;Reichweite\n"
                      "1001_9001;https://www.facebook.com/1001_9001;03/20/2026 18:30;1.700;85;1.024;40.500\n"
                      "9002;;03/21/2026 18:30;250;3;7;\n"
                      "1001_7777;https://www.facebook.com/1001_7777;03/22/2026 18:30;5;0;0;100\n", encoding="utf-8-sig")
    r = cli("engagement", "import", export, "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    got = {i["post_id"]: i for i in result["imported"]}
    assert got[fb1]["likes"] == 1700 and got[fb1]["shares"] == 1024 and got[fb1]["reach"] == 40500
    assert got[fb2]["likes"] == 250 and got[fb2]["reach"] is None
    assert result["unmatched"] == [{"line": 4, "post_id": "1001_7777", "permalink": "https://www.facebook.com/1001_7777"}]
    snaps = engagement.snapshots(ws.store.read(), fb1)
    assert [(s["likes"], s["source"]) for s in snaps] == [(1700, "import")]


def test_english_instagram_export_matched_by_permalink(cli, ws, tmp_path):
    _fb1, _fb2, ig = _campaign(ws)
    export = tmp_path / "instagram.csv"
    export.write_text("Post ID,Account username,Description,Permalink,Likes,Comments,Shares,Reach\n"
                      ',stadt.duisburg,"Tamara (32), Health",http://instagram.com/p/CxYz123,"1,234",56,7,"9,876"\n')
    r = cli("engagement", "import", export)
    assert r.exit_code == 0 and "Imported figures for 1 post." in r.output
    (snap,) = engagement.snapshots(ws.store.read(), ig)
    assert (snap["likes"], snap["comments"], snap["shares"], snap["reach"]) == (1234, 56, 7, 9876)


def test_bad_rows_import_nothing(cli, ws, tmp_path):
    _campaign(ws)
    before = (ws.root / "campaign.json").read_bytes()
    twice = tmp_path / "twice.csv"
    twice.write_text("Post ID,Reactions,Comments,Shares\n1001_9001,10,1,0\n9001,12,1,0\n")
    r = cli("engagement", "import", twice)
    assert r.exit_code == 1 and "line 3: the same post as line 2" in r.output and "nothing was imported" in r.output
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("Post ID,Reactions,Comments,Shares\n1001_9001,lots,1,0\n")
    r = cli("engagement", "import", wrong)
    assert r.exit_code == 1 and "'lots' is not a whole number" in r.output
    headless = tmp_path / "other.csv"
    headless.write_text("Name,Value\nx,1\n")
    r = cli("engagement", "import", headless)
    assert r.exit_code == 1 and "no post id or permalink column" in r.output
    assert (ws.root / "campaign.json").read_bytes() == before
