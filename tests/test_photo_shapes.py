"""No photo shape crashes a render: every format either shows the whole face or the photo is refused
at intake with our message."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from portraits.errors import CampaignError
from portraits.layouts import LAYOUTS, face_fits, face_misfits, face_region, place
from portraits.render import Brand, Job, Texts, render_job

TEXTS = Texts("de", "Brigitte, 81, Rentnerin", "Meine Generation hat viele Krisen überstanden.",
              "#duisburgistechtsolidarisch", "Studio Nord", "Duisburg ist echt solidarisch")


def _inside(region, crop) -> bool:
    x0, y0, x1, y1 = region
    return crop[0] <= x0 + 1e-6 and crop[1] <= y0 + 1e-6 and x1 <= crop[2] + 1e-6 and y1 <= crop[3] + 1e-6


def _areas(lay):
    """The photo area's shapes a format can have: under its tallest band, its usual one, no band."""
    return {lay.smallest_photo, lay.nominal_photo}


photo_sizes = st.tuples(st.integers(120, 6000), st.integers(120, 6000))


@st.composite
def face_boxes(draw):
    x0 = draw(st.floats(0, 0.95))
    y0 = draw(st.floats(0, 0.95))
    x1 = draw(st.floats(x0 + 0.02, 1.0))
    y1 = draw(st.floats(y0 + 0.02, 1.0))
    return x0, y0, x1, y1


@settings(max_examples=400, deadline=None)
@given(photo_sizes, face_boxes(), st.floats(0, 1), st.floats(0, 1))
def test_every_crop_lies_inside_the_photo_and_keeps_the_face_whole_where_the_shape_allows(size, face, fx, fy):
    W, H = size
    for lay in LAYOUTS.values():
        for area in _areas(lay):
            for box in (face, None):
                crop = place(size, area, lay, (fx, fy), box).crop
                assert crop[0] >= 0 and crop[1] >= 0, (lay.name, crop)  # Pillow refuses a negative box
                assert crop[2] <= W + 1e-6 and crop[3] <= H + 1e-6
                assert crop[2] > crop[0] and crop[3] > crop[1]
            if face_fits(size, area, face):
                region = face_region((face[0] * W, face[1] * H, face[2] * W, face[3] * H), W, H)
                assert _inside(region, place(size, area, lay, (fx, fy), face).crop), (lay.name, area)
    # Intake refuses exactly the photos some format could not show the face of.
    assert bool(face_misfits(size, face)) == any(not face_fits(size, lay.smallest_photo, face)
                                                 for lay in LAYOUTS.values())


@pytest.mark.parametrize("face", [(0.35, 0.1, 0.6, 0.9), (0.4, 0.2, 0.6, 0.7), (0.38, 0.05, 0.62, 0.6)])
def test_a_3000x2000_photo_with_a_large_face_renders_in_every_format(tmp_path, face):
    photo = tmp_path / "wide.jpg"
    Image.new("RGB", (3000, 2000), (120, 130, 140)).save(photo)
    assert not face_misfits((3000, 2000), face)
    made = render_job(Job(photo, (0.5, 0.5), Brand(), [(fmt, TEXTS) for fmt in LAYOUTS], tuple(face)), threads=False)
    assert set(made) == {(fmt, "de") for fmt in LAYOUTS}
    for fmt, _lang in made:
        assert made[(fmt, "de")].jpeg[:2] == b"\xff\xd8"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.tuples(st.integers(200, 1600), st.integers(200, 1600)), face_boxes())
def test_generated_photo_shapes_render_or_are_refused_at_intake(tmp_path, size, face):
    photo = tmp_path / f"{size[0]}x{size[1]}.jpg"
    Image.new("RGB", size, (90, 100, 110)).save(photo)
    if face_misfits(size, face):
        return  # intake says so (test below)
    made = render_job(Job(photo, (0.5, 0.4), Brand(), [(fmt, TEXTS) for fmt in LAYOUTS], face), threads=False)
    assert len(made) == len(LAYOUTS)


def test_intake_refuses_a_photo_whose_face_a_format_cannot_show_whole_with_our_message(tmp_path):
    """A real face (the astronaut photo scikit-image ships) cut tight at its sides on a tall canvas:
    the feed's wide photo area cannot hold it from forehead to chin."""
    from skimage import data

    from portraits import intake

    face = Image.fromarray(data.astronaut()).crop((150, 0, 300, 512))
    tall = Image.new("RGB", (150, 900), (120, 120, 120))
    tall.paste(face, (0, 0))
    tall.save(tmp_path / "tight.jpg", quality=95)
    with pytest.raises(CampaignError) as refused:
        intake.inspect(tmp_path / "tight.jpg")
    text = f"{refused.value.message} {refused.value.hint}"
    assert "instagram-feed" in text and "more room around the face" in text
