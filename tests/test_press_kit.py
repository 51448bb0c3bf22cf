"""The press kit: press consent only, first names only, newsroom metadata read back with ExifTool."""
from __future__ import annotations

import json
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import approved_portrait, configure
from PIL import Image

from portraits import consent, metadata, records
from schedules import engagement, posts

SURNAME = "Geheimnachname"
CONTACT = "Presseamt Duisburg, Anna Muster, 0203 283-1234, presse@stadt-duisburg.de"


def _camera_photo(path: Path) -> Path:
    """A camera JPEG with make, model and a GPS position (what must never reach a newsroom)."""
    img = Image.new("RGB", (2400, 3000), (150, 120, 100))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x0110] = "CameraModel"
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 26.0, 0.0), 3: "E", 4: (6.0, 45.0, 0.0)})
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, exif=exif.tobytes(), quality=90)
    return path


def _published(ws, pid: str, likes: int, comments: int, shares: int) -> None:
    now = ws.now()
    with ws.store.transaction() as db:
        post = posts.create(db, pid, "instagram", now - timedelta(days=20), now - timedelta(days=21))
        posts.update(db, post["id"], now, "published", "test")
        engagement.record(db, post["id"], likes=likes, comments=comments, shares=shares, at=now - timedelta(days=5))


@pytest.fixture
def campaign(ws, tmp_path):
    """Brigitte (press consent, a surname on file, a camera photo with GPS, a Turkish translation),
    Tamara (press consent), Jonas (instagram only, the most liked of all)."""
    configure(ws, "brand", credit="Stadt Duisburg")
    configure(ws, "press", copyright_holder="Stadt Duisburg",
              usage_terms="Frei für redaktionelle Berichterstattung über die Kampagne mit Bildnachweis.",
              media_contact=CONTACT, start_date="2026-03-20", billboard_location="Königstraße, Ecke Düsseldorfer Straße")
    with ws.store.transaction() as db:
        rec = records.add_portrait(db, ws.photos, _camera_photo(tmp_path / "cam.jpg"), first_name="Brigitte", age=81,
                                   role="Rentnerin", role_category="senior", surname=SURNAME, credit="Studio Nord",
                                   quote="Meine Generation hat viele Krisen überstanden.")
        records.translate_portrait(db, rec["id"], "tr", "Benim kuşağım birçok krizi atlattı.", role="emekli")
        consent.grant(db, rec["id"], "instagram,press,website", date(2026, 2, 1), today=date(2100, 1, 1))
        records.approve_portrait(db, rec["id"], True)
    tamara = approved_portrait(ws, "Tamara", 32, "health", scopes="instagram,press", signed_on="2026-03-01")
    jonas = approved_portrait(ws, "Jonas", 45, "transport", scopes="instagram", surname="Versteckt")
    _published(ws, rec["id"], 1700, 80, 25)
    _published(ws, tamara, 300, 10, 2)
    _published(ws, jonas, 5000, 400, 90)
    return {"brigitte": rec["id"], "tamara": tamara, "jonas": jonas}


