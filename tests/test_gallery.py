"""The website gallery: website consent only, first names only, checked in a real headless Chromium."""
from __future__ import annotations

import json
import shutil
import subprocess
import threading
from datetime import date
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from conftest import make_photo
from PIL import Image

from portraits import consent, metadata, records

SURNAME = "Geheimnachname"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                  # any host but this machine is unreachable: a request elsewhere would show as a failure
                  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Chromium is installed by `make setup` (Debian package chromium)"
    return path


class Page(HTMLParser):
    """Every <img> with its attributes, and every element that carries a lang attribute."""

    def __init__(self):
        super().__init__()
        self.images: list[dict] = []
        self.langs: list[tuple[str, dict]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a)
        if "lang" in a:
            self.langs.append((tag, a))
        for key in ("src", "href"):
            if a.get(key):
                self.links.append(a[key])
        if a.get("srcset"):
            self.links += [part.strip().split(" ")[0] for part in a["srcset"].split(",")]


@pytest.fixture
def people(ws):
    """Brigitte (German, a Turkish translation), Layla (Arabic, a German translation), Jonas (no website consent)."""
    rows = [("Brigitte", 81, "Rentnerin", "Meine Generation hat viele Krisen überstanden.", "de",
             ("tr", "Benim kuşağım birçok krizi atlattı.", "emekli"), "instagram,website"),
            ("Layla", 29, "معلمة", "نحن معًا أقوى من أي أزمة.", "ar",
             ("de", "Zusammen sind wir stärker als jede Krise.", "Lehrerin"), "website"),
            ("Jonas", 45, "Busfahrer", "Ich fahre weiter.", "de", None, "instagram,press")]
    ids = {}
    with ws.store.transaction() as db:
        for i, (first, age, role, quote, lang, translation, scopes) in enumerate(rows):
            photo = make_photo(ws.root.parent / "in" / f"{first}.jpg", size=(1600, 2000), seed=i * 7 + 3, exif=True)
            rec = records.add_portrait(db, ws.photos, photo, first_name=first, age=age, role=role, quote=quote,
                                       lang=lang, credit="Studio Nord", surname=SURNAME)
            if translation:
                records.translate_portrait(db, rec["id"], translation[0], translation[1], role=translation[2])
            consent.grant(db, rec["id"], scopes, date(2026, 1, 1), today=date(2100, 1, 1))
            records.approve_portrait(db, rec["id"], True)
            ids[first] = rec["id"]
    return ids


