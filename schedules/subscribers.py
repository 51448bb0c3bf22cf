"""WhatsApp subscribers: who opted in to the campaign's messages, in which language, since when, how.

Numbers are personal data. They are kept in one table (`whatsapp_subscribers`) and shown nowhere
but in a subscriber's own `gdpr export`: listings mask them (+49 *******78), the audit log and every
other record names the subscriber by an opaque id (`s-3f9a1c2b`). A "STOP" removes the record at once,
with the messages sent to it; what stays is a keyed one-way code of the number on the do-not-send
list, so that an old sign-up list imported again cannot bring the number back without a new opt-in.

Numbers are parsed and written in E.164 by `phonenumbers` (Google's libphonenumber rules), with
Germany as the region for numbers typed without +49.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypedDict, cast

from tinydb import Query, TinyDB

from portraits import audit, csvfile
from portraits.dates import parse_date
from portraits.errors import CampaignError
from portraits.messages import _m
from schedules.model import Subscriber

TABLE = "whatsapp_subscribers"
OPTOUTS = "whatsapp_optouts"
SENDS = "whatsapp_sends"
REGION = "DE"
CSV_COLUMNS = ("number", "lang", "opted_in")  # required; `source` optional
LANG = re.compile(r"^[a-z]{2,3}$")


def normalise(raw: str, region: str = REGION) -> str:
    """A phone number as +E.164, or a CampaignError that does not repeat the number."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(str(raw).strip(), region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise CampaignError(_m("That is not a valid phone number."),
                            _m("Give it with country code, e.g. +49 176 12345678 (German numbers may start "
                               "with 0)."))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(number: str) -> str:
    """+4917612345678 -> "+49 *********78": the country and the last two digits only."""
    import phonenumbers

    parsed = phonenumbers.parse(number, None)
    national = str(parsed.national_number)
    return f"+{parsed.country_code} {'*' * (len(national) - 2)}{national[-2:]}"


def optout_code(number: str, key: bytes) -> str:
    """A keyed one-way code of the number (HMAC-SHA256): the do-not-send list holds no number."""
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


class Shown(TypedDict):
    """A subscriber as a listing shows it: the number masked."""
    id: str
    number: str
    lang: str
    opted_in: str
    source: str
    added_at: str | None


def public(sub: Subscriber) -> Shown:
    """A subscriber as any listing may show it."""
    return {"id": sub["id"], "number": mask(sub["number"]), "lang": sub["lang"], "opted_in": sub["opted_in"],
            "source": sub["source"], "added_at": sub.get("added_at")}


def all_subscribers(db: TinyDB) -> list[Subscriber]:
    return sorted((cast(Subscriber, dict(d)) for d in db.table(TABLE).all()), key=lambda s: s["id"])


def in_signup_order(db: TinyDB) -> list[Subscriber]:
    """Subscribers in the order they were added (the store keeps that order; ids are random)."""
    return [cast(Subscriber, dict(d)) for d in db.table(TABLE).all()]


def find(db: TinyDB, who: str) -> Subscriber | None:
    """A subscriber by id (s-...) or by number."""
    if who.startswith("s-"):
        doc = db.table(TABLE).get(Query().id == who)
    else:
        doc = db.table(TABLE).get(Query().number == normalise(who))
    return cast(Subscriber, dict(doc)) if doc else None


def get(db: TinyDB, who: str) -> Subscriber:
    sub = find(db, who)
    if sub is None:
        raise CampaignError(_m("No subscriber with that number or id."),
                            _m("See them with `campaign whatsapp subscribers list`."))
    return sub


def _checked(lang: str, opted_in: str | date, source: str, today: date) -> tuple[str, date, str]:
    lang = (lang or "").strip().lower()
    if not LANG.match(lang):
        raise CampaignError(_m("{lang!r} is not a language code.", lang=lang),
                            _m("Use one like de, tr, ar, uk."))
    day = parse_date(opted_in, _m("opt-in date"))
    if day is None:
        raise CampaignError(_m("No opt-in date."),
                            _m("Give the day the person agreed to get messages (--opted-in)."))
    if day > today:
        raise CampaignError(_m("The opt-in date {day} is in the future.", day=day),
                            _m("Give the day the person agreed."))
    source = " ".join((source or "").split())
    if not source or len(source) > 120:
        raise CampaignError(_m("Say where the opt-in comes from (at most 120 characters)."),
                            _m("E.g. --source \"sign-up form, Stadtfest 2026\"."))
    return lang, day, source


def _opted_out_since(db: TinyDB, number: str, key: bytes) -> date | None:
    doc = db.table(OPTOUTS).get(Query().code == optout_code(number, key))
    return date.fromisoformat(doc["on"]) if doc else None


def _new_id(db: TinyDB) -> str:
    taken = {s["id"] for s in db.table(TABLE).all()}
    while (sid := f"s-{secrets.token_hex(4)}") in taken:
        pass
    return sid


