"""Every word right: what `campaign status` groups, tables that wrap instead of cutting a word, and
no text that reaches a person without the catalog."""
from __future__ import annotations

import json
from datetime import date

import pytest

from conftest import approved_portrait, set_config
from portraits import consent


def _planned(cli, ws, n_people=4, start="2026-07-01", end="2026-08-11"):
    for i, cat in enumerate(["health", "senior", "retail", "transport"][:n_people]):
        approved_portrait(ws, f"Person{chr(65 + i)}", 30 + i, cat)
    r = cli("schedule", "plan", "--start", start, "--end", end, "--channels", "instagram", "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)["created"]


@pytest.mark.parametrize("lang, line, command", [
    ("de", "warten auf Freigabe (01.07.2026 bis 11.08.2026)",
     "campaign schedule approve --from 01.07.2026 --to 11.08.2026"),
    ("en", "posts wait for approval (Jul 1, 2026 to Aug 11, 2026)",
     "campaign schedule approve --from 2026-07-01 --to 2026-08-11")])
def test_status_says_many_posts_waiting_for_approval_in_one_line_with_the_command_for_the_range(
        cli, ws, monkeypatch, lang, line, command):
    set_config(ws, 'approval = "none"', 'approval = "one"')
    created = _planned(cli, ws)
    assert len(created) > 30
    monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)
    out = cli("status").output
    assert f"{len(created)} " in out and line in out and command in out, out
    assert created[5]["id"] not in out  # not one line per post
    assert json.loads(cli("status", "--json").output)["awaiting_approval"][0]["id"] == created[0]["id"]  # --json as it was
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "de")
    assert cli("schedule", "approve", "--from", "01.07.2026", "--to", "11.08.2026").exit_code == 0  # the command works
    assert "Freigabe" not in cli("status").output


@pytest.mark.parametrize("lang, words", [("de", "Von Hand entfernen"), ("en", "Take down by hand")])
def test_status_lists_published_posts_of_someone_who_withdrew_as_takedown_tasks(cli, ws, monkeypatch, lang, words):
    from schedules import posts

    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    now = ws.now()
    with ws.store.transaction() as db:
        post = posts.create(db, pid, "instagram", now, now)
        posts.update(db, post["id"], now, "published", "test", remote_id="1789", permalink="https://instagram.test/p/1")
    assert cli("consent", "withdraw", pid, "--scope", "instagram").exit_code == 0
    monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)
    out = cli("status").output
    assert words in out and post["id"] in out and "https://instagram.test/p/1" in out
    assert json.loads(cli("status", "--json").output)["takedown"][0]["id"] == post["id"]


def test_a_table_wraps_to_the_terminal_and_never_cuts_a_word(cli, ws, monkeypatch):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes="instagram,facebook,billboard,press,website")
    monkeypatch.setenv("COLUMNS", "90")
    for lang in ("de", "en"):
        monkeypatch.setenv("CAMPAIGN_UI_LANG", lang)
        out = cli("consent", "status").output
        assert all(len(line) <= 90 for line in out.splitlines()), out
        words = out.split()
        for scope in ("instagram", "facebook", "billboard", "press", "website"):
            assert scope in words or f"{scope}," in words, out  # whole, never "websi"
