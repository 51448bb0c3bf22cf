"""The store: TinyDB on a crash-safe, lock-protected JSON file with a few versions kept.

TinyDB's own JSONStorage rewrites the file in place with no lock, so a crash can leave half a
file and two processes lose each other's writes. Here every change happens in a transaction:
take the file lock, read the file fresh, change the data in memory, then write it once
(temporary file in the same folder, fsync, rename, fsync the folder). A failed transaction
writes nothing, so the file stays byte-for-byte as it was. Readers need no lock: rename is
atomic, so they see the old file or the new one, never a mix.

Before each write the previous file goes to `.backups/campaign.json.1` (the older ones move up
to `.5`), written the same atomic way from the bytes the transaction already read. A file that
is not a store this tool knows (binary, another JSON shape, wrong types in its tables) is
refused with the command that restores the newest good backup.

The file is parsed and written with orjson when it is installed: a 5 MB store is written 10-20
times as fast as with `json` (7 ms, not 100-120; the write holds the lock, so other writers wait
less) and parsed up to 1.7 times as fast (making the Python objects is most of a parse), into the
same compact UTF-8 JSON (byte
for byte for what a store holds: texts, whole numbers, lists, tables; a float may be spelled
another way, 1e-7 for 1e-07, which both read alike). Anything orjson refuses (a broken file, a
number beyond 64 bits, a text that is not valid UTF-8, a datetime or other object that is not
JSON) goes through `json` as before, so the messages and the refusals stay what they were.

This is the only module that knows the store is a JSON file; everything else gets a TinyDB.
"""
from __future__ import annotations

import contextlib
import json
import os
import shlex
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tinydb import TinyDB

from campaign.workspace.snapshots import MemoryStorage, ReadOnlyStorage, Snapshot, Version, seal
from campaign.workspace.snapshots import (
    SnapshotWriteError as SnapshotWriteError,  # raised by snapshots; callers import it here
)
from portraits.errors import CampaignError
from portraits.files import STAGED_ATTR, atomic_write_bytes, discard_staged, fsync_folder, publish_staged
from portraits.messages import _m

if TYPE_CHECKING:
    from filelock import BaseFileLock

try:
    import orjson
except ImportError:  # pragma: no cover - an install without it reads and writes through json
    orjson = None
# orjson would write a datetime or a dataclass as text; json refuses them, and a store must not take them silently.
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS if orjson else 0

SCHEMA_VERSION = 3
META_TABLE = "_meta"
LOCK_TIMEOUT = 60.0
# How often a command waiting for the store tries the lock again. filelock's default, 50 ms, rounded
# every wait up to the next 50 ms: a 1,000-row import that held the lock 55 ms made the daemon wait
# 104 ms. A try is one non-blocking flock() call.
LOCK_POLL = 0.005
BACKUP_DIR = ".backups"  # next to the store; holds personal data like the store itself
BACKUPS = 5  # campaign.json.1 (newest) .. campaign.json.5


def _migrate_0_to_1(data: dict) -> None:
    """Version 1 is the first schema: nothing to change but the version number."""


def _migrate_1_to_2(data: dict) -> None:
    """Posts get a format and a language: the feed post in the portrait's language is what they were."""
    langs = {p.get("id"): p.get("lang") for p in data.get("portraits", {}).values()}
    for post in data.get("posts", {}).values():
        post.setdefault("format", "feed")
        if not post.get("lang"):
            post["lang"] = langs.get(post.get("portrait_id"))
        post.setdefault("approvals", [])
        post.setdefault("images", None)


def _migrate_2_to_3(data: dict) -> None:
    """Photo warnings and billboard reasons were kept as English text; now as message id and
    parameters, said in the reader's language. Old text is matched back to its message once, here
    (the only place that still reads English); text no message makes stays as it is."""
    from campaign.workspace.i18n import from_english
    from portraits.messages import is_stored, to_stored

    def convert(text):
        return text if is_stored(text) or not isinstance(text, str) else to_stored(from_english(text))

    for portrait in data.get("portraits", {}).values():
        photo = portrait.get("photo")
        if isinstance(photo, dict) and isinstance(photo.get("warnings"), list):
            photo["warnings"] = [convert(w) for w in photo["warnings"]]
    for pick in data.get("billboard", {}).values():
        if "checked_for" in pick:
            pick["checked_for"] = convert(pick["checked_for"])
        for row, key in [*((c, "why") for c in pick.get("picked", [])),
                         *((s, "reason") for s in pick.get("skipped", []))]:
            if isinstance(row, dict) and key in row:
                row[key] = convert(row[key])


# MIGRATIONS[n] turns a store of version n into version n + 1.
MIGRATIONS: dict[int, Callable[[dict], None]] = {0: _migrate_0_to_1, 1: _migrate_1_to_2, 2: _migrate_2_to_3}

