"""Photo intake: check a photo before anything is stored, then keep the original bytes.

(Minimal version; the rendering work extends it with HEIC, colour conversion and face focus.)
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import os
from pathlib import Path

from portraits.errors import CampaignError

MAX_PIXELS = 100_000_000


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def inspect(src: Path) -> dict:
    """Validate a photo and describe it, writing nothing."""
    from PIL import Image, ImageOps

    src = Path(src)
    if not src.is_file():
        raise CampaignError(f"No photo at {src}.", "Check the path and try again.")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(src) as im:
            fmt = im.format
            im.load()
            upright = ImageOps.exif_transpose(im)
            width, height = upright.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise CampaignError(f"{src.name} is too large (over {MAX_PIXELS // 1_000_000} megapixels).",
                            "Export a smaller copy of the photo.") from None
    except Exception:
        raise CampaignError(f"{src.name} is not a readable image (or it is truncated).",
                            "Use a JPEG, PNG, WebP or HEIC photo.") from None
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}.get(fmt or "", (fmt or "img").lower())
    return {"sha256": sha256_file(src), "width": width, "height": height, "format": fmt, "ext": ext,
            "focus": [0.5, 0.33], "focus_source": "upper-third", "warnings": []}


def keep(src: Path, info: dict, photos_dir: Path) -> str:
    """Copy the original bytes to photos/<sha256>.<ext>; return the workspace-relative path."""
    photos_dir.mkdir(parents=True, exist_ok=True)
    name = f"{info['sha256']}.{info['ext']}"
    target = photos_dir / name
    if not target.exists():
        fd, tmp = tempfile.mkstemp(prefix=".intake.", dir=photos_dir)
        os.close(fd)
        shutil.copyfile(src, tmp)
        os.replace(tmp, target)
    return f"{photos_dir.name}/{name}"
