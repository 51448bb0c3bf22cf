"""The house: every package imports only the ones below it, and no module reaches itself again
through its imports (imports inside functions count: grimp reads them too)."""
from __future__ import annotations

import sys
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("campaign", "schedules", "portraits")


def circles(*packages: str) -> list[tuple[str, str]]:
    """Every direct import a -> b for which b also reaches a (a circle through that import)."""
    graph = grimp.build_graph(*packages, cache_dir=None)
    return sorted((a, b) for a in graph.modules for b in graph.find_modules_directly_imported_by(a)
                  if graph.chain_exists(importer=b, imported=a))


def test_no_import_goes_up_a_layer():
    assert lint_imports(config_filename=str(ROOT / "setup.cfg"), no_cache=True, no_logo=True) == 0  # setup.cfg


def test_no_module_imports_itself_around_a_circle():
    assert circles(*PACKAGES) == []


def test_a_circle_through_an_import_inside_a_function_is_found(tmp_path, monkeypatch):
    package = tmp_path / "circled"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def f():\n    from circled import high\n    return high\n")
    (package / "high.py").write_text("from circled import low\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert circles("circled") == [("circled.high", "circled.low"), ("circled.low", "circled.high")]
    finally:
        for name in [m for m in sys.modules if m == "circled" or m.startswith("circled.")]:
            del sys.modules[name]
