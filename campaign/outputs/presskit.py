"""`campaign press kit`: a folder and a zip for journalists, from portraits with `press` consent only.

Per portrait, named by first name and age: the branded feed render and the clean photo at its full
kept resolution, each with the metadata a newsroom reads (credit, copyright, usage terms, caption;
IPTC and XMP, written by ExifTool) and nothing else. Beside them a press release draft from an
editable Jinja2 template and `manifest.json` (file, portrait id, languages, consent date).

Who is in it: approved portraits whose press consent is valid today; with --from/--to, only those
with a post (planned or out) in that period. The most liked motifs in the press release are taken
from those people only, so nobody without press consent is named in any file.
"""
from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import Any

from campaign.figures import top
from campaign.outputs import handout
from campaign.workspace import Workspace, footprint, templating
from campaign.workspace.store import atomic_write_text
from portraits import consent, metadata, records
from portraits.dates import parse_date
from portraits.errors import CampaignError
from portraits.messages import Message, _m, join
from portraits.model import PortraitStatus, as_portrait
from portraits.render import name_line, typographic
from schedules import captions, engagement, posts
from schedules.model import PostStatus

KIND = "press-kit"
FEED = "instagram-feed"
TOP = 3  # most liked motifs named in the press release
BATCH = 25  # images per ExifTool process
LIVE = (PostStatus.PLANNED, PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.UNKNOWN)
# A press photo must print: 1200 px on its short side is 10 cm at 300 dpi. A smaller photo (and the
# feed motif made from it) stays in the kit for the web, marked in the manifest and the output.
PRINT_MIN_SHORT_SIDE = 1200


def copyright_holder(ws: Workspace) -> str:
    """Who holds the rights: [press] copyright_holder, else [brand] owner ("Stadt Duisburg"), else
    the campaign's name (a campaign is nobody's name, so set one of the two)."""
    return ws.config.press.copyright_holder or ws.config.brand.owner or ws.config.name


def fit_for_print(photo: dict) -> bool:
    """True when the kept photo is large enough to be printed (see PRINT_MIN_SHORT_SIDE)."""
    return min(photo["width"], photo["height"]) >= PRINT_MIN_SHORT_SIDE


def _period(start: str | date | None, end: str | date | None) -> tuple[date | None, date | None]:
    first, last = parse_date(start, _m("--from date")), parse_date(end, _m("--to date"))
    if first and last and last < first:
        raise CampaignError(_m("The period ends ({last}) before it starts ({first}).", last=last, first=first),
                            _m("Check --from and --to."))
    return first, last


def eligible(db, today: date, first: date | None = None, last: date | None = None, tz=None) -> list[dict]:
    """Approved portraits with press consent valid today (and a post in the period, if one is given)."""
    chosen = [p for p in records.all_portraits(db)
              if p.get("status") == PortraitStatus.APPROVED and consent.is_valid(db, p["id"], "press", today)]
    if first or last:
        shown = set()
        for post in posts.all_posts(db):
            day = datetime.fromisoformat(post["at"]).astimezone(tz).date()
            if post["status"] in LIVE and (not first or day >= first) and (not last or day <= last):
                shown.add(post["portrait_id"])
        chosen = [p for p in chosen if p["id"] in shown]
    return sorted(chosen, key=lambda p: p["id"])


def file_stem(first_name: str, age: int, taken: set[str]) -> str:
    """"Brigitte-81", then "Brigitte-81-2": first name (letters of any script kept) and age."""
    name = re.sub(r"[^\w]+", "-", first_name).strip("-_") or "Portrait"
    base = f"{name}-{age}"
    stem, n = base, 2
    while stem.casefold() in taken:
        stem, n = f"{base}-{n}", n + 1
    taken.add(stem.casefold())
    return stem


