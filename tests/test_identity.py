"""Nothing gets around the rules by the way it is typed: a surname hidden in a public field, an
approver or guardian who only looks like another person, text turned around by direction controls,
the line an over-long CSV field is on."""
from __future__ import annotations

import csv

import pytest
from conftest import approved_portrait, due_post, make_photo, set_config
from test_inputs import _add, _refused

from campaign.outputs.renders import publishing_site
from schedules.daemon import run_once


@pytest.mark.parametrize("extra, field", [
    (("--first-name", "Anna Schmidt"), "first name"),
    (("--role", "Pflegerin Schmidt"), "role"),
    (("--quote", "Bei uns Schmidts hält man zusammen, sagt Frau SCHMÍDT."), "quote"),
    (("--credit", "Foto: Anna Schmidt"), "photo credit"),
])
def test_a_surname_in_a_public_field_is_refused_at_add_naming_the_field(cli, ws, photo, extra, field):
    args = list(_add(photo, "Anna")) + ["--surname", "Schmidt"]
    option, value = extra
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    out = _refused(cli, ws, *args, says=f"The {field} contains the surname on file")
    assert "anna-schmidt" not in out


def test_a_surname_as_part_of_another_word_is_no_surname(cli, ws, photo):
    r = cli(*_add(photo, "Anna", "Schmiedin", "Wir halten zusammen.", "--surname", "Schmied"))
    assert r.exit_code == 0, r.output


def test_a_surname_in_a_public_field_is_refused_at_edit_translate_and_when_added_later(cli, ws):
    pid = approved_portrait(ws, "Anna", 40, "health", surname="Schmidt")
    _refused(cli, ws, "portrait", "edit", pid, "--role", "Pflegerin Schmidt", says="The role contains the surname")
    _refused(cli, ws, "portrait", "translate", pid, "--lang", "tr", "--quote", "Ben Anna Schmidt.",
             says="The quote (tr) contains the surname")
    _refused(cli, ws, "portrait", "translate", pid, "--lang", "tr", "--quote", "Birlikte.", "--role", "Hemşire Schmidt",
             says="The role (tr) contains the surname")
    other = approved_portrait(ws, "Ben", 50, "transport")
    assert cli("portrait", "edit", other, "--credit", "Foto: Ben Weber").exit_code == 0
    _refused(cli, ws, "portrait", "edit", other, "--surname", "weber", says="The photo credit contains the surname")


def test_a_surname_in_a_public_field_is_refused_at_csv_import_by_line(cli, ws, tmp_path):
    make_photo(tmp_path / "shoot" / "a.jpg")
    make_photo(tmp_path / "shoot" / "b.jpg", color=(20, 90, 200))
    (tmp_path / "shoot" / "import.csv").write_text(
        "photo,first_name,surname,age,role,quote\n"
        "a.jpg,Anna,Schmidt,40,Pflegerin,Hallo\n"
        "b.jpg,Bert,Weber,50,Koch Weber,Hallo\n")
    out = _refused(cli, ws, "portrait", "import", tmp_path / "shoot" / "import.csv", says="line 3")
    assert "role contains the surname" in out


def test_the_csv_error_for_an_over_long_field_names_its_own_line(cli, ws, tmp_path):
    make_photo(tmp_path / "shoot" / "a.jpg")
    rows = "photo,first_name,age,role,quote\na.jpg,Anna,40,Pflegerin,Hallo\n"
    rows += 'a.jpg,Bert,50,Koch,"' + "x" * (csv.field_size_limit() + 10) + '"\n'
    (tmp_path / "shoot" / "import.csv").write_text(rows)
    _refused(cli, ws, "portrait", "import", tmp_path / "shoot" / "import.csv", says="import.csv line 3 cannot")


@pytest.fixture
def four_eyes(ws):
    set_config(ws, 'approval = "none"', 'approval = "two"')
    return ws


@pytest.mark.parametrize("second", ["Anna", "ANNA", "\uff41\uff4e\uff4e\uff41"])  # the last: full-width letters
def test_one_person_typed_two_ways_is_one_approver(cli, four_eyes, second):
    ws = four_eyes
    post_id = due_post(ws, approved_portrait(ws, "Brigitte", 81, "senior"))
    assert cli("--user", "anna", "schedule", "approve", post_id).exit_code == 0
    _refused(cli, ws, "--user", second, "schedule", "approve", post_id, says="has already approved")
    assert run_once(publishing_site(ws))["posts"][0]["status"] == "planned"


