"""Erasure and withdrawal reach every file: the privacy sweep, kills during an erase, exact audit matches."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from conftest import ROOT, approved_portrait, make_photo, run_campaign
from sweep import build, present, sweep


def test_after_gdpr_erase_no_file_of_the_workspace_holds_anything_of_the_person(cli, ws, tmp_path):
    people = build(cli, ws, tmp_path)
    gone, kept = people[0], people[1]
    # The sweep finds the person everywhere the tool put them before the erase.
    assert set(present(ws.root, gone)) >= {"campaign.json", "campaign.log", "photos", "renders", "outbox",
                                           "exports", ".private", "requests"}
    hits = "\n".join(sweep(ws.root, gone))
    for made in ("exports/calendar.ics", "exports/press-kit/images/", "exports/press-kit.zip", "exports/gallery/",
                 "exports/whatsapp/"):
        assert made in hits, made

    r = cli("gdpr", "erase", gone.id, "--yes")
    assert r.exit_code == 0, r.output
    assert sweep(ws.root, gone) == []
    # Everyone else is still there, and what must be made again says so.
    assert sweep(ws.root, kept), "the other people's files are kept"
    assert "Tamara (32)" in (ws.exports / "calendar.ics").read_text()  # made again without the erased person
    status = cli("status").output
    assert "Billboard pick 1 held an erased person: pick again" in status
    assert "The report was removed because it showed an erased person" in status
    assert "The contact sheet was removed" in status
    for made in ("press kit", "website gallery", "WhatsApp bundle"):
        assert f"The {made} was removed because it showed an erased person" in status
    assert not list(ws.exports.glob("billboard-*"))
    r = cli("billboard", "export", "--format", "100x70cm", "--dpi", 30)
    assert r.exit_code == 1 and "held an erased person" in r.output
    assert cli("doctor").exit_code == 0


@pytest.mark.real_clock
def test_an_erase_killed_at_any_moment_is_finished_by_a_second_erase(cli, ws, tmp_path):
    people = build(cli, ws, tmp_path)
    gone = people[0]
    pristine = tmp_path / "pristine"
    shutil.copytree(ws.root, pristine, symlinks=True)

    def restore():
        shutil.rmtree(ws.root)
        shutil.copytree(pristine, ws.root, symlinks=True)

    env = dict(os.environ, PYTHONPATH=str(ROOT), CAMPAIGN_USER="tester")
    command = [sys.executable, "-m", "campaign", "-w", str(ws.root), "gdpr", "erase", gone.id, "--yes"]
    started = time.perf_counter()
    assert subprocess.run(command, env=env, capture_output=True).returncode == 0
    whole = time.perf_counter() - started
    rng = random.Random(20260617)
    # Kill points: as soon as the intent is in the store (the files not yet deleted; tried until a
    # kill lands there, as a busy machine may let the erase finish first), then at random.
    moments = ["intent"] * 5 + sorted(rng.uniform(0.3 * whole, 1.1 * whole) for _ in range(6))
    outcomes = []
    for moment in moments:
        if moment == "intent" and "unfinished" in outcomes:
            continue
        restore()
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if moment == "intent":
            while proc.poll() is None and '"erasures":{"' not in ws.store.path.read_text():
                pass
        else:
            time.sleep(moment)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        raw = ws.store.path.read_text()
        unfinished = '"erasures":{"' in raw
        if unfinished:
            assert gone.id not in raw and gone.surname not in raw  # the intent record names no one
            shown = run_campaign("-w", ws.root, "status")
            assert "Unfinished erasure erased-" in shown.stdout
            assert gone.id not in shown.stdout
        second = subprocess.run(command, env=env, capture_output=True, text=True)
        if second.returncode != 0:  # the first one had finished before the kill
            assert "nothing to erase" in second.stderr and not unfinished, second.stderr
        outcomes.append("unfinished" if unfinished else ("not started" if second.returncode == 0 else "done"))
        assert sweep(ws.root, gone) == [], f"killed at {moment}"
        assert '"erasures":{"' not in ws.store.path.read_text()
        assert run_campaign("-w", ws.root, "doctor").returncode == 0
    assert "unfinished" in outcomes, outcomes


def test_erasing_anna_30_leaves_the_history_of_anna_30_2_untouched(cli, ws):
    first = approved_portrait(ws, "Anna", 30, "health", size=(1800, 2250))
    second = approved_portrait(ws, "Anna", 30, "retail", size=(1800, 2250))
    assert (first, second) == ("anna-30", "anna-30-2")
    assert cli("billboard", "pick", "--slots", 3).exit_code == 0
    before = json.loads(cli("audit", "--json").output)
    assert cli("gdpr", "erase", first, "--yes").exit_code == 0
    after = json.loads(cli("audit", "--json").output)
    assert [e for e in after if e["subject"] == second] == [e for e in before if e["subject"] == second] != []
    assert json.dumps(after).count('"anna-30-2"') == json.dumps(before).count('"anna-30-2"')
    pick = next(e for e in after if e["action"] == "billboard.pick")
    assert pick["details"]["portraits"][1] == second and pick["details"]["portraits"][0].startswith("erased-")
    assert not any(e.get("subject") == first for e in after)
    assert cli("portrait", "show", second).exit_code == 0


def test_the_log_loses_exactly_the_lines_naming_the_person(cli, ws):
    first = approved_portrait(ws, "Anna", 30, "health")
    second = approved_portrait(ws, "Anna", 31, "retail")
    ws.log_path.write_text(f"x publishing p-1 ({first}) on instagram\n"
                           f"x publishing p-2 ({first}-2) on instagram\n"  # another id that merely contains it
                           f"x caption was Anna, 30, Pflegerin\n"
                           f"x caption was Anna, 300 (not her)\n"
                           f"x publishing p-3 ({second}) on facebook\n")
    assert cli("gdpr", "erase", first, "--yes").exit_code == 0
    assert ws.log_path.read_text().splitlines() == [f"x publishing p-2 ({first}-2) on instagram",
                                                    "x caption was Anna, 300 (not her)",
                                                    f"x publishing p-3 ({second}) on facebook"]


def test_kept_versions_of_the_store_that_hold_the_person_are_deleted(cli, ws):
    from campaign.workspace.store import backup_files, schema_problem

    kept = approved_portrait(ws, "Tamara", 32, "health")
    before_them = ws.store.path.read_bytes()  # a version from before the person was added
    gone = approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommerfeld")
    assert cli("portrait", "edit", gone, "--role", "Rentnerin im Ehrenamt").exit_code == 0
    assert any(gone in b.read_text() for b in backup_files(ws.store.path))
    assert cli("gdpr", "erase", gone, "--yes").exit_code == 0
    after = backup_files(ws.store.path)
    assert after, "the newest version is kept"
    for backup in after:
        data = backup.read_text()
        assert gone not in data and "Sommerfeld" not in data, backup.name
        assert schema_problem(json.loads(data)) is None  # each can still be restored
    assert before_them in [b.read_bytes() for b in after]
    assert any(kept in b.read_text() for b in after)


def test_an_evidence_form_two_people_share_stays_for_the_other(cli, ws, tmp_path):
    a = approved_portrait(ws, "Anna", 30, "health", scopes="instagram")
    b = approved_portrait(ws, "Ben", 40, "retail", scopes="instagram")
    form = tmp_path / "group-form.pdf"
    form.write_bytes(b"%PDF one form for two")
    for pid in (a, b):
        assert cli("consent", "grant", pid, "--scope", "billboard", "--signed-on", "2026-02-01",
                   "--evidence", form).exit_code == 0
    assert cli("gdpr", "erase", a, "--yes").exit_code == 0
    assert len(list((ws.private / "evidence").iterdir())) == 1
    assert cli("doctor").exit_code == 0


def test_an_interrupted_erasure_is_found_by_its_id_and_by_doctor(cli, ws):
    from campaign.privacy import erasure

    gone = approved_portrait(ws, "Brigitte", 81, "senior")
    assert cli("render", gone, "--format", "instagram-square").exit_code == 0
    erasure.begin(ws, gone)  # what a kill right after the store part leaves
    assert (ws.renders / gone).is_dir()
    assert cli("portrait", "show", gone).exit_code == 1
    r = cli("doctor")
    assert r.exit_code == 1 and "was interrupted" in r.output and gone not in r.output
    r = cli("gdpr", "erase", gone, "--yes")  # not "not found": it finishes the erasure
    assert r.exit_code == 0 and r.output.startswith(f"Finished erasing {gone}")
    assert not (ws.renders / gone).exists()
    assert cli("doctor").exit_code == 0
    r = cli("gdpr", "erase", gone, "--yes")
    assert r.exit_code == 1 and "nothing to erase" in r.output


def test_doctor_fix_finishes_an_interrupted_erasure_without_knowing_the_id(cli, ws):
    from campaign.privacy import erasure

    gone = approved_portrait(ws, "Brigitte", 81, "senior")
    ws.log_path.write_text(f"x published p-1 ({gone}) on instagram\nx other line\n")
    assert cli("render", gone, "--format", "instagram-square").exit_code == 0
    erasure.begin(ws, gone)  # what a kill right after the store part leaves
    r = cli("doctor", "--fix")
    assert r.exit_code == 0, r.output
    assert "finished the interrupted erasure erased-" in r.output
    assert not (ws.renders / gone).exists() and not list(ws.photos.iterdir())
    assert gone not in ws.log_path.read_text() and "other line" in ws.log_path.read_text()


def test_an_erase_keeps_the_billboard_file_a_later_pick_wrote_over(cli, ws):
    people = [approved_portrait(ws, first, age, category, size=(1800, 2250)) for first, age, category in
              (("Brigitte", 81, "senior"), ("Tamara", 32, "health"), ("Jonas", 45, "transport"), ("Olena", 27, "retail"))]
    export = ("billboard", "export", "--format", "100x70cm", "--dpi", 30)
    r = cli("billboard", "pick", "--slots", 3, "--json")
    gone = json.loads(r.output)["picked"][0]["portrait_id"]
    assert cli("billboard", "approve").exit_code == 0 and cli(*export).exit_code == 0
    assert cli("consent", "withdraw", gone, "--scope", "billboard").exit_code == 0
    assert cli("billboard", "pick", "--slots", 3).exit_code == 0
    assert cli("billboard", "approve").exit_code == 0 and cli(*export).exit_code == 0
    pdf = ws.exports / "billboard-100x70cm-1-10.pdf"
    second_pick = pdf.read_bytes()
    assert cli("gdpr", "erase", gone, "--yes").exit_code == 0
    assert pdf.read_bytes() == second_pick  # the new poster, without them, stays
    assert "pick again" not in cli("status").output
    assert len(people) == 4


def test_an_id_taken_again_after_an_interrupted_erasure_is_erased_as_well(cli, ws, tmp_path):
    from campaign.privacy import erasure

    gone = approved_portrait(ws, "Brigitte", 81, "senior")
    erasure.begin(ws, gone)  # interrupted after the store part
    photo = make_photo(tmp_path / "new.jpg", seed=99)
    r = cli("portrait", "add", photo, "--first-name", "Brigitte", "--age", 81, "--role", "Lehrerin",
            "--quote", "Neu hier.", "--id", gone)
    assert r.exit_code == 0, r.output
    r = cli("gdpr", "erase", gone, "--yes")
    assert r.exit_code == 0, r.output
    assert json.loads(cli("portrait", "list", "--json").output) == []
    assert not list(ws.photos.iterdir()) and cli("doctor").exit_code == 0


def test_an_erase_deletes_copies_of_their_images_left_in_the_public_web_folder(cli, ws, tmp_path):
    from conftest import configure

    web = tmp_path / "htdocs" / "kampagne"
    web.mkdir(parents=True)
    configure(ws, "channels.instagram", publisher="instagram-graph", image_host="url", public_dir=str(web),
              public_base_url="https://www.stadt.example/kampagne/")
    gone = approved_portrait(ws, "Brigitte", 81, "senior")
    kept = approved_portrait(ws, "Tamara", 32, "health")
    at = (ws.now() + timedelta(days=1)).strftime("%Y-%m-%d 10:00")
    ids = {pid: json.loads(cli("schedule", "add", pid, "--at", at, "--channel", "instagram", "--json").output)[0]["id"]
           for pid in (gone, kept)}
    for post in ids.values():  # what a publish killed mid-upload leaves in the web folder
        make_photo(web / f"{post}-1.jpg")
    (web / f".{ids[gone]}-2.jpg.tmp").write_bytes(b"half")
    r = cli("gdpr", "erase", gone, "--yes")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in web.iterdir()) == [f"{ids[kept]}-1.jpg"]


def test_a_gdpr_export_holds_or_lists_everything_an_erase_would_delete_of_the_person(cli, ws, tmp_path):
    from campaign.privacy.places import PLACES
    from campaign.workspace.footprint import Scan

    people = build(cli, ws, tmp_path)  # every kind of output: outbox, billboard, report, press kit, gallery...
    gone = people[0]
    post = next(p for p in json.loads(cli("schedule", "list", "--json").output) if p["portrait_id"] == gone.id)
    assert cli("schedule", "show", post["id"], "--html").exit_code == 0  # a post page
    r = cli("gdpr", "export", gone.id, "--out", tmp_path / "request", "--json")
    assert r.exit_code == 0, r.output
    folder = tmp_path / "request" / gone.id
    data = json.loads((folder / "data.json").read_text())
    copied = {f.read_bytes() for f in folder.rglob("*") if f.is_file()}
    listed = {entry["path"] for entry in data["not_copied"]}

    scan = Scan(ws, ws.store.read())
    kinds = set()
    for place in PLACES:
        if place.person_files is None or place.name in ("gdpr export", "export temp"):
            continue
        for path in place.person_files(scan, gone.id):
            files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()] if path.is_dir() else []
            for f in files:
                kinds.add(place.name)
                assert f.read_bytes() in copied or str(path.relative_to(ws.root)) in listed, (place.name, f)
    assert {"photo", "evidence", "renders", "outbox", "post pages", "billboard files", "report", "press kit",
            "website gallery", "whatsapp bundles", "contact sheet", "calendar"} <= kinds
    # Files that show other people too are named, not copied: nobody else's portrait is in the export.
    for other in people[1:]:
        assert other.photo_bytes not in copied and all(other.surname.encode() not in b for b in copied)
    assert {"outbox", "post-pages"} <= {f.relative_to(folder).parts[0] for f in folder.rglob("*") if f.is_file()}
    assert any(o["kind"] == "report" for o in data["outputs"])
