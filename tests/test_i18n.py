"""The interface speaks German and English: complete catalogs, consistent placeholders, the shipped
.mo files, the language choice, and both languages end to end through the command line."""
from __future__ import annotations

import gettext
import io
import json
import pickle
import re
import string
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner
from conftest import ROOT, approved_portrait

from campaign.workspace import i18n
from portraits.messages import Message, _m

LOCALES = ROOT / "campaign" / "locale"
CONFIGS = sorted(ROOT.glob("babel-*.cfg"))
CATALOGS = sorted(LOCALES.glob("*/LC_MESSAGES/*.po"))


def _domain(cfg: Path) -> str:
    return cfg.stem.removeprefix("babel-")


def _catalog(path: Path):
    with open(path, "rb") as f:
        return read_po(f)


def _fields(text: str) -> set:
    """The placeholders of a message: {name!conv:spec} of str.format, and %(name)s / %s."""
    brace = {(name, conv, spec) for _, name, spec, conv in string.Formatter().parse(text) if name is not None}
    percent = set(re.findall(r"%(?:\([^)]+\))?[#0 +-]*\d*(?:\.\d+)?[sdifr]", text))
    return brace | percent


def test_the_campaign_domain_has_a_babel_config():
    assert "campaign" in {_domain(c) for c in CONFIGS}
    assert {p.parent.parent.name for p in CATALOGS} >= {"de", "en"}


@pytest.mark.parametrize("cfg", CONFIGS, ids=_domain)
def test_every_marked_string_is_in_the_german_and_english_catalogs(cfg):
    with open(cfg) as f:
        method_map, options_map = parse_mapping_cfg(f, str(cfg))
    marked = {message if isinstance(message, str) else message[0]
              for _file, _line, message, _comments, _context in extract_from_dir(ROOT, method_map, options_map)}
    assert len(marked) > 100 or _domain(cfg) != "campaign"
    for lang in ("de", "en"):
        catalog = _catalog(LOCALES / lang / "LC_MESSAGES" / f"{_domain(cfg)}.po")
        translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}
        missing = sorted(marked - translated)
        assert not missing, f"{lang}/{_domain(cfg)}: not in the catalog (run `make catalogs`): {missing[:10]}"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_no_entry_is_untranslated_or_fuzzy_and_placeholders_match(po):
    catalog = _catalog(po)
    assert not catalog.fuzzy, f"{po} is marked fuzzy: pybabel compile would skip it"
    problems = []
    for m in catalog:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if "fuzzy" in m.flags or not all(strings):
            problems.append(("untranslated or fuzzy", m.id))
            continue
        wanted = set().union(*map(_fields, ids))
        for s in strings:
            # a plural's singular may say "1" where the msgid has {n}: no new placeholder, none lost
            if not _fields(s) <= wanted or (len(ids) == 1 and _fields(s) != wanted):
                problems.append(("placeholders", m.id, s))
    assert not problems, problems[:10]


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_the_shipped_mo_file_matches_its_po(po):
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(po))
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with open(po.with_suffix(".mo"), "rb") as f:
        shipped = gettext.GNUTranslations(f)
    assert shipped._catalog == fresh._catalog, f"{po.with_suffix('.mo')} is stale: run `make catalogs`"


def test_a_message_is_english_text_that_knows_how_to_say_itself_in_german():
    m = _m("No portrait with id {portrait_id!r}.", portrait_id="anna-40")
    assert m == "No portrait with id 'anna-40'." and isinstance(m, str)
    assert json.dumps({"error": m}) == '{"error": "No portrait with id \'anna-40\'."}'
    assert pickle.loads(pickle.dumps(m)).msgid == m.msgid
    assert i18n.translate(m, "de") == "Kein Porträt mit der ID 'anna-40'."
    assert i18n.translate(m, "en") == m
    # a message inside a message is translated too; plain text and None pass through
    outer = _m("{message_} Nothing was imported.", message_=_m("The quote is empty."))
    assert i18n.translate(outer, "de") == "Das Zitat ist leer. Nichts wurde importiert."
    assert i18n.translate("plain", "de") == "plain" and i18n.translate(None, "de") is None
    assert Message("50% {x}") == "50% {x}"  # no parameters: braces are text


