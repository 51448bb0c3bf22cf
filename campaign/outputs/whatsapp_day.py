"""`campaign whatsapp`: the day's portrait in many languages, by hand (bundle) or to subscribers (send).

The day's portrait is the one the posting plan puts out that day (its first post that is not
cancelled or failed) among portraits whose `whatsapp` consent is valid on that day and today.

`bundle` writes, per day and language, the image and the message text (the quote in that
language, the campaign's line and link), ready to post into a WhatsApp Channel or forward by
hand, plus one page listing them for the person doing it.

`send` broadcasts it through the Cloud API to the subscribers: an approved template in the
subscriber's language (or the quote's own language where there is no translation). Each message
is one store transaction held across its call, like a post: the subscriber is read fresh first,
so a STOP recorded a moment ago wins, and "sending" is written before the call, so a crash never
leads to the same person getting the day's message twice. A second `send` of the same day only
reaches subscribers who did not get it yet.
"""
from __future__ import annotations

import json
import os
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

from tinydb import Query

from campaign.outputs import handout
from campaign.workspace import Workspace, templating
from campaign.workspace.store import atomic_write_bytes, atomic_write_text
from portraits import consent, fonts, records
from portraits.dates import parse_date
from portraits.errors import CampaignError
from portraits.messages import _m, join
from portraits.render import name_line, typographic
from schedules import captions, posts, subscribers
from schedules.channel import ChannelError, TransientError, UnknownOutcome, channel_spec
from schedules.model import DeliveryStatus
from schedules.runner import publisher_for
from schedules.secrets import platform_text

KIND = "whatsapp-bundle"
CHANNEL = "whatsapp"
MAX_DAYS = 62
KEY_FILE = "whatsapp-optout.key"
SKIP = ("cancelled", "failed")


def optout_key(ws: Workspace) -> bytes:
    """The key of the do-not-send codes, made once and kept in .private/ (mode 0600)."""
    path = ws.private / KEY_FILE
    if not path.is_file():
        import secrets

        atomic_write_bytes(path, secrets.token_bytes(32), mode=0o600)
    return path.read_bytes()


def page_words(ws: Workspace, entries: list[dict], skipped: list[dict]) -> dict:
    """What the working page says, in the campaign's language (the page's own): its instructions,
    each day as 07.12.2026, each language by its name ("Türkisch"), the reasons for what was left out."""
    from babel import Locale, UnknownLocaleError

    from campaign.workspace import i18n

    def language_name(code: str) -> str:
        try:
            return Locale.parse(code).get_display_name(i18n.normalise(ws.config.language) or "de") or code
        except (ValueError, UnknownLocaleError):
            return code

    with i18n.use(ws.config.language):
        return {
            "intro": i18n.gettext("Made {made_at}. For each day and language: save the image, copy the text, post "
                                  "both into the WhatsApp Channel or forward them.",
                                  made_at=i18n.format_datetime(ws.now())),
            "left_out": i18n.gettext("Left out"),
            "days": {e["day"]: i18n.format_date(e["day"]) for e in [*entries, *skipped] if e.get("day")},
            "languages": {e["lang"]: language_name(e["lang"]) for e in [*entries, *skipped] if e.get("lang")},
            "reasons": [i18n.translate(s.get("reason")) for s in skipped],
        }


def _days(ws: Workspace, start, end) -> list[date]:
    first = parse_date(start, _m("--from date")) or ws.now().date()
    last = parse_date(end, _m("--to date")) or first
    if last < first:
        raise CampaignError(_m("The period ends ({last}) before it starts ({first}).", last=last, first=first),
                            _m("Check --from and --to."))
    if (last - first).days >= MAX_DAYS:
        raise CampaignError(_m("That is more than {max_days} days.", max_days=MAX_DAYS),
                            _m("Make bundles for at most two months at a time."))
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def day_portrait(ws: Workspace, db, day: date, today: date) -> tuple[dict | None, str]:
    """The day's portrait for WhatsApp, or None and why not."""
    todays = [p for p in posts.all_posts(db) if p["status"] not in SKIP
              and datetime.fromisoformat(p["at"]).astimezone(ws.tz).date() == day]
    if not todays:
        return None, _m("nothing is planned that day")
    for post in todays:
        try:
            p = records.get(db, post["portrait_id"])
        except CampaignError:
            continue
        if p.get("status") == "approved" and consent.is_valid(db, p["id"], CHANNEL, day) \
                and consent.is_valid(db, p["id"], CHANNEL, today):
            return p, ""
    return None, _m("no portrait of that day has whatsapp consent")