def _kit(cli, *args):
    r = cli("press", "kit", "--jobs", "2", "--json", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_the_kit_holds_only_people_with_press_consent_in_every_file(cli, ws, campaign):
    result = _kit(cli)
    folder, zip_path = Path(result["folder"]), Path(result["zip"])
    assert folder == ws.exports / "press-kit" and zip_path == ws.exports / "press-kit.zip"
    assert sorted(result["portraits"]) == sorted([campaign["brigitte"], campaign["tamara"]])
    names = sorted(p.name for p in (folder / "images").iterdir())
    assert names == ["Brigitte-81-feed.jpg", "Brigitte-81-photo.jpg", "Tamara-32-feed.jpg", "Tamara-32-photo.jpg"]
    with zipfile.ZipFile(zip_path) as z:
        assert z.testzip() is None
        listed = sorted(z.namelist())
        assert "press-kit/images/Brigitte-81-photo.jpg" in listed and "press-kit/press-release.md" in listed
        zipped = b"".join(z.read(n) for n in listed)
    on_disk = b"".join(f.read_bytes() for f in folder.rglob("*") if f.is_file())
    for data in (on_disk, zipped):
        assert b"Jonas" not in data and b"jonas" not in data  # no file names the person without press consent
        assert SURNAME.encode() not in data and b"Versteckt" not in data


def test_press_images_carry_credit_copyright_terms_and_caption_and_no_gps_or_camera(cli, ws, campaign):
    folder = Path(_kit(cli)["folder"])
    tags = {Path(t["SourceFile"]).name: t for t in metadata.read(sorted((folder / "images").glob("*.jpg")))}
    brigitte = tags["Brigitte-81-photo.jpg"]
    for t in tags.values():
        groups = {key.split(":")[0] for key in t}
        assert not groups & {"GPS", "IFD0", "ExifIFD", "IFD1", "Composite:GPSPosition", "ICC_Profile"}, groups
        assert not any("GPS" in key or "Make" in key or "Model" in key or "Serial" in key for key in t), t
        assert t["XMP-xmpRights:UsageTerms"].startswith("Frei für redaktionelle Berichterstattung")
        assert t["IPTC:CopyrightNotice"] == t["XMP-dc:Rights"] == f"© {ws.now().year} Stadt Duisburg"
        assert t["IPTC:CodedCharacterSet"] == "UTF8"
        assert SURNAME not in json.dumps(t, ensure_ascii=False)
    assert brigitte["IPTC:Credit"] == brigitte["XMP-photoshop:Credit"] == "Studio Nord"
    assert brigitte["IPTC:By-line"] == brigitte["XMP-dc:Creator"] == "Studio Nord"
    caption = brigitte["XMP-dc:Description"]
    assert caption.startswith("Brigitte, 81, Rentnerin: „Meine Generation hat viele Krisen überstanden.“")
    assert brigitte["IPTC:Caption-Abstract"] == caption  # umlauts intact in IIM too
    assert tags["Tamara-32-feed.jpg"]["IPTC:Credit"] == "Stadt Duisburg"  # no credit of her own: [brand] credit


def test_the_clean_photo_keeps_its_full_resolution_and_the_manifest_lists_every_file(cli, ws, campaign):
    folder = Path(_kit(cli)["folder"])
    manifest = json.loads((folder / "manifest.json").read_text())
    db = ws.store.read()
    kept = records.get(db, campaign["brigitte"])["photo"]
    with Image.open(folder / "images" / "Brigitte-81-photo.jpg") as im:
        assert im.size == (kept["width"], kept["height"]) == (2400, 3000)
    with Image.open(folder / "images" / "Brigitte-81-feed.jpg") as im:
        assert im.size == (1080, 1350)
    rows = {f["file"]: f for f in manifest["files"]}
    assert set(rows) == {f"images/{p.name}" for p in (folder / "images").iterdir()}
    assert rows["images/Brigitte-81-photo.jpg"]["portrait_id"] == campaign["brigitte"]
    assert rows["images/Brigitte-81-photo.jpg"]["languages"] == ["de", "tr"]
    assert rows["images/Brigitte-81-photo.jpg"]["consent_date"] == "2026-02-01"
    assert rows["images/Tamara-32-feed.jpg"]["consent_date"] == "2026-03-01"


def test_the_press_release_names_credits_contact_motifs_and_billboard(cli, ws, campaign):
    text = Path(_kit(cli)["press_release"]).read_text()
    assert "Duisburg ist echt solidarisch" in text and "20.03.2026" in text
    assert "Bildnachweis: Studio Nord, Stadt Duisburg" in text
    assert CONTACT in text
    assert "Königstraße, Ecke Düsseldorfer Straße" in text
    assert "Brigitte (81), Rentnerin" in text and "1.700 Likes" in text and "80 Kommentare" in text
    assert text.index("Brigitte (81)") < text.index("Tamara (32)")  # most liked first
    assert "Jonas" not in text  # the most liked of all has no press consent: never named
    assert "2 Porträts" in text or "2 Menschen" in text


def test_a_person_who_withdraws_is_removed_with_the_kit_and_absent_from_the_next(cli, ws, campaign):
    first = _kit(cli)
    r = cli("consent", "withdraw", campaign["tamara"], "--scope", "press", "--via", "email")
    assert r.exit_code == 0, r.output
    assert "press-kit" in r.output and "campaign press kit" in r.output
    assert not Path(first["folder"]).exists() and not Path(first["zip"]).exists()
    again = _kit(cli)
    assert again["portraits"] == [campaign["brigitte"]]
    with zipfile.ZipFile(again["zip"]) as z:
        assert not [n for n in z.namelist() if "Tamara" in n]
        assert b"Tamara" not in b"".join(z.read(n) for n in z.namelist())


def test_a_period_keeps_only_portraits_with_a_post_in_it(cli, ws, campaign):
    day = (ws.now() - timedelta(days=20)).date()
    with ws.store.transaction() as db:
        posts.update(db, "p-2", ws.now(), "cancelled", "test")  # Tamara's only post
    result = _kit(cli, "--from", day.isoformat(), "--to", day.isoformat())
    assert result["portraits"] == [campaign["brigitte"]]
    r = cli("press", "kit", "--from", "2026-06-10", "--to", "2026-06-01")
    assert r.exit_code == 1 and "ends (2026-06-01) before it starts" in r.output


def test_gdpr_erase_removes_every_kit_that_shows_the_person(cli, ws, campaign):
    kit = _kit(cli)
    r = cli("gdpr", "erase", campaign["brigitte"], "--yes")
    assert r.exit_code == 0, r.output
    assert not Path(kit["folder"]).exists() and not Path(kit["zip"]).exists()
    assert "campaign press kit" in r.output


def test_an_out_folder_with_files_of_someone_else_is_refused_and_left_alone(cli, ws, campaign, tmp_path):
    shared = tmp_path / "Presse"
    shared.mkdir()
    (shared / "notes.docx").write_bytes(b"theirs")
    before = (ws.root / "campaign.json").read_bytes()
    r = cli("press", "kit", "--out", shared)
    assert r.exit_code == 1 and "no press kit wrote" in r.output
    assert sorted(p.name for p in shared.iterdir()) == ["notes.docx"]
    assert (ws.root / "campaign.json").read_bytes() == before
    kit = _kit(cli, "--out", tmp_path / "kit-juni")
    assert Path(kit["zip"]) == tmp_path / "kit-juni.zip" and Path(kit["zip"]).is_file()
    assert _kit(cli, "--out", tmp_path / "kit-juni")["folder"] == kit["folder"]  # its own kit is replaced


def test_the_office_can_use_its_own_template_and_a_broken_one_is_a_clear_error(cli, ws, campaign):
    (ws.root / "pm.md.j2").write_text("{{ campaign.name }}: {{ count }} Porträts. Kontakt: {{ media_contact }}\n"
                                      "{% for p in portraits %}{{ p.first_name }} {% endfor %}\n")
    configure(ws, "press", template="pm.md.j2")
    text = Path(_kit(cli)["press_release"]).read_text()
    assert text.startswith("Duisburg ist echt solidarisch: 2 Porträts. Kontakt: Presseamt")
    assert "Brigitte Tamara" in text
    (ws.root / "pm.md.j2").write_text("{{ portraits[0].surname }} {{ ''.__class__.__mro__ }}")
    r = cli("press", "kit")
    assert r.exit_code == 1 and "pm.md.j2" in r.output and "cannot be used" in r.output
    assert "Traceback" not in r.output


def test_no_press_consent_at_all_is_a_clear_error(cli, ws):
    approved_portrait(ws, "Ali", 30, "trade", scopes="instagram")
    r = cli("press", "kit")
    assert r.exit_code == 1 and "valid press consent" in r.output and "--scope press" in r.output


def test_a_portrait_that_cannot_be_rendered_is_left_out_and_named(cli, ws, campaign):
    photo = ws.root / records.get(ws.store.read(), campaign["tamara"])["photo"]["file"]
    photo.write_bytes(photo.read_bytes()[:200])  # a damaged photo
    r = cli("press", "kit", "--json")
    assert r.exit_code == 1
    result = json.loads(r.output)
    assert result["portraits"] == [campaign["brigitte"]] and result["failed"][0]["portrait_id"] == campaign["tamara"]
    assert sorted(p.name for p in Path(result["folder"], "images").iterdir()) == ["Brigitte-81-feed.jpg",
                                                                                  "Brigitte-81-photo.jpg"]


def test_a_withdrawal_lists_a_kit_outside_the_workspace_to_delete_by_hand_and_status_keeps_saying_so(
        cli, ws, campaign, tmp_path):
    kit = _kit(cli, "--out", tmp_path / "Presse" / "kit-juni")
    r = cli("consent", "withdraw", campaign["tamara"], "--scope", "press")
    assert r.exit_code == 0, r.output
    assert f"Delete the press kit by hand (outside the workspace): {kit['folder']}, {kit['zip']}" in r.output
    assert Path(kit["folder"]).is_dir()  # not ours to delete: the office chose that folder
    status = cli("status").output
    assert f"{kit['folder']} showed a person who withdrew Press consent: delete it by hand" in status
    assert cli("gdpr", "erase", campaign["tamara"], "--yes").exit_code == 0  # still found by the erasure
    assert "kit-juni" in cli("status").output


def test_status_says_to_make_the_kit_again_when_someone_in_it_no_longer_has_press_consent(
        cli, ws, campaign, monkeypatch):
    _kit(cli)
    assert "press kit" not in cli("status").output
    r = cli("portrait", "edit", campaign["tamara"], "--age", "16")  # a minor now: no guardian signed
    assert r.exit_code == 0, r.output
    assert ("The press kit at exports/press-kit shows 1 person whose Press consent is no longer valid: "
            "make it again (`campaign press kit`)") in cli("status").output
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "de")  # the to-do in the interface language
    assert ("Pressemappe unter exports/press-kit zeigt 1 Person, deren Einwilligung für Presse nicht mehr gilt: "
            "Bitte neu erstellen (`campaign press kit`)") in cli("status").output
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "en")
    _kit(cli)
    assert "press kit" not in cli("status").output


