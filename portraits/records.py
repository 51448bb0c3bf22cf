"""Portrait records: who is in the campaign, with what photo and quote.

A record may hold a surname for the office's own files; `public()` is the only shape that
leaves the store, and it has none.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from tinydb import Query, TinyDB

from portraits import audit, fonts, intake, render
from portraits.errors import CampaignError, NotFound
from portraits.messages import _m

MAX_QUOTE = 280
MAX_NAME = 40
MAX_ROLE = 60
MAX_AGE = 120
ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
LANG_PATTERN = re.compile(r"^[a-z]{2,3}$")
NAME_PATTERN = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '’.-])*$")
PRIVATE_FIELDS = ("surname",)
EDITABLE = ("first_name", "surname", "age", "role", "role_category", "quote", "lang", "credit")
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def _now(now: datetime | None) -> str:
    return (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def public(portrait: dict) -> dict:
    """The record without private fields: what any output may show."""
    return {k: v for k, v in portrait.items() if k not in PRIVATE_FIELDS}


def get(db: TinyDB, portrait_id: str) -> dict:
    doc = db.table("portraits").get(Query().id == portrait_id)
    if doc is None:
        raise NotFound(_m("No portrait with id {portrait_id!r}.", portrait_id=portrait_id),
                       _m("See the ids with `campaign portrait list`."))
    return dict(doc)


def all_portraits(db: TinyDB) -> list[dict]:
    return [dict(d) for d in db.table("portraits").all()]


LABELS = {"first_name": _m("first name"), "surname": _m("surname"), "role": _m("role"),
          "role_category": _m("role category"), "quote": _m("quote"), "credit": _m("photo credit"),
          "lang": _m("language")}
# Letters that draw nothing (Hangul fillers, the blank Braille pattern): spoofing, not text.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def visible(text: str) -> bool:
    """True when the text shows something: not only spaces, zero-width, direction or combining marks."""
    return any(unicodedata.category(ch)[0] not in "CZM" and ch not in _BLANK_LETTERS for ch in text)


def clean_text(value: str, what: str) -> str:
    """Text as it enters the store: NFC (so "José" is one way of writing, however it was typed), and
    never text that came in with bytes that are not UTF-8."""
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise CampaignError(_m("The {what} holds bytes that are not UTF-8 text: {value!r}.", what=what,
                               value=value.encode('utf-8', 'surrogateescape').decode('utf-8', 'backslashreplace')),
                            _m("Type it again, or save the file as UTF-8."))
    return unicodedata.normalize("NFC", value)


def validate_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise the text fields; raise CampaignError with the first problem."""
    out = dict(fields)
    for key, label in LABELS.items():
        if isinstance(out.get(key), str):
            value = clean_text(out[key], label)
            out[key] = " ".join(value.split()) if key != "quote" else value.strip()
            if out[key] and not visible(out[key]):
                raise CampaignError(_m("The {label} has no visible characters (only spaces, zero-width or "
                                       "direction marks).", label=label),
                                    _m("Type the {label} again as plain text.", label=label))
    first = out.get("first_name")
    if "first_name" in out:
        if not first:
            raise CampaignError(_m("The first name is empty."),
                                _m("Give --first-name, e.g. --first-name Brigitte."))
        if len(first) > MAX_NAME or not NAME_PATTERN.match(first):
            raise CampaignError(_m("The first name {first!r} is not a name.", first=first),
                                _m("Use letters, spaces or hyphens, at most {max_name} characters.", max_name=MAX_NAME))
    if out.get("surname") is not None and out["surname"] != "":
        if len(out["surname"]) > MAX_NAME or not NAME_PATTERN.match(out["surname"]):
            raise CampaignError(_m("The surname is not a name."),
                                _m("Use letters, spaces or hyphens, at most {max_name} characters.", max_name=MAX_NAME))
    if "age" in out:
        try:
            age = int(str(out["age"]).strip())
        except (TypeError, ValueError):
            raise CampaignError(_m("The age {age!r} is not a whole number.", age=out['age']),
                                _m("Give the age in years, e.g. --age 81.")) from None
        if not 0 <= age <= MAX_AGE:
            raise CampaignError(_m("The age {age} is not possible.", age=age),
                                _m("Give an age from 0 to {max_age}.", max_age=MAX_AGE))
        out["age"] = age
    if "role" in out:
        if not out["role"]:
            raise CampaignError(_m("The role is empty."), _m("Give --role, e.g. --role Rentnerin."))
        if len(out["role"]) > MAX_ROLE:
            raise CampaignError(_m("The role is {count} characters long.", count=len(out['role'])),
                                _m("Keep it to {max_role}.", max_role=MAX_ROLE))
    if "quote" in out:
        if not out["quote"]:
            raise CampaignError(_m("The quote is empty."), _m("Give --quote with the person's own words."))
        if len(out["quote"]) > MAX_QUOTE:
            raise CampaignError(_m("The quote is {count} characters long.", count=len(out['quote'])),
                                _m("Shorten it to {max_quote} characters so it fits every format.",
                                   max_quote=MAX_QUOTE))
        # Text no font can draw is refused by check_drawable, naming the characters; measure only the rest.
        too_long = None if fonts.undrawable(out["quote"]) else render.quote_limit(out["quote"], out.get("lang"))
        if too_long:
            fmt, most = too_long
            raise CampaignError(_m("The quote is too long for the {fmt} format ({count} characters; {most} "
                                   "of them fit at the smallest type size).",
                                   fmt=fmt, count=len(out['quote']), most=most),
                                _m("Shorten it to at most {most} characters.", most=most))
    if out.get("role_category"):
        out["role_category"] = slugify(out["role_category"]) or None
        if not out["role_category"]:
            raise CampaignError(_m("The role category has no letters."),
                                _m("Use a word such as health or senior."))
    if "lang" in out and out["lang"] is not None:
        out["lang"] = out["lang"].lower()
        if not LANG_PATTERN.match(out["lang"]):
            raise CampaignError(_m("The language {lang!r} is not a language code.", lang=out['lang']),
                                _m("Use a code such as de, tr, uk, ar."))
    if out.get("credit") and len(out["credit"]) > 80:
        raise CampaignError(_m("The photo credit is over 80 characters."), _m("Shorten it."))
    return out


