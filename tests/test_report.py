"""The campaign report: a static page whose links all resolve, with no surname and no withdrawn face."""
from __future__ import annotations

import json
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import approved_portrait, configure, make_photo
from campaign.report import write_report
from portraits import consent
from schedules import engagement, posts


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.alts: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href"):
                self.links.append(value)
            if name == "alt":
                self.alts.append(value)


def _published(ws, pid: str, likes: int, days_ago: int = 10) -> str:
    now = ws.now()
    with ws.store.transaction() as db:
        post = posts.create(db, pid, "instagram", now - timedelta(days=days_ago), now - timedelta(days=days_ago + 1))
        posts.update(db, post["id"], now, "published", "test")
        engagement.record(db, post["id"], likes=likes // 2, comments=1, shares=0, at=now - timedelta(days=days_ago - 2))
        engagement.record(db, post["id"], likes=likes, comments=3, shares=1, at=now - timedelta(days=days_ago - 8))
    return post["id"]


def _campaign(ws):
    kept = approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommerfeld", size=(1800, 2250),
                             expires=(ws.now().date() + timedelta(days=12)).isoformat())
    gone = approved_portrait(ws, "Tamara", 32, "health", surname="Kowalczyk", size=(1800, 2250))
    for pid in (kept, gone):  # what `campaign render` leaves: renders/<id>/<format>.jpg
        make_photo(ws.renders / pid / "instagram-feed.jpg", size=(216, 270), seed=len(pid))
    _published(ws, kept, 120)
    _published(ws, gone, 80)
    with ws.store.transaction() as db:
        consent.withdraw(db, gone, None, received=ws.now().date(), via="email")
    return kept, gone


@pytest.mark.any_day
def test_report_links_resolve_and_hold_no_surname(cli, ws):
    kept, gone = _campaign(ws)
    configure(ws, "billboard", format="100x70cm", dpi=30)
    assert cli("billboard", "pick", "--slots", "1").exit_code == 0  # one portrait is eligible: a poster for one
    assert cli("billboard", "approve").exit_code == 0
    assert cli("billboard", "export", "--format", "100x70cm", "--dpi", "30").exit_code == 0

    r = cli("report", "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    index = Path(result["index"])
    assert index == ws.exports / "report" / "index.html"
    page = index.read_text()
    parser = Links()
    parser.feed(page)
    assert parser.links, "the report shows images"
    for link in parser.links:
        assert not link.startswith(("/", "http:", "https:", "file:")), link
        assert (index.parent / link).is_file(), f"{link} does not exist"
    assert "img/engagement.png" in parser.links
    assert "img/billboard.jpg" in parser.links

    for f in index.parent.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert b"Sommerfeld" not in data and b"Kowalczyk" not in data, f

    gallery = page.split("<h2>Gallery</h2>")[1].split("<h2>")[0]
    assert "Brigitte, 81" in gallery
    assert "Tamara" not in gallery and gone not in gallery  # withdrawn: no face in the gallery
    assert result["gallery"] == 1 and result["hidden"] == 1
    assert result["posts"]["published"] == 2
    expiring = page.split("<h2>Consent expiring")[1].split("<h2>")[0]
    assert "Brigitte, 81" in expiring
    ranking = page.split("<h2>Ranking</h2>")[1].split("<h2>")[0]
    assert ranking.index("Brigitte") < ranking.index("Tamara")  # published figures still count


def test_report_on_an_empty_campaign_says_what_to_do(cli, ws, tmp_path):
    out = tmp_path / "shared-drive" / "report"
    r = cli("report", "--out", out)
    assert r.exit_code == 0, r.output
    page = (out / "index.html").read_text()
    assert "campaign render" in page and "campaign schedule plan" in page and "campaign billboard pick" in page
    assert "<img" not in page


def test_a_second_report_drops_images_of_people_withdrawn_since(ws):
    kept, gone = _campaign(ws)
    with ws.store.transaction() as db:
        consent.withdraw(db, kept, None, received=ws.now().date(), via="letter")
    first = write_report(ws)
    assert first["gallery"] == 0
    assert not any(name.startswith(f"img/{kept}") for name in first["files"])


def test_gdpr_erase_removes_overviews_that_show_the_face(cli, ws):
    kept, _gone = _campaign(ws)
    assert cli("render", kept, "--format", "instagram-square").exit_code == 0
    assert cli("report").exit_code == 0
    assert cli("preview").exit_code == 0
    assert cli("gdpr", "erase", kept, "--yes").exit_code == 0
    assert not (ws.exports / "report").exists() and not (ws.exports / "contact-sheet.jpg").exists()
    r = cli("report", "--json")
    assert r.exit_code == 0 and not any(kept in f for f in json.loads(r.output)["files"])