def _tags(ws: Workspace, p: dict, year: int) -> metadata.PressTags:
    press, name = ws.config.press, ws.config.name
    photographer = captions.credit_of(as_portrait(p), ws.config) or name  # a press image always names its source
    quote = " ".join(p["quote"].split())
    caption = (f"{name_line(p['first_name'], p['age'], p['role'], p['lang'])}: {typographic(quote, p['lang'])} "
               f"({name}, {ws.config.hashtag})")
    return metadata.PressTags(title=f"{p['first_name']}, {p['age']}", headline=name, caption=caption,
                              creator=photographer, credit=photographer,
                              copyright=f"© {year} {copyright_holder(ws)}",
                              usage_terms=press.usage_terms, source=name)


def _start_date(ws: Workspace, db) -> date | None:
    if ws.config.press.start_date:
        return parse_date(ws.config.press.start_date)
    out = [p for p in posts.all_posts(db) if p["status"] in (PostStatus.PUBLISHED, PostStatus.UNKNOWN)] or \
        [p for p in posts.all_posts(db) if p["status"] in LIVE]
    return datetime.fromisoformat(out[0]["at"]).astimezone(ws.tz).date() if out else None


def _press_release(ws: Workspace, db, people: list[dict], first: date | None, last: date | None,
                   credits: list[str], images: int) -> str:
    press = ws.config.press
    ids = {p["id"]: p for p in people}
    # Ordered by the campaign's fair ranking (each post at the same age), shown with today's figures.
    best = [r for r in top(ws) if r["portrait_id"] in ids and r["score"] > 0][:TOP]
    figures = engagement.latest_by_portrait(db, {p["id"]: p["portrait_id"] for p in posts.all_posts(db)})
    context = {
        "campaign": {"name": ws.config.name, "hashtag": ws.config.hashtag},
        "start_date": _start_date(ws, db), "made_on": ws.now().date(), "count": len(people),
        "portraits": [{k: p[k] for k in ("first_name", "age", "role", "quote")} for p in people],
        "top": [{"first_name": r["first_name"], "age": r["age"], "role": r["role"],
                 "quote": ids[r["portrait_id"]]["quote"], **figures[r["portrait_id"]]} for r in best],
        "billboard_location": press.billboard_location, "credits": credits,
        "copyright_holder": copyright_holder(ws), "usage_terms": press.usage_terms,
        "media_contact": press.media_contact, "period_from": first, "period_to": last, "images": images,
    }
    own = own_template(ws) if press.template else None
    return templating.render("press-release.md.j2", context, own, lang=ws.config.language, markdown=True)


# Folders the tool writes: a template there would be one of its files (a photo, the store, a backup).
TOOL_FOLDERS = ("photos", "renders", "outbox", "exports")


def own_template(ws: Workspace) -> Path:
    """The office's press release template: a .j2 file of its own inside the workspace, never a file
    the tool keeps (the store, its backups, .private/), which would come out as the press release."""
    name = ws.config.press.template
    own = (ws.root / name).resolve()
    if not own.is_file():
        raise CampaignError(_m("The press release template {template} does not exist.", template=name),
                            _m("Fix [press] template in campaign.toml, or leave it empty for the "
                               "built-in one."))
    inside = own.is_relative_to(ws.root.resolve())
    parts = own.relative_to(ws.root.resolve()).parts if inside else ()
    if not inside or own.suffix != ".j2" or any(p.startswith(".") or p in TOOL_FOLDERS for p in parts[:-1]):
        raise CampaignError(_m("The press release template {template} must be a .j2 file of your own in the "
                               "workspace, not in a folder the tool writes.", template=name),
                            _m("Copy campaign/templates/press-release.md.j2 into the workspace folder, change "
                               "it and name it in [press] template."))
    return own


