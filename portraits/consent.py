"""Consent: what each person allowed, for which channels, until when, and whether they took it back.

The `consents` table is append-only: a grant and a withdrawal are each a new event, never an
edit, so the office can always show what was true on any day. The current state of a scope is
found by replaying the events in order: a grant opens it (from its signing date until its
expiry), a withdrawal closes it at once, whatever date is asked about, until a newer grant.

Whether a grant counts also depends on the person as they are now: a person under 18 needs a
guardian's signature, so when a portrait's age is changed to under 18, a grant signed without
a guardian stops counting (no post, render, plan or billboard) until a guardian's consent is
recorded. Every check below goes through `_state`, so no caller can forget it.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB

from portraits import audit, identity, records
from portraits.dates import days_ahead
from portraits.derived import derived
from portraits.errors import CampaignError
from portraits.fields import clean_text
from portraits.files import sha256_file, stage_bytes
from portraits.messages import _m

# The scopes are derived, not listed: one per channel a channel description announces
# (schedules/channel.py registers them when it is imported), then the fixed ones below. This package
# sits under schedules, so it is told the channels rather than importing them.
FIXED_SCOPES = ("billboard", "press", "website")
_channel_scopes: list[str] = []
ADULT_AGE = 18


def register_channel_scopes(names: Iterable[str]) -> None:
    """Announce the channels whose names are consent scopes (each once, in order)."""
    for name in names:
        if name not in _channel_scopes and name not in FIXED_SCOPES:
            _channel_scopes.append(name)


def all_scopes() -> tuple[str, ...]:
    """Every consent scope: the channels', then billboard, press and website."""
    return (*_channel_scopes, *FIXED_SCOPES)


def __getattr__(name: str) -> tuple[str, ...]:
    if name == "SCOPES":  # consent.SCOPES, read when asked, so a channel announced later is in it
        return all_scopes()
    raise AttributeError(name)


def parse_scopes(value: str | Iterable[str] | None, allow_empty: bool = False) -> list[str]:
    """'instagram,facebook' -> ['instagram', 'facebook'], refusing unknown scopes."""
    if value is None:
        items: list[str] = []
    elif isinstance(value, str):
        items = [v.strip().lower() for v in value.split(",") if v.strip()]
    else:
        items = [v.strip().lower() for v in value]
    known = all_scopes()
    if "all" in items:
        items = list(known)  # the scopes there are today: a channel added later needs its own consent
    unknown = [s for s in items if s not in known]
    if unknown:
        raise CampaignError(_m("Unknown consent scope {unknown}.", unknown=', '.join(unknown)),
                            _m("Use some of: {scopes}.", scopes=', '.join(known)))
    if not items and not allow_empty:
        raise CampaignError(_m("No consent scope given."),
                            _m("Give --scope with some of: {scopes}.", scopes=', '.join(known)))
    return sorted(set(items), key=known.index)


Event = dict[str, Any]  # a grant or a withdrawal as the store keeps it (see grant() and withdraw())
Window = tuple[date, date | None]  # first valid day, last valid day (None: open-ended)


def _day(value: str | date) -> date:
    """A date that an event always has (signed on, received)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def events(db: TinyDB, portrait_id: str) -> list[Event]:
    rows = db.table("consents").search(Query().portrait_id == portrait_id)
    return sorted((dict(r, seq=r.doc_id) for r in rows), key=lambda r: r["seq"])


def is_minor(portrait: dict[str, Any]) -> bool:
    return int(portrait["age"]) < ADULT_AGE


def _minor(db: TinyDB, portrait_id: str) -> bool:
    doc = db.table("portraits").get(Query().id == portrait_id)
    return doc is not None and is_minor(doc)


def minors(db: TinyDB) -> set[str]:
    """Ids of everyone under 18 now, in one pass."""
    return {p["id"] for p in db.table("portraits").all() if is_minor(p)}


def _unsigned_by_guardian(grant: Event) -> bool:
    return not grant.get("guardians_signed")


def _state(evts: list[Event], minor: bool) -> dict[str, dict[str, Event | None]]:
    """scope -> {"grant", "withdrawn", "needs_guardian": event or None} after replaying events.

    For a minor, a grant no guardian signed opens nothing: it is kept as `needs_guardian`."""
    state: dict[str, dict[str, Event | None]] = {s: {"grant": None, "withdrawn": None, "needs_guardian": None}
                                                 for s in all_scopes()}
    for e in evts:
        for s in (s for s in e.get("scopes", []) if s in state):  # a channel no longer described opens nothing
            if e["event"] == "grant":
                if minor and _unsigned_by_guardian(e):
                    state[s] = {"grant": None, "withdrawn": None, "needs_guardian": e}
                else:
                    state[s] = {"grant": e, "withdrawn": None, "needs_guardian": None}
            elif e["event"] == "withdraw":
                state[s] = {"grant": None, "withdrawn": e, "needs_guardian": None}
    return state


def _active(grant: Event | None, on: date) -> bool:
    if not grant:
        return False
    if _day(grant["signed_on"]) > on:
        return False
    expires = records.as_date(grant.get("expires"))
    return expires is None or on <= expires


def windows_from(evts: list[Event], *, minor: bool) -> dict[str, Window]:
    """scope -> (first valid day, last valid day or None): the days a plan may use it."""
    out: dict[str, Window] = {}
    for s, st in _state(evts, minor).items():
        g = st["grant"]
        if g:
            out[s] = (_day(g["signed_on"]), records.as_date(g.get("expires")))
    return out


def windows(db: TinyDB) -> dict[str, dict[str, Window]]:
    """Every portrait's consent windows in one pass over the table."""
    grouped: dict[str, list[Event]] = {}
    for r in db.table("consents").all():
        grouped.setdefault(r["portrait_id"], []).append(dict(r, seq=r.doc_id))
    young = minors(db)
    return {pid: windows_from(sorted(evts, key=lambda e: e["seq"]), minor=pid in young)
            for pid, evts in grouped.items()}


