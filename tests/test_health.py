"""The daemon's heartbeat and the health answer monitoring reads: when the daemon last looked for
due posts, whether that is longer ago than its interval allows, and never anything personal."""
from __future__ import annotations

import json
import time
from datetime import timedelta

from conftest import approved_portrait

from campaign.outputs.renders import publishing_site


def _wait_for(predicate, timeout=15.0):
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_the_daemon_beats_each_time_it_looks_and_health_says_late_once_it_stops(ws, clock):
    from campaign.posting.health import health
    from schedules.daemon import Runner

    approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommer")
    from campaign.posting import scheduling

    scheduling.add_post(ws, "brigitte-81", "2026-06-25 18:30", "instagram")
    assert health(ws)["daemon"]["last_look"] is None and health(ws)["ok"]  # never ran: nothing to warn about
    runner = Runner(publishing_site(ws), sync_seconds=0.2)
    runner.start()
    try:
        _wait_for(lambda: health(ws)["daemon"]["last_look"] is not None)
        found = health(ws)
        assert found["ok"] and found["daemon"]["running"] and found["daemon"]["interval_seconds"] == 0.2
        assert found["posts"]["planned"] == 1
    finally:
        runner.stop()
    clock.shift(timedelta(seconds=59))  # within the slack a slow publish may need
    assert health(ws)["ok"]
    clock.shift(timedelta(minutes=2))
    found = health(ws)
    assert not found["ok"] and found["daemon"]["late"] and not found["daemon"]["running"]
    text = json.dumps(found)
    assert "brigitte" not in text.lower() and "Sommer" not in text and "p-1" not in text


def test_run_once_beats_without_an_interval_so_a_timer_is_never_called_late(ws, cli, clock):
    from campaign.posting.health import health

    assert cli("run", "--once").exit_code == 0
    clock.shift(timedelta(days=2))
    found = health(ws)["daemon"]
    assert found["last_look"] is not None and found["interval_seconds"] is None and not found["late"]


def test_health_answers_503_without_a_login_when_the_daemon_is_late(ws, clock):
    import requests
    from web_server import running

    from schedules.daemon import beat

    beat(ws, 5.0)
    with running(ws) as base:
        answer = requests.get(f"{base}/health")
        assert answer.status_code == 200 and answer.json()["ok"]
        clock.shift(timedelta(minutes=5))
        answer = requests.get(f"{base}/health")
        assert answer.status_code == 503 and answer.json()["daemon"]["late"]


def test_health_answers_503_when_the_store_does_not_read(ws):
    import requests
    from web_server import running

    with running(ws) as base:
        ws.store.path.write_text("{ broken")
        answer = requests.get(f"{base}/health")
        assert answer.status_code == 503 and answer.json()["store"] == "unreadable"


def test_campaign_health_exits_1_for_a_container_check_when_the_daemon_is_late(ws, cli, clock):
    from schedules.daemon import beat

    beat(ws, 5.0)
    result = cli("health")
    assert result.exit_code == 0 and "last looked for due posts" in result.output
    clock.shift(timedelta(minutes=10))
    result = cli("health")
    assert result.exit_code == 1 and "longer than its interval allows" in result.output


def test_the_container_files_run_commands_campaign_takes(ws):
    """Dockerfile and compose.yaml are not built here (no registry in the tests): their commands are checked."""
    import re

    from conftest import ROOT, run_campaign

    docker = (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "compose.yaml").read_text()
    assert 'ENTRYPOINT ["campaign"]' in docker and "USER campaign" in docker and "VOLUME /workspace" in docker
    commands = [json.loads(c) for c in re.findall(r'^CMD (\[.*\])$', docker, re.M)]
    commands += [json.loads(c) for c in re.findall(r'^    command: (\[.*\])$', compose, re.M)]
    commands += [json.loads(c)[2:] for c in re.findall(r'^      test: (\["CMD", "campaign".*\])$', compose, re.M)]
    assert len(commands) == 4 and ["run"] in commands and ["health"] in commands
    assert "127.0.0.1:8080:8080" in compose and "./workspace:/workspace" in compose
    for command in commands:
        assert run_campaign("-w", ws.root, *command, "--help").returncode == 0, command
