"""Only the cold `campaign render ID` and the warm four formats of benchmarks/render.py (issue 27)."""
from __future__ import annotations

from benchmarks.render import single as main

__all__ = ["main"]
