"""Photo intake: check a photo before anything is stored, then keep a clean, upright sRGB copy.

What reaches photos/ is what every render and the billboard start from, so it is made right
once: EXIF orientation applied to the pixels, CMYK / 16-bit / palette / transparent images turned
into sRGB (through the embedded ICC profile where there is one), no metadata. The face finder
(OpenCV's Haar cascade, shipped inside opencv-python-headless) picks the focal point.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
import warnings
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portraits.errors import CampaignError
from portraits.files import sha256_file, stream_temp
from portraits.imageio import KEPT_CAMERA_PHOTO, KEPT_PHOTO, JpegUse, bare, save_jpeg
from portraits.layouts import PHOTO_AREAS, crop_size, face_misfits
from portraits.messages import _m

if TYPE_CHECKING:
    from PIL import Image

MAX_PIXELS = 100_000_000  # documented limit: larger files are refused before they are decoded
FACE_WIDTH = 800  # the face finder looks at a copy this wide
DEFAULT_FOCUS = (0.5, 0.33)
# Turning a photo upright holds it twice for a moment (96 MB each at 24 MP), and so does decoding
# any photo but a JPEG (libheif decodes a HEIC into buffers of its own, which are then copied): the
# intake's threads (portraits.intake_jobs) take turns at both, which keeps the import's peak memory
# under 500 MB (200 photos of 24 MP, four of them HEIC: 520-527 MB when two HEIC decoded at once).
_TWICE = threading.Lock()


def _register_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _to_srgb(im: Image.Image) -> Image.Image:
    """Any mode and colour space -> 8-bit RGB in sRGB; transparency goes onto white."""
    from io import BytesIO

    from PIL import Image, ImageCms

    icc = im.info.get("icc_profile")
    if im.mode.startswith("I"):  # 16-bit greyscale
        im = im.convert("I").point(lambda v: v / 256).convert("L")
    if im.mode == "P":
        im = im.convert("RGBA") if "transparency" in im.info else im.convert("RGB")
    if im.mode in ("LA", "PA", "RGBa", "La"):
        im = im.convert("RGBA")
    if im.mode == "RGBA":
        flat = Image.new("RGB", im.size, (255, 255, 255))
        flat.paste(im, mask=im.getchannel("A"))
        im = flat
    if icc and im.mode in ("RGB", "CMYK", "L"):
        try:
            src = ImageCms.ImageCmsProfile(BytesIO(icc))
            converted = ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode="RGB",
                                                  renderingIntent=ImageCms.Intent.PERCEPTUAL)
            im = converted if converted is not None else im
        except (ImageCms.PyCMSError, OSError, ValueError):
            im = im.convert("RGB")  # a broken profile: the plain conversion is the best we can do
    if im.mode != "RGB":
        im = im.convert("RGB")  # CMYK without a profile, L, YCbCr, ...
    return im


def kept_use(im: Image.Image) -> JpegUse:
    """How the kept copy of the photo `im` (opened, not yet decoded) is encoded: a JPEG whose
    colour is halved (a camera's 4:2:0 or 4:2:2) at 4:2:2, anything else at full colour."""
    from PIL import JpegImagePlugin

    if im.format == "JPEG" and JpegImagePlugin.get_sampling(im) in (1, 2):
        return KEPT_CAMERA_PHOTO
    return KEPT_PHOTO


def load_upright(src: Path) -> tuple[Image.Image, str, JpegUse]:
    """Open, check and decode a photo into upright sRGB pixels, or say clearly why not: the
    pixels, the file's format and how its kept copy is encoded (`kept_use`).

    The pixels are decoded once and turned upright in place: a 24 MP photo is 72 MB, and the two
    copies this used to make (upright, then without metadata) cost a fifth of the intake's time."""
    from PIL import Image, ImageOps

    src = Path(src)
    if not src.is_file():
        raise CampaignError(_m("No photo at {src}.", src=src), _m("Check the path and try again."))
    _register_heif()
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # checked just below
            im = Image.open(src)
        with im:
            fmt, use = im.format or "", kept_use(im)
            if im.width * im.height > MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            if fmt == "JPEG":
                im.load()
            else:
                with _TWICE:
                    im.load()
            icc = im.info.get("icc_profile")
            with _TWICE:  # two photos on their side at once would hold four full copies
                ImageOps.exif_transpose(im, in_place=True)
            im.info["icc_profile"] = icc
            clean = _to_srgb(im)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise CampaignError(_m("{name} has more than {value} megapixels (the intake limit).", name=src.name,
                               value=MAX_PIXELS // 1000000),
                            _m("Export a smaller copy of the photo (e.g. 24 megapixels) and add that.")) from None
    except Exception:  # noqa: BLE001 (a damaged file makes Pillow's plugins raise almost anything)
        raise CampaignError(_m("{name} is not a readable image, or it is truncated.", name=src.name),
                            _m("Use a complete JPEG, PNG, WebP or HEIC photo.")) from None
    return bare(clean), fmt, use


@lru_cache(maxsize=1)
def _cascade() -> Any:
    import cv2

    folder: str = cv2.data.haarcascades  # type: ignore[attr-defined]
    return cv2.CascadeClassifier(os.path.join(folder, "haarcascade_frontalface_default.xml"))


def find_focus(im: Image.Image) -> tuple[tuple[float, float], str, tuple[float, float, float, float] | None]:
    """The centre of the largest face and its box (x0, y0, x1, y1), as fractions of the photo; or the
    upper third and no box when no face is found. Crops keep the whole head clear of the text from the box."""
    import cv2
    import numpy as np

    scale = min(1.0, FACE_WIDTH / im.width)
    # reducing_gap 2: a box reduction to within twice the size, then bicubic: for a 12 MP photo 20 ms
    # instead of 39 ms with 3 (bicubic over the whole photo: a third of the decode's time); the same
    # pixels for photos up to 3200 px wide; on larger ones the faces found moved by at most 0.2 % of
    # the photo (the demo's drawings and a real photo, measured at 12 and 24 MP)
    small = im.convert("L").resize((max(1, int(im.width * scale)), max(1, int(im.height * scale))),
                                   reducing_gap=2.0)
    grey = cv2.equalizeHist(np.asarray(small))
    faces = _cascade().detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5,
                                     minSize=(max(24, small.width // 12),) * 2)
    if len(faces) == 0:
        return DEFAULT_FOCUS, "upper-third", None
    x, y, w, h = (float(v) for v in max(faces, key=lambda f: f[2] * f[3]))
    sw, sh = small.width, small.height
    box = (round(x / sw, 4), round(y / sh, 4), round((x + w) / sw, 4), round((y + h) / sh, 4))
    return (round((x + w / 2) / sw, 3), round((y + h / 2) / sh, 3)), "face", box


def resolution_warnings(width: int, height: int, slot: tuple[int, int] | None = None) -> list[str]:
    """Formats (and the billboard slot) this photo is too small for."""
    warnings: list[str] = []
    for name, (fw, fh) in PHOTO_AREAS.items():
        cw, ch = crop_size(width, height, fw / fh)
        if cw < fw:
            warnings.append(_m("photo too small for {name}: its crop is {cw}x{ch}, it needs {fw}x{fh} (it "
                               "will look soft)", name=name, cw=cw, ch=ch, fw=fw, fh=fh))
    if slot:
        sw, sh = slot
        cw, ch = crop_size(width, height, sw / sh)
        if cw < sw:
            warnings.append(_m("photo too small for a billboard slot: {value:.1f} MP, needs about "
                               "{value2:.1f} MP ({sw}x{sh} px)",
                               value=width * height / 1000000.0,
                               value2=width * height * (sw / cw) ** 2 / 1000000.0, sw=sw, sh=sh))
    return warnings


def _describe(src: Path, im: Image.Image, fmt: str, slot: tuple[int, int] | None) -> dict[str, Any]:
    focus, source, face = find_focus(im)
    misfits = face_misfits((im.width, im.height), face)
    if misfits:
        raise CampaignError(_m("The face in {name} fills too much of the photo: the {formats} format cannot show it "
                               "whole.", name=Path(src).name, formats=", ".join(misfits)),
                            _m("Use a photo with more room around the face (shot from further away or less "
                               "tightly cropped)."))
    warnings = resolution_warnings(im.width, im.height, slot)
    if source != "face":
        warnings.insert(0, _m("no face found: crops keep the upper third; set the focal point with `campaign "
                              "portrait edit ID --focus X,Y` if that cuts the face"))
    return {"sha256": sha256_file(src), "width": im.width, "height": im.height, "format": fmt, "ext": "jpg",
            "focus": list(focus), "focus_source": source, "face": list(face) if face else None,
            "warnings": warnings}


def inspect(src: Path, slot: tuple[int, int] | None = None) -> dict[str, Any]:
    """Validate a photo and describe it (size, focal point, warnings), writing nothing."""
    im, fmt, _use = load_upright(src)
    return _describe(src, im, fmt, slot)


def photo_target(photos_dir: Path, info: dict[str, Any]) -> Path:
    """Where the clean copy of a photo is kept: photos/<sha256 of the original>.jpg."""
    return Path(photos_dir) / f"{info['sha256']}.jpg"


def owner_tag(pid: int | None = None) -> str:
    """What the temporary name of a clean copy carries after its prefix: the process that takes it
    in (the command, also when a pool's worker writes it), so a later intake knows a leftover of a
    killed one from the work of one still running."""
    return f"in{pid or os.getpid()}-"


_ABANDONED = re.compile(r"^\.[0-9a-f]{64}\.jpg\.in(\d+)-[A-Za-z0-9_]+\.tmp$")


def sweep_abandoned(photos_dir: Path) -> list[Path]:
    """Remove the temporary clean copies an intake that was killed left in `photos_dir` (only names
    of exactly our shape, and only when the process they name is gone); the paths removed."""
    removed = []
    try:
        names = os.listdir(photos_dir)
    except OSError:
        return []
    for name in names:
        found = _ABANDONED.match(name)
        if found and not _alive(int(found.group(1))):
            with suppress(FileNotFoundError):
                os.unlink(Path(photos_dir) / name)
                removed.append(Path(photos_dir) / name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def take_in(src: Path, photos_dir: Path, slot: tuple[int, int] | None = None,
            tag: str | None = None) -> tuple[dict[str, Any], tuple[Path, Path] | None]:
    """Check, describe and write the clean copy of a photo under a temporary name, with no store
    lock held (decoding and face finding take seconds for a large photo): (info, (temporary, final)),
    or no pair when the clean copy is already kept. The caller hands the pair to the transaction
    that records the portrait (`files.adopt_staged`), which names the file when it commits.
    `tag`: see `owner_tag` (this process by default)."""
    im, fmt, use = load_upright(src)
    info = _describe(Path(src), im, fmt, slot)
    target = photo_target(photos_dir, info)
    if target.exists():
        # What is kept is what every read checks (portraits.files.require_kept_file).
        info["kept_sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()
        return info, None
    photos_dir.mkdir(parents=True, exist_ok=True)
    # Encoded straight into the file and hashed on the way: no second copy of ~15 MB in memory.
    tmp, info["kept_sha256"] = stream_temp(target, lambda f: save_jpeg(im, f, use),
                                           owner_tag() if tag is None else tag)
    return info, (tmp, target)

