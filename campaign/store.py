"""The store: TinyDB on a crash-safe, lock-protected JSON file.

TinyDB's own JSONStorage rewrites the file in place with no lock, so a crash can leave half a
file and two processes lose each other's writes. Here every change happens in a transaction:
take the file lock, read the file fresh, change the data in memory, then write it once
(temporary file in the same folder, fsync, rename, fsync the folder). A failed transaction
writes nothing, so the file stays byte-for-byte as it was. Readers need no lock: rename is
atomic, so they see the old file or the new one, never a mix.

This is the only module that knows the store is a JSON file; everything else gets a TinyDB.
"""
from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Callable, Iterator

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage

from portraits.errors import CampaignError
from portraits.files import atomic_write_bytes

SCHEMA_VERSION = 2
META_TABLE = "_meta"
LOCK_TIMEOUT = 60.0


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


# MIGRATIONS[n] turns a store of version n into version n + 1.
MIGRATIONS: dict[int, Callable[[dict], None]] = {0: _migrate_0_to_1, 1: _migrate_1_to_2}


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


class _MemoryStorage(Storage):
    """Holds the whole database in memory for one transaction; TinyDB writes land here."""

    def __init__(self, data: dict):
        self.data = data
        self.dirty = False

    def read(self) -> dict:
        return self.data

    def write(self, data: dict) -> None:
        self.data = data
        self.dirty = True


def _load(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise CampaignError(
            f"The store {path.name} is not valid JSON ({e.msg} at line {e.lineno}).",
            "Restore it from a backup; the tool never leaves it half-written itself.",
        ) from None


def _dump(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Store:
    """One campaign's database file, reached only through `read()` and `transaction()`."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.lock = FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT)

    def _upgrade(self, data: dict) -> bool:
        """Bring `data` to SCHEMA_VERSION in place; True if anything changed."""
        meta = data.setdefault(META_TABLE, {})
        version = int(meta.get("1", {}).get("schema", 0)) if meta else 0
        if version > SCHEMA_VERSION:
            raise CampaignError(
                f"This store has schema version {version}; this campaign tool knows up to {SCHEMA_VERSION}.",
                "Update the tool (make setup) before using this workspace.",
            )
        if version == SCHEMA_VERSION:
            return False
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](data)
            version += 1
        data[META_TABLE] = {"1": {"schema": version}}
        return True

    def read(self) -> TinyDB:
        """A snapshot of the store for reading; changes to it are never saved."""
        data = _load(self.path)
        self._upgrade(data)
        return TinyDB(storage=_MemoryStorage, data=data)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[TinyDB]:
        """Lock, read fresh, yield a TinyDB, and write once if the block succeeds."""
        try:
            self.lock.acquire()
        except Timeout:
            raise CampaignError(
                f"The store is locked by another campaign process for over {LOCK_TIMEOUT:.0f} s.",
                "Wait for it to finish, or check for a hung process.",
            ) from None
        try:
            self._remove_stale_temp_files()
            data = _load(self.path)
            upgraded = self._upgrade(data)
            db = TinyDB(storage=_MemoryStorage, data=data)
            yield db
            storage: _MemoryStorage = db.storage  # type: ignore[assignment]
            if storage.dirty or upgraded or not self.path.exists():
                atomic_write_bytes(self.path, _dump(storage.data))
        finally:
            self.lock.release()

    def _remove_stale_temp_files(self) -> None:
        # Under the lock no other writer is mid-write, so any temp file left is from a crash.
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def schema_version(self) -> int:
        data = _load(self.path)
        return int(data.get(META_TABLE, {}).get("1", {}).get("schema", 0))