def _languages(ws: Workspace, portrait: dict, wanted: list[str] | None) -> list[str]:
    own = [portrait["lang"], *sorted(portrait.get("translations") or {})]
    return wanted or list(ws.config.whatsapp.languages) or own


def _texts(ws: Workspace, p: dict, lang: str) -> list[str]:
    """The template's three body fields: the quote, the name line, the campaign's line and link."""
    t = records.text_in(p, lang)
    cfg = ws.config.whatsapp
    line = cfg.line(lang, ws.config.name)
    return [typographic(t["quote"], lang), name_line(p["first_name"], p["age"], t["role"], lang),
            f"{line} {ws.config.hashtag}" + (f" {cfg.link}" if cfg.link else "")]


def message(ws: Workspace, p: dict, lang: str) -> str:
    """The message to post or forward by hand: quote, who says it, the campaign's line and link."""
    quote, who, _ = _texts(ws, p, lang)
    cfg = ws.config.whatsapp
    text = f"{quote}\n– {who}\n\n{cfg.line(lang, ws.config.name)}\n{ws.config.hashtag}" + (
        f"\n{cfg.link}" if cfg.link else "")
    captions.check_limits(text, CHANNEL)
    return text


def _image(ws: Workspace, p: dict, lang: str) -> Path:
    fmt = channel_spec(CHANNEL).formats["feed"]
    folder = ws.renders / p["id"]
    for name in ([f"{fmt}-{lang}.jpg"] if lang != p["lang"] else []) + [f"{fmt}.jpg"]:
        if (folder / name).is_file():
            return folder / name
    raise CampaignError(_m("{id} has no {fmt} render.", id=p['id'], fmt=fmt),
                        _m("Make it: campaign render {id} --format {fmt}.", id=p['id'], fmt=fmt))


def _plan(ws: Workspace, start, end, langs: str | None) -> tuple[list[dict], list[dict]]:
    """[(day, portrait, [langs])] to make, and what is left out with the reason."""
    from campaign.outputs.renders import render

    db = ws.store.read()
    today = ws.now().date()
    wanted = [code.strip().lower() for code in langs.split(",") if code.strip()] if langs else None
    chosen, skipped = [], []
    for day in _days(ws, start, end):
        p, why = day_portrait(ws, db, day, today)
        if p is None:
            skipped.append({"day": day.isoformat(), "reason": why})
            continue
        have = [p["lang"], *sorted(p.get("translations") or {})]
        ok = [lg for lg in _languages(ws, p, wanted) if lg in have]
        for lg in _languages(ws, p, wanted):
            if lg not in have:
                skipped.append({"day": day.isoformat(), "lang": lg, "portrait_id": p["id"],
                                "reason": _m("no {language} translation (campaign portrait translate {id} --lang "
                                             "{lg} ...)", language=lg, lg=lg, id=p['id'])})
        if ok:
            chosen.append({"day": day, "portrait": p, "langs": ok})
    ids = sorted({c["portrait"]["id"] for c in chosen})
    if ids:
        result = render(ws, ids, channel_spec(CHANNEL).formats["feed"], None, 1)
        failed = {f["portrait_id"]: f["reason"] for f in result["failed"]}
        for c in [c for c in chosen if c["portrait"]["id"] in failed]:
            skipped.append({"day": c["day"].isoformat(), "portrait_id": c["portrait"]["id"],
                            "reason": failed[c["portrait"]["id"]]})
            chosen.remove(c)
    return chosen, skipped


