"""Issue 23, the words: scope and channel names, language names, the comments of a new
campaign.toml, and post reasons and to-dos said in the interface language (the store and `--json`
keep the ids and the English text)."""
from __future__ import annotations

import json
import tomllib

import pytest
from click.testing import CliRunner
from conftest import approved_portrait

from campaign.cli import main


def _in(monkeypatch, lang: str) -> None:
    monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)
    monkeypatch.setenv("COLUMNS", "200")  # a table's long cells on one line


@pytest.mark.parametrize("lang, granted, shown", [
    ("de", "Instagram, Facebook, Plakat, Presse", "Einwilligung: Instagram, Facebook, Plakat, Presse"),
    ("en", "Instagram, Facebook, Billboard, Press", "consent:  Instagram, Facebook, Billboard, Press")])
def test_scopes_read_as_their_names_in_consent_and_portrait_show_while_json_keeps_ids(
        cli, ws, monkeypatch, lang, granted, shown):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes="instagram")
    _in(monkeypatch, lang)
    r = cli("consent", "grant", pid, "--scope", "instagram,facebook,billboard,press", "--signed-on", "2026-03-18")
    assert r.exit_code == 0 and granted in r.output, r.output
    assert shown in cli("portrait", "show", pid).output
    table = cli("consent", "status").output
    assert all(label in table for label in granted.split(", ")) and "billboard" not in table, table
    data = json.loads(cli("consent", "status", "--json").output)
    assert data[0]["scopes"] == ["instagram", "facebook", "billboard", "press"]


@pytest.mark.parametrize("lang, words", [("de", "keine gültige Einwilligung für Facebook"),
                                         ("en", "no valid Facebook consent")])
def test_an_error_names_the_scope_by_its_name(cli, ws, monkeypatch, lang, words):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes="instagram")
    _in(monkeypatch, lang)
    r = cli("schedule", "add", pid, "--at", "2026-07-01 18:30", "--channel", "facebook")
    assert r.exit_code == 1 and words in r.output and "Traceback" not in r.output, r.output


@pytest.mark.parametrize("lang, words", [("de", "keine Übersetzung auf Türkisch"),
                                         ("en", "no Turkish translation")])
def test_a_message_names_the_language_while_the_command_hint_keeps_the_code(cli, ws, monkeypatch, lang, words):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    _in(monkeypatch, lang)
    r = cli("render", pid, "--lang", "tr")
    assert r.exit_code == 1 and words in r.output and f"campaign portrait translate {pid} --lang tr" in r.output, \
        r.output
    assert " tr translation" not in r.output and "auf tr " not in r.output


@pytest.mark.parametrize("lang, comment, header", [
    ("de", "# Farbe des Bands mit Name und Zitat", "# campaign.toml: die Einstellungen einer"),
    ("en", "# colour of the band with name and quote", "# campaign.toml: the settings of one")])
def test_init_writes_the_comments_of_campaign_toml_in_the_interface_language(tmp_path, monkeypatch, lang, comment,
                                                                              header):
    _in(monkeypatch, lang)
    r = CliRunner().invoke(main, ["init", str(tmp_path / "duisburg"), "--name", "Duisburg ist echt solidarisch"])
    assert r.exit_code == 0, r.output
    text = (tmp_path / "duisburg" / "campaign.toml").read_text(encoding="utf-8")
    assert comment in text and text.startswith(header), text[:400]
    assert tomllib.loads(text)["brand"]["primary"] == "#E30613"  # the keys and values as they were
    if lang == "de":
        assert "# Bildtext je Sprache." in text and "colour of the band" not in text


