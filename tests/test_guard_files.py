"""Nothing gets around the rules on disk: a link or a swapped photo is never exported or published,
a person's export is private, no `--out` replaces the store or someone's file, `doctor --fix`
removes only what the tool wrote, an odd file name never stops an erasure, and a withdrawal
reaches an exported calendar."""
from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import approved_portrait, make_photo


def _files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _photo(ws, pid: str) -> Path:
    doc = next(d for d in ws.store.read().table("portraits").all() if d["id"] == pid)
    return ws.root / doc["photo"]["file"]


def _with_form(cli, ws, tmp_path, pid: str) -> Path:
    form = tmp_path / "form.pdf"
    form.write_bytes(b"%PDF signed by Brigitte")
    assert cli("consent", "grant", pid, "--scope", "billboard", "--signed-on", "2026-02-01",
               "--evidence", form).exit_code == 0
    return next((ws.private / "evidence").iterdir())


# --- 1. files named by their hash -------------------------------------------------------------

@pytest.mark.parametrize("which", ["photo", "form"])
def test_a_link_in_place_of_a_kept_file_is_never_exported_and_doctor_names_it(cli, ws, tmp_path, which):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    kept = _with_form(cli, ws, tmp_path, pid) if which == "form" else _photo(ws, pid)
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$secret-hash:19000:0:99999:7:::\n")
    kept.unlink()
    kept.symlink_to(secret)
    store = ws.store.path.read_bytes()

    r = cli("gdpr", "export", pid, "--out", tmp_path / "requests")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "link to another file" in r.output and len(r.output.strip().splitlines()) <= 2
    assert not any("secret-hash" in p.read_text(errors="replace")
                   for p in (tmp_path / "requests").rglob("*") if p.is_file())
    assert ws.store.path.read_bytes() == store

    r = cli("doctor")
    assert r.exit_code == 1 and "is a link to another file" in r.output
    assert kept.name in r.output


def test_a_swapped_photo_is_neither_rendered_nor_exported_and_doctor_says_so(cli, ws, tmp_path):
    tamara = approved_portrait(ws, "Tamara", 32, "health")
    other = make_photo(tmp_path / "someone-else.jpg", seed=99)
    _photo(ws, tamara).write_bytes(other.read_bytes())  # another person's picture under Tamara's name

    r = cli("render", tamara, "--format", "instagram-feed")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "not the one that was added" in r.output
    assert not (ws.renders / tamara / "instagram-feed.jpg").exists()

    r = cli("gdpr", "export", tamara, "--out", tmp_path / "requests")
    assert r.exit_code == 1 and "not the one that was added" in r.output

    r = cli("doctor")
    assert r.exit_code == 1 and "is not the file that was recorded" in r.output


def test_a_photo_replaced_after_doctor_hashed_it_is_still_found_with_its_old_times(cli, ws, tmp_path):
    pid = approved_portrait(ws, "Tamara", 32, "health")
    assert cli("doctor").exit_code == 0  # the photo's hash is now remembered
    photo = _photo(ws, pid)
    before = photo.stat()
    other = make_photo(tmp_path / "other.jpg", seed=7).read_bytes()
    photo.write_bytes(other[:before.st_size].ljust(before.st_size, b"\0"))  # same size ...
    os.utime(photo, ns=(before.st_atime_ns, before.st_mtime_ns))  # ... and the same times
    r = cli("doctor")
    assert r.exit_code == 1 and "is not the file that was recorded" in r.output


def test_an_untouched_workspace_still_renders_and_exports(cli, ws, tmp_path):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    _with_form(cli, ws, tmp_path, pid)
    assert cli("render", pid, "--format", "story").exit_code == 0
    r = cli("gdpr", "export", pid, "--out", tmp_path / "requests", "--json")
    assert r.exit_code == 0, r.output
    assert {"data.json", "photo.jpg"} <= set(json.loads(r.output)["files"])
    assert cli("doctor").exit_code == 0


# --- 2. a person's export is as private as .private/ -------------------------------------------