def check_drawable(portrait: dict) -> None:
    """Refuse, when it is entered, text the images could not show: every language's name line,
    quote and the credit must each be set in one bundled font (Noto Sans or Noto Sans Arabic),
    whatever brand font campaign.toml names later. Emoji and symbols are refused here rather
    than failing when the post is due."""
    from portraits import fonts
    from portraits.render import name_line, typographic

    for lang in [portrait["lang"], *(portrait.get("translations") or {})]:
        t = text_in(portrait, lang)
        where = "" if lang == portrait["lang"] else f" ({lang})"
        for what, text in ((_m("name and role"), name_line(portrait["first_name"], portrait["age"], t["role"], lang)),
                           (LABELS["quote"], typographic(t["quote"], lang)),
                           (LABELS["credit"], portrait.get("credit") or "")):
            missing = fonts.undrawable(text)
            if not missing:
                continue
            letters = all(unicodedata.category(ch).startswith("L") for ch in missing)
            raise CampaignError(_m("The {what}{where} has character(s) the images cannot show: {missing}.",
                                   what=what, where=where, missing=fonts.describe(missing)),
                                _m("Write it in one script; put another language in a translation (campaign "
                                   "portrait translate).") if letters else
                                _m("Leave them out or write them in words (emoji and symbols cannot be "
                                   "printed on the images)."))


def _texts_of(fields: dict, default_lang: str) -> dict:
    """The texts of a portrait about to be made, in the shape `check_drawable` reads."""
    return {"id": "new", "first_name": fields["first_name"], "age": fields["age"], "role": fields["role"],
            "quote": fields["quote"], "lang": fields.get("lang") or default_lang, "credit": fields.get("credit")}