def make_bundle(ws: Workspace, langs: str | None = None, start=None, end=None, out: str | Path | None = None) -> dict:
    """Per day and language a folder with image.jpg and message.txt, and index.html listing them."""
    target = handout.target_for(ws, KIND, out)
    chosen, skipped = _plan(ws, start, end, langs)
    if not chosen:
        reasons = join("; ", [_m("{day:%Y-%m-%d}: {reason}", day=date.fromisoformat(s["day"]), reason=s["reason"])
                              for s in skipped[:3]])
        raise CampaignError(_m("There is nothing to put in a WhatsApp bundle ({reasons}).", reasons=reasons),
                            _m("Plan posts of portraits with whatsapp consent for those days, or choose "
                               "other days."))
    entries = []
    with handout.staging(KIND, target) as stage:
        for c in chosen:
            p = c["portrait"]
            for lg in c["langs"]:
                folder = stage / c["day"].isoformat() / lg
                folder.mkdir(parents=True)
                shutil.copyfile(_image(ws, p, lg), folder / "image.jpg")
                text = message(ws, p, lg)
                atomic_write_text(folder / "message.txt", text + "\n")
                entries.append({"day": c["day"].isoformat(), "lang": lg, "portrait_id": p["id"],
                                "first_name": p["first_name"], "folder": f"{c['day'].isoformat()}/{lg}",
                                "image": f"{c['day'].isoformat()}/{lg}/image.jpg",
                                "message": f"{c['day'].isoformat()}/{lg}/message.txt", "text": text,
                                "dir": "rtl" if fonts.is_rtl(text) else "ltr",
                                "alt": captions.alt_text(p, lg, ws.config)})
        atomic_write_text(stage / "index.html", templating.render("whatsapp-bundle.html.j2", {
            "title": f"{ws.config.name}: WhatsApp", "lang": ws.config.language, "entries": entries,
            "skipped": skipped, "made_at": ws.now(), "words": page_words(ws, entries, skipped)}))
        atomic_write_text(stage / "bundle.json", json.dumps(
            {"kind": KIND, "made_at": ws.now().isoformat(timespec="seconds"), "messages": entries,
             "skipped": skipped}, ensure_ascii=False, indent=2))
        handout.record(ws, KIND, target, [e["portrait_id"] for e in entries], before_swap=True)
        handout.swap_in(stage, target)
    handout.record(ws, KIND, target, [e["portrait_id"] for e in entries], discard=[target])
    return {"folder": str(target), "index": str(target / "index.html"), "messages": len(entries),
            "days": sorted({e["day"] for e in entries}), "languages": sorted({e["lang"] for e in entries}),
            "portraits": sorted({e["portrait_id"] for e in entries}), "skipped": skipped}


def send(ws: Workspace, day: str | date | None = None) -> dict:
    """Broadcast the day's portrait to every subscriber who has not had it; what happened, counted."""
    settings = ws.config.channel(CHANNEL)
    if settings.publisher != "whatsapp-cloud":
        raise CampaignError(_m("The whatsapp channel makes bundles only; it does not broadcast."),
                            _m("Set publisher = \"whatsapp-cloud\", phone_number_id and template under "
                               "[channels.whatsapp]."))
    the_day = parse_date(day, _m("day")) or ws.now().date()
    db = ws.store.read()
    today = ws.now().date()
    portrait, why = day_portrait(ws, db, the_day, today)
    if portrait is None:
        raise CampaignError(_m("There is no WhatsApp message for {the_day}: {why}.", the_day=the_day, why=why),
                            _m("Plan a portrait with whatsapp consent for that day, or give another --day."))
    subs = subscribers.in_signup_order(db)  # a broadcast goes out in the same order every time
    have = [portrait["lang"], *sorted(portrait.get("translations") or {})]
    pub = publisher_for(ws, CHANNEL)
    from campaign.outputs.renders import render

    render(ws, [portrait["id"]], channel_spec(CHANNEL).formats["feed"], None, 1)
    media: dict[str, str] = {}
    counts = {"sent": 0, "already": 0, "stopped": 0, "failed": 0, "unknown": 0, "retry_later": 0}
    fallback: dict[str, int] = {}
    errors: list[str] = []
    for sub in subs:
        lang = sub["lang"] if sub["lang"] in have else portrait["lang"]
        if lang != sub["lang"]:
            fallback[sub["lang"]] = fallback.get(sub["lang"], 0) + 1
        outcome = _send_one(ws, pub, sub["id"], portrait, the_day, lang, media)
        counts[outcome["status"]] += 1
        if outcome.get("error"):
            errors.append(outcome["error"])
    return {"day": the_day.isoformat(), "portrait_id": portrait["id"], "subscribers": len(subs), **counts,
            "languages_missing": fallback, "errors": list(dict.fromkeys(errors))[:5]}


