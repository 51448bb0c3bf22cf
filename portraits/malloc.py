"""glibc's malloc tuned from Python: which memory a process keeps for its next photo and which it
hands back to the system. The import, a one-shot command and the long-running server each want
something else (portraits.intake_jobs, campaign.cli.common, campaign.workspace.longrun)."""
from __future__ import annotations

import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8  # mallopt's parameter numbers (malloc.h)


def mallopt(param: int, value: int) -> None:
    """Set one of glibc's malloc parameters; nothing where the C library is not glibc."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(param, value)
    except (OSError, AttributeError):
        pass
