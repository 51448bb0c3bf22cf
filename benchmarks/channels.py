"""Channel speed, side by side: publishing to Facebook (the fake Graph API of the tests, on
127.0.0.1) against the offline outbox; importing a 600-row Meta export; reconciling 50 unknown
posts against a Page with 620 posts; publishing to Instagram through the official API (limit check,
image hosting, container, one status poll, media_publish) against the Facebook photo publish on the
same fake server (target: within 3x)."""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "EAAbenchtoken1234567890abcdef"


def _configure(ws, channel: str, **keys) -> None:
    import tomllib

    import tomli_w

    cfg = ws.root / "campaign.toml"
    data = tomllib.loads(cfg.read_text())
    data["channels"][channel].update(keys)
    cfg.write_text(tomli_w.dumps(data))
    ws.__dict__.pop("config", None)


def _workspace(tmp: Path, graph_url: str, n: int = 20):
    from PIL import Image

    from campaign.workspace import init_workspace
    from portraits import consent, records

    ws = init_workspace(tmp / "ws", name="Duisburg ist echt solidarisch", hashtag="#duisburgistechtsolidarisch")
    _configure(ws, "facebook", publisher="facebook", page_id="1001")
    os.environ["CAMPAIGN_GRAPH_URL"] = graph_url
    names = ["Anna", "Ben", "Cem", "Dana", "Emil"]
    with ws.store.transaction() as db:
        for i in range(n):
            Image.new("RGB", (1080, 1350), (i * 10 % 255, 90, 140)).save(tmp / f"p{i}.jpg", quality=90)
            rec = records.add_portrait(db, ws.photos, tmp / f"p{i}.jpg", first_name=names[i % 5], age=20 + i,
                                       role="Nachbarin", quote=f"Wir halten zusammen ({i}).")
            consent.grant(db, rec["id"], "instagram,facebook", date(2026, 1, 1))
            records.approve_portrait(db, rec["id"], True)
    return ws


def _publish_all(ws, channel: str, ids: list[str]) -> list[float]:
    from campaign.outputs.renders import publishing_site
    from schedules import posts
    from schedules.runner import publish_post

    times = []
    for pid in ids:
        with ws.store.transaction() as db:
            post = posts.create(db, pid, channel, ws.now() - timedelta(seconds=1), ws.now() - timedelta(minutes=1))
        start = time.perf_counter()
        done = publish_post(publishing_site(ws), post["id"])
        times.append(time.perf_counter() - start)
        assert done["status"] == "published", done
    return times


def main() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from fake_graph import FakeGraph

    from campaign.figures import import_export
    from campaign.posting.accounts import reconcile_posts
    from portraits import records
    from schedules import posts

    os.environ["CAMPAIGN_FACEBOOK_TOKEN"] = TOKEN
    with tempfile.TemporaryDirectory() as tmp, FakeGraph(token=TOKEN) as graph:
        ws = _workspace(Path(tmp), graph.url)
        ids = [p["id"] for p in records.all_portraits(ws.store.read())]
        fb = _publish_all(ws, "facebook", ids)
        outbox = _publish_all(ws, "instagram", ids)
        print(f"publish one post (store + render copy + call), median of {len(ids)}:")
        print(f"  facebook via facebook-sdk to the fake Graph API  {statistics.median(fb) * 1000:6.1f} ms")
        print(f"  offline outbox                                   {statistics.median(outbox) * 1000:6.1f} ms")

        published = [p for p in posts.all_posts(ws.store.read()) if p["channel"] == "facebook"]
        lines = ["Beitrags-ID;Permalink;Reaktionen;Kommentare;Geteilte Inhalte;Reichweite"]
        for i in range(600):
            pid = published[i]["remote_id"] if i < len(published) else f"1001_{100000 + i}"
            lines.append(f"{pid};https://www.facebook.com/{pid};{1000 + i:,}".replace(",", ".") + ";12;3;40.000")
        export = Path(tmp) / "export.csv"
        export.write_text("\n".join(lines) + "\n", encoding="utf-8")
        start = time.perf_counter()
        result = import_export(ws, str(export))
        t_import = time.perf_counter() - start
        print(f"engagement import of a 600-row German export: {t_import:.2f} s "
              f"({len(result['imported'])} matched, {len(result['unmatched'])} reported unmatched)")

        for i in range(600):
            graph.add_post(f"other post {i}", ws.now() - timedelta(minutes=5))
        with ws.store.transaction() as db:
            for post in published[:20]:
                posts.update(db, post["id"], ws.now(), "unknown", "bench")
        _publish_all(ws, "instagram", ids)  # 40 outbox posts in all, then every one of them "lost"
        with ws.store.transaction() as db:
            for post in posts.all_posts(db):
                if post["channel"] == "instagram" and post["status"] == "published":
                    posts.update(db, post["id"], ws.now(), "unknown", "bench")
        unknown = sum(p["status"] == "unknown" for p in posts.all_posts(ws.store.read()))
        start = time.perf_counter()
        settled = reconcile_posts(ws)["settled"]
        t_rec = time.perf_counter() - start
        found = sum(s["status"] == "published" for s in settled)
        print(f"reconcile {unknown} unknown posts (20 Facebook against a Page of {len(graph.posts)} posts, "
              f"the rest in the outbox): {t_rec:.2f} s, {found} found")

        _instagram_graph(ws, graph, ids, Path(tmp))


def _instagram_graph(ws, graph, ids: list[str], tmp: Path) -> None:
    """Instagram through the official API, both ways of hosting the image, against Facebook's photo
    upload. The two are timed alternately, post by post, so both see the same load on the machine."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class QuietFiles(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    graph.quota_total = 1000
    folder = tmp / "www"
    folder.mkdir()
    web = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietFiles, directory=str(folder)))
    threading.Thread(target=web.serve_forever, daemon=True).start()
    hosts = {"url": {"image_host": "url", "public_dir": str(folder),
                     "public_base_url": f"http://127.0.0.1:{web.server_address[1]}/"},
             "page-photo": {"image_host": "page-photo"}}
    print(f"publish one post through the official Instagram API vs Facebook's photo upload "
          f"(alternating, median of {len(ids)} each):")
    try:
        for name, keys in hosts.items():
            _configure(ws, "instagram", publisher="instagram-graph", page_id="1001", ig_user_id=graph.ig_user_id,
                       **keys)
            fb, ig = [], []
            calls_before = len(graph.requests)
            for pid in ids:
                fb += _publish_all(ws, "facebook", [pid])
                ig += _publish_all(ws, "instagram", [pid])
            calls = [r["label"] or "permalink" for r in graph.requests[calls_before:] if r["label"] != "photo"]
            ratio = statistics.median(ig) / statistics.median(fb)
            print(f"  image_host {name:<11} Instagram {statistics.median(ig) * 1000:6.1f} ms, Facebook photo "
                  f"{statistics.median(fb) * 1000:6.1f} ms: {ratio:4.2f}x ({'within' if ratio <= 3 else 'OVER'} "
                  f"the 3x target)")
            print(f"    calls per Instagram post: {', '.join(calls[:len(calls) // len(ids)])}")
    finally:
        web.shutdown()
        web.server_close()