def _images(ws: Workspace, people: list[dict], stage: Path, stems: dict[str, str], tags: dict[str, Any],
            pool: ThreadPoolExecutor, jobs: int, progress: Callable[[int, int], None] | None,
            ) -> tuple[list[dict], dict[str, str]]:
    """Each person's photo and feed render in the stage's images/, with the kit's metadata written in;
    returns who made it in and why the others did not (neither of a failed pair is left behind)."""
    from campaign.outputs.renders import render

    # The photos need no render: their metadata is written while the renders are made. One that
    # is not the photo that was added (a link, another picture) is left out like a failed render.
    failed: dict[str, str] = {}
    photos = []
    for p in people:
        try:
            photos.append((ws.photo_of(p), stage / f"images/{stems[p['id']]}-photo.jpg", tags[p["id"]]))
        except CampaignError as e:
            failed[p["id"]] = e.message
    pending = [pool.submit(metadata.write, photos[i:i + BATCH]) for i in range(0, len(photos), BATCH)]
    usable = [p["id"] for p in people if p["id"] not in failed]
    steps = [0, -(-len(photos) // BATCH) + -(-len(usable) // BATCH)]  # renders made, metadata batches

    def rendering(done: int, total: int) -> None:
        steps[0] = total
        if progress:
            progress(done, total + steps[1])
    rendered = render(ws, usable, FEED, None, jobs, rendering) if usable else {"failed": []}  # no ids: all
    failed.update({f["portrait_id"]: f["reason"] for f in rendered["failed"]})
    people = [p for p in people if p["id"] not in failed]
    if not people:
        raise CampaignError(_m("No portrait of the press kit could be rendered: {failures}.",
                               failures=_failures(failed)),
                            _m("Fix these and try again."))
    feeds = [(ws.renders / p["id"] / f"{FEED}.jpg", stage / f"images/{stems[p['id']]}-feed.jpg", tags[p["id"]])
             for p in people]
    pending += [pool.submit(metadata.write, feeds[i:i + BATCH]) for i in range(0, len(feeds), BATCH)]
    unwritten: set[Path] = set()
    for done, future in enumerate(pending, 1):
        unwritten.update(future.result())
        if progress:
            progress(steps[0] + done, steps[0] + len(pending))
    for p in people:
        if {stage / f"images/{stems[p['id']]}-{label}.jpg" for label in ("feed", "photo")} & unwritten:
            failed[p["id"]] = _m("ExifTool could not read its photo or render")
    people = [p for p in people if p["id"] not in failed]
    for pid in failed:  # a half of its pair may be there: neither goes into the kit
        for label in ("feed", "photo"):
            (stage / f"images/{stems[pid]}-{label}.jpg").unlink(missing_ok=True)
    if not people:
        raise CampaignError(_m("No portrait of the press kit could be made: {failures}.",
                               failures=_failures(failed)),
                            _m("Fix these and try again."))
    return people, failed


def _kit_files(ws: Workspace, db: Any, people: list[dict], stems: dict[str, str], tags: dict[str, Any],
               ) -> tuple[list[dict], list[dict]]:
    """The manifest's entry of every image (two per person), and the people whose photo is too small for print."""
    files: list[dict] = []
    windows = consent.windows(db)
    too_small: list[dict] = []
    for p in people:
        languages = [p["lang"], *sorted(p.get("translations") or {})]
        signed = windows[p["id"]]["press"][0].isoformat()
        feed = ws.renders / p["id"] / f"{FEED}.jpg"
        size = json.loads(feed.with_suffix(".json").read_text(encoding="utf-8"))["size"]
        printable = fit_for_print(p["photo"])
        if not printable:
            too_small.append({"portrait_id": p["id"], "width": p["photo"]["width"],
                              "height": p["photo"]["height"]})
        for label, width, height in (("feed", *size), ("photo", p["photo"]["width"], p["photo"]["height"])):
            files.append({"file": f"images/{stems[p['id']]}-{label}.jpg", "portrait_id": p["id"],
                          "languages": languages, "consent_date": signed,
                          "image": "campaign motif (feed render)" if label == "feed" else "photo without text",
                          "width": width, "height": height, "print": printable,
                          **({} if printable else {"note": f"web only: the photo is {p['photo']['width']}x"
                                                           f"{p['photo']['height']} px, too small for print"})})
    return files, too_small


def make_kit(ws: Workspace, start: str | date | None = None, end: str | date | None = None,
             out: str | Path | None = None, jobs: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> dict:
    """Write the press kit folder (default exports/press-kit/) and its zip beside it; return what it holds."""
    first, last = _period(start, end)
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if jobs < 1:
        raise CampaignError(_m("--jobs {jobs} is not a positive number.", jobs=jobs),
                            _m("Give how many processes to use, e.g. --jobs 2."))
    if ws.config.press.template:
        templating.check_own(own_template(ws))
    target = handout.target_for(ws, KIND, out)
    zip_path = footprint.HANDOUTS[KIND].parts(target)[1]
    db = ws.store.read()
    now = ws.now()
    people = eligible(db, now.date(), first, last, ws.tz)
    if not people:
        raise CampaignError(_m("No portrait can go into a press kit: none is approved with a valid press consent "
                               "today and a post in that period.") if first or last else
                            _m("No portrait can go into a press kit: none is approved with a valid press consent "
                               "today."),
                            _m("Record press consent (campaign consent grant ID --scope press ...), or "
                               "choose other dates."))
    taken: set[str] = set()
    with handout.staging(KIND, target) as stage, ThreadPoolExecutor(max_workers=jobs) as pool:
        (stage / "images").mkdir()
        stems, tags = {}, {}
        for p in people:
            stems[p["id"]] = file_stem(p["first_name"], p["age"], taken)
            tags[p["id"]] = _tags(ws, p, now.year)
        people, failed = _images(ws, people, stage, stems, tags, pool, jobs, progress)
        credits = list(dict.fromkeys(tags[p["id"]].credit for p in people))
        files, too_small = _kit_files(ws, db, people, stems, tags)
        atomic_write_text(stage / "press-release.md",
                          _press_release(ws, db, people, first, last, credits, len(files)))
        manifest = {"kind": KIND, "campaign": ws.config.name, "made_at": now.isoformat(timespec="seconds"),
                    "period": {"from": first.isoformat() if first else None, "to": last.isoformat() if last else None},
                    "press_release": "press-release.md", "credits": credits, "files": files}
        atomic_write_text(stage / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        handout.share(stage)  # before zipping: the zip keeps the modes for whoever unpacks it
        tmp_zip = _zip_as(stage, target.name, zip_path)
        try:
            handout.record(ws, KIND, target, [p["id"] for p in people], before_swap=True)
            handout.swap_in(stage, target)
            os.replace(tmp_zip, zip_path)
        except BaseException:
            tmp_zip.unlink(missing_ok=True)
            raise
    handout.record(ws, KIND, target, [p["id"] for p in people], discard=[target, zip_path])
    return {"folder": str(target), "zip": str(zip_path), "portraits": [p["id"] for p in people],
            "images": len(files), "failed": [{"portrait_id": k, "reason": v} for k, v in sorted(failed.items())],
            "press_release": str(target / "press-release.md"), "credits": credits, "too_small_for_print": too_small}


def _failures(failed: dict) -> Message:
    """"brigitte-81: the photo is missing; tamara-32: ...", each reason in the reader's language."""
    return join("; ", [_m("{portrait_id}: {reason}", portrait_id=pid, reason=why) for pid, why in failed.items()])


def _zip_as(folder: Path, root: str, target: Path) -> Path:
    """Zip `folder` with `root` as the top folder in the archive, under a temporary name beside
    `target`; JPEGs are stored as they are (they do not compress), text is deflated."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with zipfile.ZipFile(tmp, "w") as z:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                kind = zipfile.ZIP_STORED if f.suffix.lower() == ".jpg" else zipfile.ZIP_DEFLATED
                z.write(f, f"{root}/{f.relative_to(folder).as_posix()}", compress_type=kind)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    return tmp
