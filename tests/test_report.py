"""The morning report: its sections in order, in German and English, opened in a real headless
Chromium, printed to an A4 PDF; links that resolve, no surname, no withdrawn face."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import approved_portrait, configure, make_photo

from campaign.outputs.report import PDF_NAME, report_parts, write_report
from campaign.workspace import i18n
from portraits import consent
from schedules import engagement, posts

ORDER = ["today", "attention", "calendar", "ranking", "gallery", "consent", "billboard"]


class Page(HTMLParser):
    """Links, images, the <html lang>, element ids, and the text of each <section> by its id."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.images: list[dict] = []
        self.ids: set[str] = set()
        self.lang: str | None = None
        self.sections: dict[str, str] = {}
        self.markup: dict[str, str] = {}
        self._section: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "section":
            self._section = a["id"]
            self.sections[self._section] = ""
            self.markup[self._section] = ""
        if tag == "img":
            self.images.append(a)
        for key in ("src", "href"):
            if a.get(key):
                self.links.append(a[key])
        if self._section:
            self.markup[self._section] += self.get_starttag_text()

    def handle_endtag(self, tag):
        if tag == "section":
            self._section = None

    def handle_data(self, data):
        if self._section:
            self.sections[self._section] += data
            self.markup[self._section] += data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def _published(ws, pid: str, likes: int, days_ago: int = 10) -> str:
    now = ws.now()
    with ws.store.transaction() as db:
        post = posts.create(db, pid, "instagram", now - timedelta(days=days_ago), now - timedelta(days=days_ago + 1))
        posts.update(db, post["id"], now, "published", "test")
        engagement.record(db, post["id"], likes=likes // 2, comments=1, shares=0, at=now - timedelta(days=days_ago - 2))
        engagement.record(db, post["id"], likes=likes, comments=3, shares=1, at=now - timedelta(days=days_ago - 7))
    return post["id"]


def _campaign(ws):
    kept = approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommerfeld", size=(1800, 2250),
                             expires=(ws.now().date() + timedelta(days=12)).isoformat())
    gone = approved_portrait(ws, "Tamara", 32, "health", surname="Kowalczyk", size=(1800, 2250))
    for pid in (kept, gone):  # what `campaign render` leaves: renders/<id>/<format>.jpg
        make_photo(ws.renders / pid / "instagram-feed.jpg", size=(216, 270), seed=len(pid))
        make_photo(ws.renders / pid / "instagram-story.jpg", size=(216, 384), seed=len(pid) + 1)
    _published(ws, kept, 1700)
    _published(ws, gone, 80)
    with ws.store.transaction() as db:
        consent.withdraw(db, gone, None, received=ws.now().date(), via="email")
    return kept, gone


def _tomorrow(ws, pid: str, channel: str = "instagram") -> str:
    now = ws.now()
    with ws.store.transaction() as db:
        return posts.create(db, pid, channel, now + timedelta(days=1), now, lang="de")["id"]


@pytest.mark.any_day
def test_report_sections_in_order_links_resolve_and_no_surname(cli, ws):
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
    page = parse(index.read_text())
    assert list(page.sections) == ORDER
    assert page.images, "the report shows images"
    for link in page.links:
        assert not link.startswith(("/", "http:", "https:", "file:", "//")), link
        if link.startswith("#"):
            assert link[1:] in page.ids, link
        else:
            assert (index.parent / link).is_file(), f"{link} does not exist"
    assert all(img.get("alt", "").strip() for img in page.images)
    assert "img/engagement.svg" in page.links and "img/billboard.jpg" in page.links

    for f in index.parent.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert b"Sommerfeld" not in data and b"Kowalczyk" not in data, f

    gallery = page.markup["gallery"]
    assert "Brigitte, 81" in gallery
    assert "Tamara" not in gallery and gone not in gallery  # withdrawn: no face in the gallery
    assert gallery.count("<figure") == 1 and gallery.count("<details") == 1  # one card, its other format on click
    assert result["gallery"] == 1 and result["hidden"] == 1
    assert result["posts"]["published"] == 2
    assert "Brigitte, 81" in page.sections["attention"]  # her consent expires in 12 days
    ranking = page.sections["ranking"]
    assert ranking.index("Brigitte") < ranking.index("Tamara")  # published figures still count


