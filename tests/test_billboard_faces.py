"""Faces whole on every billboard layout: a slot shape that would cut a face is not offered, and
preflight checks each slot's crop against its face box."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from portraits import poster, poster_export, preflight
from portraits.errors import CampaignError
from portraits.fonts import fallbacks

NAMES, ROLES = ["Maximilian, 45"] * 4, ["Intensivkrankenschwester"] * 4
FACE = (0.3, 0.15, 0.7, 0.5)  # a studio portrait: the face box fills the middle of a 4:5 photo


def _spec():
    return poster.make_spec("18/1", "1:10", 300, 10)


def _items(tmp_path: Path) -> list[poster.Item]:
    items = []
    for i in range(4):
        photo = tmp_path / f"p{i}.jpg"
        im = Image.new("RGB", (1400, 1750), (100 + 20 * i, 120, 140))
        ImageDraw.Draw(im).ellipse([1400 * FACE[0], 1750 * FACE[1], 1400 * FACE[2], 1750 * FACE[3]],
                                   fill=(230, 190, 160))
        im.save(photo, quality=90)
        items.append(poster.Item(photo, 1400, 1750, (0.5, 0.33), NAMES[i], ROLES[i], FACE, f"p{i}"))
    return items


def test_a_slot_shape_that_would_cut_the_faces_is_not_offered(tmp_path):
    font = fallbacks()[0]
    faces = [((1400, 1750), FACE)] * 4
    lay = poster.layout(_spec(), NAMES, ROLES, font, "Duisburg ist echt solidarisch", "#duisburgistechtsolidarisch",
                        faces=faces)
    for _x, _y, w, h in lay.photos:
        assert poster._faces_whole(faces, (w, h))
    assert poster_export.slot_faces(_spec(), _items(tmp_path), lay).split() == [f"{i}:ok" for i in range(1, 5)]
    # Without the faces, the 2x2 grid of wide slots (2006 x 770 px) is chosen and cuts all four.
    blind = poster.layout(_spec(), NAMES, ROLES, font, "Duisburg ist echt solidarisch", "#duisburgistechtsolidarisch")
    assert (blind.cols, blind.rows) == (2, 2)
    assert "cut" in poster_export.slot_faces(_spec(), _items(tmp_path), blind)


def test_preflight_checks_every_slots_face(tmp_path):
    items = _items(tmp_path)
    band = poster.Band("Duisburg ist echt solidarisch", "#duisburgistechtsolidarisch", "Fotos: Studio Nord", None,
                       "#E30613", "#1D1D1B", "#FFFFFF", fallbacks()[0])
    made = poster_export.export(_spec(), items, band, tmp_path / "b.pdf", None)
    assert made["grid"] != "2x2"
    checks = {c["check"]: c for c in preflight.preflight(tmp_path / "b.pdf")}
    faces = checks["Faces whole (per slot)"]
    assert faces["ok"] and "4 of 4" in faces["detail"], faces


def test_faces_no_slot_shape_can_hold_are_refused_with_what_to_do():
    font = fallbacks()[0]
    # Two portraits whose faces fill the whole of a narrow, tall photo: every slot cuts them.
    faces = [((1000, 3000), (0.1, 0.02, 0.9, 0.98))] * 2
    with pytest.raises(CampaignError) as refused:
        poster.layout(poster.make_spec("18/1", "1:10", 300, 10), ["Anna, 30"] * 2, ["Ärztin"] * 2, font,
                      "Duisburg", "#duisburg", faces=faces)
    assert "cut a face" in refused.value.message and "--slots" in refused.value.hint


def test_every_slot_sets_its_role_at_one_size_even_when_one_role_is_long(tmp_path):
    """A long role used to be set smaller in its own slot only: the poster's hierarchy went uneven."""
    import pikepdf

    items = _items(tmp_path)
    items[0].sub, items[1].sub = "Rentnerin", "Intensivkrankenschwester und Ärztin"
    band = poster.Band("Duisburg ist echt solidarisch", "#duisburgistechtsolidarisch", "Fotos: Studio Nord", None,
                       "#E30613", "#1D1D1B", "#FFFFFF", fallbacks()[0])
    poster_export.export(_spec(), items, band, tmp_path / "b.pdf", None)
    with pikepdf.open(tmp_path / "b.pdf") as pdf:
        sizes = [round(float(op.operands[1]), 2) for op in pikepdf.parse_content_stream(pdf.pages[0])
                 if str(op.operator) == "Tf"]
    names, roles = sizes[0:8:2], sizes[1:8:2]  # each slot draws its name, then its role
    assert len(set(names)) == 1 and len(set(roles)) == 1, sizes
    assert roles[0] < names[0]
