"""`campaign schedule show`: a post exactly as it will appear, as text or as one HTML page.

A planned post is shown from the portrait as it is now: its current renders (made now if stale,
as the publisher would), its caption with line breaks and hashtags, each image's alt text, and
whether it has the approvals it needs for what it shows now. A post that went out (or was tried)
is shown as it was sent: the caption and the input hashes recorded then. The HTML is built from
Jinja2 templates shipped in campaign/templates (autoescaped); `show --html` puts the images into
the page itself, so the one file can be mailed to whoever approves it.
"""
from __future__ import annotations

import base64
import re
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from campaign.outputs.renders import image_name, publishing_site, recorded_hash
from campaign.workspace import Workspace, i18n
from campaign.workspace.footprint import Place, Scan, register
from campaign.workspace.store import atomic_write_text
from portraits import records
from portraits.errors import CampaignError, NotFound
from portraits.messages import _m
from portraits.model import as_portrait
from schedules import approval, captions, posts
from schedules.channel import channel_spec
from schedules.content import content_of
from schedules.model import Post

HASHTAG = re.compile(r"((?<!\w)#\w+)")
FORMAT_LABELS = {"feed": _m("feed post"), "square": _m("square feed post"), "story": _m("story"),
                 "carousel": _m("carousel (several images in one post)")}


def _account_name(settings) -> str:
    """The account a channel's publisher names (Instagram's user name, Bluesky's handle), if any."""
    return getattr(settings, "account", "") or getattr(settings, "handle", "")


def _caption_lines(text: str) -> list[list[dict]]:
    """The caption as lines of segments, hashtags marked, so a page can show it as the apps do."""
    return [[{"text": part, "tag": bool(HASHTAG.fullmatch(part))} for part in HASHTAG.split(line) if part]
            for line in text.split("\n")]


def post_view(ws: Workspace, db, post: Post, render: bool = True) -> dict:
    """Everything `schedule show` shows of one post; `problem` says why it could not go out now."""
    spec = channel_spec(post["channel"])
    at = datetime.fromisoformat(post["at"]).astimezone(ws.tz)
    view: dict[str, Any] = {"id": post["id"], "portrait_id": post["portrait_id"], "channel": post["channel"],
            "channel_label": spec.label, "format": post["format"], "format_label": FORMAT_LABELS[post["format"]],
            "lang": post.get("lang"), "at": post["at"], "when": f"{at:%a %d.%m.%Y %H:%M} ({ws.config.timezone})",
            "status": post["status"], "reason": post.get("reason"), "error": post.get("error"),
            "account": _account_name(ws.config.channel(post["channel"])) or ws.config.name,
            "first_name": None, "caption": "", "images": [], "content_hash": None, "problem": None}
    rule = ws.config.posting.approval
    try:
        portrait = records.get(db, post["portrait_id"])
        view["first_name"] = portrait["first_name"]
    except NotFound:
        view["problem"] = _m("the portrait has been erased")
        return _finish(view, approval.state(post, "", rule))
    sent = post.get("images")
    if sent and post["status"] not in posts.FUTURE:  # as it was sent
        view["caption"] = post.get("caption") or ""
        view["content_hash"] = post.get("content_hash")
        for item in sent:
            path = ws.root / item["file"]
            view["images"].append({**item, "path": path if recorded_hash(path) == item["hash"] else None})
        return _finish(view, approval.state(post, post.get("content_hash") or "", rule))
    try:
        content = content_of(publishing_site(ws), post, as_portrait(portrait), render=render)
    except CampaignError as e:
        view["problem"] = e.message
        return _finish(view, approval.state(post, "", rule))
    view.update(caption=content.caption, content_hash=content.digest, langs=content.langs)
    paths = content.images or [ws.renders / portrait["id"] / image_name(portrait, content.layout, lang)
                               for lang in content.langs]
    view["images"] = [{"file": str(path.relative_to(ws.root)), "lang": lang, "hash": digest, "alt_text": alt,
                       "path": path if content.images else None}
                      for path, lang, digest, alt in zip(paths, content.langs, content.image_hashes, content.alt_texts)]
    return _finish(view, approval.state(post, content.digest, rule))


