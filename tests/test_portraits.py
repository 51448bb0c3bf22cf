"""Portraits and consent through the CLI, as the office would use them."""
from __future__ import annotations

import json

import pytest
from conftest import make_photo, run_campaign

from portraits import consent, records
from portraits.errors import CampaignError


def add(cli, tmp_path, first="Brigitte", age=81, seed=0, *extra):
    photo = make_photo(tmp_path / "in" / f"{first}-{seed}.jpg", seed=seed)
    return cli("portrait", "add", photo, "--first-name", first, "--age", age, "--role", "Rentnerin",
               "--quote", "Toilettenpapier war nie ein Problem.", *extra)


def test_add_list_show_json(cli, tmp_path, ws):
    r = add(cli, tmp_path, "Brigitte", 81, 0, "--surname", "Sommer", "--role-category", "senior")
    assert r.exit_code == 0, r.output
    assert "brigitte-81" in r.output
    rows = json.loads(cli("portrait", "list", "--json").output)
    assert [p["id"] for p in rows] == ["brigitte-81"]
    p = rows[0]
    for key in ("id", "first_name", "age", "role", "role_category", "quote", "status", "consent"):
        assert key in p
    assert p["status"] == "draft" and p["role_category"] == "senior"
    assert set(p["consent"]) >= {"scopes", "signed_on", "expires", "withdrawn"}
    # The surname is stored for the office but is in no listing output.
    assert "Sommer" not in cli("portrait", "list", "--json").output
    shown = cli("portrait", "show", "brigitte-81", "--json").output
    assert "Sommer" not in shown and json.loads(shown)["surname_on_file"] is True
    assert records.get(ws.store.read(), "brigitte-81")["surname"] == "Sommer"
    # The photo is kept under its SHA-256.
    sha = p["photo"]["sha256"]
    assert (ws.root / "photos" / f"{sha}.jpg").is_file()


def test_ids_are_unique_readable_slugs(cli, tmp_path):
    assert add(cli, tmp_path, "Jürgen", 50, 1).exit_code == 0
    assert add(cli, tmp_path, "Jürgen", 50, 2).exit_code == 0
    ids = [p["id"] for p in json.loads(cli("portrait", "list", "--json").output)]
    assert ids == ["juergen-50", "juergen-50-2"]


def test_same_photo_twice_is_refused_with_the_owner(cli, tmp_path, ws):
    photo = make_photo(tmp_path / "same.jpg")
    cli("portrait", "add", photo, "--first-name", "Tamara", "--age", 32, "--role", "Pflegerin", "--quote", "Hallo")
    before = ws.store.path.read_bytes()
    r = cli("portrait", "add", photo, "--first-name", "Anna", "--age", 30, "--role", "X", "--quote", "Y")
    assert r.exit_code == 1
    assert "already used by portrait tamara-32" in r.output
    assert ws.store.path.read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["--age", "-3"], "not possible"),
    (["--age", "zwölf"], "not a whole number"),
    (["--first-name", ""], "first name is empty"),
    (["--quote", "x" * 281], "281 characters"),
    (["--id", "Bad Id!"], "not a short slug"),
    (["--lang", "deutsch"], "not a language code"),
])
def test_bad_portrait_input_changes_nothing(cli, tmp_path, ws, args, message):
    photo = make_photo(tmp_path / "p.jpg")
    base = {"--first-name": "Anna", "--age": "30", "--role": "Ärztin", "--quote": "Hallo"}
    extra = []
    for i in range(0, len(args), 2):
        if args[i] in base:
            base[args[i]] = args[i + 1]
        else:
            extra += args[i:i + 2]
    before = ws.store.path.read_bytes()
    flat = [x for kv in base.items() for x in kv]
    r = cli("portrait", "add", photo, *flat, *extra)
    assert r.exit_code == 1, r.output
    assert message in r.output
    assert "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) <= 2
    assert ws.store.path.read_bytes() == before
    assert not list((ws.root / "photos").iterdir())


def test_missing_and_corrupt_photos_are_refused(cli, tmp_path, ws):
    before = ws.store.path.read_bytes()
    r = cli("portrait", "add", tmp_path / "nope.jpg", "--first-name", "A", "--age", 3, "--role", "R", "--quote", "Q")
    assert r.exit_code == 1 and "No photo at" in r.output
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"this is not a jpeg")
    r = cli("portrait", "add", bad, "--first-name", "A", "--age", 3, "--role", "R", "--quote", "Q")
    assert r.exit_code == 1 and "not a readable image" in r.output
    assert ws.store.path.read_bytes() == before