def test_everything_in_a_gdpr_export_is_private_whatever_the_umask(cli, ws, tmp_path):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    _with_form(cli, ws, tmp_path, pid)
    assert cli("render", pid, "--format", "story").exit_code == 0
    old = os.umask(0)
    try:
        assert cli("gdpr", "export", pid, "--out", tmp_path / "requests").exit_code == 0
    finally:
        os.umask(old)
    folder = tmp_path / "requests" / pid
    modes = {str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")]}
    assert {"data.json", "photo.jpg", "renders/story.jpg"} <= set(modes)
    assert any(name.startswith("consent/") for name in modes)
    for name, mode in modes.items():
        assert mode == (0o700 if (folder / name).is_dir() else 0o600), (name, oct(mode))


# --- 3. no --out replaces the store, campaign.toml, .private/ or someone's file ----------------

def test_schedule_ical_never_replaces_the_store_or_campaign_toml(cli, ws):
    approved_portrait(ws, "Brigitte", 81, "senior")
    for name in ("campaign.json", "campaign.toml"):
        before = (ws.root / name).read_bytes()
        r = cli("schedule", "ical", ws.root / name)
        assert r.exit_code == 1 and "Traceback" not in r.output, r.output
        assert "part of the workspace itself" in r.output
        assert (ws.root / name).read_bytes() == before
    assert cli("portrait", "list").exit_code == 0


def test_no_output_path_writes_into_private_or_over_the_store(cli, ws, tmp_path):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    assert cli("render", pid, "--format", "story").exit_code == 0
    store = ws.store.path.read_bytes()
    private = ws.private / "notes"
    for args in (("preview", "--out", ws.private / "sheet.jpg"),
                 ("schedule", "ical", ws.private / "calendar.ics"),
                 ("report", "--out", private),
                 ("gallery", "--out", private),
                 ("gdpr", "export", pid, "--out", ws.private),
                 ("billboard", "export", "--out", ws.root / "campaign.json", "--force")):
        r = cli(*args)
        assert r.exit_code == 1 and "part of the workspace itself" in r.output, (args, r.output)
    assert ws.store.path.read_bytes() == store
    assert not private.exists() and not (ws.private / "calendar.ics").exists()


def test_preview_and_ical_never_replace_a_file_they_did_not_write(cli, ws, tmp_path):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    assert cli("render", pid, "--format", "story").exit_code == 0
    shoot = tmp_path / "shoot"
    photo = make_photo(shoot / "f.jpg")
    notes = shoot / "plan.ics"
    notes.write_text("my own calendar")
    before = _files_of(shoot)
    r = cli("preview", "--out", photo)
    assert r.exit_code == 1 and "this tool did not write it" in r.output
    r = cli("schedule", "ical", notes)
    assert r.exit_code == 1 and "this tool did not write it" in r.output
    assert _files_of(shoot) == before
    # its own earlier output is replaced as before
    sheet, cal = tmp_path / "out" / "sheet.jpg", tmp_path / "out" / "cal.ics"
    for _ in range(2):
        assert cli("preview", "--out", sheet).exit_code == 0
        assert cli("schedule", "ical", cal).exit_code == 0


# --- 4. doctor --fix removes only what the tool wrote ------------------------------------------

def test_doctor_fix_lists_a_persons_files_and_never_deletes_them(cli, ws, tmp_path):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    assert cli("render", pid, "--format", "story").exit_code == 0
    mine = [make_photo(ws.photos / "brigitte-original.jpg"), ws.photos / "README.txt",
            ws.renders / "notes" / "todo.txt", ws.renders / "list.txt"]
    for path in mine[1:]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("mine")
    orphan = make_photo(ws.photos / ("ab" * 32 + ".jpg"))  # a photo the tool kept, no record points to

    r = cli("doctor")
    assert r.exit_code == 1
    for path in mine:
        assert f"{path.relative_to(ws.root)} was not written by this tool" in r.output, r.output
    r = cli("doctor", "--fix")
    assert all(path.exists() for path in mine) and not orphan.exists()
    assert "not written by this tool" in r.output


# --- 5. a file name that is not UTF-8 ----------------------------------------------------------

def test_a_name_that_is_not_utf8_never_stops_an_erasure_or_doctor(cli, ws, tmp_path):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    assert cli("render", pid, "--format", "story").exit_code == 0
    assert cli("preview").exit_code == 0
    odd = os.path.join(os.fsencode(ws.exports), b"\xff.jpg")
    with open(odd, "wb") as f:
        f.write(b"someone's file")
    for args in (("doctor",), ("doctor", "--fix"), ("doctor", "--json")):
        r = cli(*args)
        shown = json.loads(r.output)["findings"][0]["path"] if "--json" in args else r.output
        assert r.exit_code == 1 and "exports/\\xff.jpg" in shown, r.output
    r = cli("gdpr", "erase", pid, "--yes")
    assert r.exit_code == 0, r.output
    assert not (ws.exports / "contact-sheet.jpg").exists() and not (ws.renders / pid).exists()
    assert os.path.exists(odd)  # not ours: left where it is
    assert cli("gdpr", "erase", pid, "--yes").exit_code == 1  # a second erase: no such person, no crash
    os.rename(odd, os.path.join(os.fsencode(ws.exports), b"renamed.jpg"))
    assert cli("doctor").exit_code == 0


# --- 6. a withdrawal reaches an exported calendar ----------------------------------------------

def _planned(cli, ws, pid: str, channel: str) -> str:
    at = (ws.now() + timedelta(days=2)).strftime("%Y-%m-%d 10:00")
    return json.loads(cli("schedule", "add", pid, "--at", at, "--channel", channel, "--json").output)[0]["id"]


def test_withdrawal_takes_cancelled_posts_out_of_an_exported_calendar(cli, ws, tmp_path):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    insta, face = _planned(cli, ws, pid, "instagram"), _planned(cli, ws, pid, "facebook")
    cal = tmp_path / "team" / "calendar.ics"
    assert cli("schedule", "ical", cal).exit_code == 0
    assert f"UID:{insta}@" in cal.read_text()
    assert cli("consent", "withdraw", pid, "--scope", "instagram").exit_code == 0
    text = cal.read_text()
    assert f"UID:{insta}@" not in text and f"UID:{face}@" in text  # facebook still goes out


def test_status_says_to_export_a_calendar_again_that_withdrawal_could_not_rewrite(cli, ws, tmp_path):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    _planned(cli, ws, pid, "instagram")
    cal = tmp_path / "calendar.ics"
    assert cli("schedule", "ical", cal).exit_code == 0
    cal.write_bytes(b"\xef\xbb\xbf" + cal.read_bytes())  # resaved by another program: not ours to edit
    assert cli("consent", "withdraw", pid, "--scope", "instagram").exit_code == 0
    r = cli("status")
    assert f"{cal} still shows posts that a withdrawal cancelled" in r.output, r.output
    assert "campaign schedule ical FILE" in r.output
    assert cli("schedule", "ical", cal).exit_code == 0
    assert "withdrawal cancelled" not in cli("status").output