def add(db: TinyDB, number: str, lang: str, opted_in: str | date, source: str, key: bytes, now: datetime) -> Subscriber:
    """Record one opt-in. A number that sent STOP comes back only with an opt-in given on or after that day."""
    e164 = normalise(number)
    lang, day, source = _checked(lang, opted_in, source, now.date())
    if db.table(TABLE).get(Query().number == e164):
        raise CampaignError(_m("This number is already subscribed."), _m("Nothing was changed."))
    stopped = _opted_out_since(db, e164, key)
    if stopped and day < stopped:
        raise CampaignError(_m("This number sent STOP on {stopped}; its opt-in of {day} is older.",
                               stopped=stopped, day=day),
                            _m("Add it again only with a new opt-in from that day on (--opted-in)."))
    if stopped:
        db.table(OPTOUTS).remove(Query().code == optout_code(e164, key))
    sub: Subscriber = {"id": _new_id(db), "number": e164, "lang": lang, "opted_in": day.isoformat(), "source": source,
           "added_at": now.isoformat(timespec="seconds")}
    db.table(TABLE).insert(sub)
    audit.record(db, "whatsapp.subscribe", sub["id"], now=now, lang=lang, source=source)
    return sub


def remove(db: TinyDB, who: str, key: bytes, now: datetime, reason: str = "STOP") -> Subscriber:
    """Opt-out: the record and its sends go now; the number's one-way code goes on the do-not-send list."""
    sub = get(db, who)
    db.table(TABLE).remove(Query().id == sub["id"])
    db.table(SENDS).remove(Query().subscriber_id == sub["id"])
    code = optout_code(sub["number"], key)
    db.table(OPTOUTS).remove(Query().code == code)
    db.table(OPTOUTS).insert({"code": code, "on": now.date().isoformat()})
    audit.record(db, "whatsapp.unsubscribe", sub["id"], now=now, reason=reason)
    return sub


def _erasable(db: TinyDB, who: str) -> tuple[Subscriber | None, str | None]:
    """The subscriber (if any) and the number whose do-not-send code an erasure removes."""
    sub = find(db, who)
    number = normalise(who) if sub is None and not who.startswith("s-") else sub["number"] if sub else None
    if sub is None and number is None:
        raise CampaignError(_m("No subscriber with that id."),
                            _m("See them with `campaign whatsapp subscribers list`."))
    return sub, number


def erase_preview(db: TinyDB, who: str, key: bytes) -> dict[str, Any]:
    """What `erase` would remove, counted, and the subscriber as a listing shows it (masked number)."""
    sub, number = _erasable(db, who)
    counts = {"subscriber": 1 if sub else 0,
              "sends": len(db.table(SENDS).search(Query().subscriber_id == sub["id"])) if sub else 0,
              "do_not_send": len(db.table(OPTOUTS).search(Query().code == optout_code(number, key))) if number else 0,
              "audit_entries": sum(1 for e in db.table("audit").all() if sub and e.get("subject") == sub["id"])}
    if not any(counts.values()):
        raise CampaignError(_m("No subscriber and no opt-out with that number."), _m("Nothing was changed."))
    return {"subscriber": public(sub) if sub else None, "id": sub["id"] if sub else None,
            "number": mask(number) if number else None, "counts": counts}


def erase(db: TinyDB, who: str, key: bytes, now: datetime) -> dict[str, int]:
    """GDPR erasure: the record, its sends, its do-not-send code and the id in the audit log."""
    sub, number = _erasable(db, who)
    removed = {"subscriber": 0, "sends": 0, "do_not_send": 0, "audit_entries": 0}
    if sub:
        removed["subscriber"] = len(db.table(TABLE).remove(Query().id == sub["id"]))
        removed["sends"] = len(db.table(SENDS).remove(Query().subscriber_id == sub["id"]))
        table = db.table("audit")
        for entry in table.all():
            if entry.get("subject") == sub["id"]:
                table.update({"subject": "erased-subscriber"}, doc_ids=[entry.doc_id])
                removed["audit_entries"] += 1
    if number:
        removed["do_not_send"] = len(db.table(OPTOUTS).remove(Query().code == optout_code(number, key)))
    if not any(removed.values()):
        raise CampaignError(_m("No subscriber and no opt-out with that number."), _m("Nothing was changed."))
    audit.record(db, "whatsapp.erase", None, now=now)
    return removed


def import_csv(db: TinyDB, path: Path, key: bytes, now: datetime, source: str | None = None) -> dict[str, int]:
    """Import opt-ins from a CSV (number, lang, opted_in[, source]): all rows are checked first and a
    wrong row stores nothing. Numbers already subscribed and numbers that sent STOP after their
    opt-in are skipped and counted. Errors name the line, never the number."""
    path = Path(path)
    rows = csvfile.read_rows(path, CSV_COLUMNS, ("source",))
    errors: list[str] = []
    ready: list[tuple[str, str, date, str]] = []
    seen: dict[str, int] = {}
    existing = {s["number"] for s in db.table(TABLE).all()}
    skipped = {"already_subscribed": 0, "sent_stop": 0}
    for line, row in rows:
        try:
            e164 = normalise(row.get("number") or "")
            lang, day, src = _checked(row.get("lang") or "", (row.get("opted_in") or "").strip(),
                                      row.get("source") or source or path.name, now.date())
        except CampaignError as e:
            errors.append(csvfile.row_error(line, e.message))
            continue
        if e164 in seen:
            errors.append(csvfile.row_error(line, _m("the same number as line {other}", other=seen[e164])))
            continue
        seen[e164] = line
        if e164 in existing:
            skipped["already_subscribed"] += 1
            continue
        stopped = _opted_out_since(db, e164, key)
        if stopped and day < stopped:
            skipped["sent_stop"] += 1
            continue
        ready.append((e164, lang, day, src))
    if errors:
        raise CampaignError(csvfile.rows_wrong(errors, path.name), _m("Fix these rows and import the file again."))
    added = [add(db, e164, lang, day, src, key, now)["id"] for e164, lang, day, src in ready]
    return {"added": len(added), **skipped}