def _new_id(existing: set[str], first_name: str, age: int, wanted: str | None) -> str:
    if wanted:
        if not ID_PATTERN.match(wanted):
            raise CampaignError(_m("The id {wanted!r} is not a short slug.", wanted=wanted),
                                _m("Use lowercase letters, digits and hyphens, e.g. brigitte-81."))
        if wanted in existing:
            raise CampaignError(_m("The id {wanted!r} is already taken.", wanted=wanted),
                                _m("Choose another --id or leave it out."))
        return wanted
    base = f"{slugify(first_name)[:30] or 'portrait'}-{age}"
    candidate, n = base, 2
    while candidate in existing:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _photo_owner(db: TinyDB, sha: str) -> str | None:
    doc = db.table("portraits").get(Query().photo.sha256 == sha)
    return doc["id"] if doc else None


def _build(fields: dict, info: dict, photo_file: str, portrait_id: str, default_lang: str, stamp: str) -> dict:
    photo = {k: info[k] for k in ("sha256", "width", "height", "format") if k in info}
    photo.update(file=photo_file, focus=info.get("focus", [0.5, 0.33]),
                 focus_source=info.get("focus_source", "upper-third"), warnings=list(info.get("warnings", [])))
    if info.get("face"):
        photo["face"] = info["face"]
    record = {
        "id": portrait_id,
        "first_name": fields["first_name"],
        "age": fields["age"],
        "role": fields["role"],
        "role_category": fields.get("role_category") or slugify(fields["role"]) or "other",
        "quote": fields["quote"],
        "lang": fields.get("lang") or default_lang,
        "credit": fields.get("credit") or "",
        "status": "draft",
        "photo": photo,
        "translations": {},
        "created_at": stamp,
        "updated_at": stamp,
    }
    if fields.get("surname"):
        record["surname"] = fields["surname"]
    return record


def add_portrait(db: TinyDB, photos_dir: Path, photo: Path, *, first_name: str, age: int | str, role: str,
                 quote: str, surname: str | None = None, role_category: str | None = None,
                 lang: str | None = None, credit: str | None = None, portrait_id: str | None = None,
                 default_lang: str = "de", now: datetime | None = None, slot: tuple[int, int] | None = None) -> dict:
    """Add one portrait: check every field and the photo first, then keep the photo and the record.

    `slot` is the billboard slot in pixels, so a photo too small for it is a warning now."""
    fields = validate_fields(dict(first_name=first_name, age=age, role=role, quote=quote, surname=surname,
                                  role_category=role_category, lang=lang, credit=credit))
    check_drawable(_texts_of(fields, default_lang))
    info = intake.inspect(Path(photo), slot)
    owner = _photo_owner(db, info["sha256"])
    if owner:
        raise CampaignError(_m("This photo is already used by portrait {owner}.", owner=owner),
                            _m("See it with `campaign portrait show {owner}`; each portrait needs its own "
                               "photo.", owner=owner))
    existing = {d["id"] for d in db.table("portraits").all()}
    pid = _new_id(existing, fields["first_name"], fields["age"], portrait_id)
    record = _build(fields, info, intake.keep(db, Path(photo), info, photos_dir), pid, default_lang, _now(now))
    db.table("portraits").insert(record)
    audit.record(db, "portrait.add", pid, now=now)
    return record


CSV_REQUIRED = ("photo", "first_name", "age", "role", "quote")
CSV_OPTIONAL = ("surname", "role_category", "lang", "credit", "id")


def _inside(base: Path, relative: str) -> Path | None:
    """The photo path inside `base`, or None when it points outside it."""
    if not relative or Path(relative).is_absolute() or relative.startswith(("/", "\\")):
        return None
    target = (base / relative).resolve()
    try:
        target.relative_to(base.resolve())
    except ValueError:
        return None
    return target


