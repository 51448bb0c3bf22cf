"""Runs a long job in a thread of the server: the same library function the command line calls,
with a progress callback whose figures a ticker writes to the job's record (campaign.workspace.jobs)
a few times a second, so the page's once-a-second poll always finds them fresh."""
from __future__ import annotations

import logging
import secrets
import threading
import traceback
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from campaign.workspace import Workspace, jobs
from portraits import audit
from portraits.errors import CampaignError
from portraits.messages import Message, _m, _mn, join, to_stored

log = logging.getLogger("campaign.web")
TICK = 0.25  # seconds between writes of a running job's progress (only when it changed)
Progress = Callable[[int, int], None]


def _render(ws: Workspace, params: dict, progress: Progress) -> Message:
    from campaign.outputs.renders import render

    # One process: a process pool forked from a threaded server is not safe; one process already
    # keeps both cores busy (decode beside drawing).
    result = render(ws, None, None, None, 1, progress)
    said = _mn("Made {n} image.", "Made {n} images.", len(result["rendered"]))
    if result["failed"]:
        return _m("{made} {failed}", made=said,
                  failed=_mn("{n} portrait could not be rendered: {ids}.",
                             "{n} portraits could not be rendered: {ids}.",
                             len(result["failed"]), ids=", ".join(f["portrait_id"] for f in result["failed"])))
    return said


def _press(ws: Workspace, params: dict, progress: Progress) -> Message:
    from campaign.outputs.presskit import make_kit

    result = make_kit(ws, params.get("from") or None, params.get("to") or None, jobs=1, progress=progress)
    said = _mn("Made the press kit with {n} portrait.", "Made the press kit with {n} portraits.",
               len(result["portraits"]))
    if result["failed"]:  # left out because its photo or render could not be made: said with the reason
        reasons = join("; ", [_m("{portrait_id}: {reason}", portrait_id=f["portrait_id"], reason=f["reason"])
                              for f in result["failed"]])
        return _m("{made} {failed}", made=said, failed=_m("Left out: {reasons}.", reasons=reasons))
    return said


def _billboard(ws: Workspace, params: dict, progress: Progress) -> Message:
    from campaign.outputs import billboard

    made = billboard.export(ws, progress=progress)
    return _m("Wrote the print PDF and the preview ({format}, {scale}).", format=made["format"], scale=made["scale"])


def _gallery(ws: Workspace, params: dict, progress: Progress) -> Message:
    from campaign.outputs.gallery import make_gallery

    result = make_gallery(ws, progress=progress)
    return _mn("Made the gallery with {n} portrait.", "Made the gallery with {n} portraits.", len(result["portraits"]))


WORK: dict[str, Callable[[Workspace, dict, Progress], Message]] = {
    "render": _render, "press": _press, "billboard": _billboard, "gallery": _gallery}


class _Run:
    """One job's figures, shared by the working thread (progress) and the ticker (writes)."""

    def __init__(self, ws: Workspace, job: jobs.Job):
        self.ws, self.job = ws, job
        self.lock = threading.Lock()
        self.figures = (0, 0)
        self.written = (0, 0)
        self.finished = threading.Event()

    def progress(self, done: int, total: int) -> None:
        with self.lock:
            self.figures = (done, total)

    def tick(self) -> None:
        while not self.finished.wait(TICK):
            with self.lock:
                figures = self.figures
                if figures == self.written:
                    continue
                self.written = figures
                self.job = replace(self.job, done=figures[0], total=figures[1])
                jobs.write(self.ws, self.job)

    def end(self, state: str, **fields: Any) -> None:
        self.finished.set()
        with self.lock:
            done, total = self.figures
            if state == "done":
                done = total = max(total, 1)
            self.job = replace(self.job, state=state, done=done, total=total,
                               ended_at=self.ws.now().isoformat(timespec="seconds"), **fields)
            jobs.write(self.ws, self.job)


def _work(run: _Run, params: dict) -> None:
    ticker = threading.Thread(target=run.tick, daemon=True, name=f"job-{run.job.kind}-ticker")
    ticker.start()
    try:
        with audit.acting_as(run.job.started_by):
            said = WORK[run.job.kind](run.ws, params, run.progress)
    except CampaignError as e:
        run.end("failed", failure={"message": to_stored(e.message), "hint": to_stored(e.hint)})
    except Exception as e:  # noqa: BLE001 - the page says the job stopped; the log has where (never the values)
        error_id = secrets.token_hex(4)
        where = "".join(traceback.format_tb(e.__traceback__)[-3:])
        log.error("job error %s: %s in job %s\n%s", error_id, type(e).__name__, run.job.kind, where)
        run.end("failed", failure={"message": to_stored(_m(
            "The job stopped because of an unexpected error (number {error_id}).", error_id=error_id)),
            "hint": to_stored(_m("The workspace's log names where; start it again or ask your IT."))})
    else:
        run.end("done", summary=to_stored(said))
    ticker.join(timeout=2)


def start(ws: Workspace, kind: str, who: str, params: dict | None = None) -> tuple[jobs.Job, bool]:
    """Start a job of `kind` in a thread, or join the one running: (the job, True if started now)."""
    job, started = jobs.claim(ws, kind, who)
    if started:
        threading.Thread(target=_work, args=(_Run(ws, job), dict(params or {})), daemon=True,
                         name=f"job-{kind}").start()
    return job, started
