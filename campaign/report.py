"""`campaign report`: one static HTML page for the office, opened in any browser without a server.

Everything the page shows is copied next to it (relative links only), so the folder can be
zipped or put on a shared drive. First names only; a portrait without a valid consent today is
left out of the gallery, and a withdrawn person's face never appears in it.
"""
from __future__ import annotations

import contextlib
import html
import json
import os
import shutil
import tempfile
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from campaign import billboard
from campaign.engagement import ranking_settings, top
from campaign.footprint import record_output, remove, resolve
from campaign.store import atomic_write_bytes, atomic_write_text
from campaign.workspace import Workspace
from portraits import consent, records
from portraits.errors import CampaignError
from schedules import engagement, posts, ranking

EXPIRING_DAYS = 30
NEXT_DAYS = 7
THUMB = 360
STATUSES = ("planned", "publishing", "published", "failed", "unknown", "cancelled")


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _label(p: dict) -> str:
    return f"{p['first_name']}, {p['age']}, {p['role']}"


def _thumbnail(src: Path, target: Path) -> None:
    """A small fresh JPEG from the pixels only: no EXIF, GPS or comment can come along."""
    from io import BytesIO

    from PIL import Image, ImageOps

    with Image.open(src) as im:
        im.draft("RGB", (THUMB * 2, THUMB * 2))
        im = ImageOps.exif_transpose(im).convert("RGB")
        im.thumbnail((THUMB, THUMB * 2))
        clean = Image.new("RGB", im.size)
        clean.paste(im)
    buf = BytesIO()
    clean.save(buf, "JPEG", quality=85)
    atomic_write_bytes(target, buf.getvalue())


def _gallery(ws: Workspace, people: list[dict], img: Path) -> tuple[str, list[str]]:
    cards, shown = [], []
    for p in people:
        folder = ws.renders / p["id"]
        renders = sorted(folder.glob("*.jpg")) if folder.is_dir() else []
        renders = [r for r in renders if not r.name.startswith("photo-clean")]
        if not renders:
            continue
        figures = []
        for r in renders:
            name = f"{p['id']}-{r.stem}.jpg"
            _thumbnail(r, img / name)
            figures.append(f'<img src="img/{_e(name)}" alt="{_e(_label(p))} ({_e(r.stem)})" loading="lazy">')
        cards.append(f'<figure class="card">{"".join(figures)}<figcaption>{_e(_label(p))}</figcaption></figure>')
        shown.append(p["id"])
    if not cards:
        return "<p>No renders yet: <code>campaign render</code> makes them.</p>", shown
    return f'<div class="gallery">{"".join(cards)}</div>', shown


def _calendar(all_posts: list[dict], names: dict[str, dict], tz) -> tuple[str, dict]:
    by_day: dict[date, list[dict]] = defaultdict(list)
    counts = {s: 0 for s in STATUSES}
    for post in sorted(all_posts, key=posts.sort_key):
        by_day[posts.due_time(post).astimezone(tz).date()].append(post)
        counts[post["status"]] = counts.get(post["status"], 0) + 1
    if not by_day:
        return "<p>No posts planned yet: <code>campaign schedule plan</code>.</p>", counts
    rows = []
    for day, day_posts in sorted(by_day.items()):
        items = []
        for post in day_posts:
            p = names.get(post["portrait_id"])
            who = p["first_name"] if p else "(removed)"
            at = posts.due_time(post).astimezone(tz).strftime("%H:%M")
            items.append(f'<li class="{_e(post["status"])}">{_e(at)} {_e(post["channel"])}: {_e(who)} '
                         f'<span class="status">{_e(post["status"])}</span></li>')
        rows.append(f"<tr><th>{day:%a %d.%m.%Y}</th><td><ul>{''.join(items)}</ul></td></tr>")
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return f"<p>{_e(summary)}</p><table class=\"calendar\">{''.join(rows)}</table>", counts