def import_csv(db: TinyDB, photos_dir: Path, csv_path: Path, photos_root: Path | None = None,
               default_lang: str = "de", now: datetime | None = None, slot: tuple[int, int] | None = None,
               uploaded: dict[str, Path] | None = None) -> dict:
    """Import a whole CSV or nothing: every row is checked before any is stored.

    `uploaded` (the web app): the photos sent along, by the file name the sender gave each; a row's
    `photo` is looked up there by its last part, never used as a path."""
    csv_path = Path(csv_path)
    photos_root = Path(photos_root) if photos_root else csv_path.parent
    from portraits import csvfile  # csv only for an import

    rows = csvfile.read_rows(csv_path, CSV_REQUIRED, CSV_OPTIONAL)
    if not rows:
        raise CampaignError(_m("{name} has no rows under its header.", name=csv_path.name),
                            _m("Add one row per portrait."))

    errors: list[str] = []
    prepared: list[tuple[dict, dict, Path, str | None]] = []
    seen_sha: dict[str, int] = {}
    seen_ids: set[str] = set()
    for line, row in rows:
        row = {k: (v or "").strip() for k, v in row.items() if k}
        try:
            fields = validate_fields({k: row.get(k) or None for k in ("first_name", "age", "role", "quote", "surname",
                                                                      "role_category", "lang", "credit")} |
                                     {"first_name": row.get("first_name", ""), "age": row.get("age", ""),
                                      "role": row.get("role", ""), "quote": row.get("quote", "")})
            check_drawable(_texts_of(fields, default_lang))
            if uploaded is not None:
                path = uploaded.get(PurePosixPath(row.get("photo", "").replace("\\", "/")).name)
                if path is None:
                    raise CampaignError(_m("photo {photo!r} was not sent with the CSV", photo=row.get('photo')))
            else:
                path = _inside(photos_root, row.get("photo", ""))
            if path is None:
                raise CampaignError(_m("photo {photo!r} is outside the photos folder", photo=row.get('photo')))
            info = intake.inspect(path, slot)
            if info["sha256"] in seen_sha:
                raise CampaignError(_m("the same photo as line {seen_sha}", seen_sha=seen_sha[info['sha256']]))
            owner = _photo_owner(db, info["sha256"])
            if owner:
                raise CampaignError(_m("photo already used by portrait {owner}", owner=owner))
            wanted = row.get("id") or None
            if wanted and wanted in seen_ids:
                raise CampaignError(_m("id {wanted!r} appears twice", wanted=wanted))
            seen_sha[info["sha256"]] = line
            if wanted:
                seen_ids.add(wanted)
            prepared.append((fields, info, path, wanted))
        except CampaignError as e:
            errors.append(f"line {line}: {e.message}")
    if errors:
        shown = errors[:20] + ([f"... and {len(errors) - 20} more"] if len(errors) > 20 else [])
        raise CampaignError(f"{len(errors)} row(s) of {csv_path.name} are wrong; nothing was imported.\n"
                            + "\n".join(shown),
                            _m("Fix these rows and import the file again."))

    existing = {d["id"] for d in db.table("portraits").all()}
    stamp = _now(now)
    records = []
    for fields, info, path, wanted in prepared:
        try:
            pid = _new_id(existing, fields["first_name"], fields["age"], wanted)
        except CampaignError as e:
            raise CampaignError(_m("{message_} Nothing was imported.", message_=e.message), e.hint) from None
        existing.add(pid)
        records.append((_build(fields, info, "", pid, default_lang, stamp), path, info))
    for record, path, info in records:
        record["photo"]["file"] = intake.keep(db, path, info, photos_dir)
    db.table("portraits").insert_multiple([r for r, _p, _i in records])
    audit.record(db, "portrait.import", None, now=now, count=len(records), ids=[r["id"] for r, _p, _i in records])
    return {"imported": [r["id"] for r, _p, _i in records], "count": len(records)}


