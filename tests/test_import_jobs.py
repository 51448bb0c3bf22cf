"""`portrait import` on all cores (issue 27): the same store and files with one job or two, all or
nothing, a progress bar only on a terminal, and a killed import that leaves the store as it was."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, make_photo


def _shoot(folder: Path, n: int, size=(640, 800)) -> Path:
    """`n` photos (every third stored on its side with EXIF orientation 6) and their CSV."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        path = make_photo(folder / f"p{i}.jpg", size=size, seed=i + 1)
        if i % 3 == 2:
            exif = Image.Exif()
            exif[0x0112] = 6
            with Image.open(path) as im:
                im.transpose(Image.Transpose.ROTATE_90).save(path, quality=92, exif=exif.tobytes())
    csv = folder / "import.csv"
    csv.write_text("photo,first_name,age,role,quote\n" + "".join(
        f"p{i}.jpg,Person,{20 + i},Rolle {i % 4},Wir halten zusammen.\n" for i in range(n)), encoding="utf-8")
    return csv


def _kept(ws) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(ws.photos.iterdir())}


def test_one_job_and_two_jobs_give_the_same_portraits_and_the_same_kept_photos(tmp_path, monkeypatch):
    from campaign.intake.adding import import_portraits
    from campaign.workspace import init_workspace
    from portraits import records

    csv = _shoot(tmp_path / "shoot", 9)
    found = []
    for jobs in (1, 2):
        ws = init_workspace(tmp_path / f"ws{jobs}", name="Duisburg ist echt solidarisch", hashtag="#duisburg")
        result = import_portraits(ws, csv, jobs=jobs)
        assert result["count"] == 9
        rows = sorted(({k: v for k, v in r.items() if not k.endswith("_at")}  # the clock ticks on between
                       for r in records.all_portraits(ws.store.read())), key=lambda r: r["id"])
        found.append((rows, _kept(ws)))
    (rows1, kept1), (rows2, kept2) = found
    assert rows1 == rows2
    assert kept1 == kept2 and len(kept1) == 9
    assert [r["id"] for r in rows1][:2] == ["person-20", "person-21"]


def test_the_kept_copy_is_byte_for_byte_what_the_intake_wrote_before_it_was_streamed(tmp_path):
    """The clean copy is now encoded straight into its file from pixels turned upright in place; the
    bytes must be those of the old way (copy turned upright, copy without metadata, encoded in memory)."""
    from PIL import Image, ImageOps

    from portraits import intake
    from portraits.imageio import KEPT_CAMERA_PHOTO, jpeg_bytes, without_metadata

    csv = _shoot(tmp_path / "shoot", 3)
    for name in ("p0.jpg", "p2.jpg"):  # upright, and on its side with EXIF orientation 6
        src = csv.parent / name
        info, staged = intake.take_in(src, tmp_path / "photos")
        assert staged is not None
        with Image.open(src) as im:
            # a camera's JPEG (colour at 4:2:0) is kept at 4:2:2: all of its colour, at full height
            before = jpeg_bytes(without_metadata(ImageOps.exif_transpose(im)), KEPT_CAMERA_PHOTO)
        assert staged[0].read_bytes() == before
        import hashlib

        assert info["kept_sha256"] == hashlib.sha256(before).hexdigest()


def test_a_bad_row_among_fifty_photos_imports_nothing_and_names_its_line(cli, ws, tmp_path):
    csv = _shoot(tmp_path / "shoot", 50, size=(400, 500))
    (csv.parent / "p36.jpg").write_bytes(b"\xff\xd8\xff\xe0 the card was pulled out while copying")
    before = (ws.root / "campaign.json").read_bytes()
    r = cli("portrait", "import", csv, "--jobs", "2")
    assert r.exit_code == 1
    assert "line 38" in r.output and "p36.jpg" in r.output and "Traceback" not in r.output
    assert (ws.root / "campaign.json").read_bytes() == before
    assert list(ws.photos.iterdir()) == []


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


