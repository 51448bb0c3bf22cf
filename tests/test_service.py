"""campaign service units: the units a city's IT installs, written only where none is or over our own."""
from __future__ import annotations

import getpass
import json
import os
import pwd
import shlex
import shutil
import subprocess

import pytest
from conftest import run_campaign


def _units(cli, *args):
    result = cli("service", "units", "--user", "campaign", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_units_run_daemon_web_app_and_daily_whatsapp_send_for_this_workspace(cli, ws, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_FACEBOOK_TOKEN", "EAAsecret-token-123")
    found = {u["name"]: u["text"] for u in _units(cli, "--whatsapp-at", "08:15")["units"]}
    assert sorted(found) == ["campaign-ws-run.service", "campaign-ws-web.service", "campaign-ws-whatsapp.service",
                             "campaign-ws-whatsapp.timer"]
    commands = {}
    for name, text in found.items():
        assert "EAAsecret" not in text  # tokens come from the environment file, never the unit
        if name.endswith(".service"):
            assert "User=campaign\n" in text and f"ReadWritePaths={ws.root}\n" in text
            assert "EnvironmentFile=-/etc/campaign/ws.env" in text
            line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
            commands[name] = shlex.split(line.removeprefix("ExecStart="))
    assert commands["campaign-ws-run.service"][-3:] == ["-w", str(ws.root), "run"]
    assert commands["campaign-ws-web.service"][-6:] == ["serve", "--host", "127.0.0.1", "--port", "8080",
                                                        "--https-proxy"]
    assert commands["campaign-ws-whatsapp.service"][-2:] == ["whatsapp", "send"]
    assert "OnCalendar=*-*-* 08:15:00 Europe/Berlin" in found["campaign-ws-whatsapp.timer"]
    # Each command line is one the installed `campaign` takes (its options exist).
    for argv in commands.values():
        tail = argv[argv.index("-w"):]
        assert run_campaign(*tail, "--help").returncode == 0, tail


def test_install_writes_into_a_folder_and_never_over_a_unit_someone_else_wrote(cli, ws, tmp_path):
    folder = tmp_path / "system"
    folder.mkdir()
    written = _units(cli, "--install", folder)["written"]
    assert len(written) == 4 and (folder / "campaign-ws-run.service").read_text().startswith("# Written by")
    assert _units(cli, "--install", folder, "--port", "8090")["written"] == written  # our own: written again
    assert "--port 8090" in (folder / "campaign-ws-web.service").read_text()
    (folder / "campaign-ws-web.service").write_text("[Service]\nExecStart=/usr/bin/theirs\n")
    result = cli("service", "units", "--user", "campaign", "--install", folder, "--port", "9000")
    assert result.exit_code == 1 and "was not written by" in result.output and "Traceback" not in result.output
    assert (folder / "campaign-ws-web.service").read_text() == "[Service]\nExecStart=/usr/bin/theirs\n"
    assert "--port 8090" in (folder / "campaign-ws-run.service").read_text() or \
        "9000" not in (folder / "campaign-ws-run.service").read_text()  # nothing written at all


def test_root_a_bad_account_name_or_time_are_refused_with_what_to_do(cli, ws):
    for args, says in ((["--user", "root"], "should not run as root"), (["--user", "Anna Müller"], "not a system"),
                       (["--user", "campaign", "--whatsapp-at", "9 Uhr"], "HH:MM")):
        result = cli("service", "units", *args)
        assert result.exit_code == 1 and says in result.output and "Traceback" not in result.output


def test_by_default_the_services_run_as_the_workspace_owner(cli, ws):
    owner = getpass.getuser()
    if os.geteuid() == 0:  # the tests run as root in CI: hand the workspace to an ordinary account
        os.chown(ws.root, 65534, -1)
        owner = pwd.getpwuid(65534).pw_name
    result = cli("service", "units")
    assert result.exit_code == 0 and f"User={owner}\n" in result.output


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_reads_the_units_without_an_error(cli, ws, tmp_path):
    folder = tmp_path / "system"
    folder.mkdir()
    _units(cli, "--install", folder)
    checked = subprocess.run(["systemd-analyze", "verify", *sorted(map(str, folder.iterdir()))],
                             capture_output=True, text=True, timeout=120, cwd=folder)
    assert checked.returncode == 0, checked.stderr


def test_behind_the_https_proxy_the_login_lock_counts_per_browser_not_per_proxy(ws):
    import re
    import threading

    import requests
    from web_server import add_users, token

    from campaign.web.server import make_server

    add_users(ws)
    server = make_server(ws, "127.0.0.1", 0, lang="en", https_proxy=True)
    thread = threading.Thread(target=lambda: _serve(server), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.effective_port}"

    def attempt(address: str, name: str) -> int:
        headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}
        page = requests.get(f"{base}/login", headers=headers)
        assert "Secure" in page.headers["Set-Cookie"]  # the browser sends it over HTTPS only
        cookie = re.search(r"campaign_session=([^;]+)", page.headers["Set-Cookie"]).group(1)
        answer = requests.post(f"{base}/login", data={"name": name, "password": "wrong wrong wrong",
                                                      "csrf_token": token(page.text)},
                               headers={**headers, "Cookie": f"campaign_session={cookie}"}, allow_redirects=False)
        return answer.status_code

    try:
        for n in range(5):
            assert attempt("203.0.113.5", f"guess{n}") == 401
        assert attempt("203.0.113.5", "anna") == 429  # that browser is locked ...
        assert attempt("198.51.100.7", "ben") == 401  # ... the rest of the office, behind the same proxy, is not
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=5)


def _serve(server) -> None:
    try:
        server.run()
    except OSError:  # the socket closed under select() at the end of the test
        pass
