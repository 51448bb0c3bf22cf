"""Web app speed: every page's server time with 1,000 portraits and 5,000 posts, then simulated users
clicking through while the publishing daemon runs, and the server's memory.

The server is `campaign serve` in its own process (waitress), as the office runs it; the clients
are threads here with `requests`. Server time is the time to the full answer over loopback.
Targets (issue 24): p95 under 150 ms per page (Heute and Kalender under 250 ms); 20 users for
60 s with no error, no lost write and p95 under 500 ms; the server under 300 MB.

`python -m benchmarks web` runs it all; WEB_BENCH_SECONDS shortens the simulated users' run;
`python -m benchmarks web --busy` starts one busy-loop process beside the measurement, so that "two
cores, one of them busy" is the same from run to run. Every figure is printed with the load average
(other work on the machine, such as niced test suites, counts in it).
"""
from __future__ import annotations

import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from benchmarks import load

ROOT = Path(__file__).resolve().parent.parent
PORTRAITS = 1000
POSTS = 5000
USERS = 20
PASSWORD = "benchmark password"
THINK = (1.0, 3.0)  # seconds a person looks at a page before the next click


def _workspace(tmp: Path):
    from PIL import Image

    from campaign.workspace import init_workspace, users
    from portraits import consent, records
    from schedules import posts

    ws = init_workspace(tmp / "ws")
    toml = ws.root / "campaign.toml"
    toml.write_text(toml.read_text().replace('approval = "none"', 'approval = "two"'))
    shoot = tmp / "shoot"
    shoot.mkdir()
    ids = []
    with ws.store.transaction() as db:
        for i in range(PORTRAITS):
            photo = shoot / f"p{i}.jpg"
            img = Image.new("RGB", (160, 200), (i % 256, (i // 256) * 40, (i * 7) % 256))
            img.putpixel((i % 160, 0), (255, 255, 255))
            img.save(photo, quality=80)
            rec = records.add_portrait(db, ws.photos, photo, first_name="Person", age=18 + i % 70,
                                       role=f"Rolle {i % 7}", role_category=f"cat{i % 7}", quote=f"Zitat {i}.")
            consent.grant(db, rec["id"], "instagram,facebook", date(2026, 1, 1))
            records.approve_portrait(db, rec["id"], True)
            ids.append(rec["id"])
        now = ws.now()
        start = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), ws.tz) + timedelta(hours=18)
        for n in range(POSTS):
            at = start + timedelta(days=n // 14, minutes=10 * (n % 14))
            posts.create(db, ids[n % PORTRAITS], ("instagram", "facebook")[n % 2], at, now)
        hashed = users.hash_password(PASSWORD)
        for u in range(USERS):
            users.add_user(db, f"user{u}", ("redaktion", "freigabe")[u % 2], hashed, now)
    return ws, ids


def _kept_workspace(tmp: Path):
    """The benchmark's workspace; with WEB_BENCH_KEEP=DIR built once into DIR and copied from there on
    later runs (building it takes a minute), so that runs to compare start from the same files."""
    import shutil

    from campaign.workspace import Workspace
    from portraits import records

    kept = os.environ.get("WEB_BENCH_KEEP")
    if not kept:
        return _workspace(tmp)
    if not (Path(kept) / "ws").is_dir():
        _workspace(Path(kept))
    shutil.copytree(Path(kept) / "ws", tmp / "ws", symlinks=True)
    ws = Workspace(tmp / "ws")
    return ws, [p["id"] for p in records.all_portraits(ws.store.read())]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(ws, port: int) -> subprocess.Popen:
    import urllib.request

    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAMPAIGN_UI_LANG": "de"}
    proc = subprocess.Popen([sys.executable, "-m", "campaign", "-w", str(ws.root), "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    for _ in range(500):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return proc
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("server did not start")


def _login(base: str, name: str):
    import requests

    session = requests.Session()
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = session.post(f"{base}/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    assert "/login" not in answer.url
    return session


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def _pages(ids: list[str], today: date) -> dict[str, str]:
    return {"Heute": "/", "Porträts": "/portraits", "Porträts (Suche)": "/portraits?q=Zitat+12&scope=instagram",
            "Porträt": f"/portraits/{ids[7]}", "Einwilligung": f"/portraits/{ids[7]}/consent",
            "Kalender (Monat)": f"/calendar?date={today + timedelta(days=30)}",
            "Kalender (Woche)": f"/calendar?view=week&date={today + timedelta(days=30)}",
            "Beitrag": "/posts/p-20"}


def _page_times(base: str, ids: list[str], today: date, rounds: int = 20) -> None:
    session = _login(base, "user1")
    for name, path in _pages(ids, today).items():
        session.get(base + path)  # warm: renders made, caches filled
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            answer = session.get(base + path)
            times.append(time.perf_counter() - t)
            assert answer.status_code == 200, (path, answer.status_code)
        limit = 0.25 if name.startswith(("Heute", "Kalender")) else 0.15
        print(f"  {name:<20} p50 {statistics.median(times) * 1000:6.0f} ms   p95 {_p95(times) * 1000:6.0f} ms"
              f"   (target {limit * 1000:.0f} ms; {_load()})")


def _memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _users(base: str, ws, ids: list[str], today: date, seconds: float) -> None:
    """Each user clicks through pages, looking at each for 1-3 s; editors save a quote now and then
    (a 5 MB store written each time, which every page then reads anew)."""
    pages = list(_pages(ids, today).values())
    times: list[float] = []
    errors: list[str] = []
    written: list[tuple[str, str]] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(n: int) -> None:
        rnd = random.Random(n)
        session = _login(base, f"user{n}")
        while time.monotonic() < stop:
            time.sleep(rnd.uniform(*THINK))
            path = rnd.choice(pages)
            t = time.perf_counter()
            answer = session.get(base + path)
            spent = time.perf_counter() - t
            ok = answer.status_code == 200
            if ok and n % 2 == 0 and rnd.random() < 0.2:  # redaktion: save a quote, as from the form
                pid = ids[100 + n]
                page = session.get(f"{base}/portraits/{pid}").text
                token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
                version = re.search(r'name="version" value="([^"]+)"', page).group(1)
                quote = f"Zitat {n} {rnd.randrange(10**6)}."
                t = time.perf_counter()
                saved = session.post(f"{base}/portraits/{pid}", data={"quote": quote, "version": version,
                                                                       "csrf_token": token})
                spent += time.perf_counter() - t
                ok = saved.status_code == 200 and "gespeichert" in saved.text
                if ok:
                    with lock:
                        written.append((pid, quote))
            with lock:
                times.append(spent)
                if not ok:
                    errors.append(f"{path}: {answer.status_code}")

    threads = [threading.Thread(target=user, args=(n,)) for n in range(USERS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    from portraits import records

    db = ws.store.read()
    last = {}
    for pid, quote in written:
        last[pid] = quote
    lost = [pid for pid, quote in last.items() if records.get(db, pid)["quote"] != quote]
    print(f"  {USERS} users, {seconds:.0f} s, daemon running: {len(times)} requests, {len(errors)} errors, "
          f"{len(written)} saves, {len(lost)} lost; p50 {statistics.median(times) * 1000:.0f} ms, "
          f"p95 {_p95(times) * 1000:.0f} ms (target 500 ms; {_load()})")
    if errors:
        print("   first errors:", errors[:5])
        logged = [line for line in ws.log_path.read_text().splitlines() if "ERROR" in line or "  File" in line]
        print("   the server's log says:", *logged[:12], sep="\n     ")


def main(argv: list[str] | None = None) -> None:
    seconds = float(os.environ.get("WEB_BENCH_SECONDS", "60"))
    busy = "--busy" in (argv or [])
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        ws, ids = _kept_workspace(Path(tmp))
        print(f"  workspace: {PORTRAITS} portraits, {POSTS} posts, approval two ({time.perf_counter() - t:.1f} s)")
        port = _free_port()
        t = time.perf_counter()
        server = _start(ws, port)
        print(f"  campaign serve answered after {time.perf_counter() - t:.2f} s (target 1.5 s; {_load()})")
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        daemon = subprocess.Popen([sys.executable, "-m", "campaign", "-w", str(ws.root), "run"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            with load.busy(busy):
                if busy:
                    print("  --busy: one busy-loop process beside the measurement")
                today = ws.now().date()
                _page_times(base, ids, today)
                _users(base, ws, ids, today, seconds)
                print(f"  server memory (peak resident): {_memory_mb(server.pid):.0f} MB (target 300 MB; {_load()})")
        finally:
            daemon.terminate()
            server.terminate()
            daemon.wait(10)
            server.wait(10)
