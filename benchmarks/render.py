"""Rendering speed, side by side in one run.

On one 24-megapixel JPEG, all four formats: (a) a naive Pillow pipeline (full decode, then
`ImageOps.fit` per format), (b) pyvips `thumbnail` cutting the same four photo areas, without text,
(c) ours with text, band and brand (one reduced decode via `draft()`). Targets: (c) at least 2x
faster than (a) and no slower than (b). Then a batch of 100 portraits: `--jobs 2` against `--jobs 1`
(target 1.7x).
"""
from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from io import BytesIO
from pathlib import Path

REPEAT = 5


def _photo(path: Path, size: tuple[int, int], seed: int = 0) -> Path:
    """A photo-like JPEG: smooth light, a face-like shape and fine grain (grain makes decoding honest)."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    w, h = size
    rng = np.random.default_rng(seed)
    small = Image.fromarray(rng.integers(60, 200, (h // 64, w // 64, 3), dtype=np.uint8)).resize((w, h))
    d = ImageDraw.Draw(small)
    d.ellipse([w * 0.38, h * 0.15, w * 0.62, h * 0.5], fill=(224, 172, 135))
    small = small.filter(ImageFilter.GaussianBlur(4))
    grain = Image.fromarray(rng.integers(0, 24, (h, w), dtype=np.uint8), "L").convert("RGB")
    Image.blend(small, grain, 0.08).save(path, quality=90)
    return path


def _median(fn) -> float:
    fn()  # warm-up: fonts, imports
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def naive(path: Path) -> list[bytes]:
    from PIL import Image, ImageOps

    from portraits.layouts import FORMATS

    out = []
    with Image.open(path) as im:
        im.load()
        for size in FORMATS.values():
            buf = BytesIO()
            ImageOps.fit(im, size, Image.Resampling.LANCZOS).save(buf, "JPEG", quality=90)
            out.append(buf.getvalue())
    return out


def vips(path: Path) -> list[bytes]:
    import pyvips

    from portraits.layouts import PHOTO_AREAS

    return [pyvips.Image.thumbnail(str(path), w, height=h, crop="centre").write_to_buffer(".jpg[Q=90]")
            for w, h in PHOTO_AREAS.values()]


def ours(path: Path) -> dict:
    from portraits.layouts import LAYOUTS
    from portraits.render import Brand, Job, Texts, name_line, render_job, typographic

    texts = Texts("de", name_line("Brigitte", 81, "Rentnerin", "de"),
                  typographic("Meine Generation hat viele Krisen überstanden. Toilettenpapier war nie ein Problem.", "de"),
                  "#duisburgistechtsolidarisch", "Foto: Studio Nord")
    return render_job(Job(path, (0.5, 0.33), Brand(), [(fmt, texts) for fmt in LAYOUTS]))


def _batch(tmp: Path, n: int = 100):
    from campaign.workspace import init_workspace
    from portraits import consent, records

    ws = init_workspace(tmp / "ws", name="Duisburg ist echt solidarisch", hashtag="#duisburgistechtsolidarisch")
    names = ["Anna", "Ben", "Cem", "Dana", "Emil", "Fatma", "Gustav", "Hanna", "Ilja", "Jule"]
    with ws.store.transaction() as db:
        for i in range(n):
            photo = _photo(tmp / f"p{i}.jpg", (1600, 2000), seed=i)
            rec = records.add_portrait(db, ws.photos, photo, first_name=names[i % 10], age=20 + i % 60,
                                       role="Nachbarin", quote=f"Wir halten zusammen, jeden Tag ({i}).")
            consent.grant(db, rec["id"], "instagram,facebook", date(2026, 1, 1))
            records.approve_portrait(db, rec["id"], True)
    return ws


def main() -> None:
    import shutil

    from campaign.rendering import render

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        photo = _photo(tmp / "24mp.jpg", (6000, 4000))
        a, b, c = _median(lambda: naive(photo)), _median(lambda: vips(photo)), _median(lambda: ours(photo))
        print("24 MP JPEG (6000x4000), four formats, median of 5:")
        print(f"  (a) naive Pillow (full decode, ImageOps.fit)  {a * 1000:7.0f} ms")
        print(f"  (b) pyvips thumbnail, no text                 {b * 1000:7.0f} ms")
        print(f"  (c) ours, with text and brand                 {c * 1000:7.0f} ms")
        print(f"  (c) is {a / c:.2f}x faster than (a) [target >= 2x] and {b / c:.2f}x the speed of (b) [target >= 1x]")

        ws = _batch(tmp)
        timings = {}
        for jobs in (1, 2):
            shutil.rmtree(ws.renders)
            ws.renders.mkdir()
            start = time.perf_counter()
            result = render(ws, jobs=jobs)
            timings[jobs] = time.perf_counter() - start
            assert len(result["rendered"]) == 400
        print("100 portraits (1600x2000 photos), four formats each:")
        print(f"  --jobs 1  {timings[1]:6.1f} s")
        print(f"  --jobs 2  {timings[2]:6.1f} s   speed-up {timings[1] / timings[2]:.2f}x [target >= 1.7x]")
