"""Withdrawal takes the person out of everything made for that scope from then on; a minor needs a guardian."""
from __future__ import annotations

import json
from datetime import timedelta

from conftest import approved_portrait
from PIL import Image

from campaign.outputs.report import write_report

HUGE = (1800, 2250)  # fills a billboard slot of three
EXPORT = ("--format", "100x70cm", "--dpi", 30)


def _poster(cli, ws):
    people = [approved_portrait(ws, first, age, category, size=HUGE)
              for first, age, category in (("Brigitte", 81, "senior"), ("Tamara", 32, "health"), ("Jonas", 45, "transport"),
                                           ("Olena", 27, "retail"))]  # one more than the slots: a new pick fills them
    r = cli("billboard", "pick", "--slots", 3, "--json")
    assert people[0] in [c["portrait_id"] for c in json.loads(r.output)["picked"]]
    assert cli("billboard", "approve").exit_code == 0
    r = cli("billboard", "export", *EXPORT, "--json")
    assert r.exit_code == 0, r.output
    return people, json.loads(r.output)


def test_withdrawing_billboard_consent_needs_a_new_pick_and_lists_the_printed_files(cli, ws):
    (gone, *others), exported = _poster(cli, ws)
    r = cli("consent", "withdraw", gone, "--scope", "billboard", "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert result["repick"] == [1]
    assert [(x["pick"], x["pdf"]) for x in result["recall"]] == [(1, "exports/billboard-100x70cm-1-10.pdf")]
    # Nothing is silently deleted: the files stay, listed as printed records to recall.
    assert (ws.root / "exports/billboard-100x70cm-1-10.pdf").is_file()
    status = cli("status").output
    assert "Billboard pick 1 holds a person who withdrew billboard consent: pick again" in status
    assert "do not print them; if they went to print, recall them" in status
    r = cli("billboard", "export", *EXPORT)
    assert r.exit_code == 1 and "withdrew billboard consent" in r.output
    # A new pick leaves the person out and is what status and export go by from now on.
    r = cli("billboard", "pick", "--slots", 3, "--json")
    doc = json.loads(r.output)
    assert gone not in [c["portrait_id"] for c in doc["picked"]]
    assert {s["portrait_id"]: s["reason"] for s in doc["skipped"]}[gone].startswith("billboard consent withdrawn")
    assert "pick again" not in cli("status").output
    assert cli("billboard", "approve").exit_code == 0
    assert cli("billboard", "export", *EXPORT).exit_code == 0


def test_the_printed_records_note_comes_with_the_withdrawal_in_plain_words(cli, ws):
    (gone, *_), _exported = _poster(cli, ws)
    r = cli("consent", "withdraw", gone, "--scope", "instagram,billboard")
    assert r.exit_code == 0
    assert "Printed records" in r.output and "billboard-100x70cm-1-10.pdf" in r.output
    assert "Billboard pick 1 holds them: pick again" in r.output
    r = cli("consent", "withdraw", _[0], "--scope", "instagram")  # not the billboard: the pick stands
    assert "Printed records" not in r.output and "pick again" not in r.output


def test_a_report_never_copies_the_preview_of_a_pick_someone_withdrew_from(cli, ws):
    (gone, *_), _exported = _poster(cli, ws)
    r = cli("report", "--json")
    assert "img/billboard.jpg" in json.loads(r.output)["files"]
    assert cli("consent", "withdraw", gone, "--scope", "billboard").exit_code == 0
    r = cli("report", "--json")
    assert "img/billboard.jpg" not in json.loads(r.output)["files"]
    write_report(ws, lang="en")  # in English (the interface's default is German)
    page = (ws.exports / "report" / "index.html").read_text()
    board = page.split('<section id="billboard">')[1]
    assert "pick again" in board.lower() and "Brigitte" not in board and "billboard.jpg" not in board


def test_a_report_after_an_erase_never_copies_the_old_billboard_preview(cli, ws):
    (gone, *_), _exported = _poster(cli, ws)
    assert cli("gdpr", "erase", gone, "--yes").exit_code == 0
    r = cli("report", "--json")
    assert r.exit_code == 0, r.output
    assert "img/billboard.jpg" not in json.loads(r.output)["files"]
    assert "img/billboard.jpg" not in write_report(ws, lang="en")["files"]
    assert "held an erased person" in (ws.exports / "report" / "index.html").read_text()
    assert "The report was removed" not in cli("status").output  # made again: the note is answered


def test_the_contact_sheet_leaves_out_people_without_a_valid_consent(cli, ws):
    kept = approved_portrait(ws, "Brigitte", 81, "senior")
    gone = approved_portrait(ws, "Tamara", 32, "health")
    assert cli("render", "--format", "instagram-square", "--jobs", 1).exit_code == 0
    r = cli("preview", "--json")
    assert json.loads(r.output)["portraits"] == 2
    assert cli("consent", "withdraw", gone).exit_code == 0
    assert "The contact sheet at exports/contact-sheet.jpg shows 1 person(s) without a valid consent" in cli("status").output
    r = cli("preview", "--json")
    result = json.loads(r.output)
    assert (result["portraits"], result["renders"], result["left_out"]) == (1, 1, 1)
    with Image.open(result["file"]) as sheet:  # one row: the withdrawn person's face is not on it
        assert sheet.height < 400
    assert "contact sheet" not in cli("status").output
    assert kept


def test_a_portrait_made_16_needs_a_guardian_before_anything_goes_out(cli, ws):
    pid = approved_portrait(ws, "Jonas", 19, "youth", scopes="instagram,facebook,billboard", size=HUGE)
    other = approved_portrait(ws, "Tamara", 32, "health", size=HUGE)
    tomorrow = ws.now() + timedelta(days=1)
    r = cli("schedule", "add", pid, "--at", tomorrow.strftime("%Y-%m-%d 10:00"), "--channel", "instagram", "--json")
    post = json.loads(r.output)[0]["id"]

    r = cli("portrait", "edit", pid, "--age", 16)
    assert r.exit_code == 0 and "under 18 now" in r.output and "--guardian" in r.output
    shown = json.loads(cli("portrait", "show", pid, "--json").output)["consent"]
    assert shown["scopes"] == [] and shown["needs_guardian"] == ["instagram", "facebook", "billboard"]
    r = cli("render", pid)
    assert r.exit_code == 1 and "no valid consent" in r.output
    r = cli("schedule", "plan", "--start", (tomorrow + timedelta(days=1)).date(), "--end",
            (tomorrow + timedelta(days=7)).date(), "--channels", "instagram", "--json")
    assert pid not in {p["portrait_id"] for p in json.loads(r.output)["created"]}
    r = cli("billboard", "pick", "--slots", 3, "--json")
    reasons = {s["portrait_id"]: s["reason"] for s in json.loads(r.output)["skipped"]}
    assert reasons[pid] == "under 18 now, and no guardian signed the billboard consent"
    r = cli("publish", post, "--json")
    assert json.loads(r.output)["status"] == "cancelled" and not list(ws.outbox.iterdir())

    r = cli("consent", "grant", pid, "--scope", "instagram,billboard", "--signed-on", "2026-06-01",
            "--guardian", "Mutter", "--guardian", "Vater")
    assert r.exit_code == 0
    assert cli("render", pid, "--format", "instagram-square").exit_code == 0
    r = cli("billboard", "pick", "--slots", 3, "--json")
    assert pid in [c["portrait_id"] for c in json.loads(r.output)["picked"]]
    assert json.loads(cli("portrait", "show", pid, "--json").output)["consent"]["needs_guardian"] == ["facebook"]
    assert other
