"""Portrait records: who is in the campaign, with what photo and quote.

A record may hold a surname for the office's own files; `public()` is the only shape that
leaves the store, and it has none.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from tinydb import Query, TinyDB

from portraits import audit, fonts, identity, intake, render
from portraits.derived import derived
from portraits.errors import CampaignError, NotFound
from portraits.messages import _m, _mn, from_stored, to_stored

MAX_QUOTE = 1000  # far beyond what any format holds (about 200 characters): only measured this far
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
    return (now or datetime.now(UTC)).isoformat(timespec="seconds")


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def public(portrait: dict) -> dict:
    """The record without private fields: what any output may show (its photo warnings as
    messages: English in --json)."""
    shown = {k: v for k, v in portrait.items() if k not in PRIVATE_FIELDS}
    if isinstance(shown.get("photo"), dict) and shown["photo"].get("warnings"):
        shown["photo"] = {**shown["photo"], "warnings": from_stored(shown["photo"]["warnings"])}
    return shown


def get(db: TinyDB, portrait_id: str) -> dict:
    doc = db.table("portraits").get(Query().id == portrait_id)
    if doc is None:
        raise NotFound(_m("No portrait with id {portrait_id!r}.", portrait_id=portrait_id),
                       _m("See the ids with `campaign portrait list`."))
    return dict(doc)


def all_portraits(db: TinyDB) -> list[dict]:
    """Every portrait (each a copy the caller may change); read once per store version where the store
    shares its reads (portraits.derived)."""
    return [dict(d) for d in derived(db, "portraits.all", db.table("portraits").all)]


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
            identity.check_direction(out[key], label)
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
        typed = str(out["age"]).strip()
        if len(typed) > 6 and typed.lstrip("+-").isdigit():  # far out of range (and too long to repeat)
            raise CampaignError(_m("The age ({digits} digits) is not possible.", digits=len(typed.lstrip("+-"))),
                                _m("Give an age from 0 to {max_age}.", max_age=MAX_AGE))
        try:
            age = int(typed)
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
        # One rule for how long a quote may be: whether it fits every format (render.quote_limit), which
        # the help, this error and the render all follow. Text no font can draw is refused by
        # check_drawable, naming the characters; measure only the rest (and of a pasted essay, the
        # start: a quote of MAX_QUOTE characters fits no format).
        measured = out["quote"][:MAX_QUOTE]
        too_long = None if fonts.undrawable(measured) else render.quote_limit(measured, out.get("lang"))
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
    from portraits.render import name_line, role_limit, typographic

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
            raise CampaignError(_mn("The {what}{where} has a character the images cannot show: {missing}.",
                                    "The {what}{where} has characters the images cannot show: {missing}.",
                                    len(set(missing)), what=what, where=where, missing=fonts.describe(missing)),
                                _m("Write it in one script; put another language in a translation (campaign "
                                   "portrait translate).") if letters else
                                _m("Leave them out or write them in words (emoji and symbols cannot be "
                                   "printed on the images)."))
        too_long = role_limit(portrait["first_name"], portrait["age"], t["role"], lang)
        if too_long:
            fmt, most = too_long
            raise CampaignError(_m("The role{where} is too long for the {fmt} format: with the name it needs more "
                                   "than two lines at the smallest type size.", where=where, fmt=fmt),
                                _m("Shorten it to at most {most} characters.", most=most))


def check_surname_hidden(portrait: dict) -> None:
    """Refuse a surname on file that also stands in a public field (first name, role, quote, credit,
    a translation's role or quote): it would reach the id, the images, captions and alt texts."""
    surname = portrait.get("surname")
    if not surname:
        return
    public_texts = [(LABELS[key], portrait.get(key)) for key in ("first_name", "role", "quote", "credit")]
    for lang, t in sorted((portrait.get("translations") or {}).items()):
        public_texts += [(_m("{label} ({lang})", label=LABELS[key], lang=lang), t.get(key))
                         for key in ("role", "quote")]
    for label, text in public_texts:
        if text and identity.mentions(text, surname):
            raise CampaignError(_m("The {label} contains the surname on file; the surname never appears in "
                                   "public.", label=label),
                                _m("Leave the surname out of the {label} (it is kept only in the office's "
                                   "records).", label=label))


def _texts_of(fields: dict, default_lang: str) -> dict:
    """The texts of a portrait about to be made, in the shape `check_drawable` reads."""
    return {"id": "new", "first_name": fields["first_name"], "age": fields["age"], "role": fields["role"],
            "quote": fields["quote"], "lang": fields.get("lang") or default_lang, "credit": fields.get("credit"),
            "surname": fields.get("surname")}


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


def _build(fields: dict, info: dict, photo_file: str, portrait_id: str, default_lang: str, stamp: str) -> dict:
    photo = {k: info[k] for k in ("sha256", "kept_sha256", "width", "height", "format") if k in info}
    photo.update(file=photo_file, focus=info.get("focus", [0.5, 0.33]),
                 focus_source=info.get("focus_source", "upper-third"),
                 warnings=to_stored(list(info.get("warnings", []))))  # said in the reader's language
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


@dataclass
class Prepared:
    """One portrait checked and taken in without the store lock, waiting for its short transaction:
    its fields, its photo's description, the clean copy under a temporary name (None when it is
    already kept), the id asked for, and the CSV line it came from."""
    fields: dict
    info: dict
    src: Path
    staged: tuple[Path, Path] | None = None
    wanted: str | None = None
    line: int | None = None


def discard(prepared: list[Prepared]) -> None:
    """Remove the temporary photo files of an intake that was not recorded (harmless once recorded:
    the transaction has renamed them)."""
    from portraits.files import discard_staged

    discard_staged([p.staged for p in prepared if p.staged])


def _owners(db: TinyDB) -> dict[str, str]:
    return {d["photo"].get("sha256"): d["id"] for d in db.table("portraits").all()}


def prepare_portrait(photos_dir: Path, photo: Path, *, first_name: str, age: int | str, role: str, quote: str,
                     surname: str | None = None, role_category: str | None = None, lang: str | None = None,
                     credit: str | None = None, portrait_id: str | None = None, default_lang: str = "de",
                     slot: tuple[int, int] | None = None, known: TinyDB | None = None) -> Prepared:
    """Check every field and take the photo in (decode, face, clean copy under a temporary name),
    with no store lock held. `known` (a snapshot) lets a photo already used be refused before the
    work; `insert_prepared` checks again under the lock. `slot`: the billboard slot in pixels."""
    fields = validate_fields(dict(first_name=first_name, age=age, role=role, quote=quote, surname=surname,
                                  role_category=role_category, lang=lang, credit=credit))
    check_drawable(_texts_of(fields, default_lang))
    check_surname_hidden(_texts_of(fields, default_lang))
    if portrait_id:
        _new_id(set(), fields["first_name"], fields["age"], portrait_id)  # the shape of the id, now
    info, staged = intake.take_in(Path(photo), Path(photos_dir), slot)
    prepared = Prepared(fields, info, Path(photo), staged, portrait_id)
    if known is not None:
        try:
            _refuse_used_photo(_owners(known), prepared)
        except CampaignError:
            discard([prepared])
            raise
    return prepared


def _refuse_used_photo(owners: dict[str, str], prepared: Prepared) -> None:
    owner = owners.get(prepared.info["sha256"])
    if owner:
        raise CampaignError(_m("This photo is already used by portrait {owner}.", owner=owner),
                            _m("See it with `campaign portrait show {owner}`; each portrait needs its own "
                               "photo.", owner=owner))


def insert_prepared(db: TinyDB, prepared: list[Prepared], photos_dir: Path, default_lang: str = "de",
                    now: datetime | None = None, imported: bool = False) -> list[dict]:
    """Record portraits taken in by `prepare_portrait`/`prepare_csv`, all or none, in the short
    transaction holding `db`: what could have changed meanwhile (a photo now used by another
    portrait, an id now taken, a kept photo gone) is checked again here."""
    owners = _owners(db)
    existing = {d["id"] for d in db.table("portraits").all()}
    stamp = _now(now)
    out, errors = [], []
    for p in prepared:
        try:
            _refuse_used_photo(owners, p)
            pid = _new_id(existing, p.fields["first_name"], p.fields["age"], p.wanted)
            if p.staged is None and not intake.photo_target(photos_dir, p.info).exists():
                raise CampaignError(_m("The kept copy of {name} was removed while it was taken in.",
                                       name=p.src.name), _m("Add it again."))
        except CampaignError as e:
            if not imported:
                raise
            from portraits.csvfile import row_error  # csv only for an import

            errors.append(row_error(p.line, e.message))
            continue
        existing.add(pid)
        owners[p.info["sha256"]] = pid
        out.append(_build(p.fields, p.info, f"{Path(photos_dir).name}/{intake.photo_target(photos_dir, p.info).name}",
                          pid, default_lang, stamp))
    if errors:
        raise CampaignError(_m("{message_} Nothing was imported.", message_="\n".join(errors[:20])),
                            _m("Fix these rows and import the file again."))
    from portraits.files import adopt_staged

    try:
        adopt_staged(db, [p.staged for p in prepared if p.staged])
    except FileNotFoundError:
        raise CampaignError(_m("A photo being taken in was removed meanwhile (by `campaign doctor --fix`?); "
                               "nothing was recorded."), _m("Run the command again.")) from None
    if not imported:
        db.table("portraits").insert(out[0])
        audit.record(db, "portrait.add", out[0]["id"], now=now)
    else:
        db.table("portraits").insert_multiple(out)
        audit.record(db, "portrait.import", None, now=now, count=len(out), ids=[r["id"] for r in out])
    return out


def add_portrait(db: TinyDB, photos_dir: Path, photo: Path, *, first_name: str, age: int | str, role: str,
                 quote: str, surname: str | None = None, role_category: str | None = None,
                 lang: str | None = None, credit: str | None = None, portrait_id: str | None = None,
                 default_lang: str = "de", now: datetime | None = None, slot: tuple[int, int] | None = None) -> dict:
    """Add one portrait inside the caller's transaction (scripts, tests, the demo). The command
    (`campaign.intake.adding.add_portrait`) takes the photo in first and holds the lock only to record it."""
    prepared = prepare_portrait(photos_dir, photo, first_name=first_name, age=age, role=role, quote=quote,
                                surname=surname, role_category=role_category, lang=lang, credit=credit,
                                portrait_id=portrait_id, default_lang=default_lang, slot=slot, known=db)
    try:
        (record,) = insert_prepared(db, [prepared], photos_dir, default_lang, now)
    except BaseException:
        discard([prepared])
        raise
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


def prepare_csv(photos_dir: Path, csv_path: Path, photos_root: Path | None = None, default_lang: str = "de",
                slot: tuple[int, int] | None = None, known: TinyDB | None = None,
                uploaded: dict[str, Path] | None = None) -> list[Prepared]:
    """Check every row of a CSV and take its photos in, with no store lock held; all rows or none
    (the photos of a refused file are removed again). `insert_prepared` records them.

    `uploaded` (the web app): the photos sent along, by the file name the sender gave each; a row's
    `photo` is looked up there by its last part, never used as a path."""
    csv_path = Path(csv_path)
    photos_root = Path(photos_root) if photos_root else csv_path.parent
    from portraits import csvfile  # csv only for an import

    rows = csvfile.read_rows(csv_path, CSV_REQUIRED, CSV_OPTIONAL)
    if not rows:
        raise CampaignError(_m("{name} has no rows under its header.", name=csv_path.name),
                            _m("Add one row per portrait."))
    return prepare_rows(photos_dir, rows, csv_path.name, photos_root, default_lang, slot, known, uploaded)


def prepare_rows(photos_dir: Path, rows: list[tuple[int, dict]], name: str, photos_root: Path | None = None,
                 default_lang: str = "de", slot: tuple[int, int] | None = None, known: TinyDB | None = None,
                 uploaded: dict[str, Path] | None = None) -> list[Prepared]:
    """`prepare_csv` for rows already read: (line, row with the CSV's columns); `name` says where
    they came from in the messages. The web app's form with a row per dropped photo comes here."""
    from portraits import csvfile

    errors: list[str] = []
    prepared: list[Prepared] = []
    seen_sha: dict[str, int] = {}
    seen_ids: set[str] = set()
    owners = _owners(known) if known is not None else {}
    try:
        for line, row in rows:
            row = {k: (v or "").strip() for k, v in row.items() if k}
            try:
                fields = validate_fields({k: row.get(k) or None for k in ("first_name", "age", "role", "quote",
                                                                          "surname", "role_category", "lang",
                                                                          "credit")} |
                                         {"first_name": row.get("first_name", ""), "age": row.get("age", ""),
                                          "role": row.get("role", ""), "quote": row.get("quote", "")})
                check_drawable(_texts_of(fields, default_lang))
                check_surname_hidden(_texts_of(fields, default_lang))
                if uploaded is not None:
                    path = uploaded.get(PurePosixPath(row.get("photo", "").replace("\\", "/")).name)
                    if path is None:
                        raise CampaignError(_m("photo {photo!r} was not sent with the CSV", photo=row.get('photo')))
                else:
                    path = _inside(photos_root, row.get("photo", ""))
                if path is None:
                    raise CampaignError(_m("photo {photo!r} is outside the photos folder", photo=row.get('photo')))
                wanted = row.get("id") or None
                if wanted and wanted in seen_ids:
                    raise CampaignError(_m("id {wanted!r} appears twice", wanted=wanted))
                if errors:  # the file is refused anyway: check the rest without writing their photos
                    info, staged = intake.inspect(path, slot), None
                else:
                    info, staged = intake.take_in(path, Path(photos_dir), slot)
                item = Prepared(fields, info, path, staged, wanted, line)
                prepared.append(item)
                if info["sha256"] in seen_sha:
                    raise CampaignError(_m("the same photo as line {seen_sha}", seen_sha=seen_sha[info['sha256']]))
                owner = owners.get(info["sha256"])
                if owner:
                    raise CampaignError(_m("photo already used by portrait {owner}", owner=owner))
                seen_sha[info["sha256"]] = line
                if wanted:
                    seen_ids.add(wanted)
            except CampaignError as e:
                errors.append(csvfile.row_error(line, e.message))
        if errors:
            raise CampaignError(csvfile.rows_wrong(errors, name),
                                _m("Fix these rows and import the file again."))
    except BaseException:
        discard(prepared)
        raise
    return prepared


def import_csv(db: TinyDB, photos_dir: Path, csv_path: Path, photos_root: Path | None = None,
               default_lang: str = "de", now: datetime | None = None, slot: tuple[int, int] | None = None) -> dict:
    """Import a whole CSV or nothing inside the caller's transaction (the command,
    `campaign.intake.adding.import_portraits`, takes the photos in before it takes the lock)."""
    prepared = prepare_csv(photos_dir, csv_path, photos_root, default_lang, slot, known=db)
    try:
        made = insert_prepared(db, prepared, photos_dir, default_lang, now, imported=True)
    except BaseException:
        discard(prepared)
        raise
    return {"imported": [r["id"] for r in made], "count": len(made)}


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
    check_surname_hidden(record)
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
    check_surname_hidden(record)
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
        raise CampaignError(_m("{id} has no {language} translation.", id=portrait['id'], language=lang),
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
