"""Every word right: what `campaign status` groups, tables that wrap instead of cutting a word, and
no text that reaches a person without the catalog."""
from __future__ import annotations

import ast
import json
import os
import re
import stat
from pathlib import Path

import pytest
from conftest import ROOT, approved_portrait, set_config


def _planned(cli, ws, n_people=4, start="2026-07-01", end="2026-08-11"):
    for i, cat in enumerate(["health", "senior", "retail", "transport"][:n_people]):
        approved_portrait(ws, f"Person{chr(65 + i)}", 30 + i, cat)
    r = cli("schedule", "plan", "--start", start, "--end", end, "--channels", "instagram", "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)["created"]


@pytest.mark.parametrize("lang, line, command", [
    ("de", "warten auf Freigabe (01.07.2026 bis 11.08.2026)",
     "campaign schedule approve --from 01.07.2026 --to 11.08.2026"),
    ("en", "posts wait for approval (Jul 1, 2026 to Aug 11, 2026)",
     "campaign schedule approve --from 2026-07-01 --to 2026-08-11")])
def test_status_says_many_posts_waiting_for_approval_in_one_line_with_the_command_for_the_range(
        cli, ws, monkeypatch, lang, line, command):
    set_config(ws, 'approval = "none"', 'approval = "one"')
    created = _planned(cli, ws)
    assert len(created) > 30
    monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)
    out = cli("status").output
    assert f"{len(created)} " in out and line in out and command in out, out
    assert created[5]["id"] not in out  # not one line per post
    assert json.loads(cli("status", "--json").output)["awaiting_approval"][0]["id"] == created[0]["id"]  # --json as it was
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "de")
    assert cli("schedule", "approve", "--from", "01.07.2026", "--to", "11.08.2026").exit_code == 0  # the command works
    assert "Freigabe" not in cli("status").output


@pytest.mark.parametrize("lang, words", [("de", "Von Hand entfernen"), ("en", "Take down by hand")])
def test_status_lists_published_posts_of_someone_who_withdrew_as_takedown_tasks(cli, ws, monkeypatch, lang, words):
    from schedules import posts

    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    now = ws.now()
    with ws.store.transaction() as db:
        post = posts.create(db, pid, "instagram", now, now)
        posts.update(db, post["id"], now, "published", "test", remote_id="1789", permalink="https://instagram.test/p/1")
    assert cli("consent", "withdraw", pid, "--scope", "instagram").exit_code == 0
    monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)
    out = cli("status").output
    assert words in out and post["id"] in out and "https://instagram.test/p/1" in out
    assert json.loads(cli("status", "--json").output)["takedown"][0]["id"] == post["id"]


def test_a_table_wraps_to_the_terminal_and_never_cuts_a_word(cli, ws, monkeypatch):
    approved_portrait(ws, "Brigitte", 81, "senior", scopes="instagram,facebook,billboard,press,website")
    monkeypatch.setenv("COLUMNS", "90")
    for lang, scopes in (("de", ("Instagram", "Facebook", "Plakat", "Presse", "Website")),
                         ("en", ("Instagram", "Facebook", "Billboard", "Press", "Website"))):
        monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)
        out = cli("consent", "status").output
        assert all(len(line) <= 90 for line in out.splitlines()), out
        words = out.split()
        for scope in scopes:
            assert scope in words or f"{scope}," in words, out  # whole, never "Websi"


# --- no text reaches a person without the catalog -------------------------------------------------

SOURCES = [p for package in ("campaign", "portraits", "schedules") for p in (ROOT / package).rglob("*.py")]
SPOKEN = {"CampaignError", "NotFound", "echo", "secho", "warn", "UsageError", "BadParameter", "ClickException"}
# Known and said why: the settings' validators speak pydantic's English (a follow-up moves them to messages).
ALLOWED = {("campaign/workspace/__init__.py", "CampaignError")}


def _words_outside_the_catalog(node: ast.AST, error: bool) -> bool:
    """A literal or f-string with words in it: for an error any text at all, for a printed line
    any run of two letters outside its placeholders ("  {i}. {id}: {why}" is layout, not words)."""
    if isinstance(node, ast.BinOp):
        return _words_outside_the_catalog(node.left, error) or _words_outside_the_catalog(node.right, error)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    else:
        return False
    return bool(text.strip()) if error else re.search(r"[^\W\d_]{2}", text) is not None


def test_no_error_warning_or_printed_line_is_an_f_string_or_plain_text():
    found = []
    for path in SOURCES:
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in SPOKEN or (where, name) in ALLOWED:
                continue
            error = name in {"CampaignError", "NotFound"}
            for arg in node.args[:2]:
                if _words_outside_the_catalog(arg, error):
                    found.append(f"{where}:{node.lineno}: {ast.unparse(arg)[:80]}")
    assert not found, "text that skips the catalog (use _m(...) or _(...)):\n" + "\n".join(found)


