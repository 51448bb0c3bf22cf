"""Billboard export speed and memory: 18/1 at 1:10 and 300 dpi (target < 3 s, < 500 MB peak),
and the same poster at 1:1 and 100 dpi (about 14,000 x 10,000 px), each in its own process.

Baseline in the same run: a process that only starts Python and imports what the export uses,
so the figures show what the export itself adds.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHOTO = (3000, 3750)  # a 11 MP studio portrait
NAMES = ["Anna", "Ben", "Cem", "Dana", "Emil", "Fatma", "Gustav", "Hanna", "Ilja"]


def _workspace(tmp: Path):
    from PIL import Image, ImageDraw

    from campaign.billboard import approve, pick
    from campaign.workspace import init_workspace
    from portraits import consent, records

    ws = init_workspace(tmp / "ws", name="Duisburg ist echt solidarisch", hashtag="#duisburgistechtsolidarisch")
    shoot = tmp / "shoot"
    shoot.mkdir()
    with ws.store.transaction() as db:
        for i in range(9):
            img = Image.new("RGB", PHOTO, (60 + i * 20, 90, 140 - i * 10))
            d = ImageDraw.Draw(img)
            d.ellipse([1000, 700, 2000, 2000], fill=(230, 190, 160))
            d.rectangle([0, 0, i * 10, 10], fill="white")
            img.save(shoot / f"p{i}.jpg", quality=90)
            rec = records.add_portrait(db, ws.photos, shoot / f"p{i}.jpg", first_name=NAMES[i], age=10 + i * 9,
                                       role=f"Rolle {i}", role_category=f"cat{i}", quote="Zitat.",
                                       credit="Studio")
            consent.grant(db, rec["id"], "billboard", date(2026, 1, 1), guardians=["Guardian"] if i < 1 else [])
            records.approve_portrait(db, rec["id"], True)
    pick(ws, 9)
    approve(ws)
    return ws


def _child(args: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MB, the kernel's VmHWM high-water mark) of one child."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAMPAIGN_USER": "bench"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_kb = 0
    while proc.poll() is None:
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed: {' '.join(args)}")
    return elapsed, peak_kb / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws = _workspace(Path(tmp))
        base_t, base_m = _child(["-c", "import campaign.billboard, portraits.poster, reportlab.pdfgen.canvas, PIL.Image"])
        print(f"baseline: start Python and import the export's modules  {base_t:5.2f} s  {base_m:6.0f} MB")
        for label, scale, dpi, target in (("18/1 at 1:10, 300 dpi", "1:10", 300, "target < 3 s, < 500 MB"),
                                          ("18/1 at 1:1, 100 dpi", "1:1", 100, "must work")):
            out = Path(tmp) / f"bb-{scale.replace(':', '-')}.pdf"
            t, m = _child(["-m", "campaign", "-w", str(ws.root), "billboard", "export", "--format", "18/1",
                           "--scale", scale, "--dpi", str(dpi), "--out", str(out)])
            from PIL import Image

            with Image.open(out.with_suffix(".png")) as preview:
                size = preview.size
            print(f"{label:24s} {t:5.2f} s ({t - base_t:5.2f} s over baseline)  peak {m:6.0f} MB   "
                  f"PDF {out.stat().st_size / 1e6:5.1f} MB, preview {size[0]}x{size[1]}  [{target}]")
