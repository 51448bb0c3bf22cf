"""Run the benchmarks: `python -m benchmarks` for all, `python -m benchmarks foundation render` for some,
`python -m benchmarks intake --photos 200 --busy` with options."""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

AREAS = ["foundation", "render", "schedule", "channels", "open_channels", "billboard", "privacy", "reach", "report",
         "locks", "web", "office", "intake", "whole"]


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
    """Areas first, then options for them (e.g. `intake --photos 200 --busy`), which they read from sys.argv."""
    first_option = next((i for i, a in enumerate(argv) if a.startswith("--")), len(argv))
    chosen = argv[:first_option] or AREAS
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
        print(f"== {area}")
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