def test_report_on_an_empty_campaign_says_what_to_do(cli, ws, tmp_path):
    out = tmp_path / "shared-drive" / "report"
    r = cli("report", "--out", out)
    assert r.exit_code == 0, r.output
    page = (out / "index.html").read_text()
    assert "campaign render" in page and "campaign schedule plan" in page and "campaign billboard pick" in page
    assert "<img" not in page
    assert list(parse(page).sections) == ORDER


def test_a_second_report_drops_images_of_people_withdrawn_since(ws):
    kept, gone = _campaign(ws)
    with ws.store.transaction() as db:
        consent.withdraw(db, kept, None, received=ws.now().date(), via="letter")
    first = write_report(ws)
    assert first["gallery"] == 0
    assert not any(name.startswith(f"img/{kept}") for name in first["files"])


def test_a_second_report_reuses_unchanged_thumbnails_and_remakes_changed_ones(ws):
    kept, _gone = _campaign(ws)
    first = write_report(ws)
    assert first["thumbnails"] == {"made": 2, "reused": 0}  # Brigitte's two formats; Tamara withdrew
    again = write_report(ws)
    assert again["thumbnails"] == {"made": 0, "reused": 2}
    make_photo(ws.renders / kept / "instagram-story.jpg", size=(216, 384), seed=99)  # rendered again
    third = write_report(ws)
    assert third["thumbnails"] == {"made": 1, "reused": 1}
    folder = ws.exports / "report"
    assert sorted(f.name for f in (folder / "img").glob("*.jpg")) == [f"{kept}-instagram-feed.jpg", f"{kept}-instagram-story.jpg"]
    assert not list(folder.glob(".campaign-report-*"))
    with ws.store.transaction() as db:
        consent.withdraw(db, kept, None, received=ws.now().date(), via="letter")
    assert write_report(ws)["thumbnails"] == {"made": 0, "reused": 0}
    assert not list((folder / "img").glob("*.jpg"))


def test_gdpr_erase_removes_overviews_that_show_the_face(cli, ws):
    kept, _gone = _campaign(ws)
    assert cli("render", kept, "--format", "instagram-square").exit_code == 0
    assert cli("report").exit_code == 0
    assert cli("preview").exit_code == 0
    assert cli("gdpr", "erase", kept, "--yes").exit_code == 0
    assert not (ws.exports / "report").exists() and not (ws.exports / "contact-sheet.jpg").exists()
    r = cli("report", "--json")
    assert r.exit_code == 0 and not any(kept in f for f in json.loads(r.output)["files"])


def test_the_next_days_show_each_post_as_it_will_appear_and_what_needs_someone(cli, ws):
    kept, gone = _campaign(ws)
    configure(ws, "posting", approval="one")
    soon = _tomorrow(ws, kept)
    now = ws.now()
    with ws.store.transaction() as db:
        failed = posts.create(db, kept, "instagram", now - timedelta(days=2), now - timedelta(days=3))["id"]
        posts.update(db, failed, now, "failed", "test", error="the token has expired")
        unknown = posts.create(db, kept, "facebook", now - timedelta(days=1), now - timedelta(days=3))["id"]
        posts.update(db, unknown, now, "unknown", "test")
        this_morning = posts.create(db, gone, "facebook", now - timedelta(hours=1), now - timedelta(days=3))["id"]
        posts.update(db, this_morning, now, "published", "test")  # she withdrew after it went out
    gone_post = next(p for p in posts.all_posts(ws.store.read()) if p["portrait_id"] == gone)
    with ws.store.transaction() as db:
        posts.set_fields(db, gone_post["id"], permalink="https://www.instagram.com/p/abc123/")

    result = write_report(ws, lang="en")
    page = parse(Path(result["index"]).read_text())
    today = page.markup["today"]
    assert f'post-{soon}-1.jpg' in today  # a thumbnail of its current render
    assert "Brigitte" in today and "0 of 1 approvals" in today and "Instagram" in today
    assert "Tamara" not in today and gone not in today  # withdrawn: not shown, only a takedown task
    attention = page.sections["attention"]
    assert f"campaign schedule retry {failed}" in attention and "the token has expired" in attention
    assert unknown in attention and "campaign reconcile" in attention
    assert f"campaign schedule approve {soon}" in attention  # waiting for approval
    takedown = attention.split("Take down by hand")[1]
    assert gone_post["id"] in takedown and "abc123" in takedown and "Tamara" not in takedown
    assert this_morning in takedown
    assert result["attention"] == {"failed": 1, "unknown": 1, "waiting": 1, "expiring": 1, "takedown": 2}