def test_unknown_id_is_a_clear_error(cli, ws):
    before = ws.store.path.read_bytes()
    for args in (["portrait", "show", "nobody-1"], ["portrait", "approve", "nobody-1"],
                 ["consent", "grant", "nobody-1", "--scope", "instagram", "--signed-on", "2026-01-01"],
                 ["consent", "withdraw", "nobody-1"], ["gdpr", "erase", "nobody-1", "--yes"]):
        r = cli(*args)
        assert r.exit_code == 1, args
        assert "No portrait with id 'nobody-1'" in r.output
    assert ws.store.path.read_bytes() == before


def test_edit_translate_and_focus(cli, tmp_path, ws):
    add(cli, tmp_path)
    assert cli("portrait", "edit", "brigitte-81", "--quote", "Neu.", "--focus", "0.4,0.25").exit_code == 0
    p = records.get(ws.store.read(), "brigitte-81")
    assert p["quote"] == "Neu." and p["photo"]["focus"] == [0.4, 0.25] and p["photo"]["focus_source"] == "manual"
    before = ws.store.path.read_bytes()
    assert cli("portrait", "edit", "brigitte-81", "--focus", "1.5,0").exit_code == 1
    assert cli("portrait", "edit", "brigitte-81").exit_code == 1
    assert ws.store.path.read_bytes() == before
    assert cli("portrait", "translate", "brigitte-81", "--lang", "tr", "--quote", "Merhaba").exit_code == 0
    p = records.get(ws.store.read(), "brigitte-81")
    assert p["translations"]["tr"]["quote"] == "Merhaba"


@pytest.mark.any_day
def test_consent_grant_approve_withdraw(cli, tmp_path, ws):
    add(cli, tmp_path)
    r = cli("portrait", "approve", "brigitte-81")
    assert r.exit_code == 1 and "no valid consent" in r.output
    evidence = tmp_path / "form.pdf"
    evidence.write_bytes(b"%PDF-1.4 signed")
    r = cli("consent", "grant", "brigitte-81", "--scope", "instagram,facebook", "--signed-on", "2026-05-01",
            "--expires", "2031-06-30", "--evidence", evidence)
    assert r.exit_code == 0, r.output
    assert cli("portrait", "approve", "brigitte-81").exit_code == 0
    db = ws.store.read()
    assert records.get(db, "brigitte-81")["status"] == "approved"
    from datetime import date
    assert consent.valid_scopes(db, "brigitte-81", date(2026, 6, 1)) == {"instagram", "facebook"}
    assert consent.valid_scopes(db, "brigitte-81", date(2031, 7, 1)) == set()
    ev = db.table("consents").all()[0]["evidence"]
    import hashlib
    assert ev["sha256"] == hashlib.sha256(b"%PDF-1.4 signed").hexdigest()
    assert (ws.private / "evidence" / ev["name"]).read_bytes() == b"%PDF-1.4 signed"

    r = cli("consent", "withdraw", "brigitte-81", "--scope", "instagram", "--via", "email", "--json")
    assert r.exit_code == 0, r.output
    db = ws.store.read()
    assert consent.valid_scopes(db, "brigitte-81", date(2026, 6, 1)) == {"facebook"}
    # Append-only: the grant is still there, the withdrawal is a new event.
    assert [e["event"] for e in db.table("consents").all()] == ["grant", "withdraw"]
    status = json.loads(cli("consent", "status", "brigitte-81", "--json").output)[0]
    assert status["scopes"] == ["facebook"] and status["withdrawn"] == ["instagram"]
    days_left = (date(2031, 6, 30) - ws.now().date()).days
    expiring = json.loads(cli("consent", "status", "--expiring-within", days_left, "--json").output)
    assert [r["portrait_id"] for r in expiring] == ["brigitte-81"]
    assert json.loads(cli("consent", "status", "--expiring-within", days_left - 1, "--json").output) == []