_ISO = "iso-time"
# The fields the code relies on in each known table, with their JSON types. Other tables and
# further fields are allowed; a document missing one of these is a store we cannot work with.
TABLE_FIELDS: dict[str, dict[str, type | tuple | str]] = {
    "portraits": {"id": str, "first_name": str, "age": int, "role": str, "quote": str, "status": str,
                  "photo": dict},
    "consents": {"portrait_id": str, "event": str, "scopes": list},
    "posts": {"id": str, "portrait_id": str, "channel": str, "at": _ISO, "status": str},
    "engagement": {"post_id": str, "at": _ISO, "likes": int, "comments": int, "shares": int},
    "audit": {"at": _ISO, "action": str},
    "counters": {"name": str, "value": int},
    "billboard": {"picked": list},
    "outputs": {"kind": str, "path": str, "portraits": list},
    "whatsapp_subscribers": {"id": str, "number": str, "lang": str, "opted_in": str},
    "whatsapp_sends": {"subscriber_id": str, "day": str, "status": str},
}


def backup_files(store_path: Path | str) -> list[Path]:
    """The kept versions of a store, newest first (only those that exist)."""
    path = Path(store_path)
    folder = path.parent / BACKUP_DIR
    return [p for n in range(1, BACKUPS + 1) if (p := folder / f"{path.name}.{n}").is_file()]


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _type_ok(value, kind) -> bool:
    if kind == _ISO:
        if not isinstance(value, str):
            return False
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return False
        return True
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _iso_ok(value) -> bool:
    try:
        datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _table_ok(table: dict, fields: dict) -> bool:
    """The check below for one table, all records at once (a few times faster; the same verdict)."""
    if not all(isinstance(doc, dict) for doc in table.values()) or not all(k.isdigit() for k in table):
        return False
    for field, kind in fields.items():
        values = [doc.get(field, _type_ok) for doc in table.values()]  # _type_ok: missing (never a JSON value)
        if kind == _ISO:
            ok = all(isinstance(v, str) for v in values) and all(map(_iso_ok, values))
        elif kind is int:
            ok = all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        else:
            ok = all(isinstance(v, kind) for v in values)
        if not ok:
            return False
    return True


def schema_problem(data: object) -> str | None:
    """What makes `data` not a store of ours, in words; None when it is one."""
    if isinstance(data, dict) and all(isinstance(t, dict) for t in data.values()) and all(
            _table_ok(table, TABLE_FIELDS.get(name, {})) for name, table in data.items() if name != META_TABLE) \
            and all(isinstance(doc, dict) and _type_ok(doc.get("schema", 0), int)
                    for doc in data.get(META_TABLE, {}).values()):
        return None  # the usual case, checked fast; otherwise the record-by-record look says what is wrong
    if not isinstance(data, dict):
        return f"it holds a JSON {type(data).__name__}, not the tables of a campaign store"
    for name, table in data.items():
        if not isinstance(table, dict):
            return f"its table {name!r} is not a table of records"
        if name == META_TABLE:
            for doc in table.values():
                if not isinstance(doc, dict) or not _type_ok(doc.get("schema", 0), int):
                    return "its schema version is not a number"
            continue
        fields = TABLE_FIELDS.get(name, {})
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                return f"record {doc_id!r} of table {name!r} is not a record"
            for field, kind in fields.items():
                if field not in doc:
                    return f"record {doc_id} of table {name!r} has no {field!r}"
                if not _type_ok(doc[field], kind):
                    return f"record {doc_id} of table {name!r} has a wrong {field!r}: {doc[field]!r:.40}"
    return None


def _parse(raw: bytes):
    """The JSON value of a store file's bytes; errors are json's, with its messages (see the module)."""
    if orjson is not None:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # json says what is wrong (or reads what orjson refuses: NaN, numbers beyond 64 bits)
    return json.loads(raw.decode("utf-8"))


def _dump(data: dict) -> bytes:
    return _dump_as(data)[0]


def _dump_as(data: dict) -> tuple[bytes, bool]:
    """The bytes, and whether orjson wrote them: it refuses a key that is not a text (json would turn
    1 into "1"), so its data reads back with the same keys."""
    if orjson is not None:
        try:
            return orjson.dumps(data, option=_STRICT), True
        except orjson.JSONEncodeError:
            pass  # json writes it or says what is wrong, as it always did
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), False
    except UnicodeEncodeError:
        # Text from a non-UTF-8 source (a terminal, a file name) that got past the checks.
        raise CampaignError(_m("A text to be saved is not valid UTF-8 (it came from a file or terminal in "
                               "another encoding)."),
                            _m("Type it again, or convert the file to UTF-8; nothing was saved.")) from None


