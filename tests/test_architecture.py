"""The house: every package imports only the ones below it, and no module reaches itself again
through its imports (imports inside functions count: grimp reads them too)."""
from __future__ import annotations

import ast
import re
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


# Empty since records.py and render.py were split (issue 22); nothing joins it.
LONG_FOR_NOW: set[str] = set()
MAX_MODULE, MAX_FUNCTION = 500, 60


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _said_why(lines: list[str], node: ast.AST) -> bool:
    """A `# long: why` comment on the def line or the line right above it (above its decorators)."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return "# long:" in lines[node.lineno - 1] or (first >= 2 and lines[first - 2].strip().startswith("# long:"))


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in _sources()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE}
    assert set(long) <= LONG_FOR_NOW, long


def test_no_function_is_over_60_lines_without_saying_why():
    found = []
    for path in _sources():
        rel = str(path.relative_to(ROOT))
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and rel not in LONG_FOR_NOW:
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION and not _said_why(lines, node):
                    found.append(f"{rel}:{node.lineno} {node.name} ({length} lines)")
    assert found == []


def test_no_function_is_more_complex_than_15_without_saying_why():
    """ruff's McCabe check (C901, max-complexity 15 in pyproject.toml); a `noqa: C901 - why` says why."""
    r = subprocess.run([str(Path(sys.executable).parent / "ruff"), "check", "--select", "C901", "--output-format",
                        "concise", *PACKAGES], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_too_long_function_is_found(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    lines = f"def f():\n{body}\n".splitlines()
    node = ast.parse("\n".join(lines)).body[0]
    assert node.end_lineno - node.lineno + 1 > MAX_FUNCTION and not _said_why(lines, node)
    lines.insert(0, "# long: a table")
    assert _said_why(lines, ast.parse("\n".join(lines)).body[0])


def test_every_output_module_that_registers_places_is_imported_before_the_list_is_read():
    """campaign/privacy/places.py reads the footprint list after importing campaign/outputs/every_output.py:
    a module that registers places but is not imported there would be missing from erasure and doctor."""
    from campaign.outputs import every_output

    registering = {p.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
                   for p in (ROOT / "campaign").rglob("*.py")
                   if re.search(r"^register\(", p.read_text(encoding="utf-8"), re.M)}
    assert registering == {m.__name__ for m in every_output.MODULES}
