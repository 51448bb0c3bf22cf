"""Run the benchmarks: `python -m benchmarks` for all, `python -m benchmarks foundation render` for some;
areas first, then options for them (`python -m benchmarks intake --photos 200 --busy`). `--busy` keeps one
core busy with a spinning process while they run (see benchmarks/load.py)."""
from __future__ import annotations

import importlib
import inspect
import os
import sys
from pathlib import Path

AREAS = ["foundation", "render", "render_single", "schedule", "channels", "open_channels", "billboard", "privacy",
         "reach", "report", "locks", "web", "office", "settings", "intake", "whole"]


def _as_installed() -> None:
    """Commands run as an installed tool runs them: with its modules' bytecode (.pyc), which pip
    compiles at install time. A shell with PYTHONDONTWRITEBYTECODE=1 would otherwise make every
    child process compile our ~100 modules from source (0.2-0.5 s a start); the baselines' Pillow
    and friends come precompiled from pip either way."""
    import compileall

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    root = Path(__file__).resolve().parent.parent
    for package in ("campaign", "portraits", "schedules"):
        compileall.compile_dir(root / package, quiet=1)


def main(argv: list[str]) -> int:
    from benchmarks import load

    load.BUSY = "--busy" in argv
    first_option = next((i for i, a in enumerate(argv) if a.startswith("--")), len(argv))
    chosen = argv[:first_option] or AREAS
    options = [a for a in argv[first_option:] if a != "--busy"]  # for the benchmarks that take them
    unknown = [a for a in chosen if a not in AREAS]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(AREAS)}", file=sys.stderr)
        return 2
    _as_installed()
    for area in chosen:
        try:
            module = importlib.import_module(f"benchmarks.{area}")
        except ModuleNotFoundError as e:
            if e.name == f"benchmarks.{area}":
                print(f"== {area}: not built yet")
                continue
            raise
        print(f"== {area}" + (" (--busy: one core kept busy by a spinning process)" if load.BUSY else ""))
        with load.busy(load.BUSY):
            takes_options = bool(inspect.signature(module.main).parameters)
            module.main(options) if takes_options else module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