def _finish(view: dict, state: approval.State) -> dict:
    view["approval"] = state.as_dict()
    view["caption_lines"] = _caption_lines(view["caption"])
    for image in view["images"]:
        image["lang_name"] = captions.language_name(image["lang"]) if image.get("lang") else ""
        image["dir"] = "rtl" if image.get("lang") and captions.is_rtl(image["lang"]) else "ltr"
    return view


def show_post(ws: Workspace, post_id: str) -> dict:
    """The post as it will appear (its images rendered now where they are stale)."""
    db = ws.store.read()
    return post_view(ws, db, posts.get(db, post_id))


def _environment():
    """The post page speaks the interface language: `{{ _("...") }}` in the templates (extracted into
    the `campaign` domain), `| tr` for a message of the data, `| value("status")` for a status."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("campaign", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        lambda m: i18n.translations(i18n.language()).gettext(m),
        lambda s, p, n: i18n.translations(i18n.language()).ngettext(s, p, n), newstyle=True)
    env.filters["tr"] = i18n.translate
    env.filters["value"] = lambda shown, name: i18n.value(name, shown)
    return env


def weekday_time(at: str, ws: Workspace) -> str:
    """Sat 04.05.2030 18:30 (Europe/Berlin) / Sa. 04.05.2030 18:30 (Europe/Berlin), in the campaign's zone."""
    from babel.dates import format_datetime

    moment = datetime.fromisoformat(at).astimezone(ws.tz)
    return f"{format_datetime(moment, 'EEE dd.MM.y HH:mm', locale=i18n.language())} ({ws.config.timezone})"


def render_page(template: str, **values) -> str:
    return _environment().get_template(template).render(**values)


def _data_uri(path: Path) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


GENERATOR = b'<meta name="generator" content="campaign schedule show">'


def page_path(ws: Workspace, post_id: str) -> Path:
    """Where `schedule show --html` writes a post's page unless told otherwise."""
    return ws.exports / "posts" / f"{post_id}.html"


def pages_of(ws: Workspace, post: Post) -> list[Path]:
    """Every page `schedule show --html` wrote of the post (they show the person): what gdpr erase
    and withdrawal remove."""
    return [page_path(ws, post["id"]), *(Path(p) for p in post.get("pages") or [])]


def _ours(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return GENERATOR in f.read(2048)
    except OSError:
        return False


def write_post_page(ws: Workspace, post_id: str, out: str | Path | None = None, force: bool = False) -> dict:
    """One self-contained HTML page of the post (the images inside it), for a person to look at or
    approve. `out` may replace an earlier page of ours, never another file, unless `force`."""
    target = Path(out) if out else page_path(ws, post_id)
    if target.suffix.lower() not in (".html", ".htm"):
        raise CampaignError(_m("{name} is not an .html file name.", name=target.name),
                            _m("Give --out a name like p-12.html."))
    from campaign.workspace.outpaths import refuse_protected

    refuse_protected(ws, target)
    if target.exists() and not force and not _ours(target):
        raise CampaignError(_m("{target} already exists and `schedule show` did not write it; nothing was "
                               "changed.", target=target),
                            _m("Choose another --out file, or add --force to replace it."))
    view = show_post(ws, post_id)
    for image in view["images"]:
        image["src"] = _data_uri(image["path"]) if image["path"] else None
    html = render_page("post.html", post=view, title=ws.config.name, hashtag=ws.config.hashtag,
                       lang=i18n.language(), when=weekday_time(view["at"], ws))
    target.parent.mkdir(parents=True, exist_ok=True)
    if out:  # kept on the post, so that erasure and withdrawal find the page wherever it is
        with ws.store.transaction() as db:
            post = posts.get(db, post_id)
            pages = list(dict.fromkeys([*(post.get("pages") or []), str(target.resolve())]))
            posts.set_fields(db, post_id, pages=pages)
    atomic_write_text(target, html)
    return {**view, "file": str(target)}


def post_pages(scan: Scan, pid: str) -> list[Path]:
    """The pages of every post of the person, wherever they were written."""
    return [page for p in scan.posts.values() if p["portrait_id"] == pid for page in pages_of(scan.ws, cast(Post, p))]


register(Place("post pages", "exports/posts/<post>.html of `schedule show --html` (or --out)",
               "deleted wherever they were written (the post records each page; the tool wrote them); a withdrawal "
               "deletes the pages of the posts it cancels", person_files=post_pages, anywhere=True))