def valid_scopes_from(evts: list[Event], on: date, *, minor: bool) -> set[str]:
    return {s for s, st in _state(evts, minor).items() if _active(st["grant"], on)}


def valid_scopes(db: TinyDB, portrait_id: str, on: date) -> set[str]:
    return valid_scopes_from(events(db, portrait_id), on, minor=_minor(db, portrait_id))


def is_valid(db: TinyDB, portrait_id: str, scope: str, on: date) -> bool:
    """The check made when a post is planned and again at the moment of publishing."""
    return scope in valid_scopes(db, portrait_id, on)


def valid_for_period(db: TinyDB, portrait_id: str, scope: str, start: date, end: date) -> tuple[bool, str | None]:
    """Is `scope` allowed on every day from start to end? If not, why not (for a person to read)."""
    st = _state(events(db, portrait_id), _minor(db, portrait_id)).get(scope)
    if st is None:
        raise CampaignError(_m("Unknown consent scope {scope}.", scope=scope),
                            _m("Use one of: {scopes}.", scopes=', '.join(all_scopes())))
    if st["withdrawn"]:
        return False, _m("{scope} consent withdrawn on {received:%Y-%m-%d}", scope=scope,
                         received=_day(st["withdrawn"]["received"][:10]))
    if st["needs_guardian"]:
        return False, _m("under {adult_age} now, and no guardian signed the {scope} consent", adult_age=ADULT_AGE,
                         scope=scope)
    grant = st["grant"]
    if not grant:
        return False, _m("no {scope} consent", scope=scope)
    signed = _day(grant["signed_on"])
    expires = records.as_date(grant.get("expires"))
    if signed > start:
        return False, _m("consent signed {signed:%Y-%m-%d}, after the run begins", signed=signed)
    if expires is not None and expires < end:
        return False, _m("consent ends {expires:%Y-%m-%d}, before the run ends", expires=expires)
    return True, None


def summary_from(evts: list[Event], today: date, *, minor: bool) -> dict[str, Any]:
    """The `consent` object of a portrait's JSON: scopes valid today, dates, what was withdrawn."""
    state = _state(evts, minor)
    valid = [s for s in all_scopes() if _active(state[s]["grant"], today)]
    grants = [g for st in state.values() if (g := st["grant"])]
    expiries = [_day(g["expires"]) for s in valid if (g := state[s]["grant"]) and g.get("expires")]
    last_grant = max(grants, key=lambda g: g["seq"]) if grants else None
    return {
        "scopes": valid,
        "signed_on": last_grant["signed_on"] if last_grant else None,
        "expires": min(expiries).isoformat() if expiries else None,
        "withdrawn": [s for s in all_scopes() if state[s]["withdrawn"]],
        "needs_guardian": [s for s in all_scopes() if state[s]["needs_guardian"]],
        "guardians_signed": last_grant.get("guardians_signed", 0) if last_grant else 0,
        "text_version": last_grant.get("text_version") if last_grant else None,
    }


def summaries(db: TinyDB, today: date) -> dict[str, dict[str, Any]]:
    """Every portrait's consent summary in one pass over the table (once per store version and day where
    the store shares its reads: portraits.derived); copies the caller may change."""
    kept = derived(db, ("consent.summaries", today), lambda: _summaries(db, today))
    return {pid: dict(summary) for pid, summary in kept.items()}


def _summaries(db: TinyDB, today: date) -> dict[str, dict[str, Any]]:
    grouped: dict[str, list[Event]] = {}
    for r in db.table("consents").all():
        grouped.setdefault(r["portrait_id"], []).append(dict(r, seq=r.doc_id))
    young = minors(db)
    return {pid: summary_from(sorted(evts, key=lambda e: e["seq"]), today, minor=pid in young)
            for pid, evts in grouped.items()}


EMPTY: dict[str, Any] = {"scopes": [], "signed_on": None, "expires": None, "withdrawn": [], "needs_guardian": [],
         "guardians_signed": 0, "text_version": None}