class Store:
    """One campaign's database file, reached only through `read()` and `transaction()`.

    `create=False` (the workspace's store): a missing file is an error, since a workspace
    without its store has lost its data; only `campaign init` makes a new one."""

    def __init__(self, path: Path | str, create: bool = True, backups: int = BACKUPS):
        self.path = Path(path)
        self.create = create
        self.backups = backups
        self._lock: BaseFileLock | None = None
        self._locking = threading.Lock()  # one lock object per store, however many threads ask for it
        # A long-lived reader (the web app) parses each version of the file once: see share_reads().
        self._shared: Version | None = None
        self._share = False
        self._parsing = threading.Lock()  # one thread parses a new version; the others wait for it

    @property
    def lock(self) -> BaseFileLock:
        """The lock every writer takes (filelock, imported when first needed: ~25 ms that a command
        which only reads the store, such as `campaign render ID`, does not spend)."""
        if self._lock is None:
            with self._locking:
                if self._lock is None:
                    from filelock import FileLock

                    self._lock = FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT)
        return self._lock

    @property
    def backup_dir(self) -> Path:
        return self.path.parent / BACKUP_DIR

    def _restore_hint(self) -> str:
        """One command that restores the newest backup that is a good store, or what to do without one."""
        for backup in backup_files(self.path):
            try:
                raw = backup.read_bytes()
                data = _parse(raw)
            except (OSError, ValueError, RecursionError):
                continue
            if raw.strip() and schema_problem(data) is None:
                stamp = datetime.fromtimestamp(backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
                return (f"Restore the version from before the change of {stamp} (that change is then to be "
                        f"made again): cp {shlex.quote(str(backup))} {shlex.quote(str(self.path))}")
        return (f"No good backup is in {self.backup_dir}: restore {self.path.name} from your own backup "
                "of the folder; nothing was changed.")

    def _load(self, raw: bytes | None = None) -> tuple[dict, bytes | None]:
        """The store's data and its raw bytes (None when there is no file yet and that is allowed).
        `raw`: the file's bytes, already read."""
        name = self.path.name
        try:
            raw = self.path.read_bytes() if raw is None else raw
        except FileNotFoundError:
            if self.create:
                return {}, None
            raise CampaignError(_m("The store {path} is missing; this workspace's data is in it.", path=self.path),
                                self._restore_hint()) from None
        except IsADirectoryError:
            raise CampaignError(_m("The store {path} is a folder, not a file.", path=self.path),
                                self._restore_hint()) from None
        if not raw.strip():
            raise CampaignError(_m("The store {path} is empty.", path=self.path), self._restore_hint())
        try:
            data = _parse(raw)
        except UnicodeDecodeError:
            raise CampaignError(_m("{path} is not a campaign store (it is not text).", path=self.path),
                                self._restore_hint()) from None
        except json.JSONDecodeError as e:
            raise CampaignError(_m("The store {name} is not valid JSON ({msg} at line {lineno}).", name=name,
                                   msg=e.msg, lineno=e.lineno),
                                self._restore_hint()) from None
        except RecursionError:
            raise CampaignError(_m("{path} is not a campaign store (nested too deeply).", path=self.path),
                                self._restore_hint()) from None
        problem = schema_problem(data)
        if problem:
            raise CampaignError(_m("{path} is not a campaign store: {problem}.", path=self.path, problem=problem),
                                self._restore_hint())
        return data, raw

    def _upgrade(self, data: dict) -> bool:
        """Bring `data` to SCHEMA_VERSION in place; True if anything changed."""
        meta = data.setdefault(META_TABLE, {})
        version = int(meta.get("1", {}).get("schema", 0)) if meta else 0
        if version > SCHEMA_VERSION:
            raise CampaignError(
                _m("This store has schema version {version}; this campaign tool knows up to {schema_version}.",
                   version=version, schema_version=SCHEMA_VERSION),
                _m("Update the tool (make setup) before using this workspace."),
            )
        if version == SCHEMA_VERSION:
            return False
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](data)
            version += 1
        data[META_TABLE] = {"1": {"schema": version}}
        return True

    def read(self) -> TinyDB:
        """A snapshot of the store for reading; writing into it raises SnapshotWriteError, since
        nothing written there would ever reach the file."""
        if self._share:
            version = self._shared_version()
            snapshot = Snapshot(storage=ReadOnlyStorage, data=version.data)
            snapshot.memo = version.memo
            return snapshot
        data, _raw = self._load()
        self._upgrade(data)
        return Snapshot(storage=MemoryStorage, data=data)

    def share_reads(self) -> None:
        """From now on, snapshots of one version of the file share its parsed data (a 5 MB store takes
        ~0.2 s to parse and check; a web page reads it several times). Each rename of a transaction
        is a new file, so (inode, mtime, size) of the open file names its version. Shared snapshots
        refuse writes: TinyDB hands out copies of documents, and nothing may change the shared data."""
        self._share = True

    def _shared_version(self) -> Version:
        """The parsed data of the file's current version, parsed once per version."""
        try:
            f = open(self.path, "rb")
        except OSError:
            data, _raw = self._load()  # its own message for a missing file or a folder
            return Version((0, 0, 0), data)
        with f:
            st = os.fstat(f.fileno())
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
            kept = self._shared
            if kept is not None and kept.key == key:
                return kept
            with self._parsing:
                kept = self._shared
                if kept is not None and kept.key == key:  # parsed by the thread we waited for
                    return kept
                self._shared = None  # the old version goes as soon as no page holds it
                data, _raw = self._load(f.read())
                self._upgrade(data)
                kept = self._shared = Version(key, data)
        return kept

    @contextlib.contextmanager
    def transaction(self) -> Iterator[TinyDB]:
        """Lock, read fresh, yield a TinyDB, and write once if the block succeeds."""
        from filelock import Timeout

        try:
            self.lock.acquire(poll_interval=LOCK_POLL)
        except Timeout:
            raise CampaignError(
                _m("The store is locked by another campaign process for over {lock_timeout:.0f} s.",
                   lock_timeout=LOCK_TIMEOUT),
                _m("Wait for it to finish, or check for a hung process."),
            ) from None
        try:
            self._remove_stale_temp_files()
            data, raw = self._load()
            upgraded = self._upgrade(data)
            db = TinyDB(storage=MemoryStorage, data=data)
            staged: list = []
            setattr(db, STAGED_ATTR, staged)  # files that belong to this change (portraits.files.stage_bytes)
            try:
                yield db
                storage: MemoryStorage = db.storage  # type: ignore[assignment]
                if storage.dirty or upgraded or raw is None:
                    new, exact = _dump_as(storage.data)
                    if raw is not None and raw != new and self.backups:
                        self._keep_backup(raw)
                    atomic_write_bytes(self.path, new)
                    del raw, new  # two 5 MB byte strings fewer at the peak
                    seal(db)
                    if exact:
                        self._share_written(storage.data)
            except BaseException:
                discard_staged(staged)
                raise
            publish_staged(staged)  # still under the lock: no reader of the new store misses them for long
        finally:
            self.lock.release()

    def _share_written(self, data: dict) -> None:
        """After a write in a process that shares reads (the web app): the data just written is the new
        version's snapshot, so no page parses the file again (0.06-0.2 s of a core, and one more copy of
        the store in memory at the peak). The file was renamed into place under the lock, so its
        (inode, mtime, size) names exactly this data; the transaction's TinyDB is sealed (`seal`), so
        nothing changes the data after it was written."""
        if not self._share:
            return
        try:
            st = os.stat(self.path)
        except OSError:
            return
        self._shared = Version((st.st_ino, st.st_mtime_ns, st.st_size), data)

    def _keep_backup(self, raw: bytes) -> None:
        """The version about to be replaced becomes backup 1; older ones move up, the oldest goes.

        Backup 1 is a second name (hard link) for the file about to be replaced, so no byte is
        copied: the store is always replaced by a rename, never written in place, so that file
        never changes again. Where the file system has no hard links, the bytes are written."""
        folder = self.backup_dir
        folder.mkdir(mode=0o700, exist_ok=True)
        name = self.path.name
        for n in range(self.backups - 1, 0, -1):
            with contextlib.suppress(FileNotFoundError):
                os.replace(folder / f"{name}.{n}", folder / f"{name}.{n + 1}")
        newest = folder / f"{name}.1"
        link = folder / f".{name}.1.{os.getpid()}.tmp"
        try:
            with contextlib.suppress(FileNotFoundError):
                link.unlink()
            os.link(self.path, link)
            os.replace(link, newest)
        except OSError:
            with contextlib.suppress(OSError):
                link.unlink()
            atomic_write_bytes(newest, raw)
            return
        fsync_folder(folder)

    def forget_backups(self) -> list[Path]:
        """Remove every kept version (after a GDPR erasure they would still hold the person); return them."""
        with self.transaction():
            gone = backup_files(self.path)
            for backup in gone:
                backup.unlink()
        return gone

    def _remove_stale_temp_files(self) -> None:
        # Under the lock no other writer is mid-write, so any temp file left is from a crash.
        for folder in (self.path.parent, self.backup_dir):
            for stale in folder.glob(f".{self.path.name}*.tmp"):
                with contextlib.suppress(OSError):
                    stale.unlink()
