"""Portrait records: who is in the campaign, with what photo and quote.

A record may hold a surname for the office's own files; `public()` is the only shape that
leaves the store, and it has none.
"""
from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from tinydb import Query, TinyDB

from portraits import audit
from portraits.derived import derived
from portraits.errors import CampaignError, NotFound
from portraits.fields import (  # noqa: F401 (also said as records.X by their users)
    ID_PATTERN,
    LABELS,
    LANG_PATTERN,
    MAX_AGE,
    MAX_NAME,
    MAX_QUOTE,
    MAX_ROLE,
    NAME_PATTERN,
    _texts_of,
    check_drawable,
    check_surname_hidden,
    clean_text,
    slugify,
    text_in,
    validate_fields,
    visible,
)
from portraits.messages import _m, from_stored, to_stored

if TYPE_CHECKING:
    from portraits.intake_jobs import Progress, TakenIn

Record = dict[str, Any]  # a portrait as the store keeps it (TinyDB documents are dicts)
PRIVATE_FIELDS = ("surname",)
EDITABLE = ("first_name", "surname", "age", "role", "role_category", "quote", "lang", "credit")


def _now(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).isoformat(timespec="seconds")


def public(portrait: Record) -> Record:
    """The record without private fields: what any output may show (its photo warnings as
    messages: English in --json)."""
    shown = {k: v for k, v in portrait.items() if k not in PRIVATE_FIELDS}
    if isinstance(shown.get("photo"), dict) and shown["photo"].get("warnings"):
        shown["photo"] = {**shown["photo"], "warnings": from_stored(shown["photo"]["warnings"])}
    return shown


def get(db: TinyDB, portrait_id: str) -> Record:
    doc = db.table("portraits").get(Query().id == portrait_id)
    if doc is None:
        raise NotFound(_m("No portrait with id {portrait_id!r}.", portrait_id=portrait_id),
                       _m("See the ids with `campaign portrait list`."))
    return dict(doc)


def all_portraits(db: TinyDB) -> list[Record]:
    """Every portrait (each a copy the caller may change); read once per store version where the store
    shares its reads (portraits.derived)."""
    return [dict(d) for d in derived(db, "portraits.all", db.table("portraits").all)]


def _id_base(first_name: str, age: int) -> str:
    return f"{slugify(first_name)[:30] or 'portrait'}-{age}"


def _new_id(existing: set[str], first_name: str, age: int, wanted: str | None, base: str | None = None) -> str:
    if wanted:
        if not ID_PATTERN.match(wanted):
            raise CampaignError(_m("The id {wanted!r} is not a short slug.", wanted=wanted),
                                _m("Use lowercase letters, digits and hyphens, e.g. brigitte-81."))
        if wanted in existing:
            raise CampaignError(_m("The id {wanted!r} is already taken.", wanted=wanted),
                                _m("Choose another --id or leave it out."))
        return wanted
    base = base or _id_base(first_name, age)
    candidate, n = base, 2
    while candidate in existing:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _build(fields: Record, info: Record, photo_file: str, portrait_id: str, default_lang: str, stamp: str) -> Record:
    photo: Record = {k: info[k] for k in ("sha256", "kept_sha256", "width", "height", "format") if k in info}
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
    fields: Record
    info: Record
    src: Path
    staged: tuple[Path, Path] | None = None
    wanted: str | None = None
    line: int | None = None
    record: Record | None = None  # made by `ready`: all but the id, which only the transaction can give
    id_base: str = ""


