"""`campaign schedule show`: the post exactly as it will appear, as text, JSON and one HTML page;
the report's next seven days; and posts from before formats and languages existed."""
from __future__ import annotations

import base64
import json
from html.parser import HTMLParser

from conftest import approved_portrait, due_post, set_config

from campaign.outputs.renders import publishing_site
from schedules import posts
from schedules.runner import publish_post


class Page(HTMLParser):
    """What a browser would show: the images' sources and alt texts, the text, the caption lines."""

    def __init__(self):
        super().__init__()
        self.images: list[dict] = []
        self.text: list[str] = []
        self.tags: list[str] = []
        self._in_tag = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        self._in_tag = tag in ("span", "bdi") and attrs.get("class") == "tag"

    def handle_endtag(self, tag):
        self._in_tag = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_tag:
            self.tags.append(data)


def _page(path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_show_prints_image_caption_alt_text_channel_language_format_time_and_approval(cli, ws):
    set_config(ws, 'approval = "none"', 'approval = "two"')
    pid = approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommerfeld")
    r = cli("schedule", "add", pid, "--at", "2030-05-04 18:30", "--channel", "instagram", "--json")
    post_id = json.loads(r.output)[0]["id"]
    cli("--user", "anna", "schedule", "approve", post_id)
    r = cli("schedule", "show", post_id)
    assert r.exit_code == 0, r.output
    assert f"{post_id}: Brigitte on Instagram, feed post, Sat 04.05.2030 18:30 (Europe/Berlin)" in r.output
    assert "Status: planned. Approval: 1 of 2 approvals (anna)." in r.output
    assert f"Image 1 [de]: renders/{pid}/instagram-feed.jpg" in r.output
    assert "  Alt text: Foto von Brigitte, 81, Senior. Zitat: „Brigitte sagt: wir halten zusammen.“" in r.output
    assert "Caption:\n  Brigitte (81), Senior:\n  „Brigitte sagt: wir halten zusammen.“\n\n  #duisburgistechtsolidarisch" \
        in r.output
    assert "Sommerfeld" not in r.output
    assert (ws.renders / pid / "instagram-feed.jpg").is_file()  # made now, as the publisher would


def test_show_html_is_one_page_with_the_exact_image_caption_lines_hashtags_and_escaped_text(cli, ws):
    pid = approved_portrait(ws, "Tamara", 32, "health", surname="Kowalczyk")
    assert cli("portrait", "edit", pid, "--quote", "Wir <b>passen</b> auf & bleiben #zuhause").exit_code == 0
    post_id = due_post(ws, pid, seconds_ahead=3600)
    r = cli("schedule", "show", post_id, "--html")
    assert r.exit_code == 0, r.output
    target = ws.exports / "posts" / f"{post_id}.html"
    assert f"Page: {target}" in r.output
    html = target.read_text(encoding="utf-8")
    assert "<b>passen</b>" not in html and "&lt;b&gt;passen&lt;/b&gt;" in html  # autoescaped
    assert "Kowalczyk" not in html
    page = _page(target)
    main, = [img for img in page.images if img.get("alt")]
    assert main["src"].startswith("data:image/jpeg;base64,")
    sent = base64.b64decode(main["src"].split(",", 1)[1])
    assert sent == (ws.renders / pid / "instagram-feed.jpg").read_bytes()
    assert main["alt"] == "Foto von Tamara, 32, Health. Zitat: „Wir <b>passen</b> auf & bleiben #zuhause“"
    assert page.tags == ["#zuhause", "#duisburgistechtsolidarisch"]
    text = "".join(page.text)
    for words in ("Instagram", "feed post", "Deutsch (de)", "planned", "no approval needed"):
        assert words in text
    assert html.count('<p dir="auto">') == 4  # the caption's four lines, the blank one included


def test_show_of_a_published_post_shows_what_went_out(cli, ws):
    pid = approved_portrait(ws, "Mehmet", 45, "transport")
    post_id = due_post(ws, pid)
    sent = publish_post(publishing_site(ws), post_id)
    assert cli("portrait", "edit", pid, "--quote", "Später geändert.").exit_code == 0
    view = json.loads(cli("schedule", "show", post_id, "--json").output)
    assert view["status"] == "published" and view["caption"] == sent["caption"]
    assert "Später" not in view["caption"]
    assert view["images"][0]["hash"] == sent["images"][0]["hash"]


def test_withdrawal_and_gdpr_erase_remove_the_pages_of_the_persons_posts(cli, ws):
    pid = approved_portrait(ws, "Jonas", 16, "youth")
    on_instagram = due_post(ws, pid, seconds_ahead=3600)
    on_facebook = due_post(ws, pid, channel="facebook", seconds_ahead=3600)
    for post_id in (on_instagram, on_facebook):
        assert cli("schedule", "show", post_id, "--html").exit_code == 0
    pages = {post_id: ws.exports / "posts" / f"{post_id}.html" for post_id in (on_instagram, on_facebook)}
    elsewhere = ws.root.parent / "for-the-press-office.html"
    assert cli("schedule", "show", on_facebook, "--out", elsewhere).exit_code == 0
    assert all(page.is_file() for page in [*pages.values(), elsewhere])
    assert cli("consent", "withdraw", pid, "--scope", "instagram").exit_code == 0
    assert not pages[on_instagram].exists() and pages[on_facebook].is_file()
    assert cli("gdpr", "erase", pid, "--yes").exit_code == 0
    assert not pages[on_facebook].exists() and not elsewhere.exists()


def test_show_out_never_replaces_a_file_it_did_not_write_without_force(cli, ws, tmp_path):
    post_id = due_post(ws, approved_portrait(ws, "Ben", 50, "senior"), seconds_ahead=3600)
    theirs = tmp_path / "Einladung.html"
    theirs.write_text("<p>the office's own page</p>")
    before = ws.store.path.read_bytes()
    r = cli("schedule", "show", post_id, "--out", theirs)
    assert r.exit_code == 1 and "did not write it" in r.output and "--force" in r.output
    assert theirs.read_text() == "<p>the office's own page</p>" and ws.store.path.read_bytes() == before
    ours = tmp_path / "p.html"
    for _ in range(2):  # a page of ours is replaced
        assert cli("schedule", "show", post_id, "--out", ours).exit_code == 0
    assert cli("schedule", "show", post_id, "--out", theirs, "--force").exit_code == 0
    assert "Ben" in theirs.read_text()


def test_the_report_shows_the_next_seven_days_as_they_will_appear(cli, ws):
    pid = approved_portrait(ws, "Olena", 27, "retail", surname="Shevchenko")
    soon = due_post(ws, pid, seconds_ahead=2 * 86400)
    later = due_post(ws, pid, seconds_ahead=9 * 86400)
    r = cli("report", "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert result["next_days"] == 1
    index = ws.exports / "report" / "index.html"
    html = index.read_text(encoding="utf-8")
    coming = html.split('<section id="today">')[1].split("</section>")[0]
    assert f">{soon}<" in coming and "Olena" in coming and later not in coming
    page = _page(index)
    card_images = [img["src"] for img in page.images if img["src"].startswith("img/post-")]
    assert card_images == [f"img/post-{soon}-1.jpg"]
    assert (index.parent / card_images[0]).is_file() and "Shevchenko" not in html


def test_posts_from_before_formats_and_languages_become_feed_posts_in_the_portraits_language(ws):
    from campaign.workspace.store import SCHEMA_VERSION

    pid = approved_portrait(ws, "Anna", 40, "health")
    data = json.loads(ws.store.path.read_text())
    data["portraits"]["1"]["lang"] = "tr"
    data["posts"] = {"1": {"id": "p-1", "portrait_id": pid, "channel": "instagram", "at": "2030-05-04T18:30:00+02:00",
                           "status": "planned", "lang": None, "history": []}}
    data["_meta"]["1"]["schema"] = 1
    ws.store.path.write_text(json.dumps(data))
    post = posts.get(ws.store.read(), "p-1")
    assert (post["format"], post["lang"], post["approvals"]) == ("feed", "tr", [])
    with ws.store.transaction():
        pass
    assert json.loads(ws.store.path.read_text())["_meta"]["1"]["schema"] == SCHEMA_VERSION == 3
