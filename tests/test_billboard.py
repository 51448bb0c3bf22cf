"""Billboard: the pick (consent for the whole run, photo size, variety, then score), approval, and the PDF."""
from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import approved_portrait
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from campaign.outputs.billboard import age_band, select
from portraits import consent
from schedules import engagement, posts

BIG = (1400, 1750)  # fills a 3x3 slot of an 18/1 at 1:10 and 300 dpi (1342 x 659 px)
HUGE = (1800, 2250)  # fills a 3x1 slot too
RUN = ("--from", "2026-06-01", "--to", "2026-06-10")
MM_PER_PT = 25.4 / 72


@pytest.mark.any_day
def test_pick_explains_choices_and_exclusions(cli, ws):
    a = approved_portrait(ws, "Brigitte", 81, "senior", size=HUGE)
    b = approved_portrait(ws, "Tamara", 32, "health", size=HUGE)
    c = approved_portrait(ws, "Amira", 38, "health", size=HUGE)
    d = approved_portrait(ws, "Jonas", 16, "youth", size=HUGE)
    no_bb = approved_portrait(ws, "Mehmet", 45, "transport", scopes="instagram,facebook", size=HUGE)
    ends = approved_portrait(ws, "Olena", 27, "retail", expires="2026-06-05", size=HUGE)
    small = approved_portrait(ws, "Klaus", 60, "retail", size=(600, 750))
    now = ws.now()
    with ws.store.transaction() as db:  # Tamara's post did well: she beats Amira (same category, same band)
        post = posts.create(db, b, "instagram", now - timedelta(days=20), now - timedelta(days=21))
        posts.update(db, post["id"], now, "published", "test")
        engagement.record(db, post["id"], likes=300, comments=2, shares=1, at=now - timedelta(days=13))
    r = cli("billboard", "pick", "--slots", "3", *RUN, "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    picked = [p["portrait_id"] for p in doc["picked"]]
    # One per role category before any repeats, new age bands first, then score, then id.
    assert picked == [b, a, d]
    assert doc["picked"][0]["score"] == 307
    assert len({p["role_category"] for p in doc["picked"]}) == 3
    assert all(p["why"] and "score" in p["why"] for p in doc["picked"])
    reasons = {s["portrait_id"]: s["reason"] for s in doc["skipped"]}
    assert reasons[no_bb] == "no billboard consent"
    assert reasons[ends] == "consent ends 2026-06-05, before the run ends"
    assert reasons[small].startswith("photo too small: 0.5 MP, needs ") and reasons[small].endswith(" MP")
    assert reasons[c] == "no slot left: score 0, role category health and age band adult already on the poster"
    assert doc["picked_at"] and doc["approved_by"] is None

    r = cli("billboard", "pick", "--slots", "3", *RUN, "--json")
    assert [p["portrait_id"] for p in json.loads(r.output)["picked"]] == picked  # the same every time


def test_export_needs_approval_and_a_withdrawal_after_it_wins(cli, ws):
    a = approved_portrait(ws, "Brigitte", 81, "senior", size=HUGE)
    approved_portrait(ws, "Tamara", 32, "health", size=HUGE)
    approved_portrait(ws, "Jonas", 16, "youth", size=HUGE)
    assert cli("billboard", "pick", "--slots", "3", *RUN).exit_code == 0
    before = ws.store.path.read_bytes()
    r = cli("billboard", "export")
    assert r.exit_code == 1 and "not approved" in r.output and "Traceback" not in r.output
    assert "campaign billboard show" in r.output  # the command that shows the pick, not the one that makes it
    assert ws.store.path.read_bytes() == before
    r = cli("billboard", "approve", "--json")
    doc = json.loads(r.output)
    assert doc["approved_by"] == "tester" and doc["approved_at"]
    assert any(e["action"] == "billboard.approve" and e["who"] == "tester"
               for e in ws.store.read().table("audit").all())
    assert cli("consent", "withdraw", a, "--scope", "billboard").exit_code == 0
    before = ws.store.path.read_bytes()
    r = cli("billboard", "export")
    assert r.exit_code == 1 and "Billboard consent withdrawn" in r.output
    assert ws.store.path.read_bytes() == before
    r = cli("billboard", "pick", *RUN, "--json")
    assert a not in [p["portrait_id"] for p in json.loads(r.output)["picked"]]


def _page_mm(pdf):
    """Width and height of the BleedBox and of the TrimBox, millimetres."""
    from pypdf import PdfReader

    page = PdfReader(pdf).pages[0]
    box, trim = page.bleedbox, page.trimbox
    return (float(box.width) * MM_PER_PT, float(box.height) * MM_PER_PT,
            float(trim.width) * MM_PER_PT, float(trim.height) * MM_PER_PT)


@pytest.fixture
def nine(ws):
    cats = ["senior", "health", "transport", "retail", "youth", "culture", "sport", "faith", "food"]
    for i, cat in enumerate(cats):
        approved_portrait(ws, f"Person{chr(65 + i)}", 10 + 9 * i, cat, size=BIG, surname="Geheimname")
    return ws


def test_18_1_export_has_the_page_size_bleed_and_preview(cli, nine, tmp_path):
    from PIL import Image

    from portraits.jpeg import BANDS_CUT

    assert cli("billboard", "pick", *RUN).exit_code == 0
    assert cli("billboard", "approve").exit_code == 0
    BANDS_CUT.clear()
    r = cli("billboard", "export", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    # Each of the nine slots was decoded from a band of its photo's rows (the restart-marker path),
    # not from the whole photo: a band is less than the photo's height.
    photo_height = BIG[1]
    assert len(BANDS_CUT) == 9 and all(rows < photo_height for _top, rows in BANDS_CUT), list(BANDS_CUT)
    assert out["grid"] == "3x3" and out["warnings"] == []
    w, h, tw, th = _page_mm(out["pdf"])
    # 356 x 252 cm at 1:10 plus 10 mm bleed (full size) = 1 mm on each side.
    assert abs(w - 358) < 0.5 and abs(h - 254) < 0.5
    assert (round(tw), round(th)) == (356, 252)
    with Image.open(out["png"]) as png:
        assert png.format == "PNG" and abs(png.width / png.height - 374 / 270) < 0.01  # the page: marks zone too
    assert Path(out["png"]).read_bytes().endswith(b"IEND\xaeB`\x82")  # written in parts, closed as a PNG is
    assert b"Geheimname" not in open(out["pdf"], "rb").read()


def test_the_preview_png_written_in_parts_is_the_image_exactly(tmp_path):
    from PIL import Image, ImageChops

    from portraits.poster_preview import PngRows

    rng = random.Random(7)
    img = Image.frombytes("RGB", (37, 23), bytes(rng.randrange(256) for _ in range(37 * 23 * 3)))
    path = tmp_path / "parts.png"
    png = PngRows(path, img.size)
    for end in (0, 1, 1, 9, 8, 17):  # nothing, the first row alone, a repeat, backwards: all fine
        png.rows(img, end)
    png.close(img)
    with Image.open(path) as back:
        back.verify()  # chunk CRCs
    with Image.open(path) as back:
        assert back.mode == "RGB" and back.size == img.size
        assert ImageChops.difference(back, img).getbbox() is None
    assert path.read_bytes().endswith(b"IEND\xaeB`\x82")


def test_custom_upright_format_and_a_warning_for_low_resolution(cli, nine, tmp_path):
    assert cli("billboard", "pick", *RUN).exit_code == 0
    assert cli("billboard", "approve").exit_code == 0
    target = tmp_path / "out" / "upright.pdf"
    r = cli("billboard", "export", "--format", "300x400cm", "--scale", "1:10", "--dpi", "150", "--out", target, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    w, h, _tw, _th = _page_mm(target)
    assert (round(w), round(h)) == (302, 402) and out["grid"] == "3x3"
    # The same photos at a higher resolution are too small: a warning, not a silent result.
    r = cli("billboard", "export", "--format", "city-light", "--dpi", "5000", "--out", tmp_path / "cl.pdf")
    assert r.exit_code == 1 and "5000 dpi" in r.output
    r = cli("billboard", "export", "--dpi", "600", "--out", tmp_path / "hi.pdf")
    assert r.exit_code == 0 and r.output.count("low resolution") == 9
    assert "needs" in r.output and "prints at about" in r.output
    for bad in (("--format", "19/2"), ("--scale", "10"), ("--out", tmp_path / "x.png")):
        r = cli("billboard", "export", *bad)
        assert r.exit_code == 1 and "Traceback" not in r.output


def test_full_size_18_1_at_100_dpi_works_with_a_warning(cli, nine, tmp_path):
    """1:1 at 100 dpi is about 14,100 x 10,000 px: it must come out, with a full 10 mm bleed."""
    assert cli("billboard", "pick", *RUN).exit_code == 0
    assert cli("billboard", "approve").exit_code == 0
    target = tmp_path / "full.pdf"
    r = cli("billboard", "export", "--scale", "1:1", "--dpi", "100", "--out", target, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    w, h, tw, th = _page_mm(target)
    assert abs(w - 3580) < 0.5 and abs(h - 2540) < 0.5 and (round(tw), round(th)) == (3560, 2520)
    assert len(out["warnings"]) == 9  # 2.5 MP photos are too small for a slot of this size
    assert [s["effective_dpi"] < 100 for s in out["slots"]] == [True] * 9


def _text_sizes(pdf) -> dict[str, float]:
    """Every text run of the PDF with its font size in millimetres on the page (pypdf)."""
    from pypdf import PdfReader

    sizes: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            scale = (tm[0] * cm[0] + tm[1] * cm[2]) if tm[1] == 0 else (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * cm[0]
            sizes[text.strip()] = max(sizes.get(text.strip(), 0), abs(size * scale) * MM_PER_PT)
    PdfReader(pdf).pages[0].extract_text(visitor_text=visit)
    return sizes


def test_the_18_1_reads_from_the_street_and_reads_back_as_a_pdfx4_candidate(cli, nine, tmp_path):
    import pikepdf

    assert cli("billboard", "pick", *RUN).exit_code == 0
    assert cli("billboard", "approve").exit_code == 0
    out = json.loads(cli("billboard", "export", "--json").output)
    assert out["grid"] == "3x3"
    # At 1:1, names at least 12 cm and the campaign name at least 25 cm; "Name, Alter" as on social images.
    sizes = _text_sizes(out["pdf"])
    names = {t: v * 10 for t, v in sizes.items() if t.startswith("Person")}
    assert sorted(names) == sorted(f"Person{chr(65 + i)}, {10 + 9 * i}" for i in range(9)), names
    assert min(names.values()) >= 120, names
    assert sizes["Duisburg ist echt solidarisch"] * 10 >= 250
    with pikepdf.open(out["pdf"]) as pdf:
        assert pdf.pdf_version >= "1.6"
        assert str(pdf.docinfo["/GTS_PDFXVersion"]) == "PDF/X-4" and pdf.docinfo["/Trapped"] == pikepdf.Name("/False")
        with pdf.open_metadata() as meta:
            assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == pikepdf.Name.GTS_PDFX and str(intent.OutputConditionIdentifier) == "FOGRA39"
        page = pdf.pages[0]
        media, bleed, trim = ([float(v) for v in page.obj[k]] for k in ("/MediaBox", "/BleedBox", "/TrimBox"))
        assert media[0] < bleed[0] < trim[0] and trim[2] < bleed[2] < media[2]  # page = trim + bleed + marks
        assert abs((trim[0] - bleed[0]) * MM_PER_PT - 1.0) < 0.01  # 10 mm at full size
        fonts = list(page.obj.Resources.Font.values())
        assert fonts and all("/FontFile2" in f.FontDescriptor or "/FontFile2" in f.get("/DescendantFonts", [{}])[0]
                             .get("/FontDescriptor", {}) for f in fonts)
        for image in _images(page):  # RGB images carry sRGB, not bare device RGB
            assert image.ColorSpace[0] == pikepdf.Name.ICCBased and image.ColorSpace[1].N == 3
            assert list(image.Filter) == [pikepdf.Name.DCTDecode]  # the JPEG bytes, not re-encoded or ASCII85
        # Every stroked line (the crop marks) lies outside the BleedBox.
        ctm, stack, lines, point = [1, 0, 0, 1, 0, 0], [], [], None
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "q":
                stack.append(ctm)
            elif op == "Q":
                ctm = stack.pop()
            elif op == "cm":
                a, b, c, d, e, f = (float(v) for v in operands)
                A, B, C, D, E, F = ctm
                ctm = [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F]
            elif op in ("m", "l"):
                x, y = (float(v) for v in operands)
                p = (ctm[0] * x + ctm[2] * y + ctm[4], ctm[1] * x + ctm[3] * y + ctm[5])
                if op == "l":
                    lines.append((point, p))
                point = p
        assert len(lines) == 8
        for (x0, y0), (x1, y1) in lines:
            inside_x = max(x0, x1) > bleed[0] and min(x0, x1) < bleed[2]
            inside_y = max(y0, y1) > bleed[1] and min(y0, y1) < bleed[3]
            assert not (inside_x and inside_y), ((x0, y0), (x1, y1), bleed)
    r = cli("billboard", "preflight", out["pdf"])
    assert r.exit_code == 0 and r.output.count("PASS") >= 9 and "FAIL" not in r.output, r.output


def test_preflight_fails_a_plain_rgb_pdf(cli, tmp_path):
    from reportlab.pdfgen import canvas

    plain = tmp_path / "plain.pdf"
    c = canvas.Canvas(str(plain))
    c.setFillColorRGB(1, 0, 0)
    c.drawString(100, 100, "Hallo")
    c.save()
    r = cli("billboard", "preflight", plain)
    assert r.exit_code == 1 and "Traceback" not in r.output
    for check in ("FAIL  PDF/X version", "FAIL  Output intent", "FAIL  TrimBox and BleedBox"):
        assert check in r.output, r.output
    r = cli("billboard", "preflight", tmp_path / "missing.pdf")
    assert r.exit_code == 1 and "No file" in r.output


CMYK_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")  # Debian's libgs-common (make system)


def test_a_cmyk_export_with_the_printers_profile_has_only_cmyk(cli, nine, tmp_path):
    import pikepdf

    assert CMYK_PROFILE.is_file(), "libgs-common is missing: make system installs it"
    assert cli("billboard", "pick", *RUN).exit_code == 0
    assert cli("billboard", "approve").exit_code == 0
    target = tmp_path / "cmyk.pdf"
    r = cli("billboard", "export", "--icc", CMYK_PROFILE, "--out", target, "--json")
    assert r.exit_code == 0, r.output
    with pikepdf.open(target) as pdf:
        page = pdf.pages[0]
        assert len(_images(page)) == 9
        assert all(image.ColorSpace == pikepdf.Name.DeviceCMYK for image in _images(page))
        profile = pdf.Root.OutputIntents[0].DestOutputProfile
        assert profile.N == 4 and profile.read_bytes() == CMYK_PROFILE.read_bytes()
        ops = {str(op) for _o, op in pikepdf.parse_content_stream(page)}
        assert "k" in ops and not {"rg", "RG"} & ops  # the band and text in CMYK too
    r = cli("billboard", "preflight", target)
    assert r.exit_code == 0 and "CMYK images only" in r.output, r.output
    # Not a CMYK profile: refused, nothing written.
    srgb = tmp_path / "srgb.icc"
    from PIL import ImageCms
    srgb.write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    r = cli("billboard", "export", "--icc", srgb, "--out", tmp_path / "no.pdf")
    assert r.exit_code == 1 and "not CMYK" in r.output and not (tmp_path / "no.pdf").exists()


def test_fewer_eligible_portraits_than_slots_is_said_at_pick_time_and_not_approved(cli, ws, tmp_path):
    for name, age, cat in (("Brigitte", 81, "senior"), ("Tamara", 32, "health"), ("Jonas", 16, "youth")):
        approved_portrait(ws, name, age, cat, size=HUGE)
    r = cli("billboard", "pick", *RUN)  # nine slots, three eligible: said now, with what would fit
    assert r.exit_code == 0 and "does not fit the poster: only 3 portraits can go on it for 9 slots" in r.output
    assert "campaign billboard pick --slots 3" in r.output and "Not approved yet" not in r.output
    assert json.loads(cli("billboard", "show", "--json").output)["fit"]["fits"] is False
    before = ws.store.path.read_bytes()
    r = cli("billboard", "approve")
    assert r.exit_code == 1 and "does not fit the poster" in r.output and "--slots 3" in r.output
    assert ws.store.path.read_bytes() == before
    assert cli("billboard", "pick", "--slots", "3", *RUN).exit_code == 0
    assert cli("billboard", "approve").exit_code == 0
    out = json.loads(cli("billboard", "export", "--json").output)
    assert out["grid"] == "3x1" and out["type_cm"]["name"] >= 12


def test_a_pick_the_format_cannot_name_legibly_is_said_at_pick_time_with_what_fits(cli, ws):
    for i in range(12):
        approved_portrait(ws, f"Person{chr(65 + i)}", 20 + 5 * i, ("senior", "health", "youth", "retail")[i % 4],
                          size=BIG)
    before = ws.store.path.read_bytes()
    r = cli("billboard", "pick", "--slots", "12", *RUN)
    assert r.exit_code == 1 and "12 portraits do not fit a 18/1 poster" in r.output and "it holds 9" in r.output
    assert "campaign billboard pick --slots 9" in r.output and ws.store.path.read_bytes() == before
    assert cli("billboard", "pick", "--slots", "9", *RUN).exit_code == 0
    assert cli("billboard", "approve").exit_code == 0


def test_more_portraits_than_a_format_can_name_legibly_are_refused_with_how_many_it_holds():
    from portraits import fonts, poster

    spec = poster.make_spec("18/1", "1:10", 300, 10)
    names, roles = ["Maximilian, 45"] * 12, ["Intensivkrankenschwester"] * 12
    with pytest.raises(Exception) as refused:
        poster.layout(spec, names, roles, fonts.fallbacks()[0], "Duisburg ist echt solidarisch", "#duisburg")
    assert "it holds 9" in str(refused.value) and "--slots 9" in refused.value.hint
    for n in range(1, 10):
        lay = poster.layout(spec, names[:n], roles[:n], fonts.fallbacks()[0], "Duisburg ist echt solidarisch", "#d")
        assert lay.cols * lay.rows >= n and (lay.rows - 1) * lay.cols < n
        assert lay.sizes["name"] * spec.scale >= 120 and lay.sizes["title"] * spec.scale >= 250
        for _x, _y, w, _h in lay.plates:  # the name fits its plate at that size
            assert poster._em("Maximilian, 45", fonts.fallbacks()[0]) * lay.sizes["name"] < w


# ---- the pick as a property: never without valid billboard consent; variety first, then score ----

START, END = date(2026, 6, 1), date(2026, 6, 10)
CATS = ["health", "senior", "transport", "retail", "youth"]
CONSENTS = ["ok", "none", "signed_late", "expires_early", "withdrawn", "instagram_only", "open_ended"]
person = st.fixed_dictionaries({
    "age": st.integers(0, 95), "cat": st.sampled_from(CATS), "consent": st.sampled_from(CONSENTS),
    "big": st.booleans(), "approved": st.booleans(), "score": st.integers(0, 6) | st.integers(0, 500)})


def _db(people, order):
    db = TinyDB(storage=MemoryStorage)
    for i in order:
        p = people[i]
        pid = f"p{i:02d}"
        size = (1400, 1750) if p["big"] else (700, 900)
        db.table("portraits").insert({"id": pid, "first_name": "X", "age": p["age"], "role": p["cat"],
                                      "role_category": p["cat"], "status": "approved" if p["approved"] else "draft",
                                      "photo": {"width": size[0], "height": size[1], "focus": [0.5, 0.33]}})
        guardians = ["G"] if p["age"] < 18 else []
        kind, far = p["consent"], date(2100, 1, 1)
        if kind in ("ok", "withdrawn"):
            consent.grant(db, pid, "billboard", date(2026, 1, 1), expires=date(2026, 12, 31), guardians=guardians, today=far)
        if kind == "open_ended":
            consent.grant(db, pid, "all", date(2026, 5, 31), guardians=guardians, today=far)
        if kind == "withdrawn":
            consent.withdraw(db, pid, "billboard", received=date(2026, 3, 1))
        if kind == "signed_late":
            consent.grant(db, pid, "billboard", date(2026, 6, 2), guardians=guardians, today=far)
        if kind == "expires_early":
            consent.grant(db, pid, "billboard", date(2026, 1, 1), expires=date(2026, 6, 9), guardians=guardians, today=far)
        if kind == "instagram_only":
            consent.grant(db, pid, "instagram", date(2026, 1, 1), guardians=guardians, today=far)
    return db


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(person, max_size=14), slots=st.integers(1, 9), seed=st.integers(0, 1000))
def test_pick_property_consent_size_variety_and_determinism(people, slots, seed):
    need = (1342, 659)
    scores = {f"p{i:02d}": p["score"] for i, p in enumerate(people)}
    db = _db(people, range(len(people)))
    result = select(db, scores, slots, START, END, need)
    picked = result["picked"]
    eligible = {f"p{i:02d}": p for i, p in enumerate(people)
                if p["consent"] in ("ok", "open_ended") and p["big"] and p["approved"]}
    # Never a portrait without billboard consent valid on every day of the run, or with a small photo.
    for c in picked:
        assert consent.valid_for_period(db, c["portrait_id"], "billboard", START, END)[0]
        assert c["portrait_id"] in eligible
    assert {c["portrait_id"] for c in picked} | {s["portrait_id"] for s in result["skipped"]} == set(scores)
    assert len(picked) == min(slots, len(eligible))
    # Variety: a new role category while one is left; then a new age band while one is left.
    remaining = dict(eligible)
    cats, bands = set(), set()
    for c in picked:
        left = [p for p in remaining.values()]
        if any(p["cat"] not in cats for p in left):
            assert c["role_category"] not in cats
        elif any(age_band(p["age"]) not in bands for p in left):
            assert c["band"] not in bands
        # Nobody left over with the same standing has a higher score.
        standing = (c["role_category"] in cats, c["band"] in bands)
        for pid, p in remaining.items():
            if (p["cat"] in cats, age_band(p["age"]) in bands) == standing:
                assert (p["score"], c["portrait_id"]) <= (c["score"], pid) or p["score"] < c["score"] \
                    or (p["score"] == c["score"] and c["portrait_id"] <= pid)
        cats.add(c["role_category"])
        bands.add(c["band"])
        del remaining[c["portrait_id"]]
    assert len(cats) == min(len(picked), len({p["cat"] for p in eligible.values()}))
    # The same data in another order gives the same pick.
    order = list(range(len(people)))
    random.Random(seed).shuffle(order)
    again = select(_db(people, order), scores, slots, START, END, need)
    assert [c["portrait_id"] for c in again["picked"]] == [c["portrait_id"] for c in picked]


def _images(page):
    xobjects = page.obj.Resources.get("/XObject") or {}
    return [x for x in xobjects.values() if x.get("/Subtype") == "/Image"]


def test_a_band_of_rows_cut_at_restart_markers_decodes_exactly_as_the_whole_photo(tmp_path):
    """The store's photos (intake: a restart marker after each row of blocks) let the billboard
    decode just a slot's band; other JPEGs are left to the plain decode."""
    import io

    from PIL import Image, ImageChops, ImageDraw

    from portraits.jpeg import restart_strip

    rng = random.Random(3)
    img = Image.new("RGB", (203, 301), "white")  # not a multiple of 8: a partial last row of blocks
    draw = ImageDraw.Draw(img)
    for _ in range(60):
        x, y = rng.randrange(203), rng.randrange(301)
        draw.ellipse((x, y, x + rng.randrange(5, 60), y + rng.randrange(5, 60)),
                     fill=tuple(rng.randrange(256) for _ in range(3)))
    for subsampling in (0, 1):  # as intake keeps a photo: full colour, or a camera's at 4:2:2
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=95, subsampling=subsampling, restart_marker_rows=1)
        data = buf.getvalue()
        for scale in (1, 2, 4, 8):
            with Image.open(io.BytesIO(data)) as whole:
                whole.draft("RGB", (203 // scale, 301 // scale))
                whole.load()
                for top, bottom in ((0, 9), (70, 140), (130, 131), (250, 301), (-20, 999)):
                    jpeg, y0 = restart_strip(data, top, bottom)
                    assert y0 % 64 == 0 and y0 <= max(0, top)
                    with Image.open(io.BytesIO(jpeg)) as band:
                        band.draft("RGB", (203 // scale, 1))
                        band.load()
                        assert band.width == whole.width and y0 + band.height * scale >= min(bottom, 301)
                        ref = whole.crop((0, y0 // scale, whole.width, y0 // scale + band.height))
                        assert ImageChops.difference(band, ref).getbbox() is None, (subsampling, scale, top, bottom)
    for kwargs in ({"quality": 95, "subsampling": 0}, {"quality": 95, "subsampling": 2, "restart_marker_rows": 1},
                   {"quality": 95, "subsampling": 0, "progressive": True}):
        other = io.BytesIO()
        img.save(other, "JPEG", **kwargs)
        assert restart_strip(other.getvalue(), 70, 140) is None
    assert restart_strip(b"not a jpeg", 0, 10) is None
    assert restart_strip(data[:len(data) // 2], 200, 300) is None  # cut short: the plain decode reports it


def test_when_nobody_fits_the_billboard_the_hint_says_what_kept_them_off(ws):
    """A small photo asks for a larger photo; a missing billboard consent asks for the consent; nothing changes."""
    from click.testing import CliRunner

    from campaign.cli import main

    def pick():
        before = (ws.root / "campaign.json").read_bytes()
        r = CliRunner().invoke(main, ["--ui-lang", "en", "-w", str(ws.root), "billboard", "pick"])
        assert r.exit_code == 1 and (ws.root / "campaign.json").read_bytes() == before
        return r.output

    small = approved_portrait(ws, "Anna", 40, "health", size=(600, 750))
    out = pick()
    assert f"{small}: photo too small" in out and "Add a larger photo" in out
    assert "Record billboard consent" not in out
    with ws.store.transaction() as db:
        from portraits import consent

        consent.withdraw(db, small, ["billboard"], received=ws.now().date(), via="letter")
    out = pick()
    assert "Record billboard consent" in out and "Add a larger photo" not in out
