"""What the morning report shows, gathered from the store, and the page made from Jinja2 templates.

The order is what the team needs first: today and the next seven days as the posts will appear,
then what needs someone, a month calendar, the ranking with its chart, and last the gallery,
consent and billboard. Everything a person reads comes from the `report` gettext domain (and
Babel's dates and numbers) in the interface language.
"""
from __future__ import annotations

import os
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path

from campaign.figures import ranking_settings, top
from campaign.outputs import billboard
from campaign.outputs.report import calendar_grid, chart
from campaign.workspace import Workspace, footprint, i18n
from campaign.workspace.store import atomic_write_text
from portraits import consent, records
from portraits.files import atomic_write_bytes
from portraits.imageio import THUMBNAIL, open_upright, save_jpeg, without_metadata
from schedules import engagement, posts, ranking
from schedules.model import Post, PostStatus

EXPIRING_DAYS = 30
NEXT_DAYS = 7
THUMB = 270        # the gallery's and a post's thumbnail, px wide: a quarter of a 1080 px render, so the JPEG
                   # decoder's 1/4 scale gives it (shown at about half that: sharp on a laptop and in print)
SMALL_THUMB = 135  # the other formats of a portrait, behind a click: the decoder's 1/8 scale
MAIN_FORMATS = ("instagram-feed", "instagram-square", "facebook")  # the gallery's one picture, in this order
SHOWN = tuple(s for s in PostStatus if s != PostStatus.CANCELLED)


def thumbnail(src: Path, target: Path, width: int = THUMB) -> tuple[int, int]:
    """A small fresh JPEG from the pixels only (no EXIF, GPS or comment can come along); its size.

    Written plainly, not synced: it goes into the report's staging folder, which is thrown away
    whole if the report does not finish."""
    im = open_upright(src, draft_to=(width, 1)).convert("RGB")  # the smallest JPEG scale as wide as the thumbnail
    im.thumbnail((width, width * 2))
    clean = without_metadata(im)
    save_jpeg(clean, target, THUMBNAIL)
    return clean.size


class Thumbnails:
    """The thumbnails of one report, made on every core (Pillow decodes and scales outside the GIL).

    A thumbnail the previous report made from the same source file (same path, size and
    modification time) at the same width is linked from it instead of made again: the morning
    report only decodes what changed. Only for renders of people shown now; the billboard preview
    is always made afresh."""

    def __init__(self, previous_folder: Path | None = None, previous: dict | None = None):
        self.previous_folder, self.previous = previous_folder, previous or {}
        self.made: dict[str, dict] = {}  # name -> {"key", "size"}: kept in the report's file list
        self.reused = 0

    def make(self, jobs: list[tuple[Path, Path, int, dict]]) -> None:
        """Each (source, target, width, image): the thumbnail at target, its size into image."""
        from concurrent.futures import ThreadPoolExecutor

        todo = []
        for src, target, width, into in jobs:
            st = src.stat()
            key = [str(src), st.st_size, st.st_mtime_ns, width]
            before = self.previous.get(target.name)
            if before and before.get("key") == key and self._link(target):
                size = before["size"]
                self.reused += 1
            else:
                todo.append((src, target, width, into, key))
                continue
            into.update(width=size[0], height=size[1])
            self.made[target.name] = {"key": key, "size": size}
        with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
            sizes = pool.map(lambda job: thumbnail(job[0], job[1], job[2]), todo)
            for (_src, target, _width, into, key), (width, height) in zip(todo, sizes):
                into.update(width=width, height=height)
                self.made[target.name] = {"key": key, "size": [width, height]}

    def _link(self, target: Path) -> bool:
        if self.previous_folder is None:
            return False
        try:
            os.link(self.previous_folder / target.name, target)
            return True
        except OSError:
            return False