def test_doctor_finds_half_made_kits_and_one_a_stopped_withdrawal_left_and_fix_removes_them(
        cli, ws, campaign, tmp_path):
    import os

    from campaign.privacy import places
    from portraits import consent as consents

    _kit(cli, "--out", tmp_path / "kit")
    half = tmp_path / ".kit.x1y2z3ab.tmp"  # a kit being made when the command was stopped
    (half / "images").mkdir(parents=True)
    (half / "images" / "Brigitte-81-photo.jpg").write_bytes(b"\xff\xd8 a face")
    half_zip = tmp_path / ".kit.zip.4242.tmp"
    half_zip.write_bytes(b"PK half a zip")
    young = tmp_path / ".kit.zip.4343.tmp"  # a run that may still be going on
    young.write_bytes(b"PK")
    old = ws.now().timestamp() - 600
    for path in (half, half_zip):
        os.utime(path, (old, old))
    _kit(cli)
    with ws.store.transaction() as db:  # the store part of a withdrawal, stopped before it deleted the kit
        now = ws.now()
        consents.withdraw(db, campaign["tamara"], "press", received=now.date(), now=now)
        places.place("press kit").withdraw(db, campaign["tamara"], {"press"}, now)
    r = cli("doctor", "--json")
    assert r.exit_code == 1
    found = {f["path"]: f["problem"] for f in json.loads(r.output)["findings"]}
    assert "a press kit that was being made when it was stopped" in found[str(half)]
    assert str(half_zip) in found and str(young) not in found
    assert "showed a person who withdrew press consent and is still there" in found["exports/press-kit"]
    assert "exports/press-kit.zip" in found
    r = cli("doctor", "--fix")
    assert r.exit_code == 0, r.output
    assert not half.exists() and not half_zip.exists() and young.exists()
    assert not (ws.exports / "press-kit").exists() and (tmp_path / "kit").is_dir()  # someone else's choice stays