def test_the_calendar_is_a_month_grid_and_shows_cancelled_posts_only_on_request(cli, ws):
    kept, _gone = _campaign(ws)
    keep = _tomorrow(ws, kept)
    drop = _tomorrow(ws, kept, "facebook")
    with ws.store.transaction() as db:
        posts.cancel(db, drop, ws.now())
    assert cli("report").exit_code == 0
    page = parse((ws.exports / "report" / "index.html").read_text())
    calendar = page.markup["calendar"]
    assert calendar.count("<table") == 2 and calendar.count("<tr") >= 2 * 5  # this month and the next, week rows
    assert f'title="{keep} ' in calendar and f'title="{drop} ' not in calendar
    assert "--cancelled" in calendar  # says how to see them
    assert cli("report", "--cancelled").exit_code == 0
    calendar = parse((ws.exports / "report" / "index.html").read_text()).markup["calendar"]
    assert f'title="{drop} ' in calendar and 'class="st-cancelled"' in calendar


def test_german_and_english_reports_of_the_same_data(cli, ws, tmp_path, monkeypatch):
    _campaign(ws)
    pages = {}
    for lang in ("de", "en"):
        result = write_report(ws, tmp_path / lang, lang=lang)
        assert result["lang"] == lang
        pages[lang] = parse(Path(result["index"]).read_text())
    de, en = pages["de"], pages["en"]
    assert de.lang == "de" and en.lang == "en"
    assert "Heute und die nächsten 7 Tage" in de.sections["today"] and "Galerie" in de.sections["gallery"]
    assert "Today and the next 7 days" in en.sections["today"] and "Gallery" in en.sections["gallery"]
    assert "1.700" in de.sections["ranking"] and "1,700" in en.sections["ranking"]
    assert "1,700" not in de.sections["ranking"] and "1.700" not in en.sections["ranking"]
    assert re.search(r"\d\d\.\d\d\.\d{4}", de.sections["attention"])  # the expiry as 24.12.2026
    chart_de = (tmp_path / "de" / "img" / "engagement.svg").read_text()
    assert "gewichtete Interaktionen" in chart_de and "weighted engagement" in (tmp_path / "en" / "img" / "engagement.svg").read_text()
    for lang, words in (("de", "Bericht geschrieben"), ("en", "Report written")):
        monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)  # how the interface language is chosen (`--ui-lang` too)
        with i18n.use(lang):
            assert words in cli("report").output


def test_the_chart_axis_spans_the_data_and_a_single_snapshot_is_a_point(ws):
    from zoneinfo import ZoneInfo

    import matplotlib.pyplot as plt
    from matplotlib.dates import num2date

    from campaign.outputs.report import chart

    _campaign(ws)
    result = write_report(ws, lang="de")
    stamps = [datetime.fromisoformat(s["at"]) for s in engagement.snapshots(ws.store.read())]
    first, last = min(stamps), max(stamps)
    start, end = (datetime.fromisoformat(result["chart"][k]) for k in ("from", "to"))
    margin = max((last - first) * 0.05, timedelta(hours=12))
    assert first - margin <= start < first and last < end <= last + margin  # the data plus a small margin
    assert (end - start) < timedelta(days=30)

    tz = ZoneInfo("Europe/Berlin")
    one = [chart.Series("Brigitte (81)", [(first, 120.0)])]
    fig = chart.figure(one, "weighted engagement", "en", tz)
    try:
        ax = fig.axes[0]
        low, high = (num2date(x, tz=tz) for x in ax.get_xlim())
        assert low < first < high and high - low <= timedelta(days=1, minutes=1)  # a day, not four years
        assert [line.get_linestyle() for line in ax.lines] == ["None"]  # a point, not a line
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert labels and all(label for label in labels)
    finally:
        plt.close(fig)


