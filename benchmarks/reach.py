"""Press kit speed and memory: 200 portraits with 24 MP photos, `--jobs 2` (target < 60 s, peak < 500 MB).

Each run is its own `campaign press kit` process; its wall time and the peak memory of the whole
process tree (the command, its render workers and the ExifTool processes, summed) are measured.
Baselines in the same run: `--jobs 1`; and the floor any kit has to pay, plain copying of the same
400 files and zipping them (Python's shutil and zipfile, no metadata, no render).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTRAITS = 200
PHOTO = (4000, 6000)  # 24 MP, upright


def _photo(path: Path) -> None:
    """A 24 MP studio-like JPEG: soft texture (so it is not unrealistically small) and a face."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(7)
    small = Image.fromarray(rng.integers(40, 200, (PHOTO[1] // 16, PHOTO[0] // 16, 3), dtype=np.uint8))
    img = small.resize(PHOTO, Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(2))
    d = ImageDraw.Draw(img)
    d.ellipse([1400, 1200, 2600, 2800], fill=(230, 190, 160))
    img.save(path, quality=95, subsampling=0)


def _workspace(tmp: Path):
    """200 approved portraits with press consent. The photos are stored as intake stores them (a
    clean JPEG under its SHA-256); one 24 MP photo is made and copied, with one byte changed each."""
    from campaign.workspace import init_workspace
    from portraits import consent

    ws = init_workspace(tmp / "ws", name="Duisburg ist echt solidarisch", hashtag="#duisburgistechtsolidarisch")
    source = tmp / "source.jpg"
    _photo(source)
    data = bytearray(source.read_bytes())
    with ws.store.transaction() as db:
        for i in range(PORTRAITS):
            data[-3] = i % 256  # inside the entropy-coded data's end: a different file, the same picture
            sha = hashlib.sha256(bytes(data) + str(i).encode()).hexdigest()
            (ws.photos / f"{sha}.jpg").write_bytes(bytes(data))
            pid = f"person-{i:03d}"
            db.table("portraits").insert({
                "id": pid, "first_name": f"Person{i:03d}", "age": 20 + i % 60, "role": "Nachbarin",
                "role_category": f"cat{i % 7}", "quote": "Wir halten zusammen, jeden Tag ein bisschen mehr.",
                "lang": "de", "credit": "Studio Nord", "status": "approved", "translations": {},
                "photo": {"sha256": sha, "width": PHOTO[0], "height": PHOTO[1], "format": "JPEG",
                          "file": f"photos/{sha}.jpg", "focus": [0.5, 0.33], "focus_source": "face", "warnings": []},
                "created_at": "2026-01-01T00:00:00+01:00", "updated_at": "2026-01-01T00:00:00+01:00"})
            consent.grant(db, pid, "instagram,press", date(2026, 1, 1), today=date(2100, 1, 1))
    return ws


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in kB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
    return total


def _child(args: list[str]) -> tuple[float, float, float]:
    """Wall time (s), peak resident memory of the process tree (MB) and CPU time of the tree (s) of
    one command. The CPU time does not depend on what else the machine is doing: on an idle 2-core
    machine the wall time cannot be less than half of it."""
    import resource

    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAMPAIGN_USER": "bench"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed: {' '.join(args)}\n{proc.stderr.read().decode()[-2000:]}")
    return elapsed, peak / 1024, cpu


def _copy_and_zip(ws, out: Path) -> float:
    """The floor: the same 400 files copied into a folder and zipped, nothing else."""
    start = time.perf_counter()
    out.mkdir()
    for photo in ws.photos.glob("*.jpg"):
        shutil.copyfile(photo, out / photo.name)
    for render in ws.renders.glob("*/instagram-feed.jpg"):
        shutil.copyfile(render, out / f"{render.parent.name}-feed.jpg")
    with zipfile.ZipFile(out.with_suffix(".zip"), "w") as z:
        for f in sorted(out.iterdir()):
            z.write(f, f.name, compress_type=zipfile.ZIP_STORED)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        ws = _workspace(Path(tmp))
        size = sum(f.stat().st_size for f in ws.photos.glob("*.jpg")) / 1e6
        print(f"setup: {PORTRAITS} portraits, 24 MP photos ({size / PORTRAITS:.1f} MB each) in "
              f"{time.perf_counter() - t0:.0f} s")
        cmd = ["-m", "campaign", "-w", str(ws.root), "press", "kit"]
        load = os.getloadavg()[0]
        t2, m2, c2 = _child([*cmd, "--jobs", "2", "--out", str(Path(tmp) / "kit-2")])
        print(f"press kit --jobs 2, renders made too   {t2:6.1f} s  peak {m2:5.0f} MB (process tree)  CPU {c2:5.1f} s "
              f"[target < 60 s, < 500 MB]")
        t1, m1, c1 = _child([*cmd, "--jobs", "1", "--out", str(Path(tmp) / "kit-1")])
        t2b, m2b, c2b = _child([*cmd, "--jobs", "2", "--out", str(Path(tmp) / "kit-2b")])
        print(f"press kit, renders cached: --jobs 1 {t1:6.1f} s  peak {m1:5.0f} MB;  --jobs 2 {t2b:6.1f} s  "
              f"peak {m2b:5.0f} MB  CPU {c2b:5.1f} s  ({t1 / t2b:.2f}x)")
        floor = _copy_and_zip(ws, Path(tmp) / "floor")
        print(f"baseline: copy the same {2 * PORTRAITS} files and zip them  {floor:6.1f} s  "
              f"(kit with cached renders = {t2b / floor:.1f}x that)")
        print(f"load average at the start {load:.1f}, at the end {os.getloadavg()[0]:.1f} (2 cores; other work "
              "on the machine slows the wall times, not the CPU times)")
