"""Memory and garbage-collector settings for the two processes that run for days and hold the store in
memory: the web app (`campaign serve`) and the publishing daemon (`campaign run`).

Both read every new version of the ~5 MB store, a million Python objects each time. Python's cyclic
garbage collector then walked all of them again and again (a full collection every few saves, ~90 ms
each: a third of the web app's CPU with an office saving every few seconds), although the store's
data has no cycles: plain reference counting frees an old version as soon as no page holds it. And
glibc gave each of the web app's 8 threads a malloc pool of its own that kept what it once held.
"""
from __future__ import annotations

import gc

# Collect the youngest objects every 50,000 allocations instead of 700, and a full collection only after
# 100 of the middle ones instead of 10: collections stay for the rare real cycle, not for the store.
GC_THRESHOLDS = (50_000, 20, 100)
MALLOC_ARENAS = 2  # glibc's malloc pools shared by all threads (the default: up to 8 per core)


def settle() -> None:
    """Call once after start-up, before any thread starts (glibc fixes its pool count at the first): what
    is loaded by then (modules, settings) is frozen out of every later collection, and the thresholds
    above apply."""
    _fewer_malloc_arenas()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _fewer_malloc_arenas() -> None:
    """Threads that find glibc's pools busy each get a pool of their own, which keeps the memory it once
    held: with 8 threads building pages from the store that took the web app from ~240 to ~400 MB (as
    MALLOC_ARENA_MAX=2 does before the process starts). Not glibc: nothing to do."""
    from portraits.malloc import M_ARENA_MAX, mallopt

    mallopt(M_ARENA_MAX, MALLOC_ARENAS)
