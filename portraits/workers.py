"""Worker processes that never outlive the command that started them.

A pool worker waits for work on a pipe its siblings also hold open, so when the command is killed
(kill -9, an OOM kill, a closed terminal) nothing ever tells it to stop: idle workers of a killed
`render --jobs 2` were still alive 17 minutes later. So each worker asks the kernel to kill it when
its parent dies (Linux: prctl PR_SET_PDEATHSIG), or, where that is not available, watches its
parent from a thread. A helper program (ExifTool) gets the same through util-linux's `setpriv`.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache

PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_SECONDS = 1.0


def die_with_parent(parent: int) -> None:
    """Pool initializer: end this process as soon as `parent` (the command) is gone."""
    if sys.platform.startswith("linux") and _kernel_kills_on_parent_death():
        if os.getppid() != parent:  # the parent died before the kernel was asked
            os._exit(1)
        return
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()


def _kernel_kills_on_parent_death() -> bool:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        done: int = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        return done == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def process_pool(jobs: int) -> ProcessPoolExecutor:
    """A process pool whose workers end with the command that started it (see the module's docstring)."""
    return ProcessPoolExecutor(max_workers=jobs, initializer=die_with_parent, initargs=(os.getpid(),))


def bound_to_parent(command: list[str]) -> list[str]:
    """`command`, run so that it is killed when this process dies (Linux with `setpriv`); else as it is."""
    setpriv = _setpriv()
    return [setpriv, "--pdeathsig", "KILL", "--", *command] if setpriv else command


@lru_cache(maxsize=1)
def _setpriv() -> str | None:
    """util-linux's setpriv where it knows --pdeathsig (2.33 and later), else None."""
    found = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    if not found:
        return None
    try:
        works = subprocess.run([found, "--pdeathsig", "KILL", "--", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return found if works.returncode == 0 else None