def _environment(lang: str):
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("campaign", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    from babel.dates import format_skeleton, format_time

    env.filters.update(
        number=lambda v: i18n.format_number(v, lang),
        date=lambda v, f="medium": i18n.format_date(v, f, lang),
        time=lambda v: i18n.format_time(v, lang),
        clock=lambda v: format_time(v, "short", locale=lang),  # 18:30 / 6:30 PM: where "Uhr" would crowd a cell
        t=lambda v: i18n.translate(v, lang),  # a library's message (portraits.messages) in this language
        datetime=lambda v: i18n.format_datetime(v, lang),
        month=lambda v: format_skeleton("yMMMM", v, locale=lang),
        weekday=lambda v: format_skeleton("MMMMEEEEd", v, locale=lang))
    return env


def _label(p: dict) -> str:
    return f"{p['first_name']}, {p['age']}, {p['role']}"


def _gallery(ws: Workspace, people: list[dict], img: Path, thumbs: Thumbnails) -> list[dict]:
    """One card per portrait with renders: its main picture, and the other formats."""
    cards, jobs = [], []
    for p in people:
        folder = ws.renders / p["id"]
        renders = (sorted(r for r in folder.glob("*.jpg") if not r.name.startswith("photo-clean"))
                   if folder.is_dir() else [])
        if not renders:
            continue
        rank = {name: i for i, name in enumerate(MAIN_FORMATS)}
        renders.sort(key=lambda r: (rank.get(r.stem, len(rank)), r.stem))
        images = []
        for n, r in enumerate(renders):
            name = f"{p['id']}-{r.stem}.jpg"
            images.append({"src": f"img/{name}", "format": r.stem})
            jobs.append((r, img / name, THUMB if n == 0 else SMALL_THUMB, images[-1]))
        cards.append({"id": p["id"], "label": _label(p), "main": images[0], "others": images[1:]})
    thumbs.make(jobs)
    return cards


def _post_row(post: Post, names: dict[str, dict], tz) -> dict:
    """A post in a list or calendar cell; `names` holds only who may be shown on this post's channel."""
    at = posts.due_time(post).astimezone(tz)
    p = names.get(post["portrait_id"])
    return {"id": post["id"], "at": at, "channel": post["channel"], "status": post["status"],
            "first_name": p["first_name"] if p else None, "lang": post.get("lang"),
            "error": post.get("error") or post.get("reason"), "permalink": post.get("permalink"),
            "remote_id": post.get("remote_id")}


def _next_days(ws: Workspace, db, all_posts: list[Post], today: date, img: Path, cancelled: bool,
               scopes: dict[str, list[str]], thumbs: Thumbnails) -> list[dict]:
    """Today and the next seven days, day by day: each post as it will appear (or as it was sent).

    Only posts whose person has a valid consent for the post's channel today: one who withdrew
    (a post that went out this morning is then a takedown task) or was erased is not shown."""
    from campaign.outputs.postview import post_view

    start = datetime.combine(today, time(0), ws.tz)
    end = datetime.combine(today + timedelta(days=NEXT_DAYS + 1), time(0), ws.tz)
    wanted = SHOWN + ((PostStatus.CANCELLED,) if cancelled else ())
    chosen = [p for p in posts.in_range(all_posts, start, end)
              if p["status"] in wanted and p["channel"] in scopes.get(p["portrait_id"], ())]
    days: dict[date, list[dict]] = {today + timedelta(days=n): [] for n in range(NEXT_DAYS + 1)}
    jobs = []
    for post in sorted(chosen, key=posts.sort_key):
        view = post_view(ws, db, post, render=post["status"] in posts.FUTURE)
        at = posts.due_time(post).astimezone(ws.tz)
        view["at_local"] = at
        for n, image in enumerate(view["images"], 1):
            image["src"] = None
            if image["path"]:
                name = f"post-{post['id']}-{n}.jpg"
                jobs.append((image["path"], img / name, THUMB, image))
                image["src"] = f"img/{name}"
        days.setdefault(at.date(), []).append(view)
    thumbs.make(jobs)
    return [{"day": day, "posts": views} for day, views in sorted(days.items())]


def _attention(ws: Workspace, db, all_posts: list[Post], names: dict[str, dict], next_days: list[dict],
               today: date) -> dict:
    """What needs someone: failed and unknown posts, posts of the coming days that wait for approval
    or cannot go out, consent that expires soon, published posts of people who withdrew."""
    ordered = sorted(all_posts, key=posts.sort_key)
    waiting = [view for day in next_days for view in day["posts"]
               if view["status"] == PostStatus.PLANNED and (view["problem"] or not view["approval"]["approved"])]
    expiring = [r for r in consent.status(db, today, expiring_within=EXPIRING_DAYS) if r["portrait_id"] in names]
    sums = consent.summaries(db, today)
    takedown = [_post_row(p, names, ws.tz) for p in ordered if p["status"] == PostStatus.PUBLISHED
                and p["channel"] in sums.get(p["portrait_id"], consent.EMPTY)["withdrawn"]]
    for row in takedown:
        row["first_name"] = None  # a person who withdrew is not named on the page, only the post to remove
    return {"failed": [_post_row(p, names, ws.tz) for p in ordered if p["status"] == PostStatus.FAILED],
            "unknown": [_post_row(p, names, ws.tz) for p in ordered if p["status"] == PostStatus.UNKNOWN],
            "waiting": waiting, "expiring": expiring, "takedown": takedown}


def _calendar(all_posts: list[Post], names: dict[str, dict], today: date, tz, cancelled: bool,
              scopes: dict[str, list[str]]) -> tuple[list[dict], dict]:
    """This month and the next as grids of planned and published posts; the count of each status.
    A post's person is named only while their consent for its channel is valid."""
    by_day: dict[date, list[dict]] = defaultdict(list)
    counts = {s: 0 for s in posts.STATUSES}
    wanted = SHOWN + ((PostStatus.CANCELLED,) if cancelled else ())
    for post in sorted(all_posts, key=posts.sort_key):
        counts[post["status"]] = counts.get(post["status"], 0) + 1
        if post["status"] in wanted:
            row = _post_row(post, names, tz)
            if post["channel"] not in scopes.get(post["portrait_id"], ()):
                row["first_name"] = None
            by_day[row["at"].date()].append(row)
    first = today.replace(day=1)
    months = [calendar_grid.month(m, by_day, today) for m in (first, calendar_grid.next_month(first))]
    return months, counts


def _chart(ws: Workspace, db, rows: list[dict], target: Path, lang: str) -> dict | None:
    if not rows:
        return None
    owner = {p["id"]: p["portrait_id"] for p in posts.all_posts(db)}
    series = chart.engagement_series(rows, engagement.snapshots(db), owner, ranking_settings(ws.config)["weights"],
                                     ranking.COUNTS, ws.tz)
    if not series:
        return None
    trans = i18n.translations(lang)
    atomic_write_bytes(target, chart.svg(series, trans.gettext("weighted engagement"), lang, ws.tz))
    start, end = chart.time_range(series)
    return {"src": f"img/{target.name}", "start": start, "end": end, "portraits": len(series)}


def _billboard(ws: Workspace, db, names: dict[str, dict], img: Path) -> tuple[dict | None, list[str]]:
    """The latest pick, and its preview only while everyone on it may still be on a billboard.

    A pick that held an erased person, or one whose people lack billboard consent for its run
    now, never shows the old preview: the face would come back with it."""
    doc = billboard.current(ws)
    if doc is None:
        return None, []
    start, end = date.fromisoformat(doc["from"]), date.fromisoformat(doc["to"])
    allowed = {c["portrait_id"]: c["portrait_id"] in names
               and consent.valid_for_period(db, c["portrait_id"], "billboard", start, end)[0]
               for c in doc["picked"]}
    picked = [{"label": _label(names[c["portrait_id"]]) if allowed[c["portrait_id"]] else None,
               "why": c["why"] if allowed[c["portrait_id"]] else None} for c in doc["picked"]]
    view = {"from": start, "to": end, "slots": doc["slots"], "picked": picked, "approved_by": doc.get("approved_by"),
            "approved_at": (datetime.fromisoformat(doc["approved_at"]).astimezone(ws.tz)
                            if doc.get("approved_at") else None),
            "repick": bool(doc.get("repick") or not all(allowed.values())), "preview": None,
            "why": ("erased" if doc.get("repick") == footprint.ERASED else "withdrawn" if doc.get("repick")
                    else "no_consent")}
    if view["repick"]:
        return view, []
    pngs = [png for e in doc.get("exports", []) if (png := footprint.resolve(ws, e["png"])).is_file()]
    if pngs:  # made afresh from the export: a copy could outlive the person's consent
        width, height = thumbnail(pngs[-1], img / "billboard.jpg", 900)
        view["preview"] = {"src": "img/billboard.jpg", "width": width, "height": height}
    return view, list(allowed) if view["preview"] else []


def _consent(db, people: list[dict], shown: list[dict], today: date) -> dict:
    sums = consent.summaries(db, today)
    scopes = {s: sum(1 for p in people if s in sums.get(p["id"], consent.EMPTY)["scopes"]) for s in consent.SCOPES}
    withdrawn = sum(1 for p in people if sums.get(p["id"], consent.EMPTY)["withdrawn"])
    return {"portraits": len(people), "scopes": scopes, "none": len(people) - len(shown), "withdrawn": withdrawn}


def make(ws: Workspace, folder: Path, lang: str, cancelled: bool = False, thumbs: Thumbnails | None = None) -> dict:
    """index.html and its images, written into `folder`; what they show."""
    thumbs = thumbs or Thumbnails()
    img = folder / "img"
    img.mkdir()
    db = ws.store.read()
    now = ws.now()
    today = now.date()
    people = records.all_portraits(db)
    names = {p["id"]: p for p in people}
    all_posts = posts.all_posts(db)
    scopes = {pid: summary["scopes"] for pid, summary in consent.summaries(db, today).items() if pid in names}
    shown = [p for p in people if scopes.get(p["id"])]
    next_days = _next_days(ws, db, all_posts, today, img, cancelled, scopes, thumbs)
    attention = _attention(ws, db, all_posts, names, next_days, today)
    months, counts = _calendar(all_posts, names, today, ws.tz, cancelled, scopes)
    rows = top(ws)
    graph = _chart(ws, db, rows, img / "engagement.svg", lang)
    gallery = _gallery(ws, shown, img, thumbs)
    board, on_board = _billboard(ws, db, names, img)
    env = _environment(lang)
    css = env.get_template("report.css").render()
    page = env.get_template("report.html.j2").render(
        lang=lang, css=css, title=ws.config.name, hashtag=ws.config.hashtag, now=now, timezone=ws.config.timezone,
        next_days=next_days, attention=attention, months=months, weekdays=calendar_grid.weekday_names(lang),
        counts=counts, cancelled=cancelled, rows=rows, chart=graph, gallery=gallery, hidden=len(people) - len(shown),
        consent=_consent(db, people, shown, today), board=board, expiring_days=EXPIRING_DAYS, next_count=NEXT_DAYS,
        skipped_figures=len(engagement.skipped(db)))
    atomic_write_text(folder / "index.html", page)
    in_posts = {view["portrait_id"] for day in next_days for view in day["posts"] if view["images"]}
    return {"lang": lang, "gallery": len(gallery), "hidden": len(people) - len(shown), "posts": counts,
            "next_days": sum(len(day["posts"]) for day in next_days),
            "attention": {key: len(items) for key, items in attention.items()},
            "ranked": len(rows),
            "chart": {"from": graph["start"].isoformat(), "to": graph["end"].isoformat()} if graph else None,
            "expiring": len(attention["expiring"]), "_names": list(names),
            "_faces": sorted({card["id"] for card in gallery} | set(on_board) | in_posts)}