@pytest.mark.parametrize("tag", ['{% include "campaign.json" %}', '{% import ".backups/campaign.json.1" as b %}',
                                 '{% from "campaign.json" import x %}', '{% extends "campaign.toml" %}',
                                 '{% include "photos/" ~ count ~ ".jpg" %}'])
def test_a_press_template_cannot_read_the_store_or_any_other_file(cli, ws, campaign, tag):
    (ws.root / "pm.md.j2").write_text(f"Kontakt: {{{{ media_contact }}}}\n{tag}\n")
    configure(ws, "press", template="pm.md.j2")
    before = ws.store.path.read_bytes()
    r = cli("press", "kit")
    assert r.exit_code == 1 and "pm.md.j2 (line 2)" in r.output and "may not read other files" in r.output
    assert "Traceback" not in r.output and SURNAME not in r.output
    assert ws.store.path.read_bytes() == before and not (ws.exports / "press-kit").exists()


@pytest.mark.parametrize("name", ["campaign.json", ".backups/campaign.json.1", ".private/notes.j2",
                                  "exports/old.md.j2", "../outside.j2"])
def test_the_press_template_is_never_a_file_the_tool_keeps(cli, ws, campaign, name):
    cli("portrait", "edit", campaign["tamara"], "--quote", "Wir halten zusammen.")  # a backup holds the store
    path = (ws.root / name).resolve()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{{ campaign.name }}")
    configure(ws, "press", template=name)
    r = cli("press", "kit")
    assert r.exit_code == 1 and "must be a .j2 file of your own in the workspace" in r.output, r.output
    assert not (ws.exports / "press-kit").exists()


