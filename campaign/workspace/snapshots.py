"""Read snapshots of the store and the in-memory storage of a transaction (campaign.workspace.store).

A snapshot refuses writes: nothing written there would ever reach the file, and with shared reads
(`Store.share_reads`) its data is what every page of that version reads. A transaction's TinyDB is
sealed the same way once it has written, since its data may then be the new version's snapshot.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table


class MemoryStorage(Storage):
    """Holds the whole database in memory for one transaction; TinyDB writes land here."""

    def __init__(self, data: dict):
        self.data = data
        self.dirty = False

    def read(self) -> dict:
        return self.data

    def write(self, data: dict) -> None:
        self.data = data
        self.dirty = True


class SnapshotWriteError(RuntimeError):
    """A write into `Store.read()`'s snapshot: it would never be saved, so the caller has a bug
    (it meant `Store.transaction()`)."""


_SNAPSHOT_WRITE = "Store.read() gives a read-only snapshot; write inside Store.transaction() instead."


class SnapshotTable(Table):
    """A table of a read snapshot: every insert, update, upsert, remove or truncate raises before it
    changes anything (TinyDB sends them all through `_update_table`)."""

    def _update_table(self, updater: Callable) -> None:
        raise SnapshotWriteError(_SNAPSHOT_WRITE)


class Snapshot(TinyDB):
    """The TinyDB that `Store.read()` returns: reading works as usual, writing raises.

    `memo`: with shared reads (Store.share_reads), a dict that lives as long as this version of the
    file, for what pages derive from it (the posts in order, today's consent): see `derived`."""

    table_class = SnapshotTable
    memo: dict | None = None

    def drop_table(self, name: str) -> None:
        raise SnapshotWriteError(_SNAPSHOT_WRITE)

    def drop_tables(self) -> None:
        raise SnapshotWriteError(_SNAPSHOT_WRITE)


@dataclasses.dataclass
class Version:
    """One version of the store file as a long-lived reader keeps it: (inode, mtime_ns, size), the data,
    and what pages derived from it."""
    key: tuple[int, int, int]
    data: dict
    memo: dict = dataclasses.field(default_factory=dict)


class ReadOnlyStorage(MemoryStorage):
    """A shared snapshot (Store.share_reads): a write would change what other readers see."""

    def write(self, data: dict) -> None:
        raise RuntimeError("a shared read snapshot of the store cannot be changed; use a transaction")


def seal(db: TinyDB) -> None:
    """A transaction's TinyDB after its write: reading goes on, writing raises as in a snapshot (a write
    there would never be saved, and its data may now be what other readers share)."""
    db.__class__ = Snapshot
    for table in db._tables.values():
        table.__class__ = SnapshotTable
    db.storage.__class__ = ReadOnlyStorage