@pytest.mark.slow
@pytest.mark.parametrize("as_json", [False, True])
def test_a_progress_bar_shows_on_a_terminal_and_not_with_json(ws, tmp_path, as_json):
    import pty

    csv = _shoot(tmp_path / "shoot", 4, size=(400, 500))
    leader, follower = pty.openpty()
    args = [sys.executable, "-m", "campaign", "-w", str(ws.root), "portrait", "import", str(csv)]
    proc = subprocess.Popen(args + (["--json"] if as_json else []), env=_env(), stdout=subprocess.PIPE,
                            stderr=follower, text=True)
    os.close(follower)
    shown = b""
    while True:
        try:
            more = os.read(leader, 4096)
        except OSError:  # the command ended: the terminal is closed
            break
        if not more:
            break
        shown += more
    out, _err = proc.communicate(timeout=120)
    os.close(leader)
    assert proc.returncode == 0
    if as_json:
        assert shown == b"" and '"count": 4' in out
    else:
        assert b"Taking in the photos" in shown and b"100%" in shown
        assert "Imported 4 portraits." in out


def test_no_progress_bar_when_the_output_is_not_a_terminal(cli, ws, tmp_path):
    csv = _shoot(tmp_path / "shoot", 2, size=(400, 500))
    r = cli("portrait", "import", csv)
    assert r.exit_code == 0 and "Taking in" not in r.output


@pytest.mark.slow
@pytest.mark.real_clock  # a real `campaign` process, killed
def test_an_import_killed_midway_leaves_the_store_unchanged_and_the_next_import_clears_its_leftovers(ws, tmp_path):

    csv = _shoot(tmp_path / "shoot", 24, size=(1600, 2000))
    before = (ws.root / "campaign.json").read_bytes()
    ours = ws.photos / ".notes.txt.keep.tmp"  # a temporary file this import did not write
    ours.write_bytes(b"someone else's")
    proc = subprocess.Popen([sys.executable, "-m", "campaign", "-w", str(ws.root), "portrait", "import", str(csv),
                             "--jobs", "2"], env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and len(list(ws.photos.glob(".*.jpg.in*.tmp"))) < 3:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert proc.poll() is None, "the import ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.communicate(timeout=60)
    assert (ws.root / "campaign.json").read_bytes() == before
    assert not list(ws.photos.glob("*.jpg")), "a kept copy that no record names"
    _shoot(tmp_path / "again", 1, size=(400, 500))
    r = subprocess.run([sys.executable, "-m", "campaign", "-w", str(ws.root), "portrait", "import",
                        str(tmp_path / "again" / "import.csv")], env=_env(), capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in ws.photos.iterdir() if p.name.startswith(".")) == [ours.name]
    assert ours.read_bytes() == b"someone else's"
    assert len(list(ws.photos.glob("*.jpg"))) == 1


def test_an_import_keeps_no_photo_memory_once_it_is_done(tmp_path):
    """Pixel memory is reused from photo to photo while an import runs; once it ends (or fails),
    none is kept, so `campaign serve` does not hold hundreds of megabytes after a drop of photos."""
    from PIL import _imaging as core

    from portraits.intake_jobs import Task, take_in_all

    csv = _shoot(tmp_path / "shoot", 4, size=(400, 500))
    tasks = [Task(csv.parent / f"p{i}.jpg", tmp_path / "photos", None, True, "in1-") for i in range(4)]
    assert core.get_blocks_max() == 0
    seen: list[int] = []
    results = take_in_all(tasks, 2, progress=lambda done, total: seen.append(core.get_blocks_max()))
    assert all(r.error is None for r in results)
    assert min(seen) > 0  # reused while the photos were taken in
    assert core.get_blocks_max() == 0
    with pytest.raises(KeyboardInterrupt):
        take_in_all(tasks, 2, progress=lambda done, total: (_ for _ in ()).throw(KeyboardInterrupt))
    assert core.get_blocks_max() == 0