@pytest.mark.slow  # Chromium prints the page
def test_report_pdf_is_the_a4_print_version(cli, ws, monkeypatch):
    from pypdf import PdfReader

    _campaign(ws)
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "de")
    with i18n.use("de"):
        r = cli("report", "--pdf", "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    pdf = Path(result["pdf"])
    assert pdf == ws.exports / "report" / PDF_NAME and PDF_NAME in result["files"]
    reader = PdfReader(pdf)
    assert 1 <= len(reader.pages) <= 8
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2  # A4 in points
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Heute und die nächsten 7 Tage" in text and "Sommerfeld" not in text
    assert pdf in report_parts(Path(result["index"]))  # erasure removes it with the page
    assert cli("report").exit_code == 0 and not pdf.exists()  # a report without --pdf leaves no stale PDF


@pytest.mark.real_clock
def test_the_report_loads_in_chromium_without_a_failed_request_or_console_error(ws, tmp_path):
    import subprocess

    from PIL import Image, ImageStat
    from test_gallery import CHROMIUM_FLAGS, _serve, chromium

    kept, _gone = _campaign(ws)
    _tomorrow(ws, kept)
    folder = Path(write_report(ws, lang="de")["index"]).parent
    server, log = _serve(folder)
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    shot = tmp_path / "report.png"
    try:
        dom = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'p1'}", "--window-size=1280,3000",
                              "--virtual-time-budget=10000", "--enable-logging=stderr", "--v=0", "--dump-dom", url],
                             capture_output=True, text=True, timeout=120)
        taken = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'p2'}", "--window-size=1280,2000",
                                "--virtual-time-budget=10000", f"--screenshot={shot}", url],
                               capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    assert dom.returncode == 0 and taken.returncode == 0, dom.stderr[-2000:] + taken.stderr[-2000:]
    assert not re.search(r"CONSOLE|Uncaught|Failed to load resource", dom.stderr), dom.stderr[-2000:]
    requested = [(p, code) for p, code in log if p != "/favicon.ico"]
    assert requested[0] == ("/index.html", 200)
    assert all(code == 200 for _p, code in requested), requested
    assert {p for p, _ in requested} >= {"/img/engagement.svg", f"/img/{kept}-instagram-feed.jpg"}
    page = parse(dom.stdout)
    assert list(page.sections) == ORDER and page.lang == "de"
    assert page.images and all(img.get("alt", "").strip() for img in page.images)
    with Image.open(shot) as im:
        assert im.size == (1280, 2000)
        spread = ImageStat.Stat(im.convert("L")).stddev[0]
    assert spread > 10, "the screenshot is blank"


@pytest.mark.slow  # Chromium prints the page
def test_report_pdf_out_a_pdf_file_writes_that_file_readable_by_its_owner_only(cli, ws, tmp_path, monkeypatch):
    from pypdf import PdfReader

    from campaign.workspace import footprint

    _campaign(ws)
    target = tmp_path / "Bericht.pdf"
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "de")
    r = cli("report", "--pdf", "--out", str(target), "--json")
    assert r.exit_code == 0, r.output
    assert target.is_file() and not target.is_dir()
    assert json.loads(r.output)["pdf"] == str(target)
    assert len(PdfReader(target).pages) >= 1
    assert target.stat().st_mode & 0o777 == 0o600  # the consent figures stay private
    assert (ws.exports / "report" / "index.html").is_file()  # the page it was printed from
    assert footprint.written_here(ws, "report-pdf", target)  # erasure and withdrawal find it
    r = cli("report", "--pdf", "--out", str(target))  # made again: the tool's own file is replaced
    assert r.exit_code == 0 and f"Druckfassung: {target}" in r.output


def test_report_pdf_out_never_replaces_a_file_it_did_not_write(cli, ws, tmp_path, monkeypatch):
    _campaign(ws)
    theirs = tmp_path / "theirs.pdf"
    theirs.write_bytes(b"%PDF-1.4 someone else's")
    for lang, words in (("de", "nicht von einem Bericht"), ("en", "no campaign report wrote it")):
        monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)
        r = cli("report", "--pdf", "--out", str(theirs))
        assert r.exit_code == 1 and words in r.output and "Traceback" not in r.output
    assert theirs.read_bytes() == b"%PDF-1.4 someone else's"
    assert not (ws.exports / "report" / "index.html").exists()