def test_minor_needs_a_guardian_and_bad_consent_input_changes_nothing(cli, tmp_path, ws):
    add(cli, tmp_path, "Jonas", 16)
    before = ws.store.path.read_bytes()
    for args, message in (
        (["--scope", "instagram", "--signed-on", "2026-05-01"], "under 18"),
        (["--scope", "tiktok", "--signed-on", "2026-05-01", "--guardian", "M"], "Unknown consent scope"),
        (["--scope", "instagram", "--signed-on", "11/01/2026", "--guardian", "M"], "not a date"),
        (["--scope", "instagram", "--signed-on", "2099-01-01", "--guardian", "M"], "in the future"),
        (["--scope", "instagram", "--signed-on", "2026-05-01", "--expires", "2026-04-01", "--guardian", "M"], "not after"),
        (["--scope", "instagram", "--signed-on", "2026-05-01", "--guardian", "M", "--evidence", tmp_path / "x.pdf"], "No evidence file"),
    ):
        r = cli("consent", "grant", "jonas-16", *args)
        assert r.exit_code == 1, (args, r.output)
        assert message in r.output
        assert ws.store.path.read_bytes() == before
    r = cli("consent", "grant", "jonas-16", "--scope", "instagram", "--signed-on", "2026-05-01",
            "--guardian", "Mutter", "--guardian", "Vater")
    assert r.exit_code == 0
    row = json.loads(cli("consent", "status", "jonas-16", "--json").output)[0]
    assert row["guardians_signed"] == 2 and row["minor"] is True


def test_valid_for_period_explains_why_not(ws, tmp_path):
    from datetime import date

    with ws.store.transaction() as db:
        records.add_portrait(db, ws.photos, make_photo(tmp_path / "a.jpg"), first_name="Anna", age=40,
                             role="Ärztin", quote="Q")
        assert consent.valid_for_period(db, "anna-40", "billboard", date(2026, 5, 1), date(2026, 5, 31)) == \
            (False, "no billboard consent")
        consent.grant(db, "anna-40", "billboard", date(2026, 1, 1), expires=date(2026, 5, 20),
                      today=date(2026, 2, 1))
        ok, why = consent.valid_for_period(db, "anna-40", "billboard", date(2026, 5, 1), date(2026, 5, 31))
        assert not ok and why == "consent ends 2026-05-20, before the run ends"
        assert consent.valid_for_period(db, "anna-40", "billboard", date(2026, 5, 1), date(2026, 5, 10)) == (True, None)


