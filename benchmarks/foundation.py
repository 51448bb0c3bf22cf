"""Foundation speed: `campaign --help`, a 1,000-row CSV import, `portrait list --json` on 10,000.

Each figure is printed next to a baseline measured in the same run: a bare `python -c pass`
for start-up, and TinyDB's own JSONStorage writing the same 10,000 records for the store.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _time(cmd: list[str], runs: int = 5, **kw) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=_env(), **kw)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _photos(folder: Path, n: int) -> None:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        img = Image.new("RGB", (120, 150), (i % 256, (i // 256) * 60, (i * 13) % 256))
        img.putpixel((i % 120, i // 120), (255, 255, 255))  # every photo different
        img.save(folder / f"p{i}.jpg", quality=80)


def main() -> None:
    py = sys.executable
    base = _time([py, "-c", "pass"])
    helptime = _time([py, "-m", "campaign", "--help"])
    print(f"campaign --help: {helptime:.3f} s (python start-up alone {base:.3f} s; target < 0.3 s)")
    german = _time([py, "-m", "campaign", "--ui-lang", "de", "--help"])
    print(f"campaign --ui-lang de --help (German catalogs loaded, help translated): {german:.3f} s (target < 0.3 s)")

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        from campaign.workspace import init_workspace

        ws = init_workspace(tmp / "ws")
        _photos(tmp / "shoot", 1000)
        rows = ["photo,first_name,age,role,quote,role_category"]
        rows += [f"p{i}.jpg,Person,{18 + i % 70},Rolle {i % 9},Zitat Nummer {i}.,cat{i % 9}" for i in range(1000)]
        (tmp / "import.csv").write_text("\n".join(rows) + "\n")
        t = time.perf_counter()
        r = subprocess.run([py, "-m", "campaign", "-w", ws.root, "portrait", "import", tmp / "import.csv",
                            "--photos", tmp / "shoot"], capture_output=True, text=True, env=_env())
        imp = time.perf_counter() - t
        assert r.returncode == 0, r.stderr
        print(f"portrait import, 1,000 rows with small photos: {imp:.2f} s (target: seconds, not minutes)")

        # 10,000 portraits: grow the store directly (through the store module), then time the listing.
        from portraits.records import all_portraits

        with ws.store.transaction() as db:
            template = all_portraits(db)[0]
            extra = []
            for i in range(9000):
                rec = dict(template, id=f"extra-{i}")
                rec["photo"] = dict(template["photo"], sha256=f"{i:064x}")
                extra.append(rec)
            db.table("portraits").insert_multiple(extra)
        listing = _time([py, "-m", "campaign", "-w", ws.root, "portrait", "list", "--json"], runs=3)
        print(f"portrait list --json, 10,000 portraits: {listing:.2f} s (target < 1.5 s)")

        # Baseline: TinyDB's default JSONStorage writing the same data, against our atomic store.
        from tinydb import TinyDB
        data = all_portraits(ws.store.read())
        t = time.perf_counter()
        plain = TinyDB(tmp / "plain.json")
        plain.table("portraits").insert_multiple(data)
        plain.close()
        t_plain = time.perf_counter() - t
        from campaign.workspace.store import Store
        t = time.perf_counter()
        with Store(tmp / "atomic.json").transaction() as db:
            db.table("portraits").insert_multiple(data)
        t_atomic = time.perf_counter() - t
        print(f"write 10,000 records: atomic+locked store {t_atomic:.2f} s vs TinyDB JSONStorage {t_plain:.2f} s "
              f"(ratio {t_atomic / t_plain:.2f}x)")

        # The backup copy: one change to the 10,000-record store, keeping the previous version vs not.
        size = (tmp / "atomic.json").stat().st_size

        def one_change(store: Store, i: int) -> float:
            t = time.perf_counter()
            with store.transaction() as db:
                db.table("counters").insert({"name": f"bench-{store.backups}-{i}", "value": i})
            return time.perf_counter() - t

        plain_store, kept_store = Store(tmp / "atomic.json", backups=0), Store(tmp / "atomic.json", backups=5)
        without, kept = [], []
        for i in range(15):  # side by side, each going first in turn, so both see the same load
            for store, times in ((plain_store, without), (kept_store, kept))[::1 if i % 2 else -1]:
                times.append(one_change(store, i))
        t_without, t_with = statistics.median(without), statistics.median(kept)
        print(f"one change to the 10,000-record store ({size / 1e6:.1f} MB): with the backup of the previous "
              f"version {t_with:.3f} s vs without {t_without:.3f} s ({(t_with / t_without - 1) * 100:+.0f} %)")


if __name__ == "__main__":
    main()
