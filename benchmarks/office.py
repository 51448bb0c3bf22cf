"""Office speed: the sign-off page a person without an account opens, and backup/restore of a
workspace.

The sign-off link covers a full week (14 posts: two a day, each with its rendered image), served by
`campaign serve` in its own process, timed over loopback to the full answer. Target (issue 25):
the sign-off page under 200 ms. The billboard page (Plakat) with 500 ranked portraits (each with a
published post and engagement), its pick of nine and a print export with its preview: under 1 s.
Backup and restore are timed on 300 portraits with photos and renders.

`python -m benchmarks office`.
"""
from __future__ import annotations

import re
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from benchmarks.web import _free_port, _p95, _start

PORTRAITS = 300
WEEK_POSTS = 14


def _workspace(tmp: Path):
    from PIL import Image

    from campaign.workspace import init_workspace
    from portraits import consent, records
    from schedules import posts

    ws = init_workspace(tmp / "ws")
    shoot = tmp / "shoot"
    shoot.mkdir()
    ids = []
    with ws.store.transaction() as db:
        for i in range(PORTRAITS):
            photo = shoot / f"p{i}.jpg"
            img = Image.new("RGB", (900, 1125), (i % 256, (i // 256) * 40, (i * 7) % 256))
            img.putpixel((i % 160, 0), (255, 255, 255))
            img.save(photo, quality=85)
            rec = records.add_portrait(db, ws.photos, photo, first_name="Person", age=18 + i % 70,
                                       role=f"Rolle {i % 7}", role_category="adult", quote=f"Zitat {i}.",
                                       surname="Geheim")
            consent.grant(db, rec["id"], "instagram,facebook", date(2026, 1, 1))
            records.approve_portrait(db, rec["id"], True)
            ids.append(rec["id"])
        now = ws.now()
        monday = now.date() + timedelta(days=7 - now.weekday())
        for n in range(WEEK_POSTS):
            at = datetime.combine(monday + timedelta(days=n // 2), datetime.min.time(), ws.tz) + \
                timedelta(hours=12 + 6 * (n % 2))
            posts.create(db, ids[n], ("instagram", "facebook")[n % 2], at, now)
    return ws, monday


def _signoff_page(ws, monday: date) -> None:
    import requests

    from campaign.posting import signoff

    t = time.perf_counter()
    made = signoff.make_link(ws, "week", monday.isoformat())
    print(f"  making a week link (renders 14 images)   {time.perf_counter() - t:6.2f} s")
    port = _free_port()
    server = _start(ws, port)
    try:
        address = f"http://127.0.0.1:{port}/signoff/{made.id}?t={made.token}"
        first = requests.get(address)
        assert first.status_code == 200 and "Geheim" not in first.text, first.status_code
        images = re.findall(r'<img src="([^"]+)"', first.text)
        assert len(images) == WEEK_POSTS
        times, image_times = [], []
        for _ in range(30):
            t = time.perf_counter()
            assert requests.get(address).status_code == 200
            times.append(time.perf_counter() - t)
        for src in images:
            t = time.perf_counter()
            assert requests.get(f"http://127.0.0.1:{port}" + src.replace("&amp;", "&")).status_code == 200
            image_times.append(time.perf_counter() - t)
        print(f"  sign-off page, {WEEK_POSTS} posts          p50 {statistics.median(times) * 1000:6.0f} ms   "
              f"p95 {_p95(times) * 1000:6.0f} ms   (target 200 ms)")
        print(f"  one of its images                    p50 {statistics.median(image_times) * 1000:6.0f} ms")
    finally:
        server.terminate()
        server.wait(timeout=10)


def _backup_restore(ws, tmp: Path) -> None:
    from campaign.privacy.backup import backup_workspace, restore_workspace

    size = sum(p.stat().st_size for p in ws.root.rglob("*") if p.is_file())
    t = time.perf_counter()
    result = backup_workspace(ws, tmp / "backup.tar.gz")
    made = time.perf_counter() - t
    t = time.perf_counter()
    restore_workspace(tmp / "backup.tar.gz", tmp / "restored")
    back = time.perf_counter() - t
    print(f"  backup of {result['files']} files ({size / 1e6:.0f} MB)    {made:6.2f} s   "
          f"archive {result['bytes'] / 1e6:.0f} MB")
    print(f"  restore, checked in full          {back:6.2f} s")


RANKED = 500


def _billboard_page(tmp: Path) -> None:
    from PIL import Image

    from benchmarks.web import PASSWORD, _login
    from campaign.outputs import billboard
    from campaign.workspace import init_workspace, users
    from portraits import consent, records
    from schedules import engagement, posts

    ws = init_workspace(tmp / "bb")
    shoot = tmp / "bb-shoot"
    shoot.mkdir()
    with ws.store.transaction() as db:
        now = ws.now()
        for i in range(RANKED):
            photo = shoot / f"p{i}.jpg"
            size = (1400, 1750) if i < 20 else (160, 200)  # twenty fill a slot of the 18/1; the rest rank only
            img = Image.new("RGB", size, (i % 256, (i // 256) * 40, (i * 7) % 256))
            img.putpixel((i % 160, 0), (255, 255, 255))
            img.save(photo, quality=80)
            rec = records.add_portrait(db, ws.photos, photo, first_name="Person", age=18 + i % 70,
                                       role=f"Rolle {i % 7}", role_category=f"cat{i % 9}", quote=f"Zitat {i}.")
            consent.grant(db, rec["id"], "instagram,facebook,billboard", date(2026, 1, 1), today=date(2100, 1, 1))
            records.approve_portrait(db, rec["id"], True)
            at = now - timedelta(days=30, hours=i)
            post = posts.create(db, rec["id"], "instagram", at, at - timedelta(days=1))
            posts.update(db, post["id"], at, "published", "bench", published_at=at.isoformat(timespec="seconds"))
            engagement.record(db, post["id"], likes=40 + (i * 37) % 900, comments=i % 20, shares=i % 7,
                              at=at + timedelta(days=4))
        users.add_user(db, "bench", "redaktion", users.hash_password(PASSWORD), now)
    billboard.pick(ws, 9)
    with ws.store.transaction() as db:  # approved by a second person in the office
        db.table(billboard.TABLE).update({"approved_by": "freigabe", "approved_at": ws.now().isoformat()})
    billboard.export(ws)
    port = _free_port()
    server = _start(ws, port)
    try:
        base = f"http://127.0.0.1:{port}"
        session = _login(base, "bench")
        first = session.get(f"{base}/billboard")
        assert first.status_code == 200 and "/billboard/files/0.png" in first.text, first.status_code
        times, previews = [], []
        for _ in range(20):
            t = time.perf_counter()
            assert session.get(f"{base}/billboard").status_code == 200
            t2 = time.perf_counter()
            assert session.get(f"{base}/billboard/files/0.png").status_code == 200
            times.append(t2 - t)
            previews.append(time.perf_counter() - t2)
        both = [a + b for a, b in zip(times, previews)]
        print(f"  billboard page, {RANKED} ranked        p50 {statistics.median(times) * 1000:6.0f} ms   "
              f"p95 {_p95(times) * 1000:6.0f} ms")
        print(f"  ... with its preview image         p50 {statistics.median(both) * 1000:6.0f} ms   "
              f"p95 {_p95(both) * 1000:6.0f} ms   (target 1000 ms)")
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        ws, monday = _workspace(tmp)
        _signoff_page(ws, monday)
        _backup_restore(ws, tmp)
        _billboard_page(tmp)


if __name__ == "__main__":
    main()
