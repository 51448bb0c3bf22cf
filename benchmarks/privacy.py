"""Privacy speed: `campaign doctor` and `campaign gdpr erase` on 1,000 portraits and 5,000 posts.

The workspace is written directly through the library (tiny photos, renders and outbox folders
made as files), then each command is timed in this process and as the real command. The
baseline, measured in the same run, is what any whole-workspace command must pay anyway: read
the store once and list every folder.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTRAITS, POSTS, PUBLISHED = 1000, 5000, 2000
VICTIM = 500  # the portrait that is erased


def _tiny_jpeg(i: int) -> bytes:
    from io import BytesIO

    from PIL import Image

    img = Image.new("RGB", (24, 30), (i % 256, (i // 256) * 40, 90))
    buf = BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def build(root: Path) -> None:
    """1,000 approved portraits with consent, 5,000 posts (2,000 published to the outbox), renders,
    engagement, a billboard pick with an export, a calendar, an audit entry per change, a log and
    five kept versions of the store."""
    from campaign.workspace import init_workspace

    ws = init_workspace(root)
    now = datetime(2026, 6, 1, 18, 30, tzinfo=UTC)
    stamp = now.isoformat(timespec="seconds")
    portraits, consents, audit = [], [], []
    evidence = ws.private / "evidence"
    evidence.mkdir(mode=0o700)
    for i in range(PORTRAITS):
        pid = f"person-{i}"
        sha = f"{i:064x}"
        (ws.photos / f"{sha}.jpg").write_bytes(_tiny_jpeg(i))
        (evidence / f"{sha}.pdf").write_bytes(b"%PDF form")
        os.chmod(evidence / f"{sha}.pdf", 0o600)
        portraits.append({"id": pid, "first_name": "Person", "age": 20 + i % 60, "role": f"Rolle {i % 9}",
                          "role_category": f"cat{i % 9}", "quote": f"Zitat Nummer {i}.", "lang": "de",
                          "credit": "Studio", "status": "approved", "translations": {},
                          "photo": {"sha256": sha, "width": 24, "height": 30, "format": "JPEG",
                                    "file": f"photos/{sha}.jpg", "focus": [0.5, 0.33], "focus_source": "face",
                                    "warnings": []},
                          "created_at": stamp, "updated_at": stamp})
        consents.append({"portrait_id": pid, "event": "grant", "scopes": ["instagram", "facebook", "billboard"],
                         "signed_on": "2026-01-01", "expires": None, "signed_by": "the person portrayed",
                         "guardians": [], "guardians_signed": 0, "minor": False, "text_version": "1",
                         "evidence": {"sha256": sha, "name": f"{sha}.pdf", "size": 9}, "recorded_at": stamp})
        folder = ws.renders / pid
        folder.mkdir()
        for fmt in ("instagram-feed", "story"):
            (folder / f"{fmt}.jpg").write_bytes(b"\xff\xd8 tiny")
            (folder / f"{fmt}.json").write_text(f'{{"portrait_id": "{pid}", "file": "{fmt}.jpg"}}')
        audit += [{"at": stamp, "who": "bench", "action": a, "subject": pid, "details": {}}
                  for a in ("portrait.add", "consent.grant", "portrait.approve")]
    posts, engagement, log = [], [], []
    for n in range(1, POSTS + 1):
        pid = f"person-{n % PORTRAITS}"
        at = now + timedelta(days=n // 2 - 1000)
        channel = ("instagram", "facebook")[n % 2]
        published = n <= PUBLISHED
        folder = f"{at.date()}-p-{n}-{channel}"
        posts.append({"id": f"p-{n}", "portrait_id": pid, "channel": channel, "at": at.isoformat(),
                      "status": "published" if published else "planned", "lang": "de",
                      "remote_id": f"outbox:{folder}" if published else None,
                      "permalink": str(ws.outbox / folder) if published else None,
                      "caption": f"Person, {n % 60}: Zitat", "alt_text": "Foto", "image": None, "attempts": 1,
                      "next_try": None, "error": None, "reason": None, "published_at": None, "origin": "plan",
                      "history": [{"at": stamp, "status": "planned", "note": "plan"}]})
        audit.append({"at": stamp, "who": "bench", "action": "post.create", "subject": f"p-{n}",
                      "details": {"portrait_id": pid, "channel": channel}})
        if published:
            out = ws.outbox / folder
            out.mkdir()
            for name in ("image.jpg", "caption.txt", "alt.txt", "post.json"):
                (out / name).write_text(pid)
            engagement.append({"post_id": f"p-{n}", "portrait_id": pid, "channel": channel, "at": stamp,
                               "likes": n % 300, "comments": 2, "shares": 1, "reach": None, "source": "manual"})
            log += [f"{stamp} INFO schedules.runner: publishing p-{n} ({pid}) on {channel}\n",
                    f"{stamp} INFO schedules.runner: published p-{n} ({pid}) on {channel} as outbox:{folder}\n"]
    pick = {"picked_at": stamp, "picked_by": "bench", "from": "2026-06-01", "to": "2026-06-10", "slots": 9,
            "checked_for": "18/1", "slot_pixels": [1342, 659], "skipped": [], "approved_by": "bench",
            "approved_at": stamp,
            "picked": [{"portrait_id": f"person-{i}", "score": 1, "why": "score 1", "role_category": "x",
                        "band": "adult"} for i in range(VICTIM - 4, VICTIM + 5)],
            "exports": [{"pdf": "exports/billboard-18-1-1-10.pdf", "png": "exports/billboard-18-1-1-10.png",
                         "format": "18/1", "scale": "1:10", "dpi": 300, "warnings": [], "at": stamp}]}
    (ws.exports / "billboard-18-1-1-10.pdf").write_bytes(b"%PDF poster")
    (ws.exports / "billboard-18-1-1-10.png").write_bytes(b"png")
    (ws.exports / "calendar.ics").write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    with ws.store.transaction() as db:
        db.table("portraits").insert_multiple(portraits)
        db.table("consents").insert_multiple(consents)
        db.table("posts").insert_multiple(posts)
        db.table("counters").insert({"name": "post", "value": POSTS})
        db.table("engagement").insert_multiple(engagement)
        db.table("billboard").insert(pick)
        db.table("audit").insert_multiple(audit)
        db.table("outputs").insert({"kind": "calendar", "path": "exports/calendar.ics",
                                    "portraits": [p["id"] for p in portraits], "faces": [], "at": stamp})
    ws.log_path.write_text("".join(log))
    for n in range(5):  # a workspace in use: five kept versions of the store
        with ws.store.transaction() as db:
            db.table("audit").insert({"at": stamp, "who": "bench", "action": "bench", "subject": None,
                                      "details": {"n": n}})


def _baseline(root: Path) -> float:
    from campaign.workspace import Workspace

    t = time.perf_counter()
    Workspace(root).store.read()
    for _folder, _dirs, _files in os.walk(root):
        pass
    return time.perf_counter() - t


def _one_change(root: Path) -> None:
    from campaign.workspace import Workspace

    with Workspace(root).store.transaction() as db:
        db.table("audit").insert({"at": "2026-06-01T18:30:00+00:00", "who": "bench", "action": "bench",
                                  "subject": None, "details": {}})


def _median(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _command(*args: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "campaign", *args], env=env, capture_output=True, text=True)
    took = time.perf_counter() - t
    assert r.returncode == 0, r.stdout + r.stderr
    return took


def main() -> None:
    from campaign.privacy.doctor import doctor
    from campaign.privacy.erasure import erase
    from campaign.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        pristine = Path(tmp) / "pristine"
        t = time.perf_counter()
        build(pristine)
        print(f"built a workspace of {PORTRAITS:,} portraits and {POSTS:,} posts ({PUBLISHED:,} in the outbox) "
              f"in {time.perf_counter() - t:.1f} s")
        base = _median(lambda: _baseline(pristine))
        found = doctor(Workspace(pristine))
        assert found["ok"], found["findings"][:3]
        core = _median(lambda: doctor(Workspace(pristine)))
        cli = _median(lambda: _command("-w", str(pristine), "doctor"))
        print(f"doctor: {core:.2f} s in process, {cli:.2f} s as `campaign doctor` (target < 2 s); "
              f"baseline store read + folder listing {base:.2f} s ({core / base:.1f}x)")

        work = Path(tmp) / "ws"
        erase_core, erase_cli = [], []
        for i in range(3):
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(pristine, work)
            t = time.perf_counter()
            erase(Workspace(work), f"person-{VICTIM + i}")
            erase_core.append(time.perf_counter() - t)
            erase_cli.append(_command("-w", str(work), "gdpr", "erase", f"person-{VICTIM + 10 + i}", "--yes"))
        base = _median(lambda: _baseline(work))
        change = _median(lambda: _one_change(work))
        core, cli = statistics.median(erase_core), statistics.median(erase_cli)
        print(f"gdpr erase: {core:.2f} s in process, {cli:.2f} s as `campaign gdpr erase` (target < 1 s); "
              f"baseline store read + folder listing {base:.2f} s ({core / base:.1f}x); one store change "
              f"(read, check, write) {change:.2f} s: the erase makes two ({core / change:.1f}x)")
        start = _median(lambda: _command("--version"))
        print(f"(`campaign --version`, Python start-up and the CLI alone: {start:.2f} s)")


if __name__ == "__main__":
    main()
