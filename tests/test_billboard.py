"""Billboard: the pick (consent for the whole run, photo size, variety, then score), approval, and the PDF."""
from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from conftest import approved_portrait
from campaign.billboard import age_band, select
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
    a = approved_portrait(ws, "Brigitte", 81, "senior", size=BIG)
    approved_portrait(ws, "Tamara", 32, "health", size=BIG)
    assert cli("billboard", "pick", *RUN).exit_code == 0
    before = ws.store.path.read_bytes()
    r = cli("billboard", "export")
    assert r.exit_code == 1 and "not approved" in r.output and "Traceback" not in r.output
    assert ws.store.path.read_bytes() == before
    r = cli("billboard", "approve", "--json")
    doc = json.loads(r.output)
    assert doc["approved_by"] == "tester" and doc["approved_at"]
    assert any(e["action"] == "billboard.approve" and e["who"] == "tester"
               for e in ws.store.read().table("audit").all())
    assert cli("consent", "withdraw", a, "--scope", "billboard").exit_code == 0
    before = ws.store.path.read_bytes()
    r = cli("billboard", "export")
    assert r.exit_code == 1 and "billboard consent withdrawn" in r.output
    assert ws.store.path.read_bytes() == before
    r = cli("billboard", "pick", *RUN, "--json")
    assert a not in [p["portrait_id"] for p in json.loads(r.output)["picked"]]


def _page_mm(pdf):
    from pypdf import PdfReader

    page = PdfReader(pdf).pages[0]
    box, trim = page.mediabox, page.trimbox
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

    assert cli("billboard", "pick", *RUN).exit_code == 0
    assert cli("billboard", "approve").exit_code == 0
    r = cli("billboard", "export", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["grid"] == "3x3" and out["warnings"] == []
    w, h, tw, th = _page_mm(out["pdf"])
    # 356 x 252 cm at 1:10 plus 10 mm bleed (full size) = 1 mm on each side.
    assert (round(w), round(h)) == (358, 254) and abs(w - 358) < 0.5 and abs(h - 254) < 0.5
    assert (round(tw), round(th)) == (356, 252)
    with Image.open(out["png"]) as png:
        assert png.format == "PNG" and abs(png.width / png.height - 358 / 254) < 0.01
    assert b"Geheimname" not in open(out["pdf"], "rb").read()


def test_custom_upright_format_and_a_warning_for_low_resolution(cli, nine, tmp_path):
    assert cli("billboard", "pick", *RUN).exit_code == 0
    assert cli("billboard", "approve").exit_code == 0
    target = tmp_path / "out" / "upright.pdf"
    r = cli("billboard", "export", "--format", "240x340cm", "--scale", "1:10", "--dpi", "150", "--out", target, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    w, h, _tw, _th = _page_mm(target)
    assert (round(w), round(h)) == (242, 342) and out["grid"] == "3x3"
    # The same photos at twice the resolution are too small: a warning, not a silent result.
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


def test_grid_is_sensible_for_any_count():
    from portraits.poster import grid

    assert grid(9, 356, 214) == (3, 3)
    assert grid(9, 119, 150) == (3, 3)
    for n in range(1, 25):
        for w, h in ((356, 214), (119, 150)):
            cols, rows = grid(n, w, h)
            assert cols * rows >= n and (rows - 1) * cols < n and cols * rows - n < max(cols, rows)


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
