"""The HTML pages as a browser lays them out (headless Chromium at a phone's 390 px and a desktop's
1280 px): a long German word stays inside its gallery card, and a Latin hashtag in right-to-left
text reads "#duisburgistechtsolidarisch", not "duisburgistechtsolidarisch#"."""
from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime, time
from pathlib import Path

import pytest
from conftest import approved_portrait, configure
from test_gallery import CHROMIUM_FLAGS, chromium

from portraits import records
from schedules import posts

LONG_ROLE = "Nachbarschaftshilfeorganisatorin"
LONG_QUOTE = ("Die Nachbarschaftshilfeorganisationsverantwortlichkeitsbereiche wachsen jeden Tag, und "
              "Donaudampfschifffahrtsgesellschaftskapitäne helfen mit.")

# Run in the page after layout: what overflows its card or the window, and where each hashtag's "#"
# is drawn relative to its first letter (Range boxes: the pixels a reader sees, not the markup).
PROBE = """<script>
window.addEventListener("load", () => {
  const out = {overflow: [], tags: [], width: document.documentElement.clientWidth,
               scroll: document.documentElement.scrollWidth};
  for (const card of document.querySelectorAll("figure")) {
    const box = card.getBoundingClientRect(), cell = card.parentElement.getBoundingClientRect();
    if (box.right > cell.right + 1 || box.width > 640) out.overflow.push("card wider than its column");
    for (const el of card.querySelectorAll("figcaption *")) {
      const r = el.getBoundingClientRect();
      if (r.right > box.right + 1 || r.left < box.left - 1) out.overflow.push(el.textContent.slice(0, 40));
      const range = document.createRange();
      for (const node of el.childNodes) {
        if (node.nodeType !== 3 || !node.textContent.length) continue;
        range.selectNodeContents(node);
        const t = range.getBoundingClientRect();
        if (t.right > box.right + 1 || t.left < box.left - 1) out.overflow.push(node.textContent.slice(0, 40));
      }
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.textContent.indexOf("#duisburg");
    if (at < 0 || node.parentElement.closest("script, style, title")) continue;
    const mark = document.createRange(), first = document.createRange();
    mark.setStart(node, at); mark.setEnd(node, at + 1);
    first.setStart(node, at + 1); first.setEnd(node, at + 2);
    const m = mark.getBoundingClientRect(), f = first.getBoundingClientRect();
    out.tags.push({hash_left_of_word: m.left < f.left, dir: getComputedStyle(node.parentElement).direction,
                   in: node.parentElement.tagName, text: node.textContent.slice(Math.max(0, at - 20), at + 12)});
  }
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def _probe(page: Path, width: int, tmp_path: Path) -> dict:
    """The page laid out at `width` px: the probe's findings."""
    probed = page.with_name(f"probed-{width}-{page.name}")
    # Headless Chromium's window is at least 500 px wide: a phone's narrower page is set by its width.
    narrow = f"<style>html{{width:{width}px}}</style>" if width < 500 else ""
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", narrow + PROBE + "</body>"),
                      encoding="utf-8")
    done = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / f'profile-{width}'}",
                           f"--window-size={width},2000", "--virtual-time-budget=5000", "--dump-dom",
                           probed.as_uri()], capture_output=True, text=True, timeout=120)
    probed.unlink()
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stdout[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.mark.real_clock
@pytest.mark.parametrize("width", [390, 1280])
def test_a_gallery_card_with_a_long_german_word_stays_inside_the_card_and_the_page(ws, width, tmp_path):
    from campaign.outputs.gallery import make_gallery

    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes="website")
    with ws.store.transaction() as db:
        records.edit_portrait(db, pid, {"role": LONG_ROLE, "quote": LONG_QUOTE})
    folder = Path(make_gallery(ws)["folder"])
    found = _probe(folder / "index.html", width, tmp_path)
    assert found["overflow"] == [], found
    assert found["scroll"] <= max(found["width"], 500), found  # no sideways scrolling


def _arabic(ws) -> str:
    pid = approved_portrait(ws, "Layla", 29, "teacher", scopes="instagram,whatsapp")
    with ws.store.transaction() as db:
        records.translate_portrait(db, pid, "ar", "نحن معًا أقوى من أي أزمة.", role="معلمة")
    return pid


@pytest.mark.real_clock
@pytest.mark.parametrize("width", [390, 1280])
def test_the_hashtag_in_an_arabic_whatsapp_message_reads_left_to_right(cli, ws, width, tmp_path):
    configure(ws, "whatsapp", lines={"de": "Duisburg ist echt solidarisch.", "ar": "دويسبورغ متضامنة حقًا."})
    pid = _arabic(ws)
    with ws.store.transaction() as db:
        posts.create(db, pid, "instagram", datetime.combine(ws.now().date(), time(18, 30), ws.tz), ws.now())
    r = cli("whatsapp", "bundle", "--json")
    assert r.exit_code == 0, r.output
    found = _probe(Path(json.loads(r.output)["index"]), width, tmp_path)
    rtl = [t for t in found["tags"] if t["dir"] == "rtl"] or found["tags"]
    assert len(found["tags"]) >= 2 and all(t["hash_left_of_word"] for t in found["tags"]), found
    assert rtl


@pytest.mark.real_clock
@pytest.mark.parametrize("width", [390, 1280])
def test_the_hashtag_in_an_arabic_post_page_reads_left_to_right(cli, ws, width, tmp_path):
    pid = _arabic(ws)
    r = cli("schedule", "add", pid, "--at", "2030-05-04 18:30", "--channel", "instagram", "--lang", "ar", "--json")
    assert r.exit_code == 0, r.output
    post_id = json.loads(r.output)[0]["id"]
    r = cli("schedule", "show", post_id, "--html")
    assert r.exit_code == 0, r.output
    found = _probe(ws.exports / "posts" / f"{post_id}.html", width, tmp_path)
    assert found["tags"] and all(t["hash_left_of_word"] for t in found["tags"]), found