def test_the_language_is_chosen_option_then_environment_then_file_then_system(monkeypatch):
    for var in ("CAMPAIGN_UI_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert i18n.choose() == "de"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert i18n.choose(campaign_language="tr") == "en"
    assert i18n.choose(campaign_language="de") == "de"  # a German campaign speaks German
    assert i18n.choose(configured="en", campaign_language="de") == "en"
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "de")
    assert i18n.choose(configured="en") == "de"
    assert i18n.choose(option="en", configured="de") == "en"
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "fr")  # no catalog: ignored
    assert i18n.choose(configured="en") == "en"


def _run(ws, *args, env=None):
    from campaign.cli import main

    return CliRunner().invoke(main, ["-w", str(ws.root), *map(str, args)], env=env, catch_exceptions=False)


def test_ui_language_in_campaign_toml_and_the_environment(ws, monkeypatch):
    monkeypatch.delenv("CAMPAIGN_UI_LANG")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "Kein Porträt" in _run(ws, "portrait", "show", "nobody").output  # German campaign
    config = ws.root / "campaign.toml"
    original = config.read_text()
    assert re.search(r'^ui_language = ""', original, re.M)  # `campaign init` writes the key, empty
    config.write_text(re.sub(r'^ui_language = ""', 'ui_language = "en"', original, flags=re.M))
    assert "No portrait" in _run(ws, "portrait", "show", "nobody").output
    assert "Kein Porträt" in _run(ws, "portrait", "show", "nobody", env={"CAMPAIGN_UI_LANG": "de"}).output
    assert "Kein Porträt" in _run(ws, "--ui-lang", "de", "portrait", "show", "nobody").output
    config.write_text(re.sub(r'^ui_language = ""', 'ui_language = "fr"', original, flags=re.M))
    r = _run(ws, "status")
    assert r.exit_code == 1 and "ui_language" in r.output


def test_an_error_with_its_hint_in_german_and_english_and_the_log_stays_english(ws):
    de = _run(ws, "--ui-lang", "de", "portrait", "show", "nobody")
    assert de.exit_code == 1
    assert de.output == "Fehler: Kein Porträt mit der ID 'nobody'.\nDie IDs zeigt `campaign portrait list`.\n"
    en = _run(ws, "--ui-lang", "en", "portrait", "show", "nobody")
    assert en.output == "Error: No portrait with id 'nobody'.\nSee the ids with `campaign portrait list`.\n"
    r = _run(ws, "--ui-lang", "de", "portrait", "add", str(ws.root / "none.jpg"), "--first-name", "Anna",
             "--age", "abc", "--role", "Ärztin", "--quote", "Wir halten zusammen.")
    assert "Das Alter 'abc' ist keine ganze Zahl.\nGeben Sie das Alter in Jahren an, z. B. --age 81." in r.output
    log = ws.log_path.read_text()
    assert "is not a whole number" in log and "ganze Zahl" not in log


def test_help_in_german_and_english_with_clicks_own_texts(ws):
    de = _run(ws, "--ui-lang", "de", "portrait", "add", "--help").output
    assert de.startswith("Aufruf: ") and "Ein Porträt aus PHOTO anlegen." in de
    assert "Optionen:" in de and "Vorname, der einzige Name, der je gezeigt wird." in de
    assert "Diese Hilfe anzeigen und beenden." in de and "--first-name" in de
    # a help text with a parameter (the scopes) and click's own "[required]"
    grant = _run(ws, "--ui-lang", "de", "consent", "grant", "--help").output
    assert "Kommagetrennte Liste:" in grant and "[Pflichtangabe]" in grant
    top = _run(ws, "--ui-lang", "de", "--help").output
    assert "Befehle:" in top and "Porträts: die Menschen, ihr Foto, Zitat und ihre Rolle." in top
    en = _run(ws, "--ui-lang", "en", "portrait", "add", "--help").output
    assert en.startswith("Usage: ") and "Add a portrait from PHOTO." in en and "Show this message and exit." in en
    # click's own errors
    assert "Den Befehl 'nonsense' gibt es nicht." in _run(ws, "--ui-lang", "de", "nonsense").output
    missing = _run(ws, "--ui-lang", "de", "portrait", "add", "x.jpg").output
    assert "Fehler: Option fehlt '--first-name'." in missing and "Hilfe mit" in missing


