"""A whole campaign end to end (issue 27): portraits imported from a CSV with 12 MP photos, their
consent and approval, `campaign render` of everything, a year's plan on two channels, the report;
each part's time on one line, the total against decoding every photo once with Pillow.

`python -m benchmarks whole [--portraits N] [--busy]`: N portraits (default 100; the issue's
campaign is 1,000: `--portraits 1000`, ~4 GB of photos made first, about 0.3 s each), `--busy`
with one busy-loop process beside the measurement. The commands run as the office runs them, each
in its own process with its default --jobs (all cores); the consent and approval, which the
office records one signed form at a time, are made in one transaction of the library.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks import intake, load, locks


def _command(*args: str) -> float:
    took, _peak, _cpu = intake._run([sys.executable, "-m", "campaign", *args])
    return took


def _consent_and_approve(root: Path) -> float:
    from campaign.workspace import Workspace
    from portraits import consent, records

    t = time.perf_counter()
    ws = Workspace(root)
    with ws.store.transaction() as db:
        for rec in records.all_portraits(db):
            consent.grant(db, rec["id"], "instagram,facebook", date(2026, 11, 1), today=date(2026, 12, 1))
            records.approve_portrait(db, rec["id"], True)
    return time.perf_counter() - t


def run(count: int) -> None:
    folder = intake.shoot(count, 0, megapixels=12)
    photos = sorted(str(p) for p in folder.iterdir() if p.suffix == ".jpg")
    decode, _peak, _cpu = intake._run([sys.executable, "-c", intake.DECODE, *photos])
    decode_load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        ws = locks._workspace(Path(tmp))
        root = str(ws.root)
        parts = {"import": _command("-w", root, "portrait", "import", str(folder / "import.csv"))}
        parts["consent+approve"] = _consent_and_approve(ws.root)
        parts["render"] = _command("-w", root, "render")
        parts["plan"] = _command("-w", root, "schedule", "plan", "--start", "2027-01-01", "--end", "2027-12-31",
                                 "--channels", "instagram,facebook")
        parts["report"] = _command("-w", root, "report")
    total = sum(parts.values())
    print(f"whole campaign, {count:,} portraits of 12 MP: " + ", ".join(f"{k} {v:.1f} s" for k, v in parts.items())
          + f"; total {total:.1f} s (load average {os.getloadavg()[0]:.1f}) vs Pillow decoding every photo once "
          f"{decode:.1f} s (load average {decode_load:.1f}): {total / decode:.2f}x [target <= 3x]")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    count = int(argv[argv.index("--portraits") + 1]) if "--portraits" in argv else 100
    busy = "--busy" in argv
    with load.busy(busy):
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start (others' work counts "
              f"in it){'; one busy-loop process beside it' if busy else ''}")
        run(count)


if __name__ == "__main__":
    main()
