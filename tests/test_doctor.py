"""campaign doctor: every kind of finding in plain words, --fix repairs what is safe, exit codes."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import ROOT, approved_portrait, make_photo, run_campaign


def _aged(path: Path) -> Path:
    """As if left by a crash an hour ago (on the test's clock, which doctor reads too)."""
    old = time.time() - 3600
    os.utime(path, (old, old))
    return path


def _campaign(cli, ws, tmp_path) -> str:
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    form = tmp_path / "form.pdf"
    form.write_bytes(b"%PDF signed")
    assert cli("consent", "grant", pid, "--scope", "billboard", "--signed-on", "2026-02-01", "--evidence", form).exit_code == 0
    assert cli("render", pid, "--format", "instagram-square,story").exit_code == 0
    at = (ws.now() + timedelta(days=1)).strftime("%Y-%m-%d 10:00")
    post = json.loads(cli("schedule", "add", pid, "--at", at, "--channel", "instagram", "--json").output)[0]["id"]
    assert cli("publish", post).exit_code == 0
    return pid


def test_a_healthy_workspace_is_in_order(cli, ws, tmp_path):
    _campaign(cli, ws, tmp_path)
    r = cli("doctor")
    assert r.exit_code == 0 and r.output == "The workspace is in order.\n"
    assert json.loads(cli("doctor", "--json").output) == {"ok": True, "findings": [], "fixed": [], "failed": []}


def test_every_leftover_and_orphan_is_found_and_fix_removes_only_those(cli, ws, tmp_path):
    pid = _campaign(cli, ws, tmp_path)
    kept = sorted(str(p.relative_to(ws.root)) for p in ws.root.rglob("*") if p.is_file() and ".lock" not in p.name
                  and p.name != "campaign.log")
    make_photo(ws.photos / ("ab" * 32 + ".jpg"))  # a photo no record points to
    (ws.photos / f".{'cd' * 32}.jpg.x1y2z3.tmp").write_bytes(b"half a photo")  # staged by a killed `portrait add`
    make_photo(ws.renders / "ghost-40" / "story.jpg")  # renders of a portrait that no longer exists
    (ws.renders / pid / "facebook-xx.json").write_text('{"file": "facebook-xx.jpg"}')  # a render record without its image
    (ws.outbox / "2026-06-01-p-99-instagram").mkdir()  # an outbox entry of a post that no longer exists
    (ws.outbox / ".2026-06-01-p-98-instagram.k2j3").mkdir()  # a post the outbox was writing when killed
    temp = ws.exports / ".billboard-k2j3ab"
    temp.mkdir()
    make_photo(temp / "cell.jpg")
    _aged(temp)
    _aged(_touch(ws.exports / ".contact-sheet.jpg.9f8e.tmp"))
    fresh = ws.exports / ".billboard-running"  # a billboard export running right now: not touched
    fresh.mkdir()
    _touch(ws.root / ".campaign.json.7g6h.tmp")
    os.chmod(_touch(ws.private / "evidence" / ("ef" * 32 + ".pdf")), 0o600)  # a form no consent points to
    os.chmod(_aged(_touch(ws.private / ".instagram-session.json.q1w2.tmp")), 0o600)  # a session being saved

    r = cli("doctor")
    assert r.exit_code == 1
    problems = [line for line in r.output.splitlines() if line.startswith("Problem: ")]
    assert len(problems) == 11, r.output
    for words in ("belongs to no portrait", "half-saved photo", "renders/ghost-40 holds images of a portrait that no "
                  "longer exists", "describes an image that is not there", "belongs to a post that no longer exists",
                  "the outbox was still writing", ".billboard-k2j3ab was left by a billboard export",
                  "exports/.contact-sheet.jpg.9f8e.tmp is a half-written export", ".campaign.json.7g6h.tmp",
                  "consent form", ".private/.instagram-session.json.q1w2.tmp is a half-written file"):
        assert any(words in p for p in problems), words
    assert all(" -> " in p for p in problems)  # each says what to do
    assert r.output.splitlines()[-1] == "11 problems; `campaign doctor --fix` repairs 11 of them."

    r = cli("doctor", "--fix")
    assert r.exit_code == 0, r.output
    assert r.output.count("Fixed: removed ") == 11 and r.output.endswith("The workspace is in order now.\n")
    left = sorted(str(p.relative_to(ws.root)) for p in ws.root.rglob("*") if p.is_file() and ".lock" not in p.name
                  and p.name != "campaign.log")
    assert left == kept  # everything that belongs stays
    assert fresh.is_dir()
    assert cli("doctor").exit_code == 0


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_a_missing_photo_is_reported_and_left_to_a_person(cli, ws, tmp_path):
    pid = _campaign(cli, ws, tmp_path)
    photo = next(ws.photos.iterdir())
    photo.unlink()
    for args in (["doctor"], ["doctor", "--fix"]):
        r = cli(*args)
        assert r.exit_code == 1
        assert f"The photo of {pid} (photos/{photo.name}) is missing. -> Restore photos/ from a backup" in r.output


def test_a_photo_left_under_its_temporary_name_gets_its_name(cli, ws, tmp_path):
    pid = _campaign(cli, ws, tmp_path)
    photo = next(ws.photos.iterdir())
    photo.rename(ws.photos / f".{photo.name}.a1b2c3.tmp")  # killed after the record was saved, before the rename
    r = cli("doctor")
    assert r.exit_code == 1 and f"The photo of {pid} was left under a temporary name" in r.output
    r = cli("doctor", "--fix")
    assert r.exit_code == 0 and f"gave photos/{photo.name} its name" in r.output
    assert photo.is_file() and cli("render", pid, "--format", "facebook").exit_code == 0


def test_two_photos_left_under_temporary_names_are_each_named_in_what_the_fix_says(cli, ws, tmp_path):
    _campaign(cli, ws, tmp_path)
    approved_portrait(ws, "Tamara", 34, "nurse")
    photos = sorted(ws.photos.iterdir())
    assert len(photos) == 2
    for photo in photos:
        photo.rename(ws.photos / f".{photo.name}.a1b2c3.tmp")
    r = cli("doctor", "--fix")
    assert r.exit_code == 0, r.output
    for photo in photos:
        assert f"gave photos/{photo.name} its name" in r.output and photo.is_file()


@pytest.mark.real_clock
def test_a_killed_portrait_add_never_leaves_a_photo_without_a_record(ws, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), CAMPAIGN_USER="tester")
    rng = random.Random(7)
    caught_staged = 0
    for attempt in range(10):
        photo = make_photo(tmp_path / "in" / f"p{attempt}.jpg", size=(2400, 3000), seed=attempt + 1)
        command = [sys.executable, "-m", "campaign", "-w", str(ws.root), "portrait", "add", str(photo),
                   "--first-name", "Eva", "--age", str(30 + attempt), "--role", "Lehrerin", "--quote", "Hallo"]
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if attempt < 5 and not caught_staged:  # the moment the staged photo is on disk, its record not saved yet
            while proc.poll() is None and not any(p.name.endswith(".tmp") for p in ws.photos.iterdir()):
                pass
        else:
            time.sleep(rng.uniform(0.2, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        records = {p["photo"]["file"] for p in json.loads(ws.store.path.read_text()).get("portraits", {}).values()}
        caught_staged += any(f.name.endswith(".tmp") for f in ws.photos.iterdir())
        for f in ws.photos.iterdir():
            assert f.name.startswith(".") and f.name.endswith(".tmp") or f"photos/{f.name}" in records, f.name
    assert caught_staged, "at least one kill came between writing the photo and saving its record"
    r = run_campaign("-w", ws.root, "doctor", "--fix")
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(f"photos/{f.name}" for f in ws.photos.iterdir()) == sorted(
        p["photo"]["file"] for p in json.loads(ws.store.path.read_text()).get("portraits", {}).values())


def test_private_files_are_tightened_even_when_the_folder_already_existed(cli, ws, tmp_path):
    _campaign(cli, ws, tmp_path)
    private = ws.root / ".private"
    form = next((private / "evidence").iterdir())
    assert oct(form.stat().st_mode & 0o777) == "0o600"  # written private from the start
    session = private / "instagram-session.json"
    session.write_text("{}")
    os.chmod(session, 0o644)
    os.chmod(form, 0o640)
    os.chmod(private / "evidence", 0o755)
    os.chmod(private, 0o755)
    r = cli("doctor")
    assert r.exit_code == 1
    assert "The private folder .private has mode 755" in r.output
    assert "The private file .private/instagram-session.json has mode 644" in r.output
    assert "The private file .private/evidence/" in r.output and "has mode 640" in r.output
    r = cli("doctor", "--fix")
    assert r.exit_code == 0, r.output
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in (private, private / "evidence", form, session)}
    assert modes == {".private": "0o700", "evidence": "0o700", form.name: "0o600", session.name: "0o600"}
    os.chmod(private, 0o755)  # any command that uses .private tightens the folder too
    assert ws.private == private and oct(private.stat().st_mode & 0o777) == "0o700"


def test_a_broken_campaign_toml_is_one_finding_and_the_rest_is_still_checked(cli, ws):
    cfg = ws.root / "campaign.toml"
    cfg.write_text(cfg.read_text().replace('timezone = "Europe/Berlin"', "timezone = 5"))
    make_photo(ws.photos / ("ab" * 32 + ".jpg"))
    r = cli("doctor")
    assert r.exit_code == 1 and "Traceback" not in r.output
    problems = [line for line in r.output.splitlines() if line.startswith("Problem: ")]
    assert len(problems) == 2
    assert problems[0].startswith("Problem: campaign.toml: ") and "timezone" in problems[0]
    r = cli("doctor", "--fix")
    assert r.exit_code == 1 and "Fixed: removed photos/" in r.output and "campaign.toml" in r.output


def test_an_unreadable_store_is_reported_and_nothing_is_called_an_orphan(cli, ws, tmp_path):
    _campaign(cli, ws, tmp_path)
    ws.store.path.write_bytes(b"\x00\x01 not a store")
    photos = sorted(ws.photos.iterdir())
    r = cli("doctor", "--fix")
    assert r.exit_code == 1 and "campaign.json" in r.output and "Traceback" not in r.output
    assert [line for line in r.output.splitlines() if line.startswith("Problem: ")][0].count("store") >= 1
    assert sorted(ws.photos.iterdir()) == photos  # nothing removed while the store cannot be read