def test_a_table_and_status_in_german_and_english(ws):
    pid = approved_portrait(ws, "Anna", 40, "health", signed_on="2026-06-01")
    shown = _run(ws, "--ui-lang", "de", "portrait", "show", pid)  # its small photo has warnings
    # (the warnings were stored at intake in English, and are shown in the interface language)
    assert shown.exit_code == 0 and "  Hinweis:  Foto zu klein für story" in shown.output, shown.output
    assert "  Status:   freigegeben" in shown.output and "(oberes Drittel)" in shown.output
    assert "  Einwilligung: health" not in shown.output and "unterschrieben 01.06.2026, läuft nie ab" in shown.output
    de = _run(ws, "--ui-lang", "de", "portrait", "list").output
    assert de.splitlines()[0].split() == ["ID", "VORNAME", "ALTER", "ROLLE", "ROLLENGRUPPE", "STATUS", "BEREICHE"]
    assert "Anna" in de
    en = _run(ws, "--ui-lang", "en", "portrait", "list").output
    assert en.splitlines()[0].split()[:3] == ["ID", "FIRST", "NAME"]
    status = _run(ws, "--ui-lang", "de", "status").output
    assert "Dienst: läuft nicht (starten mit `campaign run`)" in status
    assert "Kanal Instagram: outbox, Offline-Postausgang (kein Konto nötig)" in status
    assert "Daemon: not running" in _run(ws, "--ui-lang", "en", "status").output
    # --json keys and values stay English whatever the language
    assert json.loads(_run(ws, "--ui-lang", "de", "status", "--json").output)["daemon_running"] is False


def test_dates_and_numbers_in_the_interface_language(ws):
    from campaign.outputs.renders import publishing_site
    from schedules import posts
    from schedules.runner import publish_post

    pid = approved_portrait(ws, "Anna", 40, "health", signed_on="2026-06-01")
    de = _run(ws, "--ui-lang", "de", "consent", "status").output
    assert "01.06.2026" in de
    assert "Jun 1, 2026" in _run(ws, "--ui-lang", "en", "consent", "status").output
    with ws.store.transaction() as db:
        post = posts.create(db, pid, "instagram", ws.now() + timedelta(hours=1), ws.now())
    post = publish_post(publishing_site(ws), post["id"], force=True)
    r = _run(ws, "--ui-lang", "de", "engagement", "record", post["id"], "--likes", "1700", "--comments", "40")
    assert f"Erfasst für {post['id']}: 1.700 Likes, 40 Kommentare, 0 Shares." in r.output
    ranking = _run(ws, "--ui-lang", "de", "engagement", "top").output
    assert "1.700 Likes, 40 Kommentare" in ranking and "1 Beitrag auf Instagram, nach" in ranking
    assert "1,700 likes, 40 comments" in _run(ws, "--ui-lang", "en", "engagement", "top").output
    with ws.store.transaction() as db:
        posts.create(db, pid, "facebook", ws.now().replace(hour=18, minute=30) + timedelta(days=1), ws.now())
    status = _run(ws, "--ui-lang", "de", "status").output
    assert "18.06.2026, 18:30 Uhr" in status