def _distinct_guardians(guardians: Iterable[str]) -> list[str]:
    """Each guardian once, by the visible name: "Mutter" and "mutter" are one signature, and a name
    with no visible letters (a zero-width space) is none."""
    label = _m("guardian's name")
    by_key: dict[str, str] = {}
    for typed in guardians:
        if not typed or not typed.strip():
            continue
        name = " ".join(clean_text(typed, label).split())
        identity.check_direction(name, label)
        by_key.setdefault(identity.person_key(name, label), name)
    return list(by_key.values())


def grant(db: TinyDB, portrait_id: str, scopes: str | Iterable[str], signed_on: date, *,
          expires: date | None = None, signed_by: str | None = None, guardians: Iterable[str] = (),
          evidence: Path | None = None, evidence_dir: Path | None = None, text_version: str = "1",
          today: date | None = None, now: datetime | None = None) -> Event:
    """Record a signed consent form. Minors need at least one guardian named."""
    portrait = records.get(db, portrait_id)
    scope_list = parse_scopes(scopes)
    today = today or date.today()
    if signed_on > today:
        raise CampaignError(_m("The signing date {signed_on} is in the future.", signed_on=signed_on),
                            _m("Give the date the form was signed."))
    if expires is not None and expires <= signed_on:
        raise CampaignError(_m("The expiry {expires} is not after the signing date {signed_on}.",
                               expires=expires, signed_on=signed_on),
                            _m("Check --expires."))
    guardian_list = _distinct_guardians(guardians)
    signed_by = clean_text(signed_by, _m("signer's name")) if signed_by else None
    if signed_by:
        identity.check_direction(signed_by, _m("signer's name"))
    minor = is_minor(portrait)
    if minor and not guardian_list:
        raise CampaignError(_m("{portrait_id} is under {adult_age}: a guardian must sign.",
                               portrait_id=portrait_id, adult_age=ADULT_AGE),
                            _m("Name every guardian with custody who signed: --guardian NAME (once each)."))
    evidence_info: dict[str, Any] | None = None
    if evidence is not None:
        evidence = Path(evidence)
        if not evidence.is_file():
            raise CampaignError(_m("No evidence file at {evidence}.", evidence=evidence),
                                _m("Give the scanned, signed form with --evidence."))
        sha = sha256_file(evidence)
        evidence_info = {"sha256": sha, "name": f"{sha}{evidence.suffix.lower()}", "size": evidence.stat().st_size}
    event = {
        "portrait_id": portrait_id,
        "event": "grant",
        "scopes": scope_list,
        "signed_on": signed_on.isoformat(),
        "expires": expires.isoformat() if expires else None,
        "signed_by": signed_by or ("guardians" if minor else "the person portrayed"),
        "guardians": guardian_list,
        "guardians_signed": len(guardian_list),
        "minor": minor,
        "evidence": evidence_info,
        "text_version": str(text_version),
        "recorded_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
    }
    if evidence is not None and evidence_info and evidence_dir is not None:
        evidence_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        evidence_dir.chmod(0o700)
        target = evidence_dir / evidence_info["name"]
        if not target.exists():
            stage_bytes(db, target, evidence.read_bytes(), mode=0o600)
    db.table("consents").insert(event)
    audit.record(db, "consent.grant", portrait_id, now=now, scopes=scope_list)
    return event


def withdraw(db: TinyDB, portrait_id: str, scopes: str | Iterable[str] | None = None, *,
             received: date | None = None, via: str | None = None, now: datetime | None = None) -> Event:
    """Record a withdrawal (all scopes when none are named). It is never refused."""
    records.get(db, portrait_id)
    scope_list = parse_scopes(scopes, allow_empty=True) or list(all_scopes())
    stamp = now or datetime.now(UTC)
    event = {
        "portrait_id": portrait_id,
        "event": "withdraw",
        "scopes": scope_list,
        "received": (received or stamp.date()).isoformat(),
        "via": identity.without_direction(clean_text(via, _m("channel of the withdrawal"))) if via
        else "unspecified",
        "recorded_at": stamp.isoformat(timespec="seconds"),
    }
    db.table("consents").insert(event)
    audit.record(db, "consent.withdraw", portrait_id, now=now, scopes=scope_list, via=event["via"])
    return event


def status(db: TinyDB, today: date, portrait_id: str | None = None,
           expiring_within: int | None = None) -> list[dict[str, Any]]:
    """One row per portrait: valid scopes, dates, withdrawals; optionally only those expiring soon."""
    if portrait_id is not None:
        people = [records.get(db, portrait_id)]
    else:
        people = records.all_portraits(db)
    sums = summaries(db, today)
    rows = []
    for p in people:
        s = sums.get(p["id"], EMPTY)
        row = {"portrait_id": p["id"], "first_name": p["first_name"], "age": p["age"], **s,
               "minor": is_minor(p)}
        if expiring_within is not None:
            if not s["expires"] or _day(s["expires"]) > days_ahead(today, expiring_within):
                continue
        rows.append(row)
    return rows