def _send_one(ws: Workspace, pub, sub_id: str, portrait: dict, day: date, lang: str, media: dict[str, str]) -> dict:
    """One message: a short transaction checks the subscriber (a STOP) and the consent and records
    `sending`, the message goes out with no lock held, a second short transaction records the
    result. So a STOP typed during a broadcast is recorded at once and seen before the next message."""
    sends = Query()
    key_q = (sends.subscriber_id == sub_id) & (sends.day == day.isoformat())
    with ws.store.transaction() as db:
        now = ws.now()
        sub = subscribers.find(db, sub_id)
        if sub is None:
            return {"status": "stopped"}
        done = db.table(subscribers.SENDS).get(key_q)
        if done and done["status"] in tuple(DeliveryStatus) and not done.get("retry"):
            return {"status": "already"}
        if not consent.is_valid(db, portrait["id"], CHANNEL, now.date()):
            raise CampaignError(_m("{id} withdrew whatsapp consent during the broadcast; it was stopped.",
                                   id=portrait['id']),
                                _m("Nobody else gets this portrait; choose another day's portrait."))
        record = {"subscriber_id": sub_id, "day": day.isoformat(), "portrait_id": portrait["id"], "lang": lang,
                  "status": DeliveryStatus.SENDING, "message_id": None, "error": None, "retry": False,
                  "at": now.isoformat(timespec="seconds")}
        db.table(subscribers.SENDS).remove(key_q)
        db.table(subscribers.SENDS).insert(record)
        number = sub["number"]
    try:
        if lang not in media:
            media[lang] = pub.upload_image(_image(ws, portrait, lang))
        message_id = pub.send_template(number, lang, media[lang], _texts(ws, portrait, lang))
        result = {"status": DeliveryStatus.SENT, "message_id": message_id, "error": None}
    except TransientError as e:
        result = {"status": DeliveryStatus.FAILED, "retry": True, "error": platform_text(e)}
    except UnknownOutcome as e:
        result = {"status": DeliveryStatus.UNKNOWN, "error": platform_text(e)}
    except (ChannelError, CampaignError, OSError) as e:
        result = {"status": DeliveryStatus.FAILED, "error": platform_text(e)}
    with ws.store.transaction() as db:
        db.table(subscribers.SENDS).update(result, key_q)
    status = {"failed": "retry_later" if result.get("retry") else "failed"}.get(result["status"], result["status"])
    return {"status": status, "error": result.get("error")}


def add_subscriber(ws: Workspace, number: str, lang: str, opted_in: str, source: str) -> dict:
    key = optout_key(ws)
    with ws.store.transaction() as db:
        return subscribers.public(subscribers.add(db, number, lang, opted_in, source, key, ws.now()))


def remove_subscriber(ws: Workspace, who: str) -> dict:
    """STOP: takes effect at once (a broadcast running now checks each subscriber before each message)."""
    key = optout_key(ws)
    with ws.store.transaction() as db:
        return subscribers.public(subscribers.remove(db, who, key, ws.now()))


def list_subscribers(ws: Workspace) -> list[dict]:
    return [subscribers.public(s) for s in subscribers.all_subscribers(ws.store.read())]


def import_subscribers(ws: Workspace, path: str | Path, source: str | None = None) -> dict:
    key = optout_key(ws)
    with ws.store.transaction() as db:
        return subscribers.import_csv(db, Path(path), key, ws.now(), source)


def export_subscriber(ws: Workspace, who: str, out_dir: Path) -> dict:
    """A subscriber's own copy of their data (the only output that shows the number)."""
    db = ws.store.read()
    sub = subscribers.get(db, who)
    from campaign.workspace.outpaths import private_folder, refuse_protected

    refuse_protected(ws, Path(out_dir))
    target = Path(out_dir) / sub["id"]
    if target.exists() and any(target.iterdir()):
        raise CampaignError(_m("{target} already exists and is not empty.", target=target),
                            _m("Choose another --out folder."))
    private_folder(target)
    sends = [dict(s) for s in db.table(subscribers.SENDS).search(Query().subscriber_id == sub["id"])]
    data = {"subscriber": sub, "messages": sends,
            "audit": [dict(e) for e in db.table("audit").all() if e.get("subject") == sub["id"]]}
    atomic_write_text(target / "data.json", json.dumps(data, ensure_ascii=False, indent=2))
    os.chmod(target / "data.json", 0o600)
    with ws.store.transaction() as wdb:
        from portraits import audit

        audit.record(wdb, "gdpr.export", sub["id"])
    return {"subscriber": sub["id"], "folder": str(target), "files": ["data.json"]}


def subscriber_erase_preview(ws: Workspace, who: str) -> dict:
    """What `erase_subscriber` removes, for a confirmation before it does (read only)."""
    return subscribers.erase_preview(ws.store.read(), who, optout_key(ws))


def erase_subscriber(ws: Workspace, who: str) -> dict:
    """Erase a subscriber: record, sends, do-not-send code; then the store's kept versions, which hold the number."""
    key = optout_key(ws)
    with ws.store.transaction() as db:
        removed = subscribers.erase(db, who, key, ws.now())
    backups = ws.store.forget_backups()
    return {"removed": removed, "backups_removed": len(backups)}
