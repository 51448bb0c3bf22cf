"""Import speed at the size of a real shoot (issue 27): `campaign portrait import` of camera-size
photos against Pillow decoding the same files once, and how long another process waits for the
store lock meanwhile.

`python -m benchmarks intake [--photos N] [--heic N] [--busy]`: N photos of 24 MP (default 40; the
issue's shoot is 200: `--photos 200`), `--heic` of them as HEIC (default 0: encoding a 24 MP HEIC
for the benchmark takes about 12 s each), `--busy` with one busy-loop process beside every
measurement (two cores, one busy with other work). The runs alternate: decode, import, decode,
import. The photos are kept in the temporary folder between runs (made once: ~0.5 s each).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import load, locks
from benchmarks.shoot import make_shoot

ROOT = Path(__file__).resolve().parent.parent
DECODE = """
import sys
from PIL import Image
from pillow_heif import register_heif_opener
register_heif_opener()
for path in sys.argv[1:]:
    with Image.open(path) as im:
        im.load()
"""

# The floor: what no import can skip, a full decode and the kept copy's encode (metadata gone,
# a restart marker after each row of blocks for the renders' band decode), in one thread.
FLOOR = """
import os, sys
from PIL import Image
from pillow_heif import register_heif_opener
from portraits.imageio import save_jpeg
from portraits.intake import kept_use
register_heif_opener()
with open(os.devnull, "wb") as sink:
    for path in sys.argv[1:]:
        with Image.open(path) as im:
            use = kept_use(im)
            im.load()
            save_jpeg(im if im.mode == "RGB" else im.convert("RGB"), sink, use)
"""


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def _run(args: list[str]) -> tuple[float, float, float]:
    """Wall time, peak memory (MB) and CPU seconds of a command: one process, its threads included."""
    t = time.perf_counter()
    proc = subprocess.Popen(args, env=locks._env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - t
    assert status == 0, proc.stderr.read() if proc.stderr else status
    return took, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def shoot(count: int, heic: int, megapixels: int = 24) -> Path:
    """The benchmark's photos, made once per size in the temporary folder."""
    folder = Path(tempfile.gettempdir()) / f"campaign-bench-shoot-{megapixels}mp-{count}-{heic}"
    if not (folder / "import.csv").exists():
        names = make_shoot(folder, count, megapixels, heic)
        (folder / "import.csv").write_text("photo,first_name,age,role,quote\n" + "".join(
            f"{name},Person,{18 + i % 70},Rolle {i % 9},Wir halten zusammen, Nummer {i}.\n"
            for i, name in enumerate(names)), encoding="utf-8")
    return folder


def compare(folder: Path, rounds: int = 2, jobs: int | None = None) -> None:
    photos = sorted(str(p) for p in folder.iterdir() if p.suffix in (".jpg", ".heic"))
    before = _run([sys.executable, "-c", DECODE, *photos])[2]
    floor_cpu = _run([sys.executable, "-c", FLOOR, *photos])[2]
    decode_cpu = (before + _run([sys.executable, "-c", DECODE, *photos])[2]) / 2  # one run either side
    print(f"  floor: a full decode and the kept copy's encode, nothing else, one thread: CPU {floor_cpu:.1f} s vs "
          f"{decode_cpu:.1f} s, {floor_cpu / decode_cpu:.2f}x the decode's CPU (with one core ours, no import is "
          f"under this; {_load()})")
    for n in range(rounds):
        decode, _peak, decode_cpu = _run([sys.executable, "-c", DECODE, *photos])
        decode_load = _load()
        with tempfile.TemporaryDirectory() as tmp:
            ws = locks._workspace(Path(tmp))
            args = [sys.executable, "-m", "campaign", "-w", str(ws.root), "portrait", "import",
                    str(folder / "import.csv")] + (["--jobs", str(jobs)] if jobs else [])
            with locks.Prober(ws.store.path) as prober:
                took, peak, cpu = _run(args)
        print(f"  round {n + 1}: import of {len(photos)} photos {took:.1f} s ({took / len(photos):.2f} s a photo, "
              f"peak {peak:.0f} MB; {_load()}) vs Pillow decoding them once {decode:.1f} s ({decode_load}): "
              f"{took / decode:.2f}x [target <= 2x, < 500 MB]; CPU {cpu:.1f} s vs {decode_cpu:.1f} s "
              f"({cpu / decode_cpu:.2f}x); store lock meanwhile: {prober.summary()}")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    count = int(argv[argv.index("--photos") + 1]) if "--photos" in argv else 40
    heic = int(argv[argv.index("--heic") + 1]) if "--heic" in argv else 0
    folder = shoot(count, heic)
    busy = "--busy" in argv
    with load.busy(busy):
        print(f"portrait import of {count} photos of 24 MP ({heic} HEIC, every fourth on its side with EXIF "
              f"orientation 6), all cores{' beside one busy-loop process' if busy else ''}; "
              f"{os.cpu_count()} cores, {_load()} at the start (others' work counts in it)")
        compare(folder)
        with tempfile.TemporaryDirectory() as tmp:
            locks._import(Path(tmp), "rows", locks.ROWS, (600, 750))
        print(f"  ({_load()} at the end)")


if __name__ == "__main__":
    main()