@pytest.mark.parametrize("fake, says", [
    ("anna\u200b", "invisible characters"),
    ("\u200b\u200c", "invisible characters"),
    ("\u3164", "invisible characters"),
    ("\u0430nna", "mixes Latin letters with Cyrillic or Greek"),  # a Cyrillic "а"
    ("ann\u03b1", "mixes Latin letters with Cyrillic or Greek"),  # a Greek alpha
])
def test_a_user_name_that_only_looks_like_another_cannot_approve(cli, four_eyes, fake, says):
    ws = four_eyes
    post_id = due_post(ws, approved_portrait(ws, "Brigitte", 81, "senior"))
    assert cli("--user", "anna", "schedule", "approve", post_id).exit_code == 0
    _refused(cli, ws, "--user", fake, "schedule", "approve", post_id, says=says)
    assert run_once(publishing_site(ws))["posts"][0]["status"] == "planned"


def test_approvals_stored_under_look_alike_names_count_once(four_eyes):
    from schedules import approval

    post = {"approvals": [{"who": "anna", "hash": "h"}, {"who": "Anna", "hash": "h"},
                          {"who": "anna\u200b", "hash": "h"}, {"who": "\u0430nna", "hash": "h"}]}
    assert approval.state(post, "h", "two").people == ["anna"]
    assert not approval.state(post, "h", "two").approved


def test_a_name_in_another_alphabet_alone_is_a_name(cli, four_eyes):
    ws = four_eyes
    post_id = due_post(ws, approved_portrait(ws, "Brigitte", 81, "senior"))
    assert cli("--user", "anna", "schedule", "approve", post_id).exit_code == 0
    r = cli("--user", "Олена", "schedule", "approve", post_id)
    assert r.exit_code == 0 and "approved by anna, Олена" in r.output


def _minor_grant(cli, pid, *guardians):
    args = ["consent", "grant", pid, "--scope", "instagram", "--signed-on", "2026-03-18"]
    for g in guardians:
        args += ["--guardian", g]
    return args


def test_a_guardian_typed_as_an_invisible_character_is_no_signature(cli, ws, photo):
    r = cli("portrait", "add", photo, "--first-name", "Jonas", "--age", "16", "--role", "Schüler", "--quote",
            "Wir halten zusammen.")
    assert r.exit_code == 0, r.output
    _refused(cli, ws, *_minor_grant(cli, "jonas-16", "\u200b"), says="invisible characters")
    _refused(cli, ws, *_minor_grant(cli, "jonas-16", "Mutter", "\u200b"), says="invisible characters")


def test_the_same_guardian_named_twice_in_two_spellings_signs_once(cli, ws):
    from portraits import consent

    pid = approved_portrait(ws, "Jonas", 16, "youth", guardian="Vater")
    assert cli(*_minor_grant(cli, pid, "Mutter", "mutter", "MUTTER ")).exit_code == 0
    assert consent.events(ws.store.read(), pid)[-1]["guardians_signed"] == 1


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_direction_controls_are_refused_in_every_text_a_person_types(cli, ws, photo, control):
    text = f"Wir halten {control}zusammen."
    _refused(cli, ws, *_add(photo, quote=text), says="The quote holds a direction control character")
    _refused(cli, ws, *_add(photo, role=f"Pfleg{control}erin"), says="The role holds a direction control")
    _refused(cli, ws, *_add(photo, first=f"An{control}na"), says="The first name holds a direction control")
    _refused(cli, ws, *_add(photo, "Anna", "Pflegerin", "Hallo.", "--credit", f"Studio {control}Nord"),
             says="The photo credit holds a direction control")
    pid = approved_portrait(ws, "Anna", 40, "health")
    _refused(cli, ws, "portrait", "edit", pid, "--quote", text, says="direction control")
    _refused(cli, ws, "portrait", "translate", pid, "--lang", "tr", "--quote", text, says="direction control")
    _refused(cli, ws, "consent", "grant", pid, "--scope", "instagram", "--signed-on", "2026-03-18",
             "--signed-by", f"Anna{control}", says="direction control")


def test_a_caption_template_with_a_direction_override_is_refused_naming_the_key(cli, ws):
    cfg = ws.root / "campaign.toml"
    lines = ['en = "{first_name}: \u202e{quote}"' if line.startswith("en = ") else line
             for line in cfg.read_text().splitlines()]
    cfg.write_text("\n".join(lines) + "\n")
    r = cli("portrait", "list")
    assert r.exit_code == 1 and "[captions] en" in r.output and "direction control" in r.output, r.output


def test_a_withdrawal_with_a_direction_override_in_its_channel_is_recorded_without_it(cli, ws):
    from portraits import consent

    pid = approved_portrait(ws, "Anna", 40, "health")
    r = cli("consent", "withdraw", pid, "--received", "2026-04-02", "--via", "e\u202email")
    assert r.exit_code == 0, r.output
    assert consent.events(ws.store.read(), pid)[-1]["via"] == "email"
