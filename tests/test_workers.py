"""A command killed with SIGKILL leaves no worker process behind, and no temporary file with a
person's words outside the workspace (where neither erasure nor doctor would look)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, approved_portrait

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the process tree from /proc")

PEOPLE = ("Brigitte", "Tamara", "Jonas", "Ayse", "Karim", "Olga")


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(child) for child in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _tree(pid: int) -> set[int]:
    seen, todo = set(), [pid]
    while todo:
        for child in _children(todo.pop()) - seen:
            seen.add(child)
            todo.append(child)
    return seen


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; only its parent (here: init) has not read its status yet


def _personal_files(folder: Path) -> list[str]:
    found = []
    for f in folder.rglob("*"):
        try:
            data = f.read_bytes() if f.is_file() else b""
        except OSError:
            continue
        if any(name.encode() in data for name in PEOPLE):
            found.append(f.name)
    return found


def _kill_once_workers_run(ws, *args: str, workers: int = 2) -> tuple[set[int], list[str], Path]:
    """Run `campaign ARGS` with its own system temp folder, SIGKILL it once `workers` pool processes
    are there; return every process of its tree, the temp files that held a person's name at any
    moment, and that temp folder."""
    tmp = ws.root.parent / "system-tmp"
    tmp.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT), CAMPAIGN_USER="tester", TMPDIR=str(tmp))
    proc = subprocess.Popen([sys.executable, "-m", "campaign", "-w", str(ws.root), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree: set[int] = set()
    leaked: list[str] = []
    deadline = time.monotonic() + 120
    try:
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "the command ended before its workers ran"
            now = _tree(proc.pid)
            tree |= now
            leaked += _personal_files(tmp)
            if sum(1 for pid in now if _cmdline(pid) == _cmdline(proc.pid)) >= workers:
                break
            time.sleep(0.002)
        tree |= _tree(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return tree, leaked, tmp
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _left_alive(pids: set[int], within: float = 10.0) -> set[int]:
    deadline = time.monotonic() + within
    while (alive := {pid for pid in pids if _alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in alive:  # the test's own leftovers: not left running on the machine either
        os.kill(pid, signal.SIGKILL)
    return alive


def _people(ws, scopes: str) -> None:
    for i, first in enumerate(PEOPLE):
        approved_portrait(ws, first, 30 + i, "health", scopes=scopes, size=(1600, 2000), seed=i)


@pytest.mark.real_clock
def test_a_killed_press_kit_leaves_no_worker_and_no_temp_file_with_a_persons_words(ws):
    _people(ws, "instagram,press")
    tree, leaked, tmp = _kill_once_workers_run(ws, "press", "kit", "--jobs", "2")
    alive = _left_alive(tree)
    assert leaked == [] and _personal_files(tmp) == []  # ExifTool's arguments never went to a file
    assert len(tree) >= 2 and alive == set(), "worker processes outlived the killed command"


@pytest.mark.real_clock
def test_a_killed_render_leaves_no_worker_behind(ws):
    _people(ws, "instagram")
    tree, _leaked, _tmp = _kill_once_workers_run(ws, "render", "--jobs", "2")
    assert len(tree) >= 2
    assert _left_alive(tree) == set(), "worker processes outlived the killed command"