def _next_posts(ws: Workspace, db, img: Path) -> tuple[str, int]:
    """The posts of the next seven days as they will appear (as `campaign schedule show` has them)."""
    from campaign.postview import post_view, render_page

    now = ws.now()
    upcoming = [p for p in posts.in_range(posts.all_posts(db), now, now + timedelta(days=NEXT_DAYS))
                if p["status"] == "planned"]
    views = []
    for post in upcoming:
        view = post_view(ws, db, post)
        for n, image in enumerate(view["images"], 1):
            image["src"] = None
            if image["path"]:
                name = f"post-{post['id']}-{n}.jpg"
                _thumbnail(image["path"], img / name)
                image["src"] = f"img/{name}"
        views.append(view)
    return render_page("next_posts.html", posts=views), len(views)


def _chart(ws: Workspace, db, rows: list[dict], target: Path) -> bool:
    """Weighted engagement over time, one line per portrait (the best eight), as a PNG."""
    if not rows:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    weights = ranking_settings(ws.config)["weights"]
    snaps = engagement.snapshots(db)
    post_owner = {p["id"]: p["portrait_id"] for p in posts.all_posts(db)}
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=100)
    for row in rows[:8]:
        latest: dict[str, float] = {}
        xs, ys = [], []
        for s in snaps:
            if post_owner.get(s["post_id"]) != row["portrait_id"]:
                continue
            latest[s["post_id"]] = sum(weights[k] * s[k] for k in ranking.COUNTS)
            xs.append(datetime.fromisoformat(s["at"]))
            ys.append(sum(latest.values()))
        if xs:
            ax.step(xs, ys, where="post", marker="o", label=f"{row['first_name']} ({row['age']})")
    ax.set_ylabel("weighted engagement")
    ax.grid(alpha=0.3)
    if ax.lines:
        ax.legend(loc="upper left", fontsize="small")
    fig.autofmt_xdate()
    fig.tight_layout()
    from io import BytesIO

    buf = BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    atomic_write_bytes(target, buf.getvalue())
    return True


def _ranking(rows: list[dict], chart: bool) -> str:
    if not rows:
        return "<p>No engagement figures yet: <code>campaign engagement record</code> or <code>import</code>.</p>"
    body = "".join(
        f"<tr><td>{r['rank']}</td><td>{_e(r['first_name'])}, {_e(r['age'])}, {_e(r['role'])}</td>"
        f"<td>{_e(r['score'])}</td><td>{_e(r['likes'])}</td><td>{_e(r['comments'])}</td>"
        f"<td>{_e(r['shares'])}</td><td class=\"why\">{_e(r['why'])}</td></tr>" for r in rows)
    img = '<img src="img/engagement.png" alt="Engagement over time per portrait" class="chart">' if chart else ""
    return (f"{img}<table><tr><th>#</th><th>Portrait</th><th>Score</th><th>Likes</th><th>Comments</th>"
            f"<th>Shares</th><th>How</th></tr>{body}</table>")


def _expiring(db, today: date, names: dict[str, dict]) -> tuple[str, int]:
    rows = consent.status(db, today, expiring_within=EXPIRING_DAYS)
    if not rows:
        return f"<p>No consent expires in the next {EXPIRING_DAYS} days.</p>", 0
    body = "".join(f"<tr><td>{_e(r['first_name'])}, {_e(r['age'])}</td><td>{_e(r['expires'])}</td>"
                   f"<td>{_e(', '.join(r['scopes']))}</td></tr>" for r in rows if r["portrait_id"] in names)
    return f"<table><tr><th>Portrait</th><th>Expires</th><th>Scopes</th></tr>{body}</table>", len(rows)