def ready(prepared: list[Prepared], photos_dir: Path, default_lang: str = "de", now: datetime | None = None) -> None:
    """Make each record (all but its id) before the store is locked: for a 1,000-row import this
    was two thirds of the time the lock was held (each photo's warnings, paths, slugs)."""
    stamp = _now(now)
    folder = Path(photos_dir).name
    for p in prepared:
        if p.record is None:
            p.record = _build(p.fields, p.info, f"{folder}/{p.info['sha256']}.jpg", "", default_lang, stamp)
            p.id_base = _id_base(p.fields["first_name"], p.fields["age"])


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
    from portraits import intake  # Pillow's and OpenCV's side, only where a photo is taken in

    intake.sweep_abandoned(Path(photos_dir))
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
                    now: datetime | None = None, imported: bool = False) -> list[Record]:
    """Record portraits taken in by `prepare_portrait`/`prepare_csv`, all or none, in the short
    transaction holding `db`: what could have changed meanwhile (a photo now used by another
    portrait, an id now taken, a kept photo gone) is checked again here."""
    ready(prepared, photos_dir, default_lang, now)  # done already when the caller called it before the lock
    rows = db.table("portraits").all()
    owners = {d["photo"].get("sha256"): d["id"] for d in rows}
    from portraits.intake import photo_target

    existing = {d["id"] for d in rows}
    out, errors = [], []
    for p in prepared:
        try:
            _refuse_used_photo(owners, p)
            pid = _new_id(existing, p.fields["first_name"], p.fields["age"], p.wanted, p.id_base)
            if p.staged is None and not photo_target(photos_dir, p.info).exists():
                raise CampaignError(_m("The kept copy of {name} was removed while it was taken in.",
                                       name=p.src.name), _m("Add it again."))
        except CampaignError as e:
            if not imported:
                raise
            from portraits.csvfile import row_error  # csv only for an import

            errors.append(row_error(p.line or 0, e.message))
            continue
        existing.add(pid)
        owners[p.info["sha256"]] = pid
        assert p.record is not None
        out.append({**p.record, "id": pid})
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
                 default_lang: str = "de", now: datetime | None = None, slot: tuple[int, int] | None = None) -> Record:
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
                uploaded: dict[str, Path] | None = None, jobs: int | None = None,
                progress: Progress | None = None) -> list[Prepared]:
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
    return prepare_rows(photos_dir, rows, csv_path.name, photos_root, default_lang, slot, known, uploaded, jobs,
                        progress)


def prepare_rows(photos_dir: Path, rows: list[tuple[int, Record]], name: str, photos_root: Path | None = None,
                 default_lang: str = "de", slot: tuple[int, int] | None = None, known: TinyDB | None = None,
                 uploaded: dict[str, Path] | None = None, jobs: int | None = None,
                 progress: Progress | None = None) -> list[Prepared]:
    """`prepare_csv` for rows already read: (line, row with the CSV's columns); `name` says where
    they came from in the messages. The web app's form with a row per dropped photo comes here.

    The texts of every row are checked first, then the photos are taken in on `jobs` processes
    (default: all cores; `progress` hears of each), then each row's problems are named in line order."""
    from portraits import csvfile, intake, intake_jobs

    intake.sweep_abandoned(Path(photos_dir))
    checked = [_check_row(row, default_lang, photos_root, uploaded) for _line, row in rows]
    tag = intake.owner_tag()
    tasks = [intake_jobs.Task(c[1], Path(photos_dir), slot, not any(isinstance(x, str) for x in checked), tag)
             for c in checked if not isinstance(c, str)]
    photos = iter(intake_jobs.take_in_all(tasks, jobs, progress))
    errors: list[str] = []
    prepared: list[Prepared] = []
    staged = []
    seen_sha: dict[str, int] = {}
    seen_ids: set[str] = set()
    owners = _owners(known) if known is not None else {}
    for (line, _row), check in zip(rows, checked):
        if isinstance(check, str):
            errors.append(csvfile.row_error(line, check))
            continue
        fields, path, wanted = check
        photo = next(photos)
        if photo.staged:
            staged.append(photo.staged)
        problem = _row_problem(photo, wanted, seen_ids, seen_sha, owners)
        if problem:
            errors.append(csvfile.row_error(line, problem))
            continue
        assert photo.info is not None
        prepared.append(Prepared(fields, photo.info, path, photo.staged, wanted, line))
        seen_sha[photo.info["sha256"]] = line
        if wanted:
            seen_ids.add(wanted)
    if errors:
        from portraits.files import discard_staged

        discard_staged(staged)
        raise CampaignError(csvfile.rows_wrong(errors, name), _m("Fix these rows and import the file again."))
    return prepared