def test_public_pages_follow_the_campaign_language_not_the_interface():
    from campaign.workspace.templating import german_date, german_number

    with i18n.use("en"):
        assert german_date("2026-12-24") == "24.12.2026"
        assert german_number(1700) == "1.700" and german_number(2.5) == "2,5"
    assert i18n.format_time(__import__("datetime").time(18, 30), lang="de") == "18:30 Uhr"


def _post_of(ws, pid, channel="instagram", days=1):
    from schedules import posts

    with ws.store.transaction() as db:
        return posts.create(db, pid, channel, ws.now().replace(hour=18, minute=30) + timedelta(days=days),
                            ws.now())["id"]


def test_statuses_are_shown_in_the_interface_language_and_stay_english_in_json(ws):
    pid = approved_portrait(ws, "Anna", 40, "health")
    post_id = _post_of(ws, pid)
    de = _run(ws, "--ui-lang", "de", "portrait", "list").output.splitlines()[1].split()
    assert "freigegeben" in de and "approved" not in de
    assert "approved" in _run(ws, "--ui-lang", "en", "portrait", "list").output
    assert json.loads(_run(ws, "--ui-lang", "de", "portrait", "list", "--json").output)[0]["status"] == "approved"
    listed = _run(ws, "--ui-lang", "de", "schedule", "list").output
    assert " geplant " in listed and "planned" not in listed
    assert " planned " in _run(ws, "--ui-lang", "en", "schedule", "list").output
    assert json.loads(_run(ws, "--ui-lang", "de", "schedule", "list", "--json").output)[0]["status"] == "planned"
    shown = _run(ws, "--ui-lang", "de", "schedule", "show", post_id).output
    assert "Status: geplant. Freigabe:" in shown
    assert "Status: planned. Approval:" in _run(ws, "--ui-lang", "en", "schedule", "show", post_id).output
    # a status inside a library message (an error), and the store and log keep English
    r = _run(ws, "--ui-lang", "de", "engagement", "record", post_id, "--likes", "3", "--comments", "0")
    assert r.exit_code == 1 and f"Beitrag {post_id} ist geplant, nicht veröffentlicht" in r.output
    r = _run(ws, "--ui-lang", "en", "engagement", "record", post_id, "--likes", "3", "--comments", "0")
    assert f"Post {post_id} is planned, not published" in r.output
    assert "is planned, not published" in ws.log_path.read_text()


def test_figures_and_dates_inside_messages_are_formatted_with_babel():
    from datetime import date, datetime

    m = _m("photo too small: {value:.1f} MP, needs {value2:.1f} MP", value=0.45, value2=21.93)
    assert m == "photo too small: 0.5 MP, needs 21.9 MP"  # the English text (store, log, --json)
    assert i18n.translate(m, "de") == "Foto zu klein: 0,5 MP, nötig sind 21,9 MP"  # rounded the same way
    assert i18n.translate(m, "en") == m
    ends = _m("consent ends {expires:%Y-%m-%d}, before the run ends", expires=date(2026, 12, 31))
    assert ends == "consent ends 2026-12-31, before the run ends"
    assert i18n.translate(ends, "de") == "Einwilligung endet am 31.12.2026, vor dem Ende des Aushangs"
    assert i18n.translate(ends, "en") == ends  # English says what the store and the log say
    past = _m("{when:%Y-%m-%d %H:%M} is in the past.", when=datetime(2026, 6, 1, 18, 30))
    assert i18n.translate(past, "de").startswith("01.06.2026, 18:30 Uhr")
    # what a person types stays as it is typed: the offset hint keeps ISO text in German too
    hint = _m("Choose another time, or add the offset: {first} (the first) or {second} (the second).",
              first="2026-10-25 02:30+02:00", second="2026-10-25 02:30+01:00")
    assert "2026-10-25 02:30+02:00 (die erste)" in i18n.translate(hint, "de")