@pytest.mark.parametrize("lang, reason", [("de", "Einwilligung widerrufen"), ("en", "consent withdrawn")])
def test_a_cancelled_posts_reason_reads_in_the_interface_language_and_json_keeps_the_english(
        cli, ws, monkeypatch, lang, reason):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    assert cli("schedule", "add", pid, "--at", "2026-07-01 18:30", "--channel", "instagram").exit_code == 0
    assert cli("consent", "withdraw", pid, "--scope", "instagram", "--received", "2026-06-01").exit_code == 0
    _in(monkeypatch, lang)
    listed = cli("schedule", "list").output
    assert reason in listed, listed
    post = json.loads(cli("schedule", "list", "--json").output)[0]
    assert post["reason"] == "consent withdrawn" and post["channel"] == "instagram"


def test_an_older_reason_that_no_message_makes_still_shows_as_it_was(cli, ws, monkeypatch):
    from schedules import posts

    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    now = ws.now()
    with ws.store.transaction() as db:
        post = posts.create(db, pid, "instagram", now, now)
        posts.update(db, post["id"], now, "cancelled", "old", reason="abgesagt wegen Regen")
    _in(monkeypatch, "de")
    assert "abgesagt wegen Regen" in cli("schedule", "list").output


@pytest.mark.parametrize("lang, words", [("de", "keine gültige Einwilligung für Instagram beim Veröffentlichen"),
                                         ("en", "no valid Instagram consent at publish time")])
def test_the_runner_s_reason_for_holding_back_a_post_is_said_in_the_interface_language(
        cli, ws, monkeypatch, lang, words):
    from portraits import consent as consent_lib
    from schedules import posts

    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    now = ws.now()
    with ws.store.transaction() as db:
        post = posts.create(db, pid, "instagram", now, now)
        # the consent lapses behind the planner's back (as a withdrawal recorded elsewhere would)
        db.table("consents").remove(lambda c: c.get("portrait_id") == pid)
    assert not consent_lib.is_valid(ws.store.read(), pid, "instagram", now.date())
    cli("run", "--once")
    _in(monkeypatch, lang)
    shown = cli("schedule", "show", post["id"]).output
    assert words in shown, shown
    stored = json.loads(cli("schedule", "list", "--json").output)[0]
    assert stored["reason"] == "no valid instagram consent at publish time"


def test_a_stored_english_note_made_by_a_message_is_found_again():
    from campaign.workspace import i18n

    with i18n.use("de"):
        assert i18n.translate(i18n.from_english("retry requested (was failed)")) == \
            "neuer Versuch angefordert (war fehlgeschlagen)"
        assert i18n.scope_label("billboard") == "Plakat" and i18n.scope_label("whatsapp") == "WhatsApp"
        assert i18n.language_name("tr") == "Türkisch"
    with i18n.use("en"):
        assert i18n.language_name("tr") == "Turkish" and i18n.scope_label("press") == "Press"
        assert i18n.language_name("xx-nonsense") == "xx-nonsense"


@pytest.mark.parametrize("lang, line", [
    ("de", "p-1 geplant: brigitte-81 auf Instagram am 01.07.2026, 18:30 Uhr (feed, de)"),
    ("en", "Planned p-1: brigitte-81 on Instagram at Jul 1, 2026, 6:30\u202fPM (feed, de)")])
def test_a_planned_post_reads_as_a_sentence_with_the_channel_s_name_and_the_date_the_language_s_way(
        cli, ws, monkeypatch, lang, line):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    _in(monkeypatch, lang)
    r = cli("schedule", "add", pid, "--at", "2026-07-01 18:30", "--channel", "instagram")
    assert r.exit_code == 0 and line in r.output, r.output
    assert json.loads(cli("schedule", "list", "--json").output)[0]["at"].startswith("2026-07-01T18:30")


def test_the_german_report_and_consent_lines_say_what_is_to_do_as_a_press_office_would():
    from campaign.workspace import i18n

    with i18n.use("de"):
        assert i18n.gettext("Nothing needs anyone today.") == "Heute ist nichts zu erledigen."
        assert i18n.gettext("Needs a guardian's signature:") == "Unterschrift der Sorgeberechtigten fehlt:"
        assert i18n.gettext("; needs a guardian's signature: {scopes}", scopes="billboard") == \
            "; Unterschrift der Sorgeberechtigten fehlt für: Plakat"
