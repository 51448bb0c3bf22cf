"""Input that once broke the tool: bytes that are not UTF-8, huge CSV fields, decomposed Unicode,
invisible quotes, emoji, a channel named twice. Each is a clean error or a correct result."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import unicodedata

import pytest
from conftest import ROOT, approved_portrait, make_photo

NOT_UTF8 = b"J\xf6rg".decode("utf-8", "surrogateescape")  # what Python makes of Latin-1 bytes in argv


def _refused(cli, ws, *args, says: str) -> str:
    before = ws.store.path.read_bytes()
    photos = sorted(p.name for p in ws.photos.iterdir())
    r = cli(*args)
    assert r.exit_code == 1, r.output
    assert says in r.output, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) <= 3
    assert ws.store.path.read_bytes() == before
    assert sorted(p.name for p in ws.photos.iterdir()) == photos
    return r.output


def _add(photo, first="Brigitte", role="Rentnerin", quote="Wir halten zusammen.", *extra):
    return ("portrait", "add", photo, "--first-name", first, "--age", "81", "--role", role, "--quote", quote, *extra)


@pytest.mark.parametrize("option", ["--first-name", "--role", "--quote", "--credit", "PHOTO"])
def test_an_argument_that_is_not_utf8_is_refused_before_anything(cli, ws, photo, option):
    args = list(_add(photo, "Brigitte", "Rentnerin", "Wir.", "--credit", "Studio"))
    if option == "PHOTO":
        args[2] = str(photo.parent / f"{NOT_UTF8}.jpg")
    else:
        args[args.index(option) + 1] = NOT_UTF8
    out = _refused(cli, ws, *args, says="is not UTF-8 text")
    assert "J\\xf6rg" in out


def test_a_user_name_that_is_not_utf8_is_refused_before_it_reaches_the_audit_log(cli, ws, monkeypatch):
    pid = approved_portrait(ws, "Anna", 40, "health")
    monkeypatch.setenv("CAMPAIGN_USER", NOT_UTF8)
    _refused(cli, ws, "portrait", "edit", pid, "--role", "Pflegerin", says="CAMPAIGN_USER")


@pytest.mark.real_clock
def test_a_real_terminal_sending_latin1_bytes_gets_a_clean_error(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), LC_ALL="C.UTF-8")
    subprocess.run([sys.executable, "-m", "campaign", "init", str(tmp_path / "ws")], check=True, env=env,
                   capture_output=True)
    store = (tmp_path / "ws" / "campaign.json").read_bytes()
    photo = make_photo(tmp_path / "p.jpg")
    r = subprocess.run([sys.executable.encode(), b"-m", b"campaign", b"-w", str(tmp_path / "ws").encode(),
                        b"portrait", b"add", str(photo).encode(), b"--first-name", b"J\xf6rg", b"--age", b"40",
                        b"--role", b"Koch", b"--quote", b"Gr\xfc\xdfe"], env=env, capture_output=True)
    assert r.returncode == 1
    assert b"is not UTF-8 text" in r.stderr and b"Traceback" not in r.stderr
    assert (tmp_path / "ws" / "campaign.json").read_bytes() == store


def test_names_roles_quotes_translations_and_credits_are_stored_in_nfc(cli, ws, photo):
    nfd = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731 - how a Mac keyboard may send it
    r = cli(*_add(photo, nfd("José"), nfd("Bäckerin"), nfd("Schöne Grüße aus Duisburg."),
                  "--credit", nfd("Studio Müller"), "--surname", nfd("Şahin"), "--json"))
    assert r.exit_code == 0, r.output
    pid = json.loads(r.output)["id"]
    assert cli("portrait", "translate", pid, "--lang", "tr", "--quote", nfd("Güzel günler."),
               "--role", nfd("fırıncı")).exit_code == 0
    stored = ws.store.read().table("portraits").all()[0]
    assert (stored["first_name"], stored["role"], stored["quote"], stored["credit"], stored["surname"]) == (
        "José", "Bäckerin", "Schöne Grüße aus Duisburg.", "Studio Müller", "Şahin")
    assert stored["translations"]["tr"] == {"quote": "Güzel günler.", "role": "fırıncı"}
    assert all(unicodedata.is_normalized("NFC", v) for v in json.dumps(stored, ensure_ascii=False).split('"'))
    assert pid == "jose-81"


@pytest.mark.parametrize("invisible", ["\u200b\u200b", "\u200e\u200f\u202a\u202c", "\u00a0\u2007\u202f",
                                       "\ufeff", "\u2066\u2069", "\u3164", "\u2800\u2800", "\u0301"])
def test_a_quote_or_role_of_only_invisible_characters_is_refused(cli, ws, photo, invisible):
    # Spaces alone (the no-break ones too) count as empty; the rest as invisible.
    nothing = "is empty" if invisible.isspace() else "has no visible characters"
    _refused(cli, ws, *_add(photo, quote=invisible), says=f"The quote {nothing}")
    _refused(cli, ws, *_add(photo, role=invisible), says=f"The role {nothing}")
    pid = approved_portrait(ws, "Anna", 40, "health")
    _refused(cli, ws, "portrait", "edit", pid, "--quote", invisible, says=nothing)
    _refused(cli, ws, "portrait", "translate", pid, "--lang", "tr", "--quote", invisible, says=nothing)


def test_a_persian_quote_keeps_its_zero_width_non_joiner(cli, ws):
    pid = approved_portrait(ws, "Anna", 40, "health")
    quote = "می\u200cخواهیم با هم باشیم."
    assert cli("portrait", "translate", pid, "--lang", "fa", "--quote", quote).exit_code == 0
    assert ws.store.read().table("portraits").all()[0]["translations"]["fa"]["quote"] == quote


@pytest.mark.parametrize("text, named", [("Wir halten zusammen 😀", "U+1F600 GRINNING FACE"),
                                         ("Danke ❤️", "U+2764 HEAVY BLACK HEART"),
                                         ("Frohe Weihnachten ☃", "U+2603 SNOWMAN"),
                                         ("Zusammen \U000f0000", "U+F0000")])
def test_characters_no_bundled_font_can_draw_are_refused_when_entered_naming_them(cli, ws, photo, text, named):
    out = _refused(cli, ws, *_add(photo, quote=text), says="cannot show")
    assert named in out
    pid = approved_portrait(ws, "Anna", 40, "health")
    assert named in _refused(cli, ws, "portrait", "edit", pid, "--quote", text, says="cannot show")
    assert named in _refused(cli, ws, "portrait", "edit", pid, "--role", text, says="name and role")
    assert named in _refused(cli, ws, "portrait", "edit", pid, "--credit", text, says="photo credit")
    assert named in _refused(cli, ws, "portrait", "translate", pid, "--lang", "en", "--quote", text,
                             says="quote (en)")


def test_a_line_mixing_scripts_no_one_font_has_is_refused_with_what_to_do(cli, ws, photo):
    out = _refused(cli, ws, *_add(photo, role="Koch مرحبا Пекар"), says="name and role")
    assert "in one script" in out


def test_every_accepted_text_renders(cli, ws, photo):
    """What the checks let in, the renderer draws: the refusal and the renderer agree."""
    r = cli(*_add(photo, "Zoë", "Ärztin", "„Wir – alle! – halten zusammen…“ 100 % (sic) № 5 €", "--json"))
    assert r.exit_code == 0, r.output
    pid = json.loads(r.output)["id"]
    for lang, quote in (("uk", "Разом ми сильні."), ("ar", "معًا نحن أقوى."), ("el", "Μαζί είμαστε δυνατοί."),
                        ("tr", "Birlikte güçlüyüz.")):
        assert cli("portrait", "translate", pid, "--lang", lang, "--quote", quote).exit_code == 0
    assert cli("consent", "grant", pid, "--scope", "instagram", "--signed-on", "2026-01-01").exit_code == 0
    assert cli("portrait", "approve", pid).exit_code == 0
    r = cli("render", pid, "--format", "instagram-feed", "--jobs", "1", "--json")
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.output)["rendered"]) == 5


def test_a_csv_with_a_field_over_the_csv_limit_is_refused_by_line(cli, ws, tmp_path):
    make_photo(tmp_path / "shoot" / "a.jpg")
    rows = "photo,first_name,age,role,quote\na.jpg,Anna,40,Pflegerin,Hallo\n"
    rows += 'a.jpg,Bert,50,Koch,"' + "x" * (csv.field_size_limit() + 10) + '"\n'
    (tmp_path / "shoot" / "import.csv").write_text(rows)
    out = _refused(cli, ws, "portrait", "import", tmp_path / "shoot" / "import.csv", says="cannot be read as CSV")
    assert "line" in out and "import.csv" in out


def test_a_csv_that_is_not_utf8_is_refused(cli, ws, tmp_path):
    make_photo(tmp_path / "shoot" / "a.jpg")
    (tmp_path / "shoot" / "import.csv").write_bytes(
        "photo,first_name,age,role,quote\na.jpg,Jörg,40,Bäcker,Grüße\n".encode("latin-1"))
    _refused(cli, ws, "portrait", "import", tmp_path / "shoot" / "import.csv", says="is not UTF-8 text")


@pytest.mark.parametrize("content, says", [
    (b"Beitrags-ID;Reaktionen\n1;" + b"9" * 200_000 + b"\n", "cannot be read as CSV"),
    (b"\xff\xfe\x00", "is not text"),
    (b"Post ID,Likes\n1,\x81\x8d\x8f\x90\x9d\n", "is not text"),
])
def test_a_meta_export_that_is_not_text_or_has_a_huge_field_is_refused(cli, ws, tmp_path, content, says):
    (tmp_path / "export.csv").write_bytes(content)
    _refused(cli, ws, "engagement", "import", tmp_path / "export.csv", says=says)


def test_a_meta_export_saved_by_excel_in_windows_1252_is_read(cli, ws, tmp_path):
    (tmp_path / "export.csv").write_bytes("Beitrags-ID;Gefällt mir;Kommentare\n999;1.700;3\n".encode("cp1252"))
    r = cli("engagement", "import", tmp_path / "export.csv", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["unmatched"] == [{"line": 2, "post_id": "999", "permalink": None}]


def test_a_channel_named_twice_is_one_channel_never_a_second_post(cli, ws):
    pid = approved_portrait(ws, "Anna", 40, "health")
    for name, category in (("Bert", "senior"), ("Cem", "transport"), ("Dana", "retail")):
        approved_portrait(ws, name, 50, category)
    r = cli("schedule", "add", pid, "--at", "2026-07-01 18:30", "--channel", "instagram,Instagram, instagram",
            "--json")
    assert r.exit_code == 0, r.output
    assert [p["channel"] for p in json.loads(r.output)] == ["instagram"]
    r = cli("schedule", "plan", "--start", "2026-07-02", "--end", "2026-07-04", "--days", "mon-sun",
            "--channels", "instagram,instagram,facebook,instagram", "--json")
    assert r.exit_code == 0, r.output
    made = json.loads(r.output)["created"]
    assert sorted((p["at"][:10], p["channel"]) for p in made) == sorted(
        (f"2026-07-0{d}", c) for d in (2, 3, 4) for c in ("instagram", "facebook"))
    every = json.loads(cli("schedule", "list", "--json").output)
    assert len({(p["at"], p["channel"]) for p in every}) == len(every) == 7
