"""Rendering: four formats, first name only, no metadata, text that fits, Arabic shaped, a cache."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import approved_portrait, make_photo, set_config
from PIL import Image

from portraits import fonts, records, textfit
from portraits.layouts import LAYOUTS, MIN_QUOTE_PX
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
    assert "Rendered 4 images of 4 portraits" in r.output
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
           "die Nachbarschaftshilfe nicht vergessen; dass niemand allein bleibt, der Hilfe braucht, und dass wir "
           "danach sagen können: wir haben es gemeinsam geschafft, in jeder Straße!")


def test_a_quote_too_long_for_a_format_is_refused_with_the_most_characters_that_fit(cli, ws, tmp_path):
    before = ws.store.path.read_bytes()
    photo = make_photo(tmp_path / "p.jpg")
    r = cli("portrait", "add", photo, "--first-name", "Anna", "--age", 30, "--role", "Lehrerin", "--quote", LONGEST)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "too long for the facebook format" in r.output and f"({len(LONGEST)} characters;" in r.output
    most = int(r.output.split("at most ")[1].split(" characters")[0])
    assert 150 <= most < len(LONGEST)
    assert ws.store.path.read_bytes() == before
    # What the message allows goes in, and is set no smaller than the scale's smallest size, text in its band.
    fitting = LONGEST[:most].rsplit(" ", 1)[0] if LONGEST[most:most + 1] not in ("", " ") else LONGEST[:most]
    r = cli("portrait", "add", photo, "--first-name", "Anna", "--age", 30, "--role", "Lehrerin", "--quote", fitting)
    assert r.exit_code == 0, r.output
    pid = "anna-30"
    from datetime import date

    from portraits import consent
    with ws.store.transaction() as db:
        consent.grant(db, pid, "instagram,facebook", date(2026, 1, 1))
        records.approve_portrait(db, pid, True)
    out = json.loads(cli("render", pid, "--json").output)
    assert not [w for w in out["warnings"] if "too long" in w["warning"]]
    for fmt, layout in LAYOUTS.items():
        boxes = json.loads((ws.renders / pid / f"{fmt}.json").read_text())["boxes"]
        assert boxes["quote_size"] >= layout.px(MIN_QUOTE_PX), fmt
        W, H = layout.size
        lo, hi = layout.text_zone
        for x, y, w, h in boxes["text"]:
            assert 0 <= x and x + w <= W and lo * H <= y and y + h <= hi * H, (fmt, (x, y, w, h))


def test_an_over_long_word_is_hyphenated_at_real_syllable_breaks():
    word = "Donaudampfschifffahrtsgesellschaftskapitän"
    fitted = textfit.set_lines(word, fonts.fallbacks()[0], 40, 300, lang="de")
    lines = fitted.lines
    assert len(lines) > 1 and all(line.endswith("-") for line in lines[:-1]) and not lines[-1].endswith("-")
    assert "".join(line[:-1] for line in lines[:-1]) + lines[-1] == word
    import pyphen

    breaks = set(pyphen.Pyphen(lang="de").positions(word))
    at = 0
    for line in lines[:-1]:
        at += len(line) - 1
        assert at in breaks, f"{line!r} does not end at a syllable break"
    # A language without a dictionary still never overflows: the word breaks between letters.
    arabic_free = textfit.set_lines("Kardeşlerimizdenmisinizcesineyapabileceklerimizden", fonts.fallbacks()[0], 40, 300, "tr")
    assert all(fitted.font.getlength(line) <= 300 for line in arabic_free.lines)


def test_lines_are_balanced_and_no_word_stands_alone_on_the_last_line():
    font = fonts.fallbacks()[0]
    text = "Wir passen auf euch auf, passt ihr bitte auch auf uns auf, dann schaffen wir das."
    for width in range(380, 900, 40):
        lines = textfit.set_lines(text, font, 44, width, "de").lines
        if len(lines) > 1:
            assert len(lines[-1].split()) > 1, (width, lines)
            m = textfit.measure_at(font, 44)
            widths = [m.line(line.split()) for line in lines]
            assert min(widths) > 0.45 * max(widths), (width, lines)


def _portrait(ws, tmp_path, quote: str, seed: int, photo_size=(900, 1200)) -> str:
    from datetime import date

    from portraits import consent
    photo = make_photo(tmp_path / f"q{seed}.jpg", size=photo_size, seed=seed)
    with ws.store.transaction() as db:
        rec = records.add_portrait(db, ws.photos, photo, first_name="Anna", age=20 + seed, role="Lehrerin",
                                   quote=quote)
        consent.grant(db, rec["id"], "instagram,facebook", date(2026, 1, 1))
        records.approve_portrait(db, rec["id"], True)
    return rec["id"]


def test_the_same_quote_has_the_same_size_on_every_portrait_and_sizes_come_from_the_scale(cli, ws, tmp_path):
    short = "Zusammen sind wir stark, immer."
    assert len(short) == 31
    long = LONGEST[:200].rsplit(" ", 1)[0]
    a = _portrait(ws, tmp_path, short, 1, (900, 1200))
    b = _portrait(ws, tmp_path, short, 2, (1600, 1000))  # another photo, another shape
    c = _portrait(ws, tmp_path, long, 3)
    assert cli("render").exit_code == 0
    for fmt, layout in LAYOUTS.items():
        size = {pid: json.loads((ws.renders / pid / f"{fmt}.json").read_text())["boxes"]["quote_size"]
                for pid in (a, b, c)}
        assert size[a] == size[b], fmt
        assert set(size.values()) <= set(layout.quote_sizes), fmt
        assert size[a] > size[c], fmt  # short quotes larger, long ones smaller...
        assert size[a] - size[c] <= layout.quote_sizes[0] - layout.quote_sizes[-1], fmt  # ...within the scale


def test_a_real_face_is_clear_of_band_text_and_logo_in_every_format(cli, ws, tmp_path):
    """The astronaut photo scikit-image ships (a real face): the face finder, run on each finished
    image, finds the face, and no band, text or logo touches it."""
    from datetime import date

    from skimage import data

    from portraits import consent, intake
    Image.new("RGBA", (400, 160), (227, 6, 19, 255)).save(ws.root / "logo.png")  # as red as the band
    set_config(ws, 'logo = ""', 'logo = "logo.png"')
    Image.fromarray(data.astronaut()).resize((1024, 1024), Image.LANCZOS).save(tmp_path / "astronaut.jpg", quality=95)
    with ws.store.transaction() as db:
        rec = records.add_portrait(db, ws.photos, tmp_path / "astronaut.jpg", first_name="Eileen", age=62,
                                   role="Astronautin", quote=LONGEST[:150].rsplit(" ", 1)[0], credit="NASA")
        consent.grant(db, rec["id"], "instagram,facebook", date(2026, 1, 1))
        records.approve_portrait(db, rec["id"], True)
    assert rec["photo"]["focus_source"] == "face" and len(rec["photo"]["face"]) == 4
    r = cli("render", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["warnings"] == []

    def overlap(a, b):
        return not (a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1])

    for fmt, layout in LAYOUTS.items():
        with Image.open(ws.renders / rec["id"] / f"{fmt}.jpg") as im:
            _focus, source, face = intake.find_focus(im.convert("RGB"))
        assert source == "face", f"no face found in {fmt}"
        W, H = layout.size
        face_px = (face[0] * W, face[1] * H, (face[2] - face[0]) * W, (face[3] - face[1]) * H)
        boxes = json.loads((ws.renders / rec["id"] / f"{fmt}.json").read_text())["boxes"]
        assert boxes["logo"] is not None
        for name, box in [("band", boxes["band"]), ("logo", boxes["logo"])] + [("text", t) for t in boxes["text"]]:
            assert not overlap(face_px, box), (fmt, name, face_px, box)
        assert not overlap(boxes["head"], boxes["band"]), fmt  # the whole head, hair included
        with Image.open(ws.renders / rec["id"] / f"{fmt}.jpg") as im:  # the logo sits on a plate, not lost in red
            x, y, w, h = boxes["logo"]
            r_, g_, b_ = im.getpixel((x + 3, y + h // 2))
            assert min(r_, g_, b_) > 200, (fmt, (r_, g_, b_))


def test_a_head_too_large_for_a_format_keeps_the_face_whole_and_says_so(cli, ws, tmp_path):
    from portraits.layouts import place

    lay = LAYOUTS["instagram-feed"]
    # A tight head shot: the face box fills most of the photo.
    got = place((1000, 1250), (1080, 700), lay, (0.5, 0.45), (0.3, 0.3, 0.7, 0.62))
    assert got.warning and "hair is cut" in got.warning
    x, y, w, h = got.head
    assert y + h <= 700  # the chin is above the band
    roomy = place((3000, 3750), (1080, 700), lay, (0.5, 0.3), (0.42, 0.2, 0.58, 0.33))
    assert roomy.warning is None and roomy.head[1] > 0 and roomy.head[1] + roomy.head[3] < 700


def test_an_older_record_without_a_face_box_renders_around_its_focal_point(cli, ws, portrait):
    from tinydb import Query
    with ws.store.transaction() as db:
        rec = records.get(db, portrait)
        rec["photo"].pop("face", None)
        rec["photo"]["focus_source"] = "face"
        db.table("portraits").update({"photo": rec["photo"]}, Query().id == portrait)
    r = cli("render", portrait, "--json")
    assert r.exit_code == 0, r.output
    boxes = json.loads((ws.renders / portrait / "instagram-feed.json").read_text())["boxes"]
    assert boxes["head"] is None


def test_every_image_carries_the_campaign_name_hashtag_as_written_and_a_one_line_credit(cli, ws, portrait):
    set_config(ws, 'hashtag = "#duisburgistechtsolidarisch"', 'hashtag = "#DuisburgIstEchtSolidarisch"')
    assert cli("render").exit_code == 0
    from campaign.outputs.renders import brand_of, texts_for
    from portraits.render import typeset
    p = records.get(ws.store.read(), portrait)
    texts = texts_for(ws, p, "de")
    assert texts.hashtag == "#DuisburgIstEchtSolidarisch" and texts.campaign == "Duisburg ist echt solidarisch"
    for fmt, layout in LAYOUTS.items():
        setting = typeset(layout, texts, brand_of(ws))
        shown = [line.fitted.text for line in setting.lines]
        assert "DUISBURG IST ECHT SOLIDARISCH" in " ".join(shown), fmt
        assert "#DuisburgIstEchtSolidarisch" in shown, fmt
        assert "Foto: Studio Nord" in shown, fmt  # the credit whole, on one line


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
    fitted = textfit.set_lines(typographic("التضامن يعني أن نكون هنا", "ar"), fonts.font_for(word), 60, 600, "ar",
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
    for fmt in LAYOUTS:
        for name, at_right in ((fmt, True), (f"{fmt}-ar", False)):
            boxes = json.loads((ws.renders / portrait / f"{name}.json").read_text())["boxes"]
            x, y, w, h = boxes["logo"]
            bx, by, bw, bh = boxes["band"]
            assert bx <= x and x + w <= bx + bw and by <= y and y + h <= by + bh, name  # on the band
            centre = x + w / 2
            assert (centre > bx + bw / 2) == at_right, name  # right to left: on the left
            with Image.open(ws.renders / portrait / f"{name}.jpg") as im:
                r, g, b = im.getpixel((x + w // 2, y + h // 2))
                assert g > 150 and r < 80 and b < 80, name
    set_config(ws, 'logo = "logo.png"', 'logo = "missing.png"')
    r = cli("render")
    assert r.exit_code == 1 and "missing.png" in r.output


@pytest.mark.parametrize("bold", [False, True])
def test_the_basic_layout_copy_of_a_font_draws_the_same_pixels(bold, tmp_path, monkeypatch):
    """Text set with the basic engine is drawn from a copy of the font without GSUB/GPOS/GDEF (a new
    face then costs FreeType's autohinter no GSUB analysis); it must look exactly the same."""
    from PIL import ImageChops, ImageDraw, ImageFont

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    textfit.basic_copy.cache_clear()
    original = fonts.fallbacks()[0]
    copy = textfit.basic_copy(original)
    assert copy != original and copy.is_file()
    texts = [typographic("Meine Generation hat viele Krisen überstanden. Toilettenpapier war nie ein Problem.", "de"),
             name_line("Brigitte", 81, "Rentnerin", "de"), "#duisburgistechtsolidarisch  Foto: Studio Nord",
             "DUISBURG IST ECHT SOLIDARISCH", "«Ми разом» Ґґ Її Ωμέγα ß ẞ ffi 0123456789"]
    for size in (18, 31, 58, 100):
        faces = []
        for path in (original, copy):
            font = ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)
            if bold:
                font.set_variation_by_axes([700 if a["name"] in (b"Weight", "Weight") else a["default"]
                                            for a in font.get_variation_axes()])
            faces.append(font)
        for text in texts:
            a, b = (Image.new("L", (size * len(text), size * 2)) for _ in range(2))
            for image, font in zip((a, b), faces):
                ImageDraw.Draw(image).text((4, size * 3 // 2), text, font=font, fill=255, anchor="ls")
            assert faces[0].getlength(text) == faces[1].getlength(text)
            assert ImageChops.difference(a, b).getbbox() is None, (size, text)
    textfit.basic_copy.cache_clear()


@pytest.mark.parametrize("kind", ["baseline", "progressive", "cmyk", "gray"])
def test_decoding_down_to_a_row_gives_the_rows_a_full_decode_gives(kind, tmp_path):
    """Renders and billboard slots decode a photo only down to their lowest crop's last row."""
    from PIL import ImageChops

    from portraits.jpeg import load_rows

    rng = np.random.default_rng(7)
    image = Image.fromarray(rng.integers(0, 255, (300, 240, 3), dtype=np.uint8)).resize((960, 1280))
    path = tmp_path / f"{kind}.jpg"
    {"baseline": image, "progressive": image, "cmyk": image.convert("CMYK"), "gray": image.convert("L")}[kind].save(
        path, quality=90, progressive=kind == "progressive")
    for scale in (1, 2, 4):
        full, part = Image.open(path), Image.open(path)
        for im in (full, part):
            im.draft(im.mode, (960 // scale, 1280 // scale))
        full.load()
        rows = part.size[1] // 3 + 5
        load_rows(part, rows)
        assert part.size == full.size
        assert ImageChops.difference(full.crop((0, 0, full.width, rows)), part.crop((0, 0, part.width, rows))).getbbox() \
            is None, (kind, scale)


def _kept_and_older(tmp_path: Path, size: tuple[int, int] = (1600, 2400), subsampling: int = 0) -> tuple[Path, Path]:
    """The same photo as intake keeps it (a restart marker after each row of blocks; full colour, or
    a camera photo's at 4:2:2) and as an older photo was kept (no markers): the same DCT
    coefficients, so a full decode gives the same pixels."""
    from portraits.imageio import KEPT_CAMERA_PHOTO, KEPT_PHOTO, JpegUse, save_jpeg

    rng = np.random.default_rng(3)
    image = Image.fromarray(rng.integers(40, 220, (size[1] // 16, size[0] // 16, 3), dtype=np.uint8)).resize(
        size, Image.Resampling.BICUBIC)
    kept, older = tmp_path / "kept.jpg", tmp_path / "older.jpg"
    use = KEPT_CAMERA_PHOTO if subsampling else KEPT_PHOTO
    assert use.subsampling == subsampling
    save_jpeg(image, kept, use)
    save_jpeg(image, older, JpegUse(use.quality, subsampling=subsampling))
    with Image.open(kept) as a, Image.open(older) as b:
        assert np.array_equal(np.asarray(a), np.asarray(b))
    return kept, older


def _job(photo: Path, focus: tuple[float, float], face: tuple[float, float, float, float]):
    from portraits.render import Brand, Job, Texts

    texts = Texts("de", name_line("Brigitte", 81, "Rentnerin", "de"),
                  typographic("Meine Generation hat viele Krisen überstanden.", "de"), "#solidarisch",
                  "Foto: Studio Nord", "Duisburg ist echt solidarisch")
    return Job(photo, focus, Brand(), [(fmt, texts) for fmt in LAYOUTS], face=face)


@pytest.mark.parametrize("subsampling", [0, 1], ids=["full colour", "camera 4:2:2"])
def test_a_render_decodes_only_the_band_of_rows_its_crops_need_with_the_same_bytes(tmp_path, subsampling):
    """A photo intake kept, its head low in the frame, is decoded from the band between the highest
    crop's top and the lowest crop's bottom (cut at its restart markers), and the four images are
    byte for byte the images the decode of an older photo without markers gives."""
    from portraits.jpeg import BANDS_CUT
    from portraits.render import render_job

    kept, older = _kept_and_older(tmp_path, subsampling=subsampling)
    face = (0.35, 0.55, 0.6, 0.8)
    focus = ((face[0] + face[2]) / 2, (face[1] + face[3]) / 2)
    BANDS_CUT.clear()
    banded = render_job(_job(kept, focus, face), threads=False)
    [(top, rows)] = BANDS_CUT
    assert top > 0 and rows < 2400, list(BANDS_CUT)  # the rows above the crops were skipped
    BANDS_CUT.clear()
    full = render_job(_job(older, focus, face), threads=False)
    assert not BANDS_CUT, "a photo without restart markers cannot be cut"
    assert banded.keys() == full.keys()
    for key in full:
        assert banded[key].jpeg == full[key].jpeg, key
        assert banded[key].boxes == full[key].boxes, key


@pytest.mark.parametrize("subsampling", [0, 1], ids=["full colour", "camera 4:2:2"])
def test_a_photo_decoded_in_two_halves_side_by_side_has_the_pixels_of_one_decode(tmp_path, subsampling):
    """With a free core the render decodes a kept photo in two bands at once (one thread each):
    they meet at a restart marker and give exactly the pixels one decode gives."""
    from portraits.jpeg import BANDS_CUT
    from portraits.render import decode, placements

    kept, older = _kept_and_older(tmp_path, subsampling=subsampling)
    job = _job(kept, (0.5, 0.3), (0.4, 0.15, 0.6, 0.4))
    crops = [(p.crop, s.photo_area[2]) for _l, _t, s, p in placements(job, (1600, 2400))]
    BANDS_CUT.clear()
    halves = decode(kept, crops, parts=2)
    (top, rows), (second, rest) = sorted(BANDS_CUT)
    assert top + rows == second and rows > 0 and rest > 0, list(BANDS_CUT)
    whole = decode(older, crops, parts=2)  # no markers: one decode, as before
    assert halves.photo.size == whole.photo.size and halves.scale == whole.scale
    # The rows the crops use (above and below them nothing need be decoded).
    first = math.floor(min(box[1] for box, _w in crops) * halves.scale)
    last = math.ceil(max(box[3] for box, _w in crops) * halves.scale)
    a, b = (np.asarray(d.photo)[first:last] for d in (halves, whole))
    assert np.array_equal(a, b)


def _drawn_by_pillow(lay, setting):
    """The band as Pillow's own `ImageDraw.text` draws its lines: how every render drew them before
    the glyphs were kept."""
    from PIL import ImageDraw

    from portraits.render import Brand

    plain = Image.new("RGB", lay.size)
    draw = ImageDraw.Draw(plain)
    cx, cy, cw, ch = setting.colour_block
    draw.rectangle([cx, cy, cx + cw - 1, cy + ch - 1], fill=Brand().primary)
    stripe = {"right": [cx, cy, cx + 9, cy + ch - 1], "bottom": [cx, cy, cx + cw - 1, cy + 9],
              "top": [cx, cy + ch - 10, cx + cw - 1, cy + ch - 1]}[lay.band_side]
    draw.rectangle(stripe, fill=Brand().secondary)
    for line in setting.lines:
        f = line.fitted
        x, y, w, h = line.box
        right = line.align == "right"
        draw.text((x + w if right else x, y + round((h + 0.71 * f.size) / 2)), f.text, font=f.font,
                  fill=Brand().text, direction=f.direction, anchor="rs" if right else "ls")
    return plain


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_a_band_drawn_from_kept_glyphs_has_the_pixels_pillow_draws_the_first_and_the_second_time(lang):
    """Each line's glyphs are rendered once and kept (the campaign name, hashtag and credit are the
    same on every portrait); the band must look exactly as Pillow's own text drawing makes it, left
    to right and right to left, when the glyphs are new and when they are kept."""
    from PIL import ImageChops

    from portraits.render import Brand, Texts, _band, _glyphs, typeset

    quote = {"de": "Meine Generation hat viele Krisen überstanden. Toilettenpapier war nie ein Problem.",
             "ar": "التضامن يعني أن نكون هنا من أجل بعضنا البعض."}[lang]
    texts = Texts(lang, name_line("Brigitte", 81, "Rentnerin", lang), typographic(quote, lang), "#solidarisch",
                  "Foto: Studio Nord", "Duisburg ist echt solidarisch")
    _glyphs.cache_clear()
    for lay in LAYOUTS.values():
        setting = typeset(lay, texts, Brand())
        reference = _drawn_by_pillow(lay, setting)
        for _time in ("first", "kept"):
            band, _logo = _band(lay, texts, Brand(), setting)
            region = setting.colour_block[:2] + (setting.colour_block[0] + setting.colour_block[2],
                                                 setting.colour_block[1] + setting.colour_block[3])
            assert ImageChops.difference(band.crop(region), reference.crop(region)).getbbox() is None, (lay.name, _time)
    assert _glyphs.cache_info().hits >= len(LAYOUTS) * 3


def test_two_threads_one_thread_and_a_render_made_again_give_the_same_bytes(tmp_path):
    """A render shares the work between two threads (the photo decodes while the bands are drawn,
    then each thread takes the next format): every format gets exactly the bytes a render in one
    thread gives, and the same again when the portrait is made a second time from kept glyphs."""
    from portraits.render import _glyphs, render_job

    kept, _older = _kept_and_older(tmp_path)
    job = _job(kept, (0.5, 0.3), (0.4, 0.15, 0.6, 0.4))
    _glyphs.cache_clear()
    one = render_job(job, threads=False)
    two, again = render_job(job, threads=True), render_job(job, threads=True)
    assert one.keys() == two.keys() == again.keys() and len(one) == len(LAYOUTS)
    for key in one:
        assert one[key].jpeg == two[key].jpeg == again[key].jpeg, key
        assert one[key].boxes == two[key].boxes == again[key].boxes, key
