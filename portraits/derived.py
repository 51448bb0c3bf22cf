"""What a page derives from the whole store (the posts in order, every portrait's consent today), kept
as long as the store's version when the store shares its reads (the web app, the daemon).

A shared read snapshot (campaign.workspace.store, `Store.share_reads`) carries a `memo` dict that lives
exactly as long as one version of the file: a save makes a new version and so a new, empty memo. Any
other TinyDB (a transaction, a command's own read) has none, and everything is computed as before.
What is kept is shared by every page that reads that version: callers get copies they may change.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


def derived(db: Any, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per version of the store behind `db` (every time when `db` keeps no memo).
    `key` names what is computed and everything besides the store it depends on (e.g. today's date)."""
    memo = getattr(db, "memo", None)
    if memo is None:
        return compute()
    try:
        kept: T = memo[key]
    except KeyError:
        kept = memo[key] = compute()  # two pages at once may both compute it: the same value
    return kept
