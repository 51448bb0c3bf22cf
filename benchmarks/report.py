"""Report speed: `campaign report` of a campaign with 500 portraits and 2,000 posts (target < 10 s).

The workspace is made through the library as the office would have it: 500 portraits with real
photos (800 x 1000), consent and approval, all four formats rendered by `campaign render` (real
1080 px renders, so the thumbnails cost what they cost), 2,000 posts over a year on two channels
(the past ones published, with three engagement snapshots each; a few failed), an approved
billboard pick. Then the report is timed in this process (median of three, after one warm-up) and
as the command, and once with --pdf.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

PORTRAITS, POSTS = 500, 2000
NAMES = ("Anna Brigitte Cem Dana Emil Fatma Gregor Hanna Ilse Jonas Karim Lena Mehmet Nora Olena Paul "
         "Rania Sven Tamara Uwe Vera Wiebke Yusuf Zoe Amira").split()


def _photo(path: Path, i: int) -> Path:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (800, 1000), ((i * 37) % 256, (i * 91) % 256, 60 + 40 * (i // 256)))
    d = ImageDraw.Draw(img)
    d.ellipse([280, 200, 520, 550], fill=(230, 190, 160))
    img.save(path, "JPEG", quality=88)
    return path


def build(root: Path) -> None:
    from campaign.outputs.renders import render
    from campaign.workspace import init_workspace
    from portraits import consent, records
    from schedules import engagement, posts

    ws = init_workspace(root, name="Duisburg ist echt solidarisch", hashtag="#duisburgistechtsolidarisch")
    incoming = root.parent / "in"
    incoming.mkdir()
    ids = []
    with ws.store.transaction() as db:
        for i in range(PORTRAITS):
            rec = records.add_portrait(db, ws.photos, _photo(incoming / f"{i}.jpg", i),
                                       first_name=NAMES[i % len(NAMES)],
                                       age=20 + i % 60, role=f"Rolle {i % 9}", role_category=f"cat{i % 9}",
                                       quote=f"Zusammen sind wir stärker, sagt Nummer {i}.", surname="Geheim")
            consent.grant(db, rec["id"], "instagram,facebook,billboard", date(2026, 1, 1), today=date(2100, 1, 1),
                          expires=date(2027, 1, 1) if i % 25 == 0 else None)
            records.approve_portrait(db, rec["id"], True)
            ids.append(rec["id"])
    render(ws, jobs=2)
    now = ws.now()
    first = now - timedelta(days=200)
    with ws.store.transaction() as db:
        for n in range(POSTS):
            at = first + timedelta(hours=n * 365 * 24 / POSTS)
            post = posts.create(db, ids[n % PORTRAITS], ("instagram", "facebook")[n % 2], at, first, lang="de")
            if at < now - timedelta(hours=1):
                status = "failed" if n % 97 == 0 else "published"
                posts.update(db, post["id"], at, status, "bench", published_at=at.isoformat(timespec="seconds"),
                             error="bench failure" if status == "failed" else None)
                if status == "published":
                    for days, likes in ((1, 40 + n % 300), (4, 80 + n % 500), (8, 100 + n % 700)):
                        if at + timedelta(days=days) < now:
                            engagement.record(db, post["id"], likes=likes, comments=n % 20, shares=n % 7,
                                              at=at + timedelta(days=days))


def _timed(fn) -> tuple[float, float, dict]:
    """Wall time, CPU time of this process (all threads) and the result."""
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    result = fn()
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_SELF)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, result


def main() -> None:
    from benchmarks.privacy import _command  # a command's wall time, in its own process
    from campaign.outputs.report import write_report
    from campaign.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        t = time.perf_counter()
        build(root)
        print(f"built and rendered a campaign of {PORTRAITS:,} portraits and {POSTS:,} posts in "
              f"{time.perf_counter() - t:.1f} s")
        cold = [_timed(lambda n=n: write_report(Workspace(root), Path(tmp) / f"cold-{n}", lang="de")) for n in range(3)]
        warm = [_timed(lambda: write_report(Workspace(root), lang="de")) for _ in range(4)][1:]
        result = warm[-1][2]
        cli = _command("-w", str(root), "report")
        pdf = _command("-w", str(root), "report", "--pdf")
        size = sum((Path(result["index"]).parent / f).stat().st_size for f in result["files"]) / 1e6

        def runs(rows):
            return (f"median {statistics.median(r[0] for r in rows):.2f} s (runs "
                    f"{', '.join(f'{r[0]:.2f}' for r in rows)}; CPU {statistics.median(r[1] for r in rows):.2f} s)")

        print(f"report, first in a new folder (every thumbnail made): {runs(cold)}; target < 10 s")
        print(f"report, the next morning (unchanged thumbnails reused, {result['thumbnails']['reused']:,} of "
              f"{sum(result['thumbnails'].values()):,}): {runs(warm)}")
        print(f"as `campaign report`: {cli:.2f} s; with --pdf: {pdf:.2f} s; {result['gallery']} portraits in the "
              f"gallery, {result['next_days']} posts in the next days, {len(result['files']):,} files, {size:.1f} MB; "
              f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
