"""Hyphenation a typesetter would choose: compound joints first, no lone syllable on the last line,
at least three letters on either side of a break."""
from __future__ import annotations

import re

import pytest

from portraits import fonts, textfit
from portraits.layouts import LAYOUTS

FONT = fonts.font_for("Nachbarschaftshilfe")


def _lines(quote: str, fmt: str, step: int) -> list[str]:
    lay = LAYOUTS[fmt]
    return textfit.set_lines(quote, FONT, lay.quote_sizes[step], lay.text_width, "de").lines


@pytest.mark.parametrize("fmt,step", [("instagram-square", 2), ("instagram-square", 3), ("facebook", 1),
                                      ("facebook", 2)])
def test_a_long_compound_breaks_at_its_joint_not_inside_a_part(fmt, step):
    lines = _lines("„Ich arbeite in der Nachbarschaftshilfeorganisation unserer Stadt.“", fmt, step)
    assert "Nachbarschaftshilfe-" in lines, lines  # not "Nachbarschaftshilfeorgani-" / "-orga-"


@pytest.mark.parametrize("fmt,step", [("instagram-square", 2), ("instagram-square", 3), ("facebook", 1)])
def test_the_last_line_is_never_a_lone_syllable(fmt, step):
    lines = _lines("„Das ist die Verantwortlichkeitsbereiche.“", fmt, step)
    assert lines[-1] != "che.“", lines
    assert lines[-2:] == ["Verantwortlichkeits-", "bereiche.“"], lines


def test_a_break_keeps_three_letters_on_either_side_in_every_format_and_size():
    quotes = ["„Wir sind für die Menschen da, auch in der Krankenhausseelsorge.“",
              "„Die Nachbarschaftshilfeorganisationsverantwortlichkeitsbereiche wachsen.“",
              "„Donaudampfschifffahrtsgesellschaftskapitäne und Lebensmittelausgabe.“"]
    for fmt, lay in LAYOUTS.items():
        for step in range(len(lay.quote_sizes)):
            for quote in quotes:
                lines = _lines(quote, fmt, step)
                for before, after in zip(lines, lines[1:]):
                    if before.endswith("-"):
                        head = re.split(r"\W", before[:-1])[-1]
                        tail = re.split(r"\W", after)[0]
                        assert len(head) >= 3 and len(tail) >= 3, (fmt, step, lines)
