"""Babel's Python extractor, plus what Babel does not see on its own (used by babel-*.cfg).

`_m("...")` (portraits.messages) is a marker like `_`; and a command's help is its docstring, so
the docstring of every function decorated as a click command or group is a message as well
(cleaned as click shows it, which is what `localize_help` looks up), and so is every settings
field's `description=` (the comments of the campaign.toml that `campaign init` writes).
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

# Babel looks each marker up in its own keyword table, where `_m` is not: it is reported as `_`.
ALIASES = {"_m": "_", "_mn": "ngettext"}


def extract(fileobj, keywords: dict, comment_tags, options: dict[str, Any]) -> Iterator[tuple]:
    from io import BytesIO

    from babel.messages.extract import extract_python

    data = fileobj.read()
    for lineno, funcname, messages, comments in extract_python(BytesIO(data), [*keywords, *ALIASES],
                                                               comment_tags, options):
        yield lineno, ALIASES.get(funcname, funcname), messages, comments
    for node in ast.walk(ast.parse(data)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(map(_is_command, node.decorator_list)):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.body[0].lineno, None, doc, []
        # a settings field's description is its comment in the campaign.toml `campaign init` writes
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Field":
            for kw in node.keywords:
                if kw.arg == "description" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    yield kw.value.lineno, None, kw.value.value, []


def _is_command(decorator: ast.expr) -> bool:
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("command", "group")


def finish(po_path: str) -> None:
    """After `pybabel update`: the English catalog says what the code says (every empty msgstr
    becomes its msgid), and no catalog is left marked fuzzy (pybabel compile would skip it). When
    the messages are the same as before the update (`<po>.before`, removed here), the catalog keeps
    its old POT-Creation-Date, so that `make catalogs` on unchanged code changes no file."""
    import os

    from babel.messages.pofile import read_po, write_po

    with open(po_path, "rb") as f:
        catalog = read_po(f)
    english = catalog.locale is not None and catalog.locale.language == "en"
    catalog.fuzzy = False
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if english and message.id and not all(strings):  # a plural's msgstr is a tuple of empty strings
            message.string = message.id
    before_path = po_path + ".before"
    if os.path.exists(before_path):
        with open(before_path, "rb") as f:
            before = read_po(f)
        if _messages(before) == _messages(catalog):
            catalog.creation_date = before.creation_date
        os.remove(before_path)
    with open(po_path, "wb") as f:
        write_po(f, catalog, sort_output=True)


def _messages(catalog) -> list[tuple]:
    return sorted((repr(m.id), repr(m.string), sorted(m.flags), repr(m.context)) for m in catalog if m.id)


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["finish"]:
        for path in sys.argv[2:]:
            finish(path)
