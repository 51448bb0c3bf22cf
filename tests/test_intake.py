"""Photo intake: every format upright and in sRGB, a face for the focal point, bad files refused."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_photo
from PIL import Image, ImageDraw

# Which way each EXIF orientation stores an upright picture (the inverse of what a viewer applies).
STORED = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
          4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90,
          7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}


def _upright_marker() -> Image.Image:
    """Portrait-shaped, with a red block top-left and a blue block bottom-right: any turn shows."""
    img = Image.new("RGB", (300, 400), (200, 200, 200))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 99, 99], fill=(255, 0, 0))
    d.rectangle([200, 300, 299, 399], fill=(0, 0, 255))
    return img


def _stored_photo(ws, pid: str) -> Image.Image:
    from portraits import records

    rec = records.get(ws.store.read(), pid)
    return Image.open(ws.root / rec["photo"]["file"])


def _add(cli, path, name="Brigitte", age=81, *extra):
    return cli("portrait", "add", path, "--first-name", name, "--age", age, "--role", "Rentnerin",
               "--quote", "Wir halten zusammen.", "--json", *extra)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_comes_out_upright(cli, ws, tmp_path, orientation):
    import json

    upright = _upright_marker()
    stored = upright if STORED[orientation] is None else upright.transpose(STORED[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"o{orientation}.jpg"
    stored.save(path, exif=exif.tobytes(), quality=95)
    r = _add(cli, path, "Anna", 30 + orientation)
    assert r.exit_code == 0, r.output
    photo = _stored_photo(ws, json.loads(r.output)["id"])
    assert photo.size == (300, 400)
    assert photo.getexif().get(0x0112) in (None, 1)
    r_, g_, b_ = photo.getpixel((50, 50))
    assert r_ > 200 and g_ < 60 and b_ < 60, f"orientation {orientation}: top-left is not red"
    r_, g_, b_ = photo.getpixel((250, 350))
    assert b_ > 200 and r_ < 60, f"orientation {orientation}: bottom-right is not blue"


def test_heic_from_an_iphone_is_accepted(cli, ws, tmp_path):
    import json

    import pillow_heif

    pillow_heif.register_heif_opener()
    path = tmp_path / "IMG_0001.HEIC"
    _upright_marker().save(path, format="HEIF", quality=90)
    r = _add(cli, path)
    assert r.exit_code == 0, r.output
    photo = _stored_photo(ws, json.loads(r.output)["id"])
    assert photo.format == "JPEG" and photo.size == (300, 400)
    assert photo.getpixel((50, 50))[0] > 180


def _colour_case(kind: str, path: Path) -> tuple[int, int, int]:
    """Write a photo of one colour kind; return the sRGB colour it should come out as."""
    if kind == "cmyk":
        Image.new("CMYK", (200, 250), (0, 255, 255, 0)).save(path, "JPEG")  # pure red ink
        return (255, 0, 0)
    if kind == "16-bit":
        Image.new("I;16", (200, 250), 32768).save(path, "PNG")
        return (128, 128, 128)
    if kind == "palette-transparent":
        img = Image.new("P", (200, 250), 0)
        img.putpalette([0, 0, 0, 0, 128, 0] + [0] * 762)
        img.info["transparency"] = 0
        img.save(path, "PNG", transparency=0)
        return (255, 255, 255)  # transparency goes onto white
    if kind == "rgba":
        Image.new("RGBA", (200, 250), (0, 0, 255, 0)).save(path, "PNG")
        return (255, 255, 255)
    if kind == "srgb-icc":
        from PIL import ImageCms

        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        Image.new("RGB", (200, 250), (10, 120, 200)).save(path, "JPEG", icc_profile=icc, quality=100)
        return (10, 120, 200)
    if kind == "webp":
        Image.new("RGB", (200, 250), (40, 160, 60)).save(path, "WEBP", lossless=True)
        return (40, 160, 60)
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["cmyk", "16-bit", "palette-transparent", "rgba", "srgb-icc", "webp"])
def test_colour_modes_become_srgb(cli, ws, tmp_path, kind):
    import json

    path = tmp_path / f"{kind}.img"
    want = _colour_case(kind, path)
    r = _add(cli, path)
    assert r.exit_code == 0, r.output
    photo = _stored_photo(ws, json.loads(r.output)["id"])
    assert photo.mode == "RGB" and "icc_profile" not in photo.info
    got = photo.getpixel((100, 125))
    assert all(abs(a - b) <= 12 for a, b in zip(got, want)), (kind, got, want)


def _bomb(path: Path) -> None:
    Image.new("1", (12_000, 9_000)).save(path, "PNG")  # 108 megapixels in a tiny file


BAD = {
    "not an image": lambda p: p.write_text("this is a consent form, not a photo"),
    "empty file": lambda p: p.write_bytes(b""),
    "truncated JPEG": lambda p: p.write_bytes(make_photo(p.with_suffix(".full.jpg")).read_bytes()[:3000]),
    "decompression bomb": _bomb,
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_photos_are_refused_and_nothing_changes(cli, ws, tmp_path, case):
    path = tmp_path / "bad" / "photo.jpg"
    path.parent.mkdir()
    BAD[case](path)
    before = (ws.root / "campaign.json").read_bytes()
    photos_before = sorted(ws.photos.iterdir())
    r = _add(cli, path)
    assert r.exit_code == 1
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) <= 2
    assert "photo.jpg" in r.output
    if case == "decompression bomb":
        assert "100 megapixels" in r.output
    assert (ws.root / "campaign.json").read_bytes() == before
    assert sorted(ws.photos.iterdir()) == photos_before


def test_a_bad_row_in_an_import_stores_no_photo(cli, ws, tmp_path):
    shoot = tmp_path / "shoot"
    make_photo(shoot / "good.jpg")
    (shoot / "bad.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    (shoot / "list.csv").write_text("photo,first_name,age,role,quote\ngood.jpg,Anna,30,Lehrerin,Hallo.\n"
                                    "bad.jpg,Ben,40,Koch,Hallo.\n")
    before = (ws.root / "campaign.json").read_bytes()
    r = cli("portrait", "import", shoot / "list.csv")
    assert r.exit_code == 1 and "line 3" in r.output and "bad.jpg" in r.output
    assert (ws.root / "campaign.json").read_bytes() == before
    assert list(ws.photos.iterdir()) == []


def _face_photo(path: Path, offset: tuple[int, int]) -> tuple[Path, tuple[float, float]]:
    """A real photograph of a face (NASA's astronaut portrait, shipped inside scikit-image) placed on
    a larger canvas; returns where the face's centre is, as fractions of the canvas."""
    from skimage import data

    canvas = Image.new("RGB", (1200, 1500), (120, 120, 120))
    canvas.paste(Image.fromarray(data.astronaut()), offset)
    canvas.save(path, quality=92)
    face_centre = (223, 113)  # in the 512 x 512 original
    return path, ((offset[0] + face_centre[0]) / 1200, (offset[1] + face_centre[1]) / 1500)


def test_face_sets_the_focal_point_and_no_face_falls_back_with_a_warning(cli, ws, tmp_path):
    import json

    path, (ex, ey) = _face_photo(tmp_path / "face.jpg", (600, 500))
    r = _add(cli, path)
    assert r.exit_code == 0, r.output
    assert "no face found" not in r.output
    rec = json.loads(cli("portrait", "show", json.loads(r.output)["id"], "--json").output)
    assert rec["photo"]["focus_source"] == "face"
    fx, fy = rec["photo"]["focus"]
    assert abs(fx - ex) < 0.03 and abs(fy - ey) < 0.03

    plain = tmp_path / "wall.jpg"
    Image.new("RGB", (1200, 1500), (90, 120, 150)).save(plain)
    r = cli("portrait", "add", plain, "--first-name", "Ben", "--age", 40, "--role", "Koch", "--quote", "Hallo.")
    assert r.exit_code == 0 and "no face found" in r.output and "--focus" in r.output
    shown = cli("portrait", "show", "ben-40").output
    assert "no face found" in shown and "upper-third" in shown
    assert cli("portrait", "edit", "ben-40", "--focus", "0.4,0.2").exit_code == 0
    assert json.loads(cli("portrait", "show", "ben-40", "--json").output)["photo"]["focus"] == [0.4, 0.2]


def test_small_photo_warns_for_formats_and_the_billboard_slot(cli, ws, tmp_path):
    r = cli("portrait", "add", make_photo(tmp_path / "small.jpg", size=(600, 750)), "--first-name", "Anna",
            "--age", 30, "--role", "Lehrerin", "--quote", "Hallo.")
    assert r.exit_code == 0
    assert "too small for instagram-feed" in r.output and "too small for a billboard slot" in r.output
    shown = cli("portrait", "show", "anna-30").output
    assert "too small for story" in shown and "MP" in shown


def test_a_camera_jpeg_is_kept_with_its_colour_at_4_2_2_and_other_photos_at_full_colour(cli, ws, tmp_path):
    """A camera's JPEG has its colour at half resolution already: the kept copy holds all of it at
    4:2:2 (cheaper to encode than 4:4:4), a PNG keeps full colour; both keep the restart markers
    the renders and the billboard cut their bands at."""
    import json

    from PIL import JpegImagePlugin

    from portraits.jpeg import restart_strip

    img = _upright_marker().resize((600, 800))
    img.save(tmp_path / "camera.jpg", quality=92)  # Pillow's default: 4:2:0, as cameras write
    img.save(tmp_path / "scan.png")
    kept = {}
    for name, first in (("camera.jpg", "Anna"), ("scan.png", "Berta")):
        r = _add(cli, tmp_path / name, first)
        assert r.exit_code == 0, r.output
        kept[name] = _stored_photo(ws, json.loads(r.output)["id"])
    assert JpegImagePlugin.get_sampling(kept["camera.jpg"]) == 1  # 4:2:2
    assert JpegImagePlugin.get_sampling(kept["scan.png"]) == 0  # 4:4:4
    for photo in kept.values():
        assert restart_strip(Path(photo.filename).read_bytes(), 300, 400) is not None
        assert photo.getpixel((10, 10))[0] > 200 and photo.getpixel((590, 790))[2] > 200  # upright