def test_a_template_that_is_not_text_is_a_clear_error_not_a_traceback(cli, ws, campaign):
    (ws.root / "pm.md.j2").write_bytes(b"\xff\xd8\xff\xe0 Kontakt {{ media_contact }}")
    configure(ws, "press", template="pm.md.j2")
    r = cli("press", "kit")
    assert r.exit_code == 1 and "pm.md.j2 is not a text file in UTF-8" in r.output
    assert "Traceback" not in r.output and "UnicodeDecodeError" not in r.output


def test_html_in_a_quote_or_role_reaches_the_press_release_as_text_not_as_markup(cli, ws, campaign):
    quote = '<script>alert("x")</script> Wir [halten](javascript:alert(1)) zusammen &amp; <b>fest</b>'
    with ws.store.transaction() as db:  # as an import or an older version may have stored it
        db.table("portraits").update({"quote": quote, "role": "Rentnerin <img src=x onerror=y>"},
                                     lambda d: d["id"] == campaign["brigitte"])
    configure(ws, "press", template="pm.md.j2")
    (ws.root / "pm.md.j2").write_text("{% for p in top %}{{ p.role }}: {{ p.quote|safe }}\n{% endfor %}")
    own = Path(_kit(cli)["press_release"]).read_text()
    configure(ws, "press", template="")
    built_in = Path(_kit(cli)["press_release"]).read_text()
    for text in (own, built_in):
        assert "<script" not in text and "<img" not in text and "<b>" not in text
        assert not re.search(r"(?<!\\)\]\(", text)  # no Markdown link: the bracket is escaped
        assert "&lt;script&gt;alert(\"x\")&lt;/script&gt;" in text and "&amp;amp; &lt;b&gt;fest&lt;/b&gt;" in text
        assert "Rentnerin &lt;img src=x onerror=y&gt;" in text and "Wir \\[halten\\](javascript:" in text


def test_the_copyright_is_the_brand_owner_and_the_usage_terms_are_german_by_default(cli, ws):
    configure(ws, "brand", owner="Stadt Duisburg")
    approved_portrait(ws, "Tamara", 32, "health", scopes="instagram,press", size=(1600, 2000))
    folder = Path(_kit(cli)["folder"])
    for t in metadata.read(sorted((folder / "images").glob("*.jpg"))):
        assert t["IPTC:CopyrightNotice"] == f"© {ws.now().year} Stadt Duisburg"  # not the campaign's name
        assert t["XMP-xmpRights:UsageTerms"].startswith("Honorarfrei nur für die redaktionelle Berichterstattung")
    assert "Stadt Duisburg" in (folder / "press-release.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang, words", [("de", "zu klein für den Druck"), ("en", "too small for print")])
def test_a_photo_too_small_for_print_is_marked_in_the_manifest_and_the_output(cli, ws, monkeypatch, lang, words):
    small = approved_portrait(ws, "Tamara", 32, "health", scopes="instagram,press", size=(320, 400))
    large = approved_portrait(ws, "Brigitte", 81, "senior", scopes="instagram,press", size=(1600, 2000))
    monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)
    r = cli("press", "kit", "--jobs", "1")
    assert r.exit_code == 0, r.output
    assert f"{small}:" in r.output and "320x400" in r.output and words in r.output and large + ":" not in r.output
    assert "portrait(s)" not in r.output and "Porträt(s)" not in r.output
    manifest = json.loads((ws.exports / "press-kit" / "manifest.json").read_text())
    marks = {(f["portrait_id"], f["print"]) for f in manifest["files"]}
    assert marks == {(small, False), (large, True)}
    assert all("too small for print" in f["note"] for f in manifest["files"] if f["portrait_id"] == small)
    assert json.loads(cli("press", "kit", "--jobs", "1", "--json").output)["too_small_for_print"] == [
        {"portrait_id": small, "width": 320, "height": 400}]