@pytest.mark.parametrize("lang, words", [
    ("de", ["Die Zahl der likes: '1,5' ist ein Bruch, keine ganze Zahl.", "1.700 und 1700"]),
    ("en", ["The number of likes: '1,5' is a fraction, not a whole number.", "1.700 and 1700"])])
def test_the_number_parser_speaks_the_interface_language(cli, ws, monkeypatch, lang, words):
    from schedules import posts

    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    now = ws.now()
    with ws.store.transaction() as db:
        post = posts.create(db, pid, "instagram", now, now)
        posts.update(db, post["id"], now, "published", "test")
    before = ws.store.path.read_bytes()
    monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)
    r = cli("engagement", "record", post["id"], "--likes", "1,5", "--comments", "0", "--shares", "0")
    assert r.exit_code == 1 and "Traceback" not in r.output
    for word in words:
        assert word in r.output, r.output
    assert ws.store.path.read_bytes() == before


@pytest.mark.parametrize("lang, words", [
    ("de", ["2 Zeilen von shoot.csv sind fehlerhaft; nichts wurde importiert.", "Zeile 2:", "Zeile 3:"]),
    ("en", ["2 rows of shoot.csv are wrong; nothing was imported.", "line 2:", "line 3:"])])
def test_a_csv_with_wrong_rows_is_refused_in_the_interface_language_with_a_real_plural(
        cli, ws, tmp_path, monkeypatch, lang, words):
    from conftest import make_photo

    make_photo(tmp_path / "shoot" / "a.jpg")
    csv_file = tmp_path / "shoot.csv"
    csv_file.write_text("photo,first_name,age,role,quote\nmissing.jpg,Anna,40,Pflegerin,Zusammen.\n"
                        "a.jpg,Ben,-3,Fahrer,Zusammen.\n", encoding="utf-8")
    before = ws.store.path.read_bytes()
    monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)
    r = cli("portrait", "import", csv_file, "--photos", tmp_path / "shoot")
    assert r.exit_code == 1 and "Traceback" not in r.output
    for word in words:
        assert word in r.output, r.output
    assert "row(s)" not in r.output and ws.store.path.read_bytes() == before


def test_billboard_preflight_speaks_german(cli, tmp_path, monkeypatch):
    from reportlab.pdfgen import canvas

    plain = tmp_path / "plain.pdf"
    c = canvas.Canvas(str(plain))
    c.drawString(100, 100, "Hallo")
    c.save()
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "de")
    r = cli("billboard", "preflight", plain)
    assert r.exit_code == 1
    for line in ("FEHLER  PDF/X-Version: Info fehlt, XMP fehlt", "FEHLER  Ausgabebedingung",
                 "FEHLER  TrimBox und BleedBox: fehlt"):
        assert line in r.output, r.output
    assert not re.search(r"\b(PASS|FAIL|missing|page)\b", r.output)
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "en")
    r = cli("billboard", "preflight", plain, "--json")
    assert {"check", "ok", "detail"} <= set(json.loads(r.output)["checks"][0])  # --json as it was, in English
    assert json.loads(r.output)["checks"][1]["check"] == "PDF/X version"


# --- messages are stored as id and parameters -------------------------------------------------------

def test_a_photo_warning_is_stored_as_message_id_and_parameters_and_shown_in_either_language(cli, ws, tmp_path,
                                                                                              monkeypatch):
    from conftest import make_photo

    small = make_photo(tmp_path / "small.jpg", size=(320, 400))
    r = cli("portrait", "add", small, "--first-name", "Anna", "--age", "40", "--role", "Pflegerin",
            "--quote", "Zusammen.", "--json")
    assert r.exit_code == 0, r.output
    pid = json.loads(r.output)["id"]
    assert all(isinstance(w, str) for w in json.loads(r.output)["photo"]["warnings"])  # --json as it was: English text
    stored = json.loads(ws.store.path.read_text())["portraits"]["1"]["photo"]["warnings"]
    assert stored and all(set(w) >= {"msg", "params"} for w in stored)
    assert any(w["msg"].startswith("photo too small for") and w["params"] for w in stored)
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "de")
    shown = cli("portrait", "show", pid).output
    assert "Foto zu klein" in shown and "photo too small" not in shown, shown
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "en")
    assert "photo too small" in cli("portrait", "show", pid).output