def test_text_stored_in_english_is_shown_in_the_interface_language():
    stored = "photo too small for story: its crop is 600x662, it needs 1080x1191 (it will look soft)"
    assert i18n.translate(i18n.from_english(stored), "de") == (
        "Foto zu klein für story: der Ausschnitt ist 600x662, nötig sind 1080x1191 (es wird unscharf wirken)")
    joined = "score 3 (rank 1 of 2); first from role category health; brings the age band adult (40)"
    assert i18n.translate(i18n.from_english(joined), "de") == (
        "Wert 3 (Rang 1 von 2); erstes aus der Rollengruppe health; bringt die Altersgruppe Erwachsene (40)")
    assert i18n.translate(i18n.from_english(joined), "en") == joined
    assert i18n.from_english("something a person typed") == "something a person typed"
    assert i18n.from_english(None) is None


def test_billboard_pick_reasons_in_german_and_english(ws):
    big = approved_portrait(ws, "Cem", 30, "kitchen", size=(2400, 3000))
    small = approved_portrait(ws, "Anna", 40, "health", size=(600, 750))
    de = _run(ws, "--ui-lang", "de", "billboard", "pick")
    assert de.exit_code == 0, de.output
    assert "für 02.12.2026 bis" not in de.output and re.search(r"für \d\d\.\d\d\.\d{4} bis \d\d\.\d\d\.\d{4}", de.output)
    assert "im Maßstab 1:10, 300 dpi" in de.output
    assert f"1. {big}: Wert 0 (Rang 1 von 1); erstes aus der Rollengruppe kitchen; bringt die Altersgruppe " \
           "Erwachsene (30)" in de.output
    assert re.search(rf"{small}: Foto zu klein: 0,\d MP, nötig sind 2,\d MP", de.output)
    # the stored pick (English) is shown in German again, and in English
    assert "erstes aus der Rollengruppe kitchen" in _run(ws, "--ui-lang", "de", "billboard", "show").output
    en = _run(ws, "--ui-lang", "en", "billboard", "show").output
    assert "first from role category kitchen; brings the age band adult (30)" in en
    assert re.search(rf"{small}: photo too small: 0\.\d MP, needs 2\.\d MP", en)
    # one eligible portrait for nine slots: said at pick time, and the approval refused, in German
    assert "Diese Auswahl passt nicht auf das Plakat: nur 1 Porträt kann für 9 Plätze darauf" in de.output
    refused = _run(ws, "--ui-lang", "de", "billboard", "approve")
    assert refused.exit_code == 1 and "nur 1 Porträt kann für 9 Plätze" in refused.output, refused.output
    assert "Wählen Sie 1: campaign billboard pick --slots 1" in refused.output
    doc = json.loads(_run(ws, "--ui-lang", "de", "billboard", "show", "--json").output)
    assert doc["picked"][0]["why"].startswith("score 0 (rank 1 of 1)")


def test_the_post_page_speaks_the_interface_language(ws):
    pid = approved_portrait(ws, "Anna", 40, "health")
    post_id = _post_of(ws, pid)
    assert _run(ws, "--ui-lang", "de", "schedule", "show", post_id, "--html").exit_code == 0
    page = (ws.root / "exports" / "posts" / f"{post_id}.html").read_text()
    assert '<html lang="de">' in page and f"{post_id}, wie er erscheinen wird" in page
    for shown in ("<dt>Beitrag</dt>", "<dt>Wann</dt>", "<dt>Freigabe</dt>", "<dt>Alternativtext</dt>",
                  ">geplant<", "Feed-Beitrag", "18:30 (Europe/Berlin)"):
        assert shown in page, shown
    assert "as it will appear" not in page and ">planned<" not in page
    assert _run(ws, "--ui-lang", "en", "schedule", "show", post_id, "--html").exit_code == 0
    page = (ws.root / "exports" / "posts" / f"{post_id}.html").read_text()
    assert '<html lang="en">' in page and f"{post_id} as it will appear" in page and ">planned<" in page