def _billboard(ws: Workspace, db, names: dict[str, dict], img: Path) -> tuple[str, list[str]]:
    """The latest pick, and its preview only while everyone on it may still be on a billboard.

    A pick that held an erased person, or one whose people lack billboard consent for its run
    now, never shows the old preview: the face would come back with it."""
    doc = billboard.current(ws)
    if doc is None:
        return "<p>No billboard pick yet: <code>campaign billboard pick</code>.</p>", []
    start, end = date.fromisoformat(doc["from"]), date.fromisoformat(doc["to"])
    allowed = {c["portrait_id"]: c["portrait_id"] in names
               and consent.valid_for_period(db, c["portrait_id"], "billboard", start, end)[0]
               for c in doc["picked"]}
    picked = "".join(f"<li>{_e(_label(names[c['portrait_id']]) if allowed[c['portrait_id']] else '(no longer on it)')}: "
                     f"{_e(c['why']) if allowed[c['portrait_id']] else ''}</li>" for c in doc["picked"])
    state = (f"Approved by {_e(doc['approved_by'])} at {_e(doc['approved_at'])}." if doc.get("approved_at")
             else "Not approved yet: <code>campaign billboard approve</code>.")
    if doc.get("repick") or not all(allowed.values()):
        why = doc.get("repick") or "holds a person without billboard consent for its run"
        return (f"<p>Run {_e(doc['from'])} to {_e(doc['to'])}: this pick {_e(why)}. Pick again "
                f"(<code>campaign billboard pick</code>) and approve it; its old preview is not shown.</p>"
                f"<ol>{picked}</ol>"), []
    preview = ""
    pngs = [resolve(ws, e["png"]) for e in doc.get("exports", []) if resolve(ws, e["png"]).is_file()]
    if pngs:
        _thumbnail(pngs[-1], img / "billboard.jpg")
        preview = '<img src="img/billboard.jpg" alt="Billboard preview" class="billboard">'
    return (f"<p>Run {_e(doc['from'])} to {_e(doc['to'])}, {len(doc['picked'])} of {doc['slots']} slots. "
            f"{state}</p><ol>{picked}</ol>{preview}"), list(allowed) if preview else []


STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#1d1d1b;max-width:1200px}
h1{color:#e30613} table{border-collapse:collapse;margin:1em 0} td,th{border:1px solid #ccc;padding:4px 8px;
text-align:left;vertical-align:top} .gallery{display:flex;flex-wrap:wrap;gap:1em}
.card{margin:0;border:1px solid #ddd;padding:.5em} .card img{height:180px;margin-right:4px}
.calendar ul{margin:0;padding-left:1em} .published .status{color:green} .failed .status,.unknown .status{color:#c00}
.cancelled{color:#888;text-decoration:line-through} .chart,.billboard{max-width:100%} .why{font-size:small}
"""


def _card_style() -> str:
    from campaign.postview import render_page

    return render_page("post.css")


MANIFEST = ".campaign-report.json"  # the files of the report in this folder: the only ones it ever replaces or removes
STAGING_PREFIX = ".campaign-report-"  # a report being made; one left by a crash is removed by the next


def default_folder(ws: Workspace) -> Path:
    return ws.exports / "report"


def _our_files(ws: Workspace, out_dir: Path) -> set[str]:
    """The files the previous report wrote here (relative paths), from its manifest."""
    manifest = out_dir / MANIFEST
    if manifest.is_file():
        try:
            return set(json.loads(manifest.read_text(encoding="utf-8"))["files"])
        except (ValueError, KeyError, TypeError):
            raise CampaignError(f"The report list {manifest} is damaged, so the tool cannot tell its files from "
                                "others.", "Delete that folder's report yourself, or choose another --out folder.") from None
    if out_dir.resolve() == default_folder(ws).resolve():
        # exports/report from a version without a manifest: it held exactly index.html and img/.
        return {str(p.relative_to(out_dir)) for p in [out_dir / "index.html", *(out_dir / "img").glob("*")]
                if p.is_file()}
    return set()


def _write_manifest(out_dir: Path, files: set[str]) -> None:
    atomic_write_text(out_dir / MANIFEST, json.dumps({"files": sorted(files)}, indent=1))


def write_report(ws: Workspace, out: str | Path | None = None) -> dict:
    """Write index.html and its images into `out` (default exports/report/); return what it holds.

    The report is made in a staging folder inside `out`, its images are moved into place, and the
    page replaces the old one last, so a page never points at an image that is not there. Only
    files listed in the previous report's manifest are replaced or removed; a file of someone
    else's in the way stops the report before anything is changed."""
    out_dir = Path(out) if out else default_folder(ws)
    if out_dir.exists() and not out_dir.is_dir():
        raise CampaignError(f"{out_dir} is a file, not a folder.", "Give --out a folder for the report.")
    out_dir.mkdir(parents=True, exist_ok=True)
    old = _our_files(ws, out_dir)
    for leftover in out_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    try:
        summary = _make(ws, stage)
        new = {str(p.relative_to(stage)) for p in stage.rglob("*") if p.is_file()}
        theirs = sorted(f for f in new if (out_dir / f).exists() and f not in old)
        if theirs:
            raise CampaignError(f"{out_dir} already holds {', '.join(theirs[:3])}, which no campaign report wrote; "
                                "nothing was changed.", "Give --out an empty or new folder, or move those files away.")
        _write_manifest(out_dir, old | new)  # from here on every file is listed, whatever happens
        (out_dir / "img").mkdir(exist_ok=True)
        for name in sorted(new - {"index.html"}):
            os.replace(stage / name, out_dir / name)
        os.replace(stage / "index.html", out_dir / "index.html")
        _write_manifest(out_dir, new)
        for name in sorted(old - new):
            with contextlib.suppress(FileNotFoundError):
                (out_dir / name).unlink()
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    index = out_dir / "index.html"
    record_output(ws, "report", index, summary.pop("_names"), summary.pop("_faces"),
                  discard=lambda: [remove(part) for part in report_parts(index)])
    return {"index": str(index), **summary, "files": sorted(new)}


def report_parts(index: Path) -> list[Path]:
    """What a report at `index` consists of: the page, its images, its file list and any half-made
    report (never the rest of an --out folder). Erasure removes these when the report shows someone."""
    folder = index.parent
    return [index, folder / "img", folder / MANIFEST, *folder.glob(STAGING_PREFIX + "*")]


def _make(ws: Workspace, folder: Path) -> dict:
    """The page and its images, written into `folder`; what they show."""
    img = folder / "img"
    img.mkdir()
    db = ws.store.read()
    now = ws.now()
    today = now.date()
    people = records.all_portraits(db)
    names = {p["id"]: p for p in people}
    shown = [p for p in people if consent.valid_scopes(db, p["id"], today)]
    gallery, in_gallery = _gallery(ws, shown, img)
    board, on_board = _billboard(ws, db, names, img)
    calendar, counts = _calendar(posts.all_posts(db), names, ws.tz)
    upcoming, n_upcoming = _next_posts(ws, db, img)
    rows = top(ws)
    chart = _chart(ws, db, rows, img / "engagement.png")
    expiring, n_expiring = _expiring(db, today, names)
    title = ws.config.name
    page = f"""<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>{_e(title)}: report</title>
<style>{STYLE}{_card_style()}</style></head><body>
<h1>{_e(title)} {_e(ws.config.hashtag)}</h1>
<p>Report of {now:%d.%m.%Y %H:%M} ({_e(ws.config.timezone)}).</p>
<h2>Gallery</h2>{gallery}
<h2>The next {NEXT_DAYS} days, as they will appear</h2>{upcoming}
<h2>Calendar</h2>{calendar}
<h2>Ranking</h2>{_ranking(rows, chart)}
<h2>Consent expiring within {EXPIRING_DAYS} days</h2>{expiring}
<h2>Billboard</h2>{board}
</body></html>
"""
    atomic_write_text(folder / "index.html", page)
    return {"gallery": len(in_gallery), "hidden": len(people) - len(shown), "posts": counts, "next_days": n_upcoming,
            "ranked": len(rows), "expiring": n_expiring, "_names": list(names),
            "_faces": sorted(set(in_gallery) | set(on_board))}
