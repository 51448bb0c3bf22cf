"""Taking many photos in at once, on all cores: what `portrait import` and the web app's "drop many
photos" spend their time on.

A 24 MP photo takes about half a second of one core to take in (decode, upright, face, clean copy
with restart markers, hashes), nearly all of it inside Pillow, OpenCV and hashlib, which let go of
the GIL while they work: so the photos go to a pool of threads, one per core. Threads rather than
the processes of `portraits.workers.process_pool`: measured on 8 photos of 24 MP with two jobs,
peak memory 433 MB for the threads against about 600 MB for two worker processes and their parent
(each process holds its own 100 MB of interpreter and libraries), for the same time; no fork from
the web app's threaded server; and a kill -9 of the command ends every worker with it. Each clean
copy is written under a temporary name tagged with the command's process id; a killed import's
leftovers are removed by the next intake (`intake.sweep_abandoned`) or `campaign doctor --fix`.
Results come back in the order of the rows, whatever order the workers finish in.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from portraits import intake
from portraits.errors import CampaignError
from portraits.malloc import M_MMAP_THRESHOLD, mallopt

Progress = Callable[[int, int], None]  # (photos done, photos in all)


@dataclass(frozen=True)
class Task:
    """One photo to take in: `write` False only checks and describes it (a file refused anyway)."""

    src: Path
    photos_dir: Path
    slot: tuple[int, int] | None
    write: bool
    tag: str


@dataclass(frozen=True)
class TakenIn:
    """What became of one photo: its description and staged pair, or what is wrong with it."""

    info: dict[str, Any] | None = None
    staged: tuple[Path, Path] | None = None
    error: str | None = None


def default_jobs() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _one(task: Task) -> TakenIn:
    try:
        if task.write:
            info, staged = intake.take_in(task.src, task.photos_dir, task.slot, task.tag)
            return TakenIn(info, staged)
        return TakenIn(intake.inspect(task.src, task.slot))
    except CampaignError as e:  # its message only: a CampaignError does not travel back whole
        return TakenIn(error=e.message)


def take_in_all(tasks: list[Task], jobs: int | None = None, progress: Progress | None = None) -> list[TakenIn]:
    """Every task's outcome, in the order given. On any failure (Ctrl-C, a worker killed) the clean
    copies already written are removed before it is raised."""
    jobs = max(1, min(jobs or default_jobs(), len(tasks)))
    done: list[TakenIn | None] = [None] * len(tasks)
    try:
        with _blocks_reused(jobs):
            if jobs == 1:
                for i, task in enumerate(tasks):
                    done[i] = _one(task)
                    if progress:
                        progress(i + 1, len(tasks))
            else:
                _on_pool(tasks, jobs, done, progress)
    except BaseException:
        from portraits.files import discard_staged

        discard_staged([t.staged for t in done if t is not None and t.staged])
        raise
    return [t for t in done if t is not None]


BLOCKS_A_JOB = 8  # Pillow's 16 MB blocks one photo in flight holds: 24 MP of RGB (5), its grey copy (2)
_ACTIVE: list[int] = []  # the jobs of each intake running in this process (the web app may run two)
_ACTIVE_LOCK = threading.Lock()


@contextmanager
def _blocks_reused(jobs: int) -> Iterator[None]:
    """Pillow keeps the pixel blocks of a photo it is done with for the next one while photos are
    taken in, and gives them back when the last intake of the process ends. Fresh memory for every
    photo is zeroed by the kernel page by page: measured on 16 photos of 24 MP with two jobs,
    1.3-1.5 s of system time before, 0.5-0.8 s after (of ~5.5 s of CPU), for the same peak memory
    (350 MB)."""
    from PIL import _imaging as core  # Pillow's own module; `Image.core` is this

    with _ACTIVE_LOCK:
        _ACTIVE.append(jobs)
        core.set_blocks_max(BLOCKS_A_JOB * sum(_ACTIVE))
    try:
        yield
    finally:
        with _ACTIVE_LOCK:
            _ACTIVE.remove(jobs)
            core.set_blocks_max(BLOCKS_A_JOB * sum(_ACTIVE))  # none kept once no intake runs


@lru_cache(maxsize=1)
def _pixels_given_back() -> None:
    """Have glibc hand a photo's pixel memory straight back to the system when it is freed. By
    default it raises its mmap threshold after the first large free, so the next photos' 16 MB
    blocks come from each thread's own heap and stay there: measured on 8 photos of 24 MP with
    two threads, peak 407-470 MB before, 380 MB after, for the same time."""
    mallopt(M_MMAP_THRESHOLD, 4 << 20)


def _on_pool(tasks: list[Task], jobs: int, done: list[TakenIn | None], progress: Progress | None) -> None:
    from concurrent.futures import as_completed

    _pixels_given_back()
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="intake")
    futures: dict[Future[TakenIn], int] = {}
    try:
        for i, task in enumerate(tasks):
            futures[pool.submit(_one, task)] = i
        for count, future in enumerate(as_completed(futures), start=1):
            done[futures[future]] = future.result()
            if progress:
                progress(count, len(tasks))
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # the running ones finish: their files are known
        for future, i in futures.items():
            if done[i] is None and future.done() and not future.cancelled() and future.exception() is None:
                done[i] = future.result()
        raise
    pool.shutdown(wait=True)
