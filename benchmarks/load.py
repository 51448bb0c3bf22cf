"""What else runs on the machine while a benchmark measures: the load average printed beside each
figure, and `--busy`, one busy-loop process beside the measurement, so that "two cores, one busy
with other work" (a load average of about 2 with our own work) is the same on every run."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

BUSY = False  # set by `python -m benchmarks --busy`


def load() -> str:
    """The 1-minute load average, as printed beside a figure."""
    return f"load {os.getloadavg()[0]:.2f}"


@contextmanager
def busy(on: bool) -> Iterator[None]:
    """With `on`, one process spinning on a core for as long as the block runs."""
    if not on:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def alternate(*runs, rounds: int = 7) -> list[float]:
    """The median time (s) of each of `runs` (callables returning their time), run in turn: a, b, a,
    b, ... after one warm-up each, so a change in the machine's load falls on both alike."""
    import statistics

    for run in runs:
        run()
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(rounds):
        for run, kept in zip(runs, times):
            kept.append(run())
    return [statistics.median(kept) for kept in times]