def test_audit_times_and_preview_notes_in_german(ws):
    approved_portrait(ws, "Anna", 40, "health", expires="2026-06-30")
    audit = _run(ws, "--ui-lang", "de", "audit").output
    assert re.search(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr", audit) and "T" not in audit.splitlines()[1].split()[0]
    assert _run(ws, "--ui-lang", "de", "render").exit_code == 0
    notes = _run(ws, "--ui-lang", "de", "preview").output
    assert "kein Gesicht gefunden" in notes and "Einwilligung endet am 30.06.2026" in notes, notes
    assert "consent ends 2026-06-30" in _run(ws, "--ui-lang", "en", "preview").output


def test_engagement_fetch_and_ranking_lines_in_german(ws, graph):
    from schedules import posts

    pid = approved_portrait(ws, "Tamara", 32, "health", size=(1400, 1750))
    with ws.store.transaction() as db:
        post_id = posts.create(db, pid, "facebook", ws.now() - timedelta(seconds=5),
                               ws.now() - timedelta(minutes=1))["id"]
    assert _run(ws, "publish", post_id).exit_code == 0
    graph.engagement["1001_9001"] = {"likes": 1700, "comments": 12, "shares": 30}
    graph.insights["1001_9001"] = {"post_total_media_view_unique": 40000}
    de = _run(ws, "--ui-lang", "de", "engagement", "fetch").output
    assert f"{post_id}: 1.700 Likes, 12 Kommentare, 30 Shares, 40.000 erreicht" in de, de
    en = _run(ws, "--ui-lang", "en", "engagement", "fetch").output
    assert f"{post_id}: 1,700 likes, 12 comments, 30 shares, 40,000 reached" in en, en
    top = _run(ws, "--ui-lang", "de", "engagement", "top").output
    assert "Wert = 1 × Likes + 2 × Kommentare + 3 × Shares" in top
    assert "neueste Zahlen, der Beitrag ist erst 0 Tage alt; bewertet für 7 Tage)" in top and "Tage))" not in top, top
    assert "score = 1xlikes + 2xcomments + 3xshares" in _run(ws, "--ui-lang", "en", "engagement", "top").output


def test_an_options_value_type_in_the_help_is_in_the_interface_language(ws):
    de = _run(ws, "--ui-lang", "de", "billboard", "pick", "--help").output
    assert "--slots ZAHL" in de and "INTEGER" not in de
    en = _run(ws, "--ui-lang", "en", "billboard", "pick", "--help").output
    assert "--slots INTEGER" in en
    assert "--slots ZAHL" in _run(ws, "--ui-lang", "de", "billboard", "pick", "--help").output  # again, same process


def test_a_publish_run_a_crop_warning_and_the_billboard_colour_in_german():
    from portraits.messages import Message

    face = i18n.from_english("the face is too large for the story photo area: it is cut at the edge; a photo "
                             "with more room around the head fits")
    assert isinstance(face, Message)
    assert i18n.translate(face, "de").startswith("das Gesicht ist für die Bildfläche von story zu groß")
    from portraits.messages import _m

    colour = _m("sRGB, intended for {condition}", condition="FOGRA39")
    assert colour == "sRGB, intended for FOGRA39"  # the store and --json keep English
    assert i18n.translate(colour, "de") == "sRGB, vorgesehen für FOGRA39"


def test_run_once_names_each_post_and_its_status_in_the_interface_language(ws):
    pid = approved_portrait(ws, "Anna", 40, "health")
    post_id = _post_of(ws, pid, channel="instagram", days=0)
    with ws.store.transaction() as db:
        db.table("posts").update({"at": ws.now().isoformat()}, doc_ids=[db.table("posts").get(
            lambda p: p["id"] == post_id).doc_id])
    out = _run(ws, "--ui-lang", "de", "run", "--once").output
    line = next(line for line in out.splitlines() if line.startswith(f"{post_id}:"))
    assert line == f"{post_id}: veröffentlicht", out
    assert not any(word in line for word in ("published", "failed", "planned")), out
