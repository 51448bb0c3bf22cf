"""Camera-like photos for the import benchmarks: gradients with sensor noise (so a JPEG decodes
about as slowly as a camera's), EXIF orientation on some, a few HEIC."""
from __future__ import annotations

from pathlib import Path

SIZES = {24: (6000, 4000), 12: (4000, 3000)}


def _base(size: tuple[int, int], seed: int):
    from PIL import Image, ImageChops

    w, h = size
    grad = Image.linear_gradient("L").resize((w, h))
    parts = []
    for c in range(3):
        noise = Image.effect_noise((w, h), 10 + 2 * c)
        tint = Image.new("L", (w, h), (seed * 37 + c * 80) % 200 + 20)
        parts.append(ImageChops.add(ImageChops.multiply(grad, tint), noise, scale=1.6, offset=-60))
    return Image.merge("RGB", parts)


def make_shoot(folder: Path, count: int, megapixels: int = 24, heic: int = 0) -> list[str]:
    """`count` photos in `folder` (every fourth one stored on its side with EXIF orientation 6, the
    last `heic` as HEIC): their file names. The pixels differ per photo, so no two share a hash."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    w, h = SIZES[megapixels]
    base = _base((w, h), 1)
    names = []
    for i in range(count):
        im = base.copy()
        im.paste((i * 7 % 256, 255 - i % 256, (i * 29) % 256), (i % 50 * 8, 0, i % 50 * 8 + 64, 64))
        if i >= count - heic:
            from pillow_heif import register_heif_opener

            register_heif_opener()
            name = f"p{i}.heic"
            # x265's fastest preset: 12 s for 24 MP instead of ~100 s; it decodes as any HEIC does
            im.save(folder / name, quality=90, enc_params={"preset": "ultrafast"})
        elif i % 4 == 3:
            exif = Image.Exif()
            exif[0x0112] = 6  # the camera was held upright: pixels stored on their side
            name = f"p{i}.jpg"
            im.transpose(Image.Transpose.ROTATE_90).save(folder / name, quality=92, exif=exif.tobytes())
        else:
            name = f"p{i}.jpg"
            im.save(folder / name, quality=92)
        names.append(name)
    return names
