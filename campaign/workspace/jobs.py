"""Long jobs of the web app (render everything, press kit, billboard export, gallery): one small
record per kind, `.private/jobs/<kind>.json`, written atomically.

Not the store: progress is written several times a second, and a store write takes the store's lock
that a withdrawal or an approval must get at once. The record holds no personal data: the kind,
state, done/total, who started it (an account name), when, and a failure as a message id with its
parameters, said in the reader's language when shown.

A record says `running` only while the process that wrote it lives: a server restarted (or killed)
mid-job leaves `running` behind, which `read` reports as `interrupted`.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from campaign.workspace import Workspace
from portraits.files import atomic_write_bytes

KINDS = ("render", "press", "billboard", "gallery")
# This process's mark: a container restarts the server with the same pid, so the pid alone cannot
# tell a job of this run from one of the run before.
INSTANCE = secrets.token_hex(8)


@dataclass(frozen=True)
class Job:
    """One long job as the page shows it."""
    kind: str
    state: str = "none"  # none, running, done, failed, interrupted
    done: int = 0
    total: int = 0
    started_by: str | None = None
    started_at: str | None = None
    ended_at: str | None = None
    failure: dict[str, Any] | None = None  # {"message", "hint"}, each as portraits.messages.to_stored keeps it
    summary: dict[str, Any] | None = None  # the finished job's message, stored the same way
    pid: int | None = None
    instance: str | None = None
    run: str = field(default="")

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


def _folder(ws: Workspace) -> Path:
    folder = ws.private / "jobs"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _path(ws: Workspace, kind: str) -> Path:
    if kind not in KINDS:
        raise ValueError(kind)
    return _folder(ws) / f"{kind}.json"


def _alive(pid: int | None, instance: str | None) -> bool:
    if pid is None:
        return False
    if pid == os.getpid():
        return instance == INSTANCE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:  # after a reboot the pid may be some other program's: only a campaign process counts
        return b"campaign" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc here: the pid is all there is to go by


def read(ws: Workspace, kind: str) -> Job:
    """The kind's last job; `running` from a process that is gone reads as `interrupted`."""
    try:
        data = json.loads(_path(ws, kind).read_text(encoding="utf-8"))
        job = Job(**{k: v for k, v in data.items() if k in Job.__dataclass_fields__})
    except (OSError, ValueError, TypeError):
        return Job(kind)
    if job.running and not _alive(job.pid, job.instance):
        return replace(job, state="interrupted")
    return job


def write(ws: Workspace, job: Job) -> None:
    atomic_write_bytes(_path(ws, job.kind), json.dumps(asdict(job), ensure_ascii=False).encode(), mode=0o600)


@contextlib.contextmanager
def _claimed(ws: Workspace, kind: str) -> Iterator[None]:
    """Check-and-start under a file lock, so two requests (or two servers) cannot both start one."""
    fd = os.open(_folder(ws) / f"{kind}.lock", os.O_RDWR | os.O_CREAT, 0o600)  # .private/: never readable by others
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def claim(ws: Workspace, kind: str, who: str) -> tuple[Job, bool]:
    """Start a job of `kind` unless one runs: (the job, True if this call started it)."""
    with _claimed(ws, kind):
        current = read(ws, kind)
        if current.running:
            return current, False
        job = Job(kind, "running", 0, 0, who, ws.now().isoformat(timespec="seconds"), pid=os.getpid(),
                  instance=INSTANCE, run=secrets.token_hex(4))
        write(ws, job)
        return job, True
