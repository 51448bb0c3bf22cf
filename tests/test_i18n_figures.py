"""Figures in German messages: those from 0 to 999 are written without Babel, exactly as Babel
writes them, and a command that prints only such figures does not load Babel's number formatting."""
from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from campaign.workspace import i18n

SPECS = ["", "g", ".0f", ".1f", ".2f", ".3f", ",", ",.1f"]


def _babel(value: float, spec: str) -> str:
    """What Babel itself writes for `{value:spec}` in German (the formatter's path before its own)."""
    digits = spec.rsplit(".", 1)[1][:-1] if spec.endswith("f") else None
    if digits is not None:
        return format_decimal(Decimal(format(value, f".{digits}f")),
                              format="#,##0" + ("." + "0" * int(digits) if int(digits) else ""), locale="de")
    return format_decimal(value, locale="de")


EDGES = [0.0, 0.0005, 0.0015, 0.0025, 1e-7, 0.5, 1.0, 12.1, 12.25, 99.95, 374.0, 999.0, 999.9994, 999.9995,
         999.9996, 999.96, 1000.0, 1234.5, 25.2, 5.35, -0.0, -1.5, 0.1 + 0.2]


def _check(value: float) -> None:
    with i18n.use("de"):
        for spec in SPECS if isinstance(value, float) else [s for s in SPECS if s.startswith(",")]:  # ints: with ","
            assert i18n._FORMATTER.format("{v:" + spec + "}", v=value) == _babel(value, spec), (value, spec)


def test_german_figures_edges_read_as_babel_writes_them():
    for value in EDGES:
        _check(value)
    with i18n.use("de"):
        assert i18n._FORMATTER.format("{w:g} x {h:.1f} mm, {n:,}", w=374.0, h=12.15, n=1700) == "374 x 12,2 mm, 1.700"


@given(st.floats(min_value=0, max_value=1100, allow_nan=False) | st.integers(min_value=0, max_value=1100))
def test_german_figures_read_as_babel_writes_them(value):
    _check(value)


def test_a_german_message_with_figures_under_a_thousand_does_not_load_babels_numbers():
    code = ("import sys\nfrom campaign.workspace import i18n\nfrom portraits.messages import _m\n"
            "with i18n.use('de'):\n"
            "    print(i18n.translate(_m('page {w:g} x {h:g} mm with {bleed_mm:g} mm bleed', w=374.0, h=270.0, "
            "bleed_mm=1.0)))\n"
            "print('babel.numbers' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[1] == "False", out
