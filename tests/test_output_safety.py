"""What the tool writes never costs the office a file: one bad portrait does not stop a render,
a report and a billboard export replace only their own files, and a killed report leaves a page
whose images are all there."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, approved_portrait, configure

from campaign.outputs.report import MANIFEST


class _Sources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.sources += [v for k, v in attrs if k == "src"]


def _sources(index: Path) -> list[str]:
    parser = _Sources()
    parser.feed(index.read_text(encoding="utf-8"))
    return parser.sources


def _damage_photo(ws, pid: str) -> None:
    doc = next(d for d in ws.store.read().table("portraits").all() if d["id"] == pid)
    (ws.root / doc["photo"]["file"]).write_bytes(b"\xff\xd8\xff not a jpeg any more")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_one_portrait_that_cannot_be_rendered_does_not_stop_the_others(cli, ws, jobs):
    ids = [approved_portrait(ws, name, 40, cat) for name, cat in (("Anna", "health"), ("Bert", "senior"),
                                                                   ("Cem", "transport"))]
    _damage_photo(ws, ids[1])
    r = cli("render", "--format", "instagram-feed,story", "--jobs", jobs)
    assert r.exit_code == 1
    assert f"{ids[1]} could not be rendered" in r.output and "Traceback" not in r.output
    assert "the others were rendered" in r.output
    for pid in (ids[0], ids[2]):
        assert sorted(p.name for p in (ws.renders / pid).glob("*.jpg")) == ["instagram-feed.jpg", "story.jpg"]
    assert not (ws.renders / ids[1]).exists()
    r = cli("render", "--format", "instagram-feed,story", "--jobs", jobs, "--json")
    assert r.exit_code == 1
    result = json.loads(r.output)
    assert [f["portrait_id"] for f in result["failed"]] == [ids[1]] and result["unchanged"] == 4


def test_a_missing_photo_is_reported_with_its_file(cli, ws):
    ids = [approved_portrait(ws, name, 40, cat) for name, cat in (("Anna", "health"), ("Bert", "senior"))]
    doc = next(d for d in ws.store.read().table("portraits").all() if d["id"] == ids[0])
    (ws.root / doc["photo"]["file"]).unlink()
    r = cli("render", "--format", "facebook", "--jobs", "1")
    assert r.exit_code == 1 and doc["photo"]["file"] in r.output
    assert (ws.renders / ids[1] / "facebook.jpg").is_file()


def _report_folder_with_strangers(tmp_path: Path) -> Path:
    folder = tmp_path / "shared-drive"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "team-photo.jpg").write_bytes(b"the office's own picture")
    (folder / "notes.txt").write_text("Besprechung Montag")
    return folder


def test_report_out_never_deletes_or_replaces_files_it_did_not_write(cli, ws, tmp_path):
    pid = approved_portrait(ws, "Anna", 40, "health")
    assert cli("render", pid, "--format", "instagram-feed", "--jobs", "1").exit_code == 0
    folder = _report_folder_with_strangers(tmp_path)
    for _ in range(2):  # a second report replaces the first, and still only it
        r = cli("report", "--out", folder, "--json")
        assert r.exit_code == 0, r.output
    assert (folder / "img" / "team-photo.jpg").read_bytes() == b"the office's own picture"
    assert (folder / "notes.txt").read_text() == "Besprechung Montag"
    listed = set(json.loads((folder / MANIFEST).read_text())["files"])
    assert listed == set(json.loads(r.output)["files"])
    assert "index.html" in listed and f"img/{pid}-instagram-feed.jpg" in listed
    assert all((folder / src).is_file() for src in _sources(folder / "index.html"))
    assert not list(folder.glob(".campaign-report-*"))


def test_report_refuses_a_folder_whose_index_is_someone_elses(cli, ws, tmp_path):
    folder = _report_folder_with_strangers(tmp_path)
    (folder / "index.html").write_text("<h1>Intranet</h1>")
    r = cli("report", "--out", folder)
    assert r.exit_code == 1 and "index.html" in r.output and "no campaign report wrote" in r.output
    assert (folder / "index.html").read_text() == "<h1>Intranet</h1>"
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == [
        "img", "img/team-photo.jpg", "index.html", "notes.txt"]


def test_a_second_report_removes_only_images_its_first_one_wrote(cli, ws, tmp_path):
    keep = approved_portrait(ws, "Anna", 40, "health")
    gone = approved_portrait(ws, "Bert", 50, "senior")
    assert cli("render", "--format", "instagram-feed", "--jobs", "1").exit_code == 0
    folder = _report_folder_with_strangers(tmp_path)
    assert cli("report", "--out", folder).exit_code == 0
    assert (folder / "img" / f"{gone}-instagram-feed.jpg").is_file()
    assert cli("consent", "withdraw", gone).exit_code == 0
    assert cli("report", "--out", folder).exit_code == 0
    assert not (folder / "img" / f"{gone}-instagram-feed.jpg").exists()
    assert (folder / "img" / f"{keep}-instagram-feed.jpg").is_file()
    assert (folder / "img" / "team-photo.jpg").is_file()


@pytest.mark.real_clock
def test_a_killed_report_never_leaves_a_page_pointing_at_missing_images(ws, tmp_path):
    from campaign.outputs.renders import render

    cats = ("health", "senior", "transport", "retail", "youth", "culture", "sport", "food")
    for i, cat in enumerate(cats):
        approved_portrait(ws, f"Person{chr(65 + i)}", 30 + i, cat, size=(900, 1125))
    render(ws, formats="instagram-feed,story,facebook", jobs=1)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "campaign", "-w", str(ws.root), "report"]
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    took = time.perf_counter() - started
    index = ws.exports / "report" / "index.html"
    rng = random.Random(7)
    for kill in range(12):
        if kill % 3 == 0:  # someone withdraws between reports, so the next one has files to remove
            subprocess.run([sys.executable, "-m", "campaign", "-w", str(ws.root), "consent", "withdraw",
                            f"person{chr(65 + kill // 3).lower()}-{30 + kill // 3}"], env=env, check=True,
                           capture_output=True)
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, took))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        missing = [src for src in _sources(index) if not (index.parent / src).is_file()]
        assert not missing, f"after kill {kill}: the page points at {missing}"
    subprocess.run(command, env=env, check=True, capture_output=True)
    folder = index.parent
    listed = set(json.loads((folder / MANIFEST).read_text())["files"])
    on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    assert on_disk == listed  # nothing left over from the killed runs
    assert {src for src in _sources(index)} <= listed


def _approved_pick(cli, ws) -> None:
    for name, cat in (("Anna", "health"), ("Bert", "senior")):
        approved_portrait(ws, name, 40, cat, size=(1400, 1750))
    # Two eligible portraits: a poster designed for two, at a resolution their photos fill.
    configure(ws, "billboard", dpi=100)
    assert cli("billboard", "pick", "--slots", "2", "--from", "2026-06-20", "--to", "2026-06-29").exit_code == 0
    assert cli("billboard", "approve").exit_code == 0


def test_billboard_export_never_replaces_a_file_it_did_not_write_without_force(cli, ws, tmp_path):
    _approved_pick(cli, ws)
    theirs = tmp_path / "Angebot.pdf"
    theirs.write_bytes(b"%PDF-1.4 the printer's quote")
    before = ws.store.path.read_bytes()
    r = cli("billboard", "export", "--out", theirs)
    assert r.exit_code == 1 and "no billboard export wrote it" in r.output and "--force" in r.output
    assert theirs.read_bytes() == b"%PDF-1.4 the printer's quote"
    assert ws.store.path.read_bytes() == before
    preview = tmp_path / "poster.png"
    preview.write_bytes(b"someone's png")
    r = cli("billboard", "export", "--out", tmp_path / "poster.pdf")
    assert r.exit_code == 1 and "poster.png" in r.output
    assert preview.read_bytes() == b"someone's png" and not (tmp_path / "poster.pdf").exists()

    ours = tmp_path / "billboard.pdf"
    assert cli("billboard", "export", "--out", ours).exit_code == 0
    first = ours.read_bytes()
    assert cli("billboard", "export", "--out", ours, "--dpi", "120").exit_code == 0  # our own: replaced
    assert ours.read_bytes() != first and ours.read_bytes().startswith(b"%PDF")
    assert cli("billboard", "export", "--out", theirs, "--force").exit_code == 0
    assert theirs.read_bytes().startswith(b"%PDF") and theirs.read_bytes() != b"%PDF-1.4 the printer's quote"


def test_a_report_folder_from_before_the_manifest_is_taken_over_with_its_old_images_removed(cli, ws):
    approved_portrait(ws, "Anna", 40, "health")
    folder = ws.exports / "report"
    (folder / "img").mkdir(parents=True)
    (folder / "index.html").write_text('<img src="img/bert-50-instagram-feed.jpg">')
    (folder / "img" / "bert-50-instagram-feed.jpg").write_bytes(b"a face withdrawn since")
    r = cli("report", "--json")
    assert r.exit_code == 0, r.output
    assert not (folder / "img" / "bert-50-instagram-feed.jpg").exists()
    assert "bert" not in (folder / "index.html").read_text()
    assert (folder / MANIFEST).is_file()
