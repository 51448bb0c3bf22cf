"""Billboard export speed and memory, nine 24-megapixel portraits: 18/1 at 1:10 and 300 dpi, and the
same poster at 1:1 and 100 dpi (about 14,300 x 10,200 px), each in its own process.

Baselines in the same run, alternating with the exports: Pillow fully decoding the nine photos once
(target: the whole 1:10 export, process start included, under 0.35x that), and a process that only starts Python and
imports what the export uses. Peak memory is the kernel's high-water mark (target < 500 MB at 1:1).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.load import load

ROOT = Path(__file__).resolve().parent.parent
PHOTO = (4000, 6000)  # a 24 MP studio portrait
NAMES = ["Anna", "Ben", "Cem", "Dana", "Emil", "Fatma", "Gustav", "Hanna", "Ilja"]


def _workspace(tmp: Path):
    from campaign.outputs.billboard import approve, pick
    from campaign.workspace import init_workspace
    from portraits import consent, records

    ws = init_workspace(tmp / "ws", name="Duisburg ist echt solidarisch", hashtag="#duisburgistechtsolidarisch")
    shoot = tmp / "shoot"
    shoot.mkdir()
    from benchmarks.render import _portrait

    with ws.store.transaction() as db:
        for i in range(9):
            _portrait(shoot / f"p{i}.jpg", PHOTO, seed=i)
            rec = records.add_portrait(db, ws.photos, shoot / f"p{i}.jpg", first_name=NAMES[i], age=10 + i * 9,
                                       role=f"Rolle {i}", role_category=f"cat{i}", quote="Zitat.",
                                       credit="Studio")
            consent.grant(db, rec["id"], "billboard", date(2026, 1, 1), guardians=["Guardian"] if i < 1 else [])
            records.approve_portrait(db, rec["id"], True)
    pick(ws, 9)
    approve(ws)
    return ws


def _child(args: list[str]) -> tuple[float, float, float]:
    """Wall time (s), peak resident memory (MB, the kernel's VmHWM high-water mark) and CPU time (s,
    all its threads) of one child."""
    import resource

    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAMPAIGN_USER": "bench"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed: {' '.join(args)}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, peak_kb / 1024, cpu


def main() -> None:
    import statistics

    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        ws = _workspace(Path(tmp))
        photos = sorted(ws.photos.glob("*.jpg"))

        decode_cpu: list[float] = []

        def decode_all() -> float:
            since = time.process_time()
            start = time.perf_counter()
            for path in photos:
                with Image.open(path) as im:
                    im.load()
            decode_cpu.append(time.process_time() - since)
            return time.perf_counter() - start
        decode_all()
        base_t, base_m, _cpu = _child(["-c", "import campaign.outputs.billboard, portraits.poster, "
                                       "reportlab.pdfgen.canvas, pikepdf, "
                                       "PIL.Image"])
        print(f"baseline: start Python and import the export's modules  {base_t:5.2f} s  {base_m:6.0f} MB  ({load()})")
        for label, scale, dpi in (("18/1 at 1:10, 300 dpi", "1:10", 300), ("18/1 at 1:1, 100 dpi", "1:1", 100)):
            out = Path(tmp) / f"bb-{scale.replace(':', '-')}.pdf"
            args = ["-m", "campaign", "-w", str(ws.root), "billboard", "export", "--format", "18/1",
                    "--scale", scale, "--dpi", str(dpi), "--out", str(out)]
            decodes, runs = [], []
            decode_cpu.clear()
            for _ in range(3):  # alternating: the decode of the nine, then one export
                decodes.append(decode_all())
                runs.append(_child(args))
            decode_t = statistics.median(decodes)
            t = statistics.median(r[0] for r in runs)
            m = max(r[1] for r in runs)
            cpu, decode_c = statistics.median(r[2] for r in runs), statistics.median(decode_cpu)
            with Image.open(out.with_suffix(".png")) as preview:
                size = preview.size
            target = (f"{t / decode_t:.2f}x the decode [target < 0.35x], CPU {cpu / decode_c:.2f}x; the baseline's "
                      f"start-up alone is {base_t / decode_t:.2f}x" if scale == "1:10" else "[target peak < 500 MB]")
            print(f"nine 24 MP photos: Pillow decodes them fully once in {decode_t:5.2f} s, CPU {decode_c:5.2f} s "
                  "(median of 3)")
            print(f"{label:24s} {t:5.2f} s, CPU {cpu:5.2f} s ({t - base_t:5.2f} s over baseline)  peak {m:6.0f} MB   "
                  f"PDF {out.stat().st_size / 1e6:5.1f} MB, preview {size[0]}x{size[1]}  {target}  ({load()})")
