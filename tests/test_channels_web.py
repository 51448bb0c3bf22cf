"""Kanäle (role admin) and the daemon warning every page shows once the daemon misses its looks."""
from __future__ import annotations

from datetime import timedelta

from web_server import add_users, login, post_form, running


def test_every_page_warns_when_the_daemon_has_not_looked_for_too_long(ws, clock):
    from schedules.daemon import beat

    add_users(ws)
    beat(ws, 60.0)  # late after 60 s + 120 s of slack: a loaded machine's log-in stays well inside it
    with running(ws) as base:
        anna = login(base, "anna")
        assert "has not looked for due posts" not in anna.get(f"{base}/").text
        clock.shift(timedelta(minutes=5))
        for path in ("/", "/portraits", "/calendar", "/signoffs"):
            assert "The publishing daemon has not looked for due posts since" in anna.get(base + path).text, path
        beat(ws, 60.0)  # it runs again
        assert "has not looked for due posts" not in anna.get(f"{base}/").text


def test_the_channels_page_shows_readiness_last_publish_and_the_heartbeat_for_admin_only(ws, cli, clock):
    from conftest import approved_portrait

    approved_portrait(ws, "Brigitte", 81, "senior")
    from campaign.posting import scheduling

    scheduling.add_post(ws, "brigitte-81", "2026-06-17 10:05", "instagram")
    clock.shift(timedelta(minutes=6))
    assert cli("run", "--once").exit_code == 0  # the outbox publishes it, and the daemon notes its look
    add_users(ws)
    with running(ws) as base:
        dora = login(base, "dora")
        page = dora.get(f"{base}/channels").text
        assert "instagram" in page and "facebook" in page and "The daemon last looked for due posts at" in page
        assert "not yet" in page  # facebook has published nothing
        assert "17 Jun 2026" in page or "Jun 17, 2026" in page  # instagram's last publish
        checked = post_form(dora, f"{base}/channels/check", page=f"{base}/channels")
        assert checked.status_code == 200 and "works" in checked.text
        for name in ("anna", "ben"):
            session = login(base, name)
            assert session.get(f"{base}/channels").status_code == 403
            assert post_form(session, f"{base}/channels/check", page=f"{base}/").status_code == 403