def test_the_store_migration_turns_old_english_warnings_and_pick_reasons_into_messages_once(cli, ws, monkeypatch):
    from campaign.workspace import store

    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    data = json.loads(ws.store.path.read_text())
    english = "photo too small for a billboard slot: 0.1 MP, needs about 3.5 MP (1200x1500 px)"
    data["portraits"]["1"]["photo"]["warnings"] = [english, "a note someone typed"]
    data["billboard"] = {"1": {"picked_at": "2026-06-17T10:00:00+02:00", "picked_by": "tester", "from": "2026-07-01",
                               "to": "2026-07-14", "slots": 9, "checked_for": "18/1", "slot_pixels": [100, 100],
                               "picked": [{"portrait_id": pid, "score": 1.0, "why": english, "role_category": "senior",
                                           "band": "senior"}],
                               "skipped": [], "approved_by": None, "approved_at": None, "exports": []}}
    data["_meta"]["1"]["schema"] = 2
    ws.store.path.write_text(json.dumps(data))
    with ws.store.transaction():
        pass
    migrated = json.loads(ws.store.path.read_text())
    assert migrated["_meta"]["1"]["schema"] == store.SCHEMA_VERSION
    warnings = migrated["portraits"]["1"]["photo"]["warnings"]
    assert warnings[0]["msg"].startswith("photo too small for a billboard slot") and warnings[0]["params"]
    assert warnings[1] == "a note someone typed"  # text no message makes stays as it was
    assert migrated["billboard"]["1"]["picked"][0]["why"]["msg"] == warnings[0]["msg"]
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "de")
    out = cli("billboard", "show").output
    assert "Foto zu klein" in out and "photo too small" not in out, out
    assert "Foto zu klein" in cli("portrait", "show", pid).output


# --- files to hand out are readable, private ones stay private --------------------------------------

@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_press_kit_is_readable_by_others_as_the_umask_allows_inside_the_zip_too(cli, ws, umask_022):
    import zipfile

    approved_portrait(ws, "Tamara", 32, "health", scopes="instagram,press", size=(1600, 2000))
    r = cli("press", "kit", "--jobs", "1", "--json")
    assert r.exit_code == 0, r.output
    folder = Path(json.loads(r.output)["folder"])
    modes = {p.relative_to(folder).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")]}
    assert modes["."] == 0o755 and modes["images"] == 0o755 and modes["manifest.json"] == 0o644
    assert all(mode == (0o755 if (folder / name).is_dir() else 0o644) for name, mode in modes.items()), modes
    with zipfile.ZipFile(json.loads(r.output)["zip"]) as z:
        assert {(info.external_attr >> 16) & 0o777 for info in z.infolist() if not info.is_dir()} == {0o644}


def test_the_report_and_a_persons_export_stay_private(cli, ws, tmp_path, umask_022):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommerfeld")
    assert cli("report").exit_code == 0
    report = ws.exports / "report"
    assert stat.S_IMODE(report.stat().st_mode) == 0o700 and stat.S_IMODE((report / "img").stat().st_mode) == 0o700
    assert stat.S_IMODE((report / "index.html").stat().st_mode) == 0o600
    assert cli("gdpr", "export", pid, "--out", tmp_path / "requests").exit_code == 0
    person = tmp_path / "requests" / pid
    assert stat.S_IMODE(person.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in person.rglob("*") if p.is_file()} == {0o600}


# --- German that reads as if a person wrote it ---------------------------------------------------------

def test_no_german_message_writes_a_plural_in_brackets_or_with_a_slash():
    from babel.messages.pofile import read_po

    found = []
    for domain in ("campaign", "report"):
        with open(ROOT / "campaign" / "locale" / "de" / "LC_MESSAGES" / f"{domain}.po", "rb") as f:
            catalog = read_po(f)
        for m in catalog:
            for text in (m.string if isinstance(m.string, tuple) else (m.string,)) if m.id else ():
                if re.search(r"[a-zäöüß]\((?:s|n|en|er|e|r)\)|Beitrag/Beiträge|\w+\(s\)", text):
                    found.append(text)
    assert not found, found[:10]


def test_portrait_show_in_german_says_bildnachweis_and_laeuft_nie_ab(cli, ws, monkeypatch):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "de")
    out = cli("portrait", "show", pid).output
    assert "Bildnachweis:" in out and "läuft nie ab" in out and "läuft ab nie" not in out, out


@pytest.mark.parametrize("lang, planned, moved", [("de", "04.05.2030, 18:30 Uhr", "05.05.2030, 19:00 Uhr"),
                                                  ("en", "May 4, 2030, 6:30", "May 5, 2030, 7:00")])
def test_schedule_add_and_move_say_the_time_the_interface_languages_way_not_iso(cli, ws, monkeypatch, lang,
                                                                               planned, moved):
    approved_portrait(ws, "Anna", 40, "health")
    monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)
    r = cli("schedule", "add", "anna-40", "--at", "2030-05-04 18:30", "--channel", "instagram")
    assert r.exit_code == 0 and planned in r.output and "2030-05-04T" not in r.output, r.output
    post_id = json.loads(cli("schedule", "list", "--json").output)[0]["id"]
    r = cli("schedule", "move", post_id, "--to", "2030-05-05 19:00")
    assert r.exit_code == 0 and moved in r.output and "2030-05-05T" not in r.output, r.output
