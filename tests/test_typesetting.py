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


def _setting(fmt: str, role: str, quote: str, first: str = "Tamara", age: int = 32):
    from portraits.render import Brand, Texts, name_line, typeset

    texts = Texts("de", name_line(first, age, role, "de"), f"„{quote}“", "#duisburgistechtsolidarisch",
                  "Studio Nord", "Duisburg ist echt solidarisch")
    return typeset(LAYOUTS[fmt], texts, Brand())


@pytest.mark.parametrize("fmt", list(LAYOUTS))
@pytest.mark.parametrize("role", ["Intensivkrankenschwester", "Nachbarschaftshilfeorganisatorin"])
def test_the_role_is_broken_or_hyphenated_never_cut_off_and_the_name_line_never_shrinks(fmt, role):
    """The demo's own Tamara on instagram-square read "Intensivkrankenschwe…"."""
    setting = _setting(fmt, role, "Wir passen auf euch auf. Passt ihr bitte auch auf uns auf.")
    name_size = round(setting.quote_size * 0.8)
    texts = [line.fitted.text for line in setting.lines]
    assert not any("…" in t for t in texts), texts
    start = next(i for i, t in enumerate(texts) if t.startswith("Tamara"))
    name = [line.fitted for line in setting.lines[start:] if line.fitted.size == name_size]
    assert 1 <= len(name) <= 3 and setting.lines[start].fitted.size == name_size, texts  # never shrunk
    joined = "".join(f.text[:-1] if f.text.endswith("-") else f.text + " " for f in name).strip()
    assert joined == f"Tamara, 32, {role}", texts


def test_a_role_too_long_for_two_lines_is_refused_at_entry_with_how_long_it_may_be(cli, ws, tmp_path):
    from conftest import make_photo

    before = (ws.root / "campaign.json").read_bytes()
    photo = make_photo(tmp_path / "in" / "t.jpg")
    role = "Nachbarschaftshilfeorganisationsverantwortliche"
    r = cli("portrait", "add", photo, "--first-name", "Maximilian", "--age", 45, "--role", role,
            "--quote", "Wir halten zusammen.")
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) <= 2
    most = int(re.search(r"at most (\d+) characters", r.output).group(1))
    assert "instagram-square" in r.output and 10 < most < len(role)
    assert (ws.root / "campaign.json").read_bytes() == before
    r = cli("portrait", "add", photo, "--first-name", "Maximilian", "--age", 45, "--role", role[:most],
            "--quote", "Wir halten zusammen.")
    assert r.exit_code == 0, r.output  # what the message says fits, fits


LONG = ("Meine Generation hat viele Krisen überstanden, den Krieg, den Hunger, die Teilung und die Einheit. "
        "Toilettenpapier war nie ein Problem, und wenn es einmal fehlte, dann haben wir bei den Nachbarn "
        "geklingelt und gefragt, ob sie etwas übrig haben. So war das immer bei uns in Duisburg, und so bleibt "
        "das auch.")


def test_whether_a_quote_fits_is_one_rule_for_entry_and_render_with_or_without_a_logo(tmp_path):
    from portraits import records
    from portraits.errors import CampaignError
    from portraits.render import Brand, Texts, typeset, typographic

    logo = tmp_path / "logo.png"
    words = LONG.split()
    for n in range(22, len(words) + 1):
        quote = " ".join(words[:n])
        try:
            records.validate_fields({"quote": quote, "lang": "de"})
            accepted = True
        except CampaignError:
            accepted = False
        texts = Texts("de", "Maximilian, 45, Intensivkrankenschwester", typographic(quote, "de"),
                      "#duisburgistechtsolidarisch", "Studio Nord", "Duisburg ist echt solidarisch")
        for brand in (Brand(), Brand(logo=logo)):
            set_all = [typeset(lay, texts, brand).fits for lay in LAYOUTS.values()]
            assert all(set_all) == accepted, (len(quote), brand.logo, set_all)


def test_help_error_and_render_say_the_same_about_a_long_quote(cli, ws, tmp_path):
    from conftest import make_photo, set_config
    from PIL import Image

    help_text = cli("portrait", "add", "--help").output
    assert "280" not in help_text and "200" in help_text
    photo = make_photo(tmp_path / "in" / "b.jpg", size=(1600, 2000))
    r = cli("portrait", "add", photo, "--first-name", "Brigitte", "--age", 81, "--role", "Rentnerin",
            "--quote", LONG[:283])
    assert r.exit_code == 1 and f"{len(LONG[:283].strip())} characters" in r.output and "280" not in r.output, r.output
    most = int(re.search(r"at most (\d+) characters", r.output).group(1))
    fitting = LONG[:most]
    assert len(fitting) == most and not fitting.endswith(" ")
    Image.new("RGBA", (400, 160), (255, 255, 255, 255)).save(ws.root / "logo.png")
    set_config(ws, 'logo = ""', 'logo = "logo.png"')
    r = cli("portrait", "add", photo, "--first-name", "Brigitte", "--age", 81, "--role", "Rentnerin",
            "--quote", fitting, "--json")
    assert r.exit_code == 0, r.output
    from datetime import date

    from portraits import consent, records
    pid = "brigitte-81"
    with ws.store.transaction() as db:
        consent.grant(db, pid, "instagram,facebook", date(2026, 1, 1))
        records.approve_portrait(db, pid, True)
    r = cli("render", "--json")
    assert r.exit_code == 0, r.output
    assert "smaller" not in r.output, r.output