def _check_row(row: Record, default_lang: str, photos_root: Path | None,
               uploaded: dict[str, Path] | None) -> tuple[Record, Path, str | None] | str:
    """A row's fields checked and its photo found, or what is wrong with it (before any photo work)."""
    row = {k: (v or "").strip() for k, v in row.items() if k}
    try:
        fields = validate_fields({k: row.get(k) or None for k in ("first_name", "age", "role", "quote", "surname",
                                                                  "role_category", "lang", "credit")} |
                                 {"first_name": row.get("first_name", ""), "age": row.get("age", ""),
                                  "role": row.get("role", ""), "quote": row.get("quote", "")})
        check_drawable(_texts_of(fields, default_lang))
        check_surname_hidden(_texts_of(fields, default_lang))
        if uploaded is not None:
            path = uploaded.get(PurePosixPath(row.get("photo", "").replace("\\", "/")).name)
            if path is None:
                raise CampaignError(_m("photo {photo!r} was not sent with the CSV", photo=row.get('photo')))
        else:
            path = _inside(photos_root or Path("."), row.get("photo", ""))
        if path is None:
            raise CampaignError(_m("photo {photo!r} is outside the photos folder", photo=row.get('photo')))
    except CampaignError as e:
        return e.message
    return fields, path, row.get("id") or None


def _row_problem(photo: TakenIn, wanted: str | None, seen_ids: set[str], seen_sha: dict[str, int],
                 owners: dict[str, str]) -> str | None:
    """What is wrong with a row once its photo is taken in, checked in the order a reader expects."""
    if wanted and wanted in seen_ids:
        return _m("id {wanted!r} appears twice", wanted=wanted)
    if photo.error is not None or photo.info is None:
        return photo.error or ""
    sha = photo.info["sha256"]
    if sha in seen_sha:
        return _m("the same photo as line {seen_sha}", seen_sha=seen_sha[sha])
    if owners.get(sha):
        return _m("photo already used by portrait {owner}", owner=owners[sha])
    return None


def import_csv(db: TinyDB, photos_dir: Path, csv_path: Path, photos_root: Path | None = None,
               default_lang: str = "de", now: datetime | None = None, slot: tuple[int, int] | None = None) -> Record:
    """Import a whole CSV or nothing inside the caller's transaction (the command,
    `campaign.intake.adding.import_portraits`, takes the photos in before it takes the lock)."""
    prepared = prepare_csv(photos_dir, csv_path, photos_root, default_lang, slot, known=db)
    try:
        made = insert_prepared(db, prepared, photos_dir, default_lang, now, imported=True)
    except BaseException:
        discard(prepared)
        raise
    return {"imported": [r["id"] for r in made], "count": len(made)}


def edit_portrait(db: TinyDB, portrait_id: str, changes: Record, focus: str | None = None,
                  now: datetime | None = None) -> Record:
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


def _replace(record: Record) -> Callable[[MutableMapping[Any, Any]], None]:
    """A TinyDB update operation that replaces the whole document (so removed keys go too)."""
    def transform(doc: MutableMapping[Any, Any]) -> None:
        doc.clear()
        doc.update(record)
    return transform


def approve_portrait(db: TinyDB, portrait_id: str, has_valid_consent: bool, now: datetime | None = None) -> Record:
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
                       now: datetime | None = None) -> Record:
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


def face_box(portrait: Record) -> tuple[float, float, float, float] | None:
    """The face box found at intake (fractions of the photo); None for records made before it was
    stored, and when the focal point was set by hand."""
    photo = portrait["photo"]
    face = photo.get("face") if photo.get("focus_source") == "face" else None
    return tuple(face) if face else None


def as_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
