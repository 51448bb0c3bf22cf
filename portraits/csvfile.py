"""Reading a CSV file the office filled in (portraits, WhatsApp opt-ins): comma, semicolon or tab
(Excel in Germany saves with semicolons), UTF-8 with or without a byte order mark, header names in
any case, and every failure said in words a person can act on."""
from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from portraits.errors import CampaignError
from portraits.messages import Message, _m, _mn, join


def read_rows(path: Path, required: Sequence[str], optional: Sequence[str] = ()) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row by lower-case header name) for each row; the whole file is read or none of it."""
    path = Path(path)
    reader = None
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            sample = f.read(4096)
            f.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            reader = csv.DictReader(f, dialect=dialect)
            header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            rows = [(reader.line_num, row) for row in reader]
    except FileNotFoundError:
        raise CampaignError(_m("No CSV file at {path}.", path=path), _m("Check the path and try again.")) from None
    except UnicodeDecodeError:
        raise CampaignError(_m("{name} is not UTF-8 text.", name=path.name),
                            _m("Save the CSV as UTF-8 and try again.")) from None
    except csv.Error as e:  # e.g. a field over the csv module's limit of 131,072 characters
        # The row being read when it failed: DictReader's own line_num still counts the previous row.
        line = reader.reader.line_num if reader is not None else 1
        raise CampaignError(_m("{name} line {line} cannot be read as CSV: {e}.", name=path.name, line=line, e=e),
                            _m("Check that line (a missing closing quote makes one huge field) and import "
                               "again.")) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise CampaignError(_mn("{name} lacks the column {missing}.", "{name} lacks the columns {missing}.",
                                len(missing), name=path.name, missing=", ".join(missing)),
                            _m("The header row needs: {required} (optional: {optional}).",
                               required=", ".join(required), optional=", ".join(optional)) if optional else
                            _m("The header row needs: {required}.", required=", ".join(required)))
    return rows


def row_error(line: int, problem: str) -> Message:
    """One wrong row of a CSV file, for `rows_wrong`."""
    return _m("line {line}: {problem}", line=line, problem=problem)


def rows_wrong(errors: list[Any], name: str, shown: int = 20) -> Message:
    """"3 rows of shoot.csv are wrong; nothing was imported." and the first `shown` of them, one a line."""
    head = _mn("{n} row of {name} is wrong; nothing was imported.", "{n} rows of {name} are wrong; nothing was "
               "imported.", len(errors), name=name)
    listed = list(errors[:shown])
    if len(errors) > shown:
        listed.append(_m("... and {more} more", more=len(errors) - shown))
    return join("\n", [head, *listed])

