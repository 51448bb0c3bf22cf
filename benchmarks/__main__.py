"""Run the benchmarks: `python -m benchmarks` for all, `python -m benchmarks foundation render` for some."""
from __future__ import annotations

import importlib
import sys

AREAS = ["foundation", "render", "schedule", "channels", "billboard", "privacy", "reach", "report"]


def main(argv: list[str]) -> int:
    chosen = argv or AREAS
    unknown = [a for a in chosen if a not in AREAS]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(AREAS)}", file=sys.stderr)
        return 2
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
