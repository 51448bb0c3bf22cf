"""The house: every package imports only the ones below it, and no module reaches itself again
through its imports (imports inside functions count: grimp reads them too)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("campaign", "schedules", "portraits")


def circles(*packages: str) -> list[tuple[str, str]]:
    """Every direct import a -> b for which b also reaches a (a circle through that import)."""
    graph = grimp.build_graph(*packages, cache_dir=None)
    return sorted((a, b) for a in graph.modules for b in graph.find_modules_directly_imported_by(a)
                  if graph.chain_exists(importer=b, imported=a))


def test_no_import_goes_up_a_layer():
    # In its own process: import-linter configures logging, which would silence the campaign's log
    # for the tests that run after it.
    r = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                        "sys.exit(lint_imports_command())", "--config", str(ROOT / "setup.cfg"), "--no-cache"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr  # the contracts in setup.cfg


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