def edit_portrait(db: TinyDB, portrait_id: str, changes: dict[str, Any], focus: str | None = None,
                  now: datetime | None = None) -> dict:
    """Change fields of a portrait; `focus` is "X,Y" in fractions of the photo (0..1)."""
    record = get(db, portrait_id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CampaignError(_m("Cannot edit {unknown}.", unknown=', '.join(sorted(unknown))),
                            _m("Editable: {editable}.", editable=', '.join(EDITABLE)))
    changes = {k: v for k, v in changes.items() if v is not None}
    fields = validate_fields(changes)
    if focus is not None:
        try:
            x, y = (float(v) for v in focus.split(","))
        except ValueError:
            raise CampaignError(_m("The focus {focus!r} is not two numbers.", focus=focus),
                                _m("Write it as X,Y between 0 and 1, e.g. 0.5,0.3.")) from None
        if not (0 <= x <= 1 and 0 <= y <= 1):
            raise CampaignError(_m("The focus {focus} is outside the photo.", focus=focus),
                                _m("Both numbers must be between 0 and 1."))
        # A focal point set by hand overrides the face found at intake: its box goes with it.
        record["photo"] = {**{k: v for k, v in record["photo"].items() if k != "face"},
                           "focus": [x, y], "focus_source": "manual"}
    if not fields and focus is None:
        raise CampaignError(_m("Nothing to change."), _m("Give at least one option, e.g. --quote or --focus."))
    if fields.get("surname") == "":
        record.pop("surname", None)
        fields.pop("surname")
    record.update(fields)
    check_drawable(record)
    record["updated_at"] = _now(now)
    record["edited_by"] = audit.actor()
    db.table("portraits").update(_replace(record), Query().id == portrait_id)
    audit.record(db, "portrait.edit", portrait_id, now=now,
                 fields=sorted(list(fields) + (["focus"] if focus is not None else [])))
    return record


def _replace(record: dict):
    """A TinyDB update operation that replaces the whole document (so removed keys go too)."""
    def transform(doc):
        doc.clear()
        doc.update(record)
    return transform


def approve_portrait(db: TinyDB, portrait_id: str, has_valid_consent: bool, now: datetime | None = None) -> dict:
    """Mark a portrait ready for publishing; refused without any valid consent."""
    record = get(db, portrait_id)
    if not has_valid_consent:
        raise CampaignError(_m("{portrait_id} has no valid consent, so it cannot be approved.",
                               portrait_id=portrait_id),
                            _m("Record the signed form first: campaign consent grant {portrait_id} --scope "
                               "... --signed-on DATE.", portrait_id=portrait_id))
    record.update(status="approved", approved_at=_now(now), approved_by=audit.actor(), updated_at=_now(now))
    db.table("portraits").update(_replace(record), Query().id == portrait_id)
    audit.record(db, "portrait.approve", portrait_id, now=now)
    return record


def translate_portrait(db: TinyDB, portrait_id: str, lang: str, quote: str, role: str | None = None,
                       now: datetime | None = None) -> dict:
    """Add or replace the quote (and optionally the role) in another language."""
    record = get(db, portrait_id)
    fields = validate_fields({"lang": lang, "quote": quote} | ({"role": role} if role is not None else {}))
    translations = dict(record.get("translations") or {})
    translations[fields["lang"]] = {"quote": fields["quote"], "role": fields.get("role")}
    record["translations"] = translations
    check_drawable(record)
    record["updated_at"] = _now(now)
    record["edited_by"] = audit.actor()
    db.table("portraits").update(_replace(record), Query().id == portrait_id)
    audit.record(db, "portrait.translate", portrait_id, now=now, lang=fields["lang"])
    return record


def text_in(portrait: dict, lang: str | None) -> dict:
    """Quote and role in `lang` (falls back to the original language)."""
    if not lang or lang == portrait.get("lang"):
        return {"lang": portrait.get("lang"), "quote": portrait["quote"], "role": portrait["role"]}
    t = (portrait.get("translations") or {}).get(lang)
    if not t:
        raise CampaignError(_m("{id} has no {lang} translation.", id=portrait['id'], lang=lang),
                            _m("Add one: campaign portrait translate {id} --lang {lang} --quote TEXT.",
                               id=portrait['id'], lang=lang))
    return {"lang": lang, "quote": t["quote"], "role": t.get("role") or portrait["role"]}


def face_box(portrait: dict) -> tuple[float, float, float, float] | None:
    """The face box found at intake (fractions of the photo); None for records made before it was
    stored, and when the focal point was set by hand."""
    photo = portrait["photo"]
    face = photo.get("face") if photo.get("focus_source") == "face" else None
    return tuple(face) if face else None


def as_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
