"""Rendering: four formats, first name only, no metadata, text that fits, Arabic shaped, a cache."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import approved_portrait, make_photo, set_config
from portraits import fonts, records, textfit
from portraits.layouts import LAYOUTS
from portraits.render import name_line, typographic

SURNAME = "Geheimnachname"


def _exif_photo(path: Path) -> Path:
    """A camera JPEG with make, model, a GPS position, XMP and a comment."""
    img = Image.new("RGB", (1400, 1750), (150, 120, 100))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x0110] = "CameraModel"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 26.0, 0.0), 3: "E", 4: (6.0, 45.0, 0.0)})
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    img.save(path, exif=exif.tobytes(), xmp=xmp, comment=b"shot at Koenigstrasse 5", quality=90)
    return path


@pytest.fixture
def portrait(ws, tmp_path):
    """An approved portrait from a camera JPEG with GPS, with a surname on file and a translation."""
    photo = _exif_photo(tmp_path / "camera.jpg")
    from datetime import date

    from portraits import consent

    with ws.store.transaction() as db:
        rec = records.add_portrait(db, ws.photos, photo, first_name="Brigitte", age=81, role="Rentnerin",
                                   quote="Meine Generation hat viele Krisen überstanden.", surname=SURNAME,
                                   credit="Studio Nord")
        consent.grant(db, rec["id"], "instagram,facebook", date(2026, 1, 1))
        records.approve_portrait(db, rec["id"], True)
        records.translate_portrait(db, rec["id"], "ar", "التضامن يعني أن نكون هنا من أجل بعضنا البعض.", "طبيبة")
    return rec["id"]


def test_renders_every_format_without_metadata_or_surname(cli, ws, portrait):
    raw = (ws.root / records.get(ws.store.read(), portrait)["photo"]["file"]).read_bytes()
    assert b"CameraMaker" not in raw and b"Koenigstrasse" not in raw  # not even the kept copy
    r = cli("render", "--json")
    assert r.exit_code == 0, r.output
    made = json.loads(r.output)["rendered"]
    assert {(m["format"], m["lang"]) for m in made} == {(f, lg) for f in LAYOUTS for lg in ("de", "ar")}
    folder = ws.renders / portrait
    for fmt, layout in LAYOUTS.items():
        for name in (f"{fmt}.jpg", f"{fmt}-ar.jpg"):
            data = (folder / name).read_bytes()
            for secret in (b"Exif", b"CameraMaker", b"GPS", b"Koenigstrasse", b"xmpmeta", b"adobe", SURNAME.encode()):
                assert secret not in data, (name, secret)
            with Image.open(folder / name) as im:
                assert im.format == "JPEG" and im.mode == "RGB" and im.size == layout.size
                assert not {"exif", "icc_profile", "comment", "xmp", "photoshop"} & set(im.info), im.info.keys()
    alts = {p.name: json.loads(p.read_text())["alt_text"] for p in folder.glob("*.json")}
    assert alts["instagram-feed.json"] == ("Foto von Brigitte, 81, Rentnerin. Zitat: "
                                           "\u201eMeine Generation hat viele Krisen überstanden.\u201c")
    assert alts["story-ar.json"].startswith("صورة Brigitte")
    for path in list(folder.iterdir()) + [ws.root / "campaign.json"]:
        if path.suffix != ".json" or path.parent == folder:
            assert SURNAME.encode() not in path.read_bytes() or path.name == "campaign.json"


def test_cache_skips_unchanged_and_a_brand_change_renders_all(cli, ws, portrait):
    first = json.loads(cli("render", "--format", "instagram-feed,facebook", "--json").output)
    assert len(first["rendered"]) == 4
    again = json.loads(cli("render", "--format", "instagram-feed,facebook", "--json").output)
    assert again["rendered"] == [] and again["unchanged"] == 4
    cli("portrait", "edit", portrait, "--quote", "Zusammen schaffen wir das.")
    edited = json.loads(cli("render", "--format", "instagram-feed,facebook", "--json").output)
    assert {(m["format"], m["lang"]) for m in edited["rendered"]} == {("instagram-feed", "de"), ("facebook", "de")}
    set_config(ws, 'primary = "#E30613"', 'primary = "#0057B8"')
    rebrand = json.loads(cli("render", "--format", "instagram-feed,facebook", "--json").output)
    assert len(rebrand["rendered"]) == 4 and rebrand["unchanged"] == 0
    with Image.open(ws.renders / portrait / "instagram-feed.jpg") as im:
        r, g, b = im.getpixel((540, 1340))  # the band now in the new colour
        assert b > 150 and r < 60


def test_jobs_render_in_parallel_processes_with_the_same_result(cli, ws, tmp_path):
    ids = [approved_portrait(ws, name, 30 + i, "health", size=(700, 875)) for i, name in
           enumerate(["Anna", "Ben", "Cem", "Dana"])]
    r = cli("render", "--jobs", "2", "--format", "instagram-square")
    assert r.exit_code == 0, r.output
    assert "Rendered 4 image(s) of 4 portrait(s)" in r.output
    parallel = {i: (ws.renders / i / "instagram-square.jpg").read_bytes() for i in ids}
    for i in ids:
        (ws.renders / i / "instagram-square.json").unlink()
    assert cli("render", "--jobs", "1", "--format", "instagram-square").exit_code == 0
    assert all((ws.renders / i / "instagram-square.jpg").read_bytes() == parallel[i] for i in ids)


def test_refusals_change_nothing(cli, ws, tmp_path):
    draft_photo = make_photo(tmp_path / "d.jpg")
    assert cli("portrait", "add", draft_photo, "--first-name", "Otto", "--age", 50, "--role", "Koch",
               "--quote", "Hallo.").exit_code == 0
    for args, words in ((["otto-50"], "not approved"), (["nobody-1"], "nobody-1"),
                        (["--format", "poster"], "Unknown format"), (["--jobs", "0"], "--jobs 0")):
        r = cli("render", *args)
        assert r.exit_code == 1 and words in r.output, (args, r.output)
    assert not any(ws.renders.iterdir())
    r = cli("preview")
    assert r.exit_code == 1 and "campaign render" in r.output


LONGEST = ("Solidarität heißt für mich, dass wir in dieser Zeit füreinander einkaufen, anrufen, zuhören und "
           "die Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenherstellerinnung nicht vergessen; "
           "dass niemand allein bleibt, der Hilfe braucht, und dass wir danach sagen können: wir haben es gemeinsam geschafft!!")


def test_the_longest_quote_the_cli_accepts_fits_every_format(cli, ws, tmp_path):
    quote = (LONGEST + " " + "x" * 400)[:records.MAX_QUOTE]
    assert len(quote) == records.MAX_QUOTE
    too_long = cli("portrait", "add", make_photo(tmp_path / "p.jpg"), "--first-name", "Anna", "--age", 30,
                   "--role", "Lehrerin", "--quote", quote + "!")
    assert too_long.exit_code == 1  # one character more is refused, so this is the longest
    text = typographic(quote, "de")
    for fmt, layout in LAYOUTS.items():
        x, y, w, h = layout.quote
        path = fonts.font_for(text)
        fitted = textfit.fit(text, path, (w, h), max_size=int(h * 0.34))
        assert fitted.width <= w and fitted.height <= h, fmt
        assert "".join(fitted.text.split()) == "".join(text.split()), f"{fmt}: text was cut"
        assert fitted.size >= 12, f"{fmt}: {fitted.size} px is too small to read"
        lo, hi = layout.safe
        assert y >= lo * layout.size[1] and y + h <= hi * layout.size[1]  # story: out of the top 14 % and bottom 35 %


def test_an_over_long_word_is_broken_rather_than_overflowing():
    word = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen"
    fitted = textfit.fit(word, fonts.fallbacks()[0], (200, 400), max_size=60, min_size=30)
    assert fitted.width <= 200 and len(fitted.text.splitlines()) > 1
    assert fitted.text.replace("\n", "") == word


def _ink(text: str, engine, direction=None, size=64) -> np.ndarray:
    from PIL import ImageDraw, ImageFont

    font = ImageFont.truetype(str(fonts.font_for(text)), size, layout_engine=engine)
    img = Image.new("L", (900, 140), 0)
    ImageDraw.Draw(img).text((20, 20), text, font=font, fill=255, direction=direction)
    arr = np.asarray(img) > 128
    cols = np.where(arr.any(axis=0))[0]
    return arr[:, cols.min():cols.max() + 1]


def test_arabic_is_shaped_joined_and_right_to_left():
    from PIL import ImageFont, features
    from skimage.measure import label

    assert features.check("raqm"), "Pillow has no raqm layout: install libfribidi (make setup does)"
    word = "سلام"
    shaped = _ink(word, ImageFont.Layout.RAQM, "rtl")
    isolated = _ink(word, ImageFont.Layout.BASIC)
    # Joined: the letters connect into fewer pieces than the same letters side by side, unshaped.
    assert label(shaped).max() < label(isolated).max()
    # Right to left: the first word of "سلام عليكم" stands on the right.
    first, both = _ink(word, ImageFont.Layout.RAQM, "rtl"), _ink("سلام عليكم", ImageFont.Layout.RAQM, "rtl")
    w = first.shape[1]

    def overlap(a, b):
        return (a & b).sum() / (a | b).sum()

    right, left = overlap(both[:, -w:], first), overlap(both[:, :w], first)
    assert right > 0.8 and left < 0.5, (right, left)
    # Our fitter lays Arabic out right to left too.
    fitted = textfit.fit(typographic("التضامن يعني أن نكون هنا", "ar"), fonts.font_for(word), (600, 200), 60,
                         direction="rtl")
    assert fitted.direction == "rtl"


@pytest.mark.parametrize("lang,text", [("de", "Größe, Straße: „Ä Ö Ü ß“"), ("tr", "Ağabeyim çiçekleri, ışık, Şişli"),
                                       ("uk", "Їжак, ґанок, єдність «Олена»"), ("ru", "Съешь же ещё этих мягких булок"),
                                       ("ar", "التضامن يعني «معًا»")])
def test_every_supported_language_has_a_font_with_all_its_characters(lang, text):
    path = fonts.font_for(text)
    assert fonts.covers(path, text)
    assert fonts.covers(fonts.font_for(name_line("Amira", 38, text.split()[0], lang)), name_line("Amira", 38, text.split()[0], lang))


def test_quotes_and_name_lines_per_language():
    assert typographic('"Hallo"', "de") == "\u201eHallo\u201c"
    assert typographic("Merhaba", "tr") == "\u201cMerhaba\u201d"
    assert typographic("«Привіт»", "uk") == "\u00abПривіт\u00bb"
    assert name_line("Brigitte", 81, "Rentnerin", "de") == "Brigitte, 81, Rentnerin"
    assert "\u060c" in name_line("Amira", 38, "طبيبة", "ar")


def test_the_brand_logo_is_on_every_format_and_mirrored_for_arabic(cli, ws, portrait):
    Image.new("RGBA", (400, 160), (0, 200, 0, 255)).save(ws.root / "logo.png")
    set_config(ws, 'logo = ""', 'logo = "logo.png"')
    assert cli("render").exit_code == 0
    for fmt, layout in LAYOUTS.items():
        x, y, w, h = layout.logo
        with Image.open(ws.renders / portrait / f"{fmt}.jpg") as im:
            r, g, b = im.getpixel((x + 10, y + 10))
            assert g > 150 and r < 80 and b < 80, fmt
        bx, _by, bw, _bh = layout.band
        mirrored = bx + bw - (x - bx)  # right to left: the logo mirrored within the band's width
        with Image.open(ws.renders / portrait / f"{fmt}-ar.jpg") as im:
            r, g, b = im.getpixel((mirrored - 10, y + 10))
            assert g > 150 and r < 80 and b < 80, fmt
    set_config(ws, 'logo = "logo.png"', 'logo = "missing.png"')
    r = cli("render")
    assert r.exit_code == 1 and "missing.png" in r.output