def _gallery(cli) -> dict:
    r = cli("gallery", "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_the_gallery_shows_only_website_consent_with_alt_text_lang_and_dir(cli, ws, people):
    result = _gallery(cli)
    folder = Path(result["folder"])
    assert folder == ws.exports / "gallery"
    assert result["portraits"] == [people["Brigitte"], people["Layla"]]
    page = Page()
    page.feed((folder / "index.html").read_text())
    assert len(page.images) == 2
    for img in page.images:
        assert img["alt"].strip() and img.get("srcset") and img.get("width") and img.get("height")
    assert page.images[0]["alt"] == "Foto von Brigitte, 81, Rentnerin"
    quotes = [(a["lang"], a.get("dir")) for tag, a in page.langs if tag == "blockquote"]
    assert quotes == [("de", "ltr"), ("tr", "ltr"), ("ar", "rtl"), ("de", "ltr")]
    for link in page.links:
        assert not link.startswith(("/", "http:", "https:", "//", "file:")), link
        assert (folder / link).is_file(), link
    everything = b"".join(f.read_bytes() for f in folder.rglob("*") if f.is_file())
    assert b"Jonas" not in everything and b"jonas" not in everything and SURNAME.encode() not in everything
    for tag in (b"<script", b"<iframe", b"@import", b"url("):
        assert tag not in everything  # no scripts, no embedded pages, no fonts or images fetched by CSS


def test_gallery_json_describes_every_portrait_for_the_cms(cli, ws, people):
    folder = Path(_gallery(cli)["folder"])
    data = json.loads((folder / "gallery.json").read_text())
    layla = next(p for p in data["portraits"] if p["id"] == people["Layla"])
    assert layla["first_name"] == "Layla" and layla["age"] == 29 and layla["dir"] == "rtl"
    assert layla["quotes"][0] == {"lang": "ar", "text": "«نحن معًا أقوى من أي أزمة.»", "dir": "rtl"}
    assert [i["width"] for i in layla["images"]] == [360, 720, 1080]
    for image in layla["images"]:
        with Image.open(folder / image["src"]) as im:
            assert im.size == (image["width"], image["height"])
    assert "surname" not in json.dumps(data)


def test_gallery_images_carry_no_metadata_at_all(cli, ws, people):
    folder = Path(_gallery(cli)["folder"])
    for tags in metadata.read(sorted((folder / "img").glob("*.jpg"))):
        groups = {key.split(":")[0] for key in tags}
        assert groups <= {"SourceFile", "ExifTool", "System", "File", "JFIF", "Composite"}, groups


def _serve(folder: Path):
    log: list[tuple[str, int]] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_request(self, code="-", size="-"):
            log.append((self.path, int(code)))

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, log


def _dump_dom(url: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,3000",
                           "--virtual-time-budget=10000", "--enable-logging=stderr", "--v=0", "--dump-dom", url],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.real_clock
def test_the_gallery_loads_in_chromium_with_every_request_answered_and_nothing_from_elsewhere(ws, people, tmp_path):
    from campaign.outputs.gallery import make_gallery

    folder = Path(make_gallery(ws)["folder"])
    server, log = _serve(folder)
    try:
        done = _dump_dom(f"http://127.0.0.1:{server.server_address[1]}/index.html", tmp_path / "profile")
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr[-2000:]
    dom = Page()
    dom.feed(done.stdout)
    assert len(dom.images) == 2 and all(img["alt"].strip() for img in dom.images)
    paths = [p for p, _code in log if p != "/favicon.ico"]
    assert paths[0] == "/index.html"
    assert all(code == 200 for p, code in log if p != "/favicon.ico"), log
    loaded = {p for p in paths if p.startswith("/img/")}
    assert {p.split("/")[-1].rsplit("-", 1)[0] for p in loaded} == {people["Brigitte"], people["Layla"]}
    assert set(paths) <= {"/index.html"} | loaded  # nothing but the page and its images


def _face_pixels(url: str, profile: Path, shot: Path) -> int:
    """Pixels of the face-coloured ovals (230, 190, 160) in a screenshot of the page: images that loaded."""
    done = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,1400",
                           "--virtual-time-budget=10000", f"--screenshot={shot}", url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    with Image.open(shot) as im:
        pixels = np.asarray(im.convert("RGB"), dtype=np.int16)
    return int((np.abs(pixels - np.array([230, 190, 160])) < 12).all(axis=2).sum())


@pytest.mark.real_clock
def test_the_gallery_opens_from_the_folder_without_a_server_and_shows_its_images(ws, people, tmp_path):
    from campaign.outputs.gallery import make_gallery

    folder = Path(make_gallery(ws)["folder"])
    url = folder.joinpath("index.html").as_uri()
    shown = _face_pixels(url, tmp_path / "p1", tmp_path / "ok.png")
    assert shown > 2 * 5000  # both faces, each some 100 x 130 px on the page
    shutil.rmtree(folder / "img")  # the same check sees a page whose images do not load
    assert _face_pixels(url, tmp_path / "p2", tmp_path / "broken.png") < 50


def test_a_withdrawal_of_website_consent_removes_the_gallery_until_it_is_made_again(cli, ws, people):
    folder = Path(_gallery(cli)["folder"])
    r = cli("consent", "withdraw", people["Layla"], "--scope", "website")
    assert r.exit_code == 0 and "campaign gallery" in r.output and "website" in r.output
    assert not folder.exists()
    again = _gallery(cli)
    assert again["portraits"] == [people["Brigitte"]]
    r = cli("consent", "withdraw", people["Brigitte"], "--scope", "instagram")
    assert r.exit_code == 0 and (folder / "index.html").is_file()  # another scope: the gallery stays


def test_no_website_consent_is_a_clear_error_and_writes_nothing(cli, ws):
    r = cli("gallery")
    assert r.exit_code == 1 and "website consent" in r.output
    assert not (ws.exports / "gallery").exists()


@pytest.mark.real_clock
def test_a_gallery_killed_at_any_moment_leaves_nothing_that_erasure_would_miss(ws, people):
    import os
    import signal
    import subprocess as sp
    import sys
    import time

    from conftest import ROOT

    from campaign.privacy import places
    from campaign.workspace import footprint


    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAMPAIGN_WORKSPACE": str(ws.root)}
    for delay in (0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.4, 3.0):
        proc = sp.Popen([sys.executable, "-m", "campaign", "gallery"], env=env, stdout=sp.DEVNULL, stderr=sp.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        scan = footprint.Scan(ws, ws.store.read())
        place = places.place("website gallery")
        known = {path for pid in people.values() for path in place.person_files(scan, pid)}
        for entry in ws.exports.iterdir():
            assert entry in known, f"after a kill at {delay} s, {entry.name} is on no list"
        shown = {f.name.rsplit("-", 1)[0] for f in (ws.exports / "gallery" / "img").glob("*.jpg")}
        recorded = {pid for r in scan.db.table("outputs").all() if r["kind"] == "gallery" for pid in r["portraits"]}
        assert shown <= recorded, (delay, shown, recorded)
    r = sp.run([sys.executable, "-m", "campaign", "gdpr", "erase", people["Layla"], "--yes"], env=env,
               capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not any("layla" in p.name for p in ws.exports.rglob("*"))
