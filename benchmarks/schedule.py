"""Scheduling speed: planned-to-published latency, the idle daemon's CPU, planning a year, and
publishing a post whose render is stale.

Baselines measured in the same run: the publish work alone (a forced `publish_post`, no
scheduler) next to the scheduled latency; an idle `python` process next to the idle daemon;
planning 100 portraits next to 1,000 (how planning scales); one `campaign render` of the
portrait next to what rendering at publish time adds to a publish.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _workspace(tmp: Path, n: int):
    from PIL import Image

    from campaign.workspace import init_workspace
    from portraits import consent, records

    ws = init_workspace(tmp / f"ws{n}")
    shoot = tmp / f"shoot{n}"
    shoot.mkdir()
    with ws.store.transaction() as db:
        for i in range(n):
            photo = shoot / f"p{i}.jpg"
            img = Image.new("RGB", (160, 200), (i % 256, (i // 256) * 40, (i * 7) % 256))
            img.putpixel((i % 160, 0), (255, 255, 255))
            img.save(photo, quality=80)
            rec = records.add_portrait(db, ws.photos, photo, first_name="Person", age=18 + i % 70,
                                       role=f"Rolle {i % 7}", role_category=f"cat{i % 7}", quote=f"Zitat {i}.")
            consent.grant(db, rec["id"], "instagram,facebook", date(2026, 1, 1))
            records.approve_portrait(db, rec["id"], True)
    return ws


def _latency(tmp: Path) -> None:
    from campaign.outputs.renders import publishing_site, render
    from schedules import posts
    from schedules.daemon import Runner
    from schedules.runner import publish_post

    ws = _workspace(tmp, 12)
    render(ws, jobs=1)  # the renders are current: what is measured is scheduling and publishing
    ids = [p["id"] for p in ws.store.read().table("portraits").all()]
    # Baseline: the same publish work, called directly.
    direct = []
    for pid in ids[:5]:
        with ws.store.transaction() as db:
            post = posts.create(db, pid, "facebook", ws.now(), ws.now())
        t = time.perf_counter()
        publish_post(publishing_site(ws), post["id"], force=True)
        direct.append(time.perf_counter() - t)

    start = ws.now() + timedelta(seconds=3)
    planned = {}
    with ws.store.transaction() as db:
        for i, pid in enumerate(ids):
            post = posts.create(db, pid, "instagram", start + timedelta(seconds=i * 0.7), ws.now())
            planned[post["id"]] = datetime.fromisoformat(post["at"]).timestamp()
    seen: dict[str, float] = {}
    stop = threading.Event()

    def watch():
        while not stop.is_set() and len(seen) < len(planned):
            for p in ws.store.read().table("posts").all():
                if p["id"] in planned and p["status"] == "published" and p["id"] not in seen:
                    seen[p["id"]] = time.time()
            time.sleep(0.01)

    runner = Runner(publishing_site(ws), sync_seconds=5)
    runner.start()
    watcher = threading.Thread(target=watch)
    watcher.start()
    watcher.join(timeout=60)
    stop.set()
    runner.stop()
    lat = sorted(seen[k] - planned[k] for k in seen)
    p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
    print(f"planned -> published (outbox, {len(lat)}/{len(planned)} posts): median {statistics.median(lat):.3f} s, "
          f"p95 {p95:.3f} s (target median < 1 s, p95 < 2 s); the publish work alone "
          f"{statistics.median(direct):.3f} s")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _idle(tmp: Path, seconds: float = 20.0) -> None:
    ws = _workspace(tmp, 50)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    daemon = subprocess.Popen([sys.executable, "-m", "campaign", "-w", str(ws.root), "run"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    idle = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(5)"])
    try:
        time.sleep(3)  # start-up is not idle time
        d0, i0, t0 = _cpu_seconds(daemon.pid), _cpu_seconds(idle.pid), time.monotonic()
        time.sleep(seconds)
        d1, i1, t1 = _cpu_seconds(daemon.pid), _cpu_seconds(idle.pid), time.monotonic()
    finally:
        daemon.terminate()
        idle.terminate()
        daemon.wait(20)
        idle.wait(5)
    print(f"idle daemon (50 portraits, re-sync every 5 s): {100 * (d1 - d0) / (t1 - t0):.2f} % of a core "
          f"over {t1 - t0:.0f} s (target < 1 %); a sleeping python {100 * (i1 - i0) / (t1 - t0):.2f} %")


def _planning(tmp: Path) -> None:
    from campaign.posting.scheduling import plan_posts

    times = {}
    for n in (100, 1000):
        ws = _workspace(tmp, n)
        t = time.perf_counter()
        result = plan_posts(ws, "2027-01-01", "2027-12-31", channels="instagram,facebook")
        times[n] = time.perf_counter() - t
        count = len(result["created"])
    print(f"plan a year, 1,000 portraits, 2 channels ({count} posts): {times[1000]:.2f} s (target < 5 s); "
          f"100 portraits {times[100]:.2f} s (ratio {times[1000] / times[100]:.1f}x for 10x the portraits)")


def _stale(tmp: Path, n: int = 5) -> None:
    """A post whose portrait changed since it was rendered, through the outbox: what the render at
    publish time adds, next to one `campaign render` of that portrait (its four formats)."""
    import shutil

    from PIL import Image

    from campaign.outputs.renders import publishing_site, render
    from campaign.workspace import init_workspace
    from portraits import consent, records
    from schedules import posts
    from schedules.runner import publish_post

    ws = init_workspace(tmp / "stale")
    shoot = tmp / "stale-shoot"
    shoot.mkdir()
    with ws.store.transaction() as db:
        for i in range(n):  # camera-sized photos: 12 MP, noisy like a real picture
            photo = shoot / f"p{i}.jpg"
            noise = Image.effect_noise((3000, 4000), 60 + i).convert("RGB")
            Image.blend(noise, Image.new("RGB", noise.size, (150 + i, 120, 100)), 0.6).save(photo, quality=90)
            rec = records.add_portrait(db, ws.photos, photo, first_name="Person", age=30 + i, role="Rolle",
                                       role_category=f"cat{i}", quote=f"Zitat {i}: wir halten zusammen.")
            consent.grant(db, rec["id"], "instagram", date(2026, 1, 1))
            records.approve_portrait(db, rec["id"], True)
    renders, current, stale = [], [], []
    for rec in ws.store.read().table("portraits").all():
        pid = rec["id"]
        t = time.perf_counter()
        render(ws, [pid], jobs=1)  # the baseline: `campaign render ID`
        renders.append(time.perf_counter() - t)
        for bucket, edit in ((current, False), (stale, True)):
            if edit:
                with ws.store.transaction() as db:
                    records.edit_portrait(db, pid, {"quote": "Neu: wir halten zusammen."})
            with ws.store.transaction() as db:
                post = posts.create(db, pid, "instagram", ws.now(), ws.now())
            t = time.perf_counter()
            done = publish_post(publishing_site(ws), post["id"], force=True)
            bucket.append(time.perf_counter() - t)
            assert done["status"] == "published", done
        shutil.rmtree(ws.renders / pid)
    added = statistics.median(s - c for s, c in zip(stale, current))
    base = statistics.median(renders)
    print(f"publish a post whose render is stale (outbox, 12 MP photo): {statistics.median(stale):.2f} s, of which "
          f"rendering adds {added:.2f} s; one `campaign render` of the portrait {base:.2f} s "
          f"(ratio {added / base:.2f}, target <= 1); with a current render {statistics.median(current):.3f} s")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _latency(tmp)
        _stale(tmp)
        _idle(tmp)
        _planning(tmp)


if __name__ == "__main__":
    main()
