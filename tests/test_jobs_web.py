"""Long jobs in the browser (render everything, press kit, billboard export, gallery): they run in the
server's background and say how far they are; a second start joins the running job; a failure is our
message on the page; a server killed mid-job leaves the job shown as interrupted, to start again;
only the role that may make the files starts one."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import requests
from conftest import ROOT, approved_portrait
from web_server import add_users, login, post_form, running, wait_for_job

from campaign.workspace import jobs


def test_render_everything_runs_in_the_background_and_a_reload_shows_it_finished(ws):
    for i, cat in enumerate(("senior", "health")):
        approved_portrait(ws, f"Person{chr(65 + i)}", 30 + i, cat, surname="Geheimname")
    add_users(ws)
    with running(ws) as base:
        anna = login(base, "anna")
        started = post_form(anna, f"{base}/jobs/render/start", page=f"{base}/portraits")
        assert started.status_code == 200 and "Started" in started.text
        panel = wait_for_job(anna, base, "render")
        assert "Finished" in panel and "Made 8 images." in panel and "Geheimname" not in panel
        again = anna.get(f"{base}/portraits")  # a reload: the same job, from its record
        assert "Made 8 images." in again.text and "Make all images now" in again.text
    assert sorted(p.name for p in (ws.renders / "persona-30").glob("*.jpg"))
    record = json.loads((ws.private / "jobs" / "render.json").read_text())
    assert record["state"] == "done" and record["started_by"] == "anna" and record["done"] == record["total"]
    assert {oct(p.stat().st_mode & 0o777) for p in (ws.private / "jobs").iterdir()} == {"0o600"}  # doctor's rule


def test_a_second_start_joins_the_running_job_instead_of_starting_another(ws):
    add_users(ws)
    running_job, started = jobs.claim(ws, "gallery", "anna")  # one is running in this process
    assert started
    with running(ws) as base:
        dora = login(base, "dora")
        answer = post_form(dora, f"{base}/gallery/make", page=f"{base}/gallery")
        assert "already running (started by anna)" in answer.text
        assert 'hx-trigger="every 1s"' in answer.text and "<progress" in answer.text
        panel = answer.text[answer.text.index('id="job-gallery"'):]
        panel = panel[:panel.index("</progress>")]
        # swapped in anew every second: a live region there would be read out every second
        assert 'role="status"' not in panel and "aria-live" not in panel
        assert "Make it" not in answer.text  # no second start while it runs
    assert jobs.read(ws, "gallery").run == running_job.run


def test_a_failed_job_says_why_on_the_page_in_our_words_never_a_traceback(ws):
    approved_portrait(ws, "Amira", 38, "health", scopes="instagram")  # no website consent
    add_users(ws)
    with running(ws) as base:
        anna = login(base, "anna")
        post_form(anna, f"{base}/gallery/make", page=f"{base}/gallery")
        panel = wait_for_job(anna, base, "gallery")
        assert "The job failed:" in panel and "No portrait can go into the gallery" in panel
        assert "Record website consent first" in panel and "Traceback" not in panel
        assert "Start it again" in panel


def test_starting_a_job_is_refused_for_a_role_that_may_not_make_the_files(ws):
    approved_portrait(ws, "Amira", 38, "health")
    add_users(ws)
    with running(ws) as base:
        ben = login(base, "ben")
        for kind in jobs.KINDS:
            assert post_form(ben, f"{base}/jobs/{kind}/start", page=f"{base}/portraits").status_code == 403
        assert "Make all images now" not in ben.get(f"{base}/portraits").text
    assert not (ws.private / "jobs" / "render.json").exists() and not list(ws.renders.glob("*/*.jpg"))


def _serve(ws) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "campaign", "-w", str(ws.root), "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    base = f"http://127.0.0.1:{port}"
    for _ in range(500):
        try:
            requests.get(base + "/health", timeout=1)
            return proc, base
        except requests.ConnectionError:
            time.sleep(0.02)
    proc.kill()
    raise AssertionError("campaign serve did not start")


def test_a_server_killed_mid_job_leaves_it_shown_as_interrupted_with_a_button_to_start_again(ws):
    for i, cat in enumerate(("senior", "health", "youth", "retail")):
        approved_portrait(ws, f"Person{chr(65 + i)}", 30 + i, cat, size=(1600, 2000))
    add_users(ws)
    proc, base = _serve(ws)
    try:
        anna = login(base, "anna")
        post_form(anna, f"{base}/jobs/render/start", page=f"{base}/portraits")
        assert json.loads((ws.private / "jobs" / "render.json").read_text())["state"] == "running"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert jobs.read(ws, "render").state == "interrupted"
    with running(ws) as base:
        anna = login(base, "anna")
        page = anna.get(f"{base}/portraits").text
        assert "The job was interrupted" in page and "Start it again" in page
        post_form(anna, f"{base}/jobs/render/start", page=f"{base}/portraits")
        assert "Made" in wait_for_job(anna, base, "render")
    assert ws.store.read() is not None  # the store reads after the kill


def test_a_running_record_whose_pid_now_belongs_to_another_program_reads_as_interrupted(ws):
    other = subprocess.Popen(["sleep", "30"])  # alive, but not a campaign server
    try:
        (ws.private / "jobs").mkdir(exist_ok=True)
        (ws.private / "jobs" / "press.json").write_text(json.dumps({
            "kind": "press", "state": "running", "done": 1, "total": 4, "started_by": "anna", "pid": other.pid}))
        assert jobs.read(ws, "press").state == "interrupted"
    finally:
        other.kill()
        other.wait()