def test_import_csv_all_or_nothing_with_line_numbers(cli, tmp_path, ws):
    photos = tmp_path / "shoot"
    for i in range(3):
        make_photo(photos / f"p{i}.jpg", seed=10 + i)
    (tmp_path / "outside.jpg").write_bytes((photos / "p0.jpg").read_bytes())
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "photo,first_name,age,role,quote,surname\n"
        "p0.jpg,Anna,40,Ärztin,Wir schaffen das.,Schmidt\n"
        "p1.jpg,Ben,-2,Koch,Guten Appetit.,\n"
        "../outside.jpg,Cem,30,Fahrer,Los gehts.,\n"
        "p9.jpg,Dora,50,Lehrerin,Lernen hilft.,\n", encoding="utf-8")
    before = ws.store.path.read_bytes()
    r = cli("portrait", "import", bad, "--photos", photos)
    assert r.exit_code == 1
    assert "3 rows of bad.csv are wrong" in r.output and "nothing was imported" in r.output
    assert "line 3:" in r.output and "line 4:" in r.output and "line 5:" in r.output
    assert "line 2:" not in r.output
    assert ws.store.path.read_bytes() == before
    assert not list((ws.root / "photos").iterdir())

    good = tmp_path / "good.csv"
    good.write_text(
        "photo,first_name,age,role,quote,surname,role_category,id\n"
        "p0.jpg,Anna,40,Ärztin,Wir schaffen das.,Schmidt,health,\n"
        "p1.jpg,Ben,22,Koch,\"Guten Appetit, Nachbarn.\",,food,ben-koch\n"
        "p2.jpg,Cem,30,Fahrer,Los gehts.,,transport,\n", encoding="utf-8")
    r = cli("portrait", "import", good, "--photos", photos, "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["imported"] == ["anna-40", "ben-koch", "cem-30"]
    assert records.get(ws.store.read(), "ben-koch")["quote"] == "Guten Appetit, Nachbarn."
    # Absolute paths outside the photos folder are refused too.
    other = tmp_path / "abs.csv"
    other.write_text(f"photo,first_name,age,role,quote\n{tmp_path / 'outside.jpg'},Eva,33,X,Y\n")
    r = cli("portrait", "import", other, "--photos", photos)
    assert r.exit_code == 1 and "outside the photos folder" in r.output


def test_gdpr_export_and_erase(cli, tmp_path, ws):
    add(cli, tmp_path, "Brigitte", 81, 0, "--surname", "Sommer")
    evidence = tmp_path / "form.pdf"
    evidence.write_bytes(b"%PDF signed by Brigitte Sommer")
    cli("consent", "grant", "brigitte-81", "--scope", "all", "--signed-on", "2026-05-01", "--evidence", evidence)
    out = tmp_path / "export"
    r = cli("gdpr", "export", "brigitte-81", "--out", out, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads((out / "brigitte-81" / "data.json").read_text())
    assert data["portrait"]["surname"] == "Sommer"  # their own data, in full
    assert len(data["consent_events"]) == 1 and (out / "brigitte-81" / "photo.jpg").is_file()
    assert any(f.startswith("consent/") for f in data["files"])

    photo_file = ws.root / data["portrait"]["photo"]["file"]
    assert photo_file.exists()
    r = cli("gdpr", "erase", "brigitte-81", "--yes")
    assert r.exit_code == 0, r.output
    assert not photo_file.exists()
    assert not list((ws.private / "evidence").iterdir())
    raw = ws.store.path.read_text()
    assert "brigitte" not in raw.lower() and "Sommer" not in raw
    actions = [e["action"] for e in json.loads(cli("audit", "--json").output)]
    assert actions[-1] == "gdpr.erase"
    assert cli("portrait", "show", "brigitte-81").exit_code == 1


@pytest.mark.slow
def test_workspace_is_found_by_flag_env_and_parent_folder(tmp_path, ws, monkeypatch):
    add_photo = make_photo(tmp_path / "x.jpg")
    r = run_campaign("portrait", "add", add_photo, "--first-name", "Eva", "--age", 33, "--role", "Lehrerin",
                     "--quote", "Hallo", cwd=ws.root / "photos")
    assert r.returncode == 0, r.stderr
    r = run_campaign("portrait", "list", "--json", cwd=tmp_path, env={"CAMPAIGN_WORKSPACE": str(ws.root)})
    assert r.returncode == 0 and json.loads(r.stdout)[0]["id"] == "eva-33"
    r = run_campaign("-w", ws.root, "portrait", "list", "--json", cwd="/")
    assert r.returncode == 0 and json.loads(r.stdout)[0]["id"] == "eva-33"
    r = run_campaign("portrait", "list", cwd=tmp_path, env={"CAMPAIGN_WORKSPACE": ""})
    assert r.returncode == 1
    assert "No campaign workspace" in r.stderr and "Traceback" not in r.stderr
    r = run_campaign("portrait", "list", "--bogus", cwd=ws.root)
    assert r.returncode == 2


@pytest.mark.slow
def test_init_writes_a_commented_config_and_refuses_twice(tmp_path):
    r = run_campaign("init", tmp_path / "c", "--name", "Duisburg ist echt solidarisch")
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "c" / "campaign.toml").read_text()
    assert "#duisburgistechtsolidarisch" in text and text.count("#") > 10
    for folder in ("photos", "renders", "outbox", "exports"):
        assert (tmp_path / "c" / folder).is_dir()
    r = run_campaign("init", tmp_path / "c")
    assert r.returncode == 1 and "already holds a campaign" in r.stderr
    r = run_campaign("init", tmp_path / "d", "--timezone", "Mars/Olympus")
    assert r.returncode == 1 and "is not a timezone" in r.stderr


def test_secrets_in_config_are_refused(ws, cli):
    cfg = ws.root / "campaign.toml"
    cfg.write_text(cfg.read_text().replace('page_id = ""', 'page_id = ""\ntoken = "EAAB123"'))
    r = cli("portrait", "list")
    assert r.exit_code == 1 and "holds a secret" in r.output and "EAAB123" not in r.output


def test_library_refuses_without_cli(ws, tmp_path):
    with pytest.raises(CampaignError, match="age"):
        with ws.store.transaction() as db:
            records.add_portrait(db, ws.photos, make_photo(tmp_path / "a.jpg"), first_name="A", age=200,
                                 role="R", quote="Q")


def test_an_unwritable_photos_folder_gives_a_message_not_a_traceback(cli, tmp_path, ws):
    import shutil
    # A file where the photos folder should be fails for every user, root included.
    shutil.rmtree(ws.root / "photos")
    (ws.root / "photos").write_text("not a folder")
    before = ws.store.path.read_bytes()
    r = add(cli, tmp_path)
    assert r.exit_code == 1
    assert "Traceback" not in r.output and "try again" in r.output
    assert ws.store.path.read_bytes() == before


def _shoot(tmp_path, n: int, size=(1600, 2000)):
    photos = tmp_path / "shoot"
    for i in range(n):
        make_photo(photos / f"p{i}.jpg", size=size, seed=100 + i)
    csv = tmp_path / "shoot.csv"
    csv.write_text("photo,first_name,age,role,quote\n" + "".join(
        f"p{i}.jpg,Person,{20 + i},Rolle,Wir halten zusammen.\n" for i in range(n)), encoding="utf-8")
    return csv, photos


@pytest.mark.real_clock  # the import is a real `campaign` process
def test_a_withdrawal_typed_during_a_long_import_is_recorded_at_once_and_the_import_completes(cli, tmp_path, ws):
    import os
    import subprocess
    import sys
    import time

    from conftest import ROOT, approved_portrait

    from campaign.privacy.withdrawal import withdraw
    from campaign.workspace import Workspace

    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    csv, photos = _shoot(tmp_path, 40)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "campaign", "-w", str(ws.root), "portrait", "import", str(csv),
                             "--photos", str(photos)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    office = Workspace(ws.root)
    office.store.lock.timeout = 2  # what "at once" may mean on a busy machine; a command waits 60 s
    try:
        # Under way: the first clean copy is being written (with no lock held, it must be).
        while proc.poll() is None and not any(ws.photos.glob(".*.tmp")):
            time.sleep(0.02)
        assert proc.poll() is None, "the import ended before the test could type the withdrawal"
        result = withdraw(office, pid, "instagram")
    finally:
        out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert result["scopes"] == ["instagram"]
    assert not consent.is_valid(ws.store.read(), pid, "instagram", ws.now().date())
    assert len(records.all_portraits(ws.store.read())) == 41
    assert not list(ws.photos.glob(".*.tmp")) and len(list(ws.photos.glob("*.jpg"))) == 41


def test_an_import_whose_id_was_taken_while_its_photos_were_taken_in_records_nothing_and_leaves_no_photo(
        cli, tmp_path, ws):
    from campaign.intake.adding import add_portrait

    csv, photos = _shoot(tmp_path, 3, size=(600, 750))
    csv.write_text(csv.read_text().replace("photo,first_name,age,role,quote\n", "photo,first_name,age,role,quote,id\n")
                   .replace("Wir halten zusammen.\n", "Wir halten zusammen.,\n").replace(
                       "p1.jpg,Person,21,Rolle,Wir halten zusammen.,\n", "p1.jpg,Person,21,Rolle,Wir halten zusammen.,ben\n"),
                   encoding="utf-8")
    prepared = records.prepare_csv(ws.photos, csv, photos, known=ws.store.read())  # the slow part, no lock
    assert len(list(ws.photos.glob(".*.tmp"))) == 3
    add_portrait(ws, make_photo(tmp_path / "ben.jpg", seed=7), first_name="Ben", age=30, role="Koch",
                 quote="Guten Appetit.", portrait_id="ben")  # typed meanwhile in another window
    before = ws.store.path.read_bytes()
    with pytest.raises(CampaignError) as refused:
        try:
            with ws.store.transaction() as db:
                records.insert_prepared(db, prepared, ws.photos, imported=True)
        finally:
            records.discard(prepared)
    assert refused.value.message == "line 3: The id 'ben' is already taken. Nothing was imported."
    assert ws.store.path.read_bytes() == before
    assert [p.name for p in ws.photos.iterdir()] == [f"{records.get(ws.store.read(), 'ben')['photo']['sha256']}.jpg"]
