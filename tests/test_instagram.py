"""The Instagram channel against a stand-in built to instagrapi.Client's real signatures
(`create_autospec`): a call that does not match instagrapi's API fails the test."""
from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from unittest.mock import create_autospec

import instagrapi
import pytest
from conftest import approved_portrait, configure
from instagrapi import exceptions as ig

from campaign.outputs.renders import publishing_site
from schedules import posts
from schedules.instagram import DELAY_RANGE, InstagramPublisher
from schedules.instagram import InstagramSettings as Channel
from schedules.runner import publish_post

PASSWORD = "correct horse battery staple"
SETTINGS = {"uuids": {"phone_id": "p-1", "uuid": "u-1", "device_id": "android-1"},
            "cookies": {"sessionid": "SESSIONSECRET123"}, "authorization_data": {"ds_user_id": "42"}}


@pytest.fixture
def client():
    stand_in = create_autospec(instagrapi.Client, instance=True)
    stand_in.get_settings.return_value = dict(SETTINGS)
    stand_in.login.return_value = True
    stand_in.account_info.return_value = SimpleNamespace(pk="42", username="stadt.duisburg")
    stand_in.photo_upload.return_value = SimpleNamespace(pk="3141592653", code="CxYz123")
    return stand_in


@pytest.fixture
def insta(ws, client, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_INSTAGRAM_PASSWORD", PASSWORD)
    configure(ws, "channels.instagram", publisher="instagram", account="stadt.duisburg")
    pub = InstagramPublisher("instagram", ws.config.channel("instagram"), ws.outbox, ws.private, client=client)
    pub.login(None, lambda what: "123456")
    client.reset_mock()
    return pub


def _due(ws, pid):
    with ws.store.transaction() as db:
        return posts.create(db, pid, "instagram", ws.now() - timedelta(seconds=5), ws.now() - timedelta(minutes=1))["id"]


def test_login_saves_the_session_0600_without_the_password_and_keeps_the_device(ws, client, monkeypatch):
    monkeypatch.delenv("CAMPAIGN_INSTAGRAM_PASSWORD", raising=False)
    pub = InstagramPublisher("instagram", Channel(account="@stadt.duisburg"), ws.outbox, ws.private, client=client)
    pub.login(PASSWORD, lambda what: "123456")
    client.login.assert_called_once_with("stadt.duisburg", PASSWORD)
    assert client.delay_range == DELAY_RANGE
    session = ws.private / "instagram-session.json"
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    assert json.loads(session.read_text()) == SETTINGS
    assert PASSWORD not in session.read_text()
    # A second login (say, after a challenge) keeps the same device ids.
    client.reset_mock()
    pub.login(PASSWORD, lambda what: "123456")
    client.set_uuids.assert_called_once_with(SETTINGS["uuids"])
    # A challenge asks the person for the code through the handler instagrapi calls.
    assert client.challenge_code_handler("stadt.duisburg", "email") == "123456"


def test_two_factor_asks_for_the_code(ws, client):
    client.login.side_effect = [ig.TwoFactorRequired("2fa"), True]
    pub = InstagramPublisher("instagram", Channel(account="stadt.duisburg"), ws.outbox, ws.private, client=client)
    pub.login(PASSWORD, lambda what: "654321")
    assert client.login.call_args_list[-1].kwargs == {"verification_code": "654321"}


def test_publish_uploads_the_render_with_caption_and_alt_text(cli, ws, insta, client):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommerfeld", size=(1400, 1750))
    assert cli("render", pid, "--format", "instagram-feed").exit_code == 0
    post_id = _due(ws, pid)
    post = publish_post(publishing_site(ws), post_id, publisher=lambda ch: insta)
    assert post["status"] == "published"
    assert post["remote_id"] == "3141592653" and post["code"] == "CxYz123"
    assert post["permalink"] == "https://www.instagram.com/p/CxYz123/"
    (call,) = client.photo_upload.call_args_list
    path, caption = call.args
    assert path == ws.renders / pid / "instagram-feed.jpg"
    assert caption == post["caption"] and "Sommerfeld" not in caption
    alt = call.kwargs["extra_data"]["custom_accessibility_caption"]
    assert alt.startswith("Foto von Brigitte, 81") and "Sommerfeld" not in alt
    client.set_settings.assert_called_once_with(SETTINGS)  # the saved session, reused: no new login
    client.login.assert_not_called()
    stored = (ws.root / "campaign.json").read_text() + (ws.root / "campaign.log").read_text()
    assert "SESSIONSECRET123" not in stored and PASSWORD not in stored


@pytest.mark.parametrize("error,status,words,min_wait", [
    (ig.ChallengeRequired("challenge_required"), "failed", "campaign channel login instagram", None),
    (ig.FeedbackRequired("feedback_required"), "failed", "blocked", None),
    (ig.BadPassword("bad password"), "failed", "campaign channel login instagram", None),
    (ig.PleaseWaitFewMinutes("Please wait a few minutes"), "planned", "wait", timedelta(minutes=14)),
    (ig.RateLimitError("rate limited"), "planned", "throttling", timedelta(minutes=55)),
    (ig.ClientThrottledError("429"), "planned", "throttling", timedelta(minutes=55)),
    (ig.ClientConnectionError("connection reset"), "unknown", "cut off", None),
])
def test_each_instagrapi_exception_gives_the_right_outcome(ws, insta, client, error, status, words, min_wait):
    pid = approved_portrait(ws, "Tamara", 32, "health", size=(1400, 1750))
    post_id = _due(ws, pid)
    client.photo_upload.side_effect = error
    post = publish_post(publishing_site(ws), post_id, publisher=lambda ch: insta)
    assert post["status"] == status
    assert words in post["error"] + str(post.get("reason")) or words in str(post["error"]).lower()
    if min_wait:
        assert datetime.fromisoformat(post["next_try"]) - ws.now() >= min_wait  # a long back-off, no tight loop
    assert client.photo_upload.call_count == 1


def test_a_rejected_session_logs_in_again_with_the_same_device(ws, insta, client):
    client.account_info.side_effect = [ig.LoginRequired("login_required"),
                                       SimpleNamespace(pk="42", username="stadt.duisburg")]
    result = insta.check()
    assert result["ok"] and result["account"] == "@stadt.duisburg"
    client.set_uuids.assert_called_once_with(SETTINGS["uuids"])
    client.login.assert_called_once_with("stadt.duisburg", PASSWORD)


def test_without_a_session_it_says_to_log_in(ws, client):
    pub = InstagramPublisher("instagram", Channel(account="x"), ws.outbox, ws.private, client=client)
    from schedules.channel import PermanentError

    with pytest.raises(PermanentError, match="campaign channel login instagram"):
        pub.check()


def test_engagement_is_fresh_and_recent_media_feed_reconcile(ws, insta, client):
    client.media_info.return_value = SimpleNamespace(like_count=1700, comment_count=42)
    figures = insta.fetch_engagement({"remote_id": "3141592653"})
    client.media_info.assert_called_once_with("3141592653", use_cache=False)
    assert figures == {"likes": 1700, "comments": 42, "shares": 0, "reach": None}
    now = datetime.now(UTC)
    client.user_medias.return_value = [
        SimpleNamespace(pk="1", code="A1", caption_text="new", taken_at=now),
        SimpleNamespace(pk="2", code="B2", caption_text="old", taken_at=now - timedelta(days=3))]
    media = insta.recent_media(now - timedelta(hours=1))
    client.user_medias.assert_called_once_with("42", amount=50)
    assert [m["remote_id"] for m in media] == ["1"] and media[0]["permalink"] == "https://www.instagram.com/p/A1/"


def test_login_command_prompts_and_never_echoes_the_password(cli, ws, monkeypatch):
    monkeypatch.delenv("CAMPAIGN_INSTAGRAM_PASSWORD", raising=False)
    r = cli("channel", "login", "instagram", input=PASSWORD + "\n")
    assert r.exit_code == 1 and "outbox" in r.output  # not configured for Instagram: says how
    assert PASSWORD not in r.output
