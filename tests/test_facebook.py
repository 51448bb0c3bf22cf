"""The Facebook channel against a fake Graph API on 127.0.0.1: paths, version, fields, the image, errors."""
from __future__ import annotations

import base64
import json
from datetime import UTC, timedelta
from urllib.parse import quote, quote_plus

import pytest
from conftest import FB_TOKEN as TOKEN
from conftest import approved_portrait, configure

from schedules import posts
from schedules.channel import PermanentError, TransientError
from schedules.graph import GRAPH_API_VERSION


def _due_post(ws, pid, channel="facebook"):
    with ws.store.transaction() as db:
        return posts.create(db, pid, channel, ws.now() - timedelta(seconds=5), ws.now() - timedelta(minutes=1))["id"]


def _post(ws, post_id):
    return posts.get(ws.store.read(), post_id)


def test_publish_sends_the_photo_and_caption_to_the_page_with_the_pinned_version(cli, ws, graph):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommerfeld", size=(1400, 1750))
    assert cli("render", pid, "--format", "facebook").exit_code == 0
    post_id = _due_post(ws, pid)
    r = cli("publish", post_id)
    assert r.exit_code == 0, r.output
    post = _post(ws, post_id)
    assert post["status"] == "published"
    assert post["remote_id"] == "1001_9001" and post["photo_id"] == "5001"
    assert post["permalink"] == "https://www.facebook.com/1001_9001"
    (upload,) = graph.uploads
    assert upload["path"] == f"/v{GRAPH_API_VERSION}/1001/photos"
    assert upload["form"]["message"] == post["caption"] and "Brigitte (81)" in upload["form"]["message"]
    assert upload["form"]["alt_text_custom"] == post["alt_text"] and "Brigitte, 81" in post["alt_text"]
    sent = upload["files"]["source"]
    assert sent == (ws.renders / pid / "facebook.jpg").read_bytes()  # the render itself, as multipart
    assert b"Sommerfeld" not in sent and b"Sommerfeld" not in upload["form"]["message"].encode()
    assert upload["token"] == TOKEN  # sent to the (local) Graph API, and nowhere else
    for where in (ws.root / "campaign.json", ws.root / "campaign.log"):
        assert TOKEN not in where.read_text()
    assert TOKEN not in r.output


def test_every_request_carries_the_current_api_version(cli, ws, graph):
    pid = approved_portrait(ws, "Tamara", 32, "health", size=(1400, 1750))
    post_id = _due_post(ws, pid)
    cli("publish", post_id)
    graph.engagement["1001_9001"] = {"likes": 1700, "comments": 12, "shares": 30}
    assert cli("channel", "check", "facebook").exit_code == 0
    assert cli("engagement", "fetch").exit_code == 0
    with ws.store.transaction() as db:
        posts.update(db, post_id, ws.now(), "unknown", "test")
    assert cli("reconcile").exit_code == 0
    assert len(graph.requests) >= 4
    assert {r["version"] for r in graph.requests} == {f"v{GRAPH_API_VERSION}"}
    assert float(GRAPH_API_VERSION) > 3.1  # what facebook-sdk would have allowed is refused by Meta (2635)


def test_engagement_fetch_asks_for_the_summary_fields_and_stores_a_snapshot(cli, ws, graph):
    pid = approved_portrait(ws, "Tamara", 32, "health", size=(1400, 1750))
    post_id = _due_post(ws, pid)
    cli("publish", post_id)
    graph.engagement["1001_9001"] = {"likes": 1700, "comments": 12, "shares": 30}
    r = cli("engagement", "fetch", "--json")
    assert r.exit_code == 0, r.output
    asked = [q for q in graph.requests if q["parts"] == ["1001_9001"]][-1]
    assert asked["query"]["fields"] == "reactions.summary(total_count).limit(0),comments.summary(true).limit(0),shares"
    graph.engagement["1001_9001"] = {"likes": 1800, "comments": 15, "shares": 31}
    cli("engagement", "fetch")
    from schedules import engagement

    snaps = engagement.snapshots(ws.store.read(), post_id)
    assert [(s["likes"], s["comments"], s["shares"], s["source"]) for s in snaps] == [
        (1700, 12, 30, "fetch"), (1800, 15, 31, "fetch")]  # a time series, not an overwrite


@pytest.mark.parametrize("code,outcome,words", [
    (190, "failed", "Reconnect the Page"),
    (4, "planned", "rate limit"), (17, "planned", "rate limit"), (32, "planned", "rate limit"), (613, "planned", "rate limit"),
    (100, "failed", "Invalid parameter for the photo"),
])
def test_graph_errors_give_the_right_outcome(cli, ws, graph, code, outcome, words):
    pid = approved_portrait(ws, "Mehmet", 45, "transport", size=(1400, 1750))
    post_id = _due_post(ws, pid)
    graph.fail_next.append((400, {"message": f"Invalid parameter for the photo, token {TOKEN}", "type": "OAuthException",
                                  "code": code}))
    cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == outcome
    assert words.lower() in (post["error"] + " " + str(post.get("reason"))).lower() or words in post["error"]
    assert TOKEN not in json.dumps(post) and TOKEN not in (ws.root / "campaign.log").read_text()
    if outcome == "planned":  # transient: retried, but not before an hour has passed
        from datetime import datetime

        wait = datetime.fromisoformat(post["next_try"]) - ws.now()
        assert wait > timedelta(minutes=55)
    assert len(graph.uploads) == 1


def test_translate_maps_codes_without_a_server():
    import facebook

    from schedules.graph import channel_error

    def err(code):
        return facebook.GraphAPIError({"error": {"message": "m", "type": "OAuthException", "code": code}})

    assert isinstance(channel_error(err(190)), PermanentError)
    for code in (4, 17, 32, 613):
        e = channel_error(err(code))
        assert isinstance(e, TransientError) and e.retry_after >= 3600


def test_channel_check_says_which_page_and_when_the_token_is_wrong(cli, ws, graph, monkeypatch):
    r = cli("channel", "check", "--json")
    rows = {row["channel"]: row for row in json.loads(r.output)}
    assert rows["facebook"]["ok"] and "Stadt Duisburg" in rows["facebook"]["account"]
    assert rows["instagram"]["publisher"] == "outbox" and rows["instagram"]["ok"]
    monkeypatch.setenv("CAMPAIGN_FACEBOOK_TOKEN", "EAAwrongtoken1234567890abcdefgh")
    r = cli("channel", "check", "facebook")
    assert r.exit_code == 1 and "NOT OK" in r.output and "Reconnect the Page" in r.output
    assert "EAAwrongtoken" not in r.output
    monkeypatch.delenv("CAMPAIGN_FACEBOOK_TOKEN")
    r = cli("channel", "check", "facebook")
    assert r.exit_code == 1 and "CAMPAIGN_FACEBOOK_TOKEN is not set" in r.output


TRICKS = ["https://evil.example/", "http://evil.example\\@127.0.0.1/", "http://evil.example@127.0.0.1/",
          "http://127.0.0.1@evil.example/", "http://127.0.0.1.evil.example/", "http://127.0.0.1:80@evil.example/",
          "http://localhost.evil.example/", "http://[::ffff:7f00:1]@evil.example/", "http://127.0.0.1/ @evil.example",
          "http://127.0.0.1:99999/", "http://127.0.0.1#@evil.example/", "http://127.0.0.1?@evil.example/",
          "file:///etc/passwd", "http://0x7f.1/", "http://127.1/", " http://127.0.0.1:80/"]


@pytest.mark.parametrize("url", TRICKS)
def test_a_token_never_reaches_a_server_that_is_not_on_this_machine(cli, ws, graph, monkeypatch, url):
    pid = approved_portrait(ws, "Emre", 33, "transport", size=(1400, 1750))
    post_id = _due_post(ws, pid)
    monkeypatch.setenv("CAMPAIGN_GRAPH_URL", url)
    r = cli("publish", post_id)
    assert r.exit_code == 1 and "CAMPAIGN_GRAPH_URL is not a test server on this machine" in r.output
    assert graph.requests == []  # nothing was sent anywhere: the address is refused before any call
    assert posts.get(ws.store.read(), post_id)["status"] == "failed"


def test_graph_url_in_campaign_toml_is_refused_with_what_to_do(cli, ws):
    configure(ws, "channels.facebook", publisher="facebook", page_id="1", graph_url="http://127.0.0.1:9/")
    r = cli("status")
    assert r.exit_code == 1
    assert "graph_url cannot be set in the file" in r.output and "CAMPAIGN_GRAPH_URL" in r.output


def test_reconcile_pages_through_the_page_posts(cli, ws, graph):
    pid = approved_portrait(ws, "Olena", 27, "retail", size=(1400, 1750))
    post_id = _due_post(ws, pid)
    caption = "Olena (27), Retail: unser Beitrag"
    attempted = ws.now() - timedelta(minutes=3)
    with ws.store.transaction() as db:
        posts.update(db, post_id, ws.now(), "unknown", "test", caption=caption,
                     attempted_at=attempted.isoformat(timespec="seconds"))
    ours = graph.add_post(caption, attempted + timedelta(seconds=20))
    for i in range(250):  # a busy Page: ours is on the third page of 100
        graph.add_post(f"another post {i}", ws.now() - timedelta(minutes=1))
    r = cli("reconcile")
    assert r.exit_code == 0, r.output
    assert _post(ws, post_id)["status"] == "published" and _post(ws, post_id)["remote_id"] == ours
    listed = [q for q in graph.requests if q["parts"] == ["1001", "published_posts"]]
    assert len(listed) == 3 and all(q["query"]["limit"] == "100" for q in listed)
    assert graph.uploads == []  # settled by looking, never by uploading again


def test_status_shows_channel_health_without_calling_the_platform(cli, ws, graph, monkeypatch):
    r = cli("status")
    assert "Channel Facebook: facebook, Page 1001, token set" in r.output
    assert "Channel Instagram: outbox, offline outbox" in r.output
    monkeypatch.delenv("CAMPAIGN_FACEBOOK_TOKEN")
    assert "NOT READY: CAMPAIGN_FACEBOOK_TOKEN is not set" in cli("status").output
    assert graph.requests == []


APP_TOKEN = "4321|appsecret0000"
ALL_SCOPES = ["pages_manage_posts", "pages_read_engagement", "pages_show_list"]


def _check(cli):
    r = cli("channel", "check", "facebook")
    return r, r.output


def test_channel_check_reads_a_never_expiring_page_token_with_debug_token(cli, ws, graph, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_FACEBOOK_APP_TOKEN", APP_TOKEN)
    graph.token_info = {"type": "PAGE", "is_valid": True, "expires_at": 0, "profile_id": "1001", "scopes": ALL_SCOPES}
    r, out = _check(cli)
    assert r.exit_code == 0, out
    assert "Facebook (facebook): ok - Page Stadt Duisburg (1001)" in out
    assert "a Page token; scopes: pages_manage_posts, pages_read_engagement, pages_show_list; never expires" in out
    assert f"Graph API v{GRAPH_API_VERSION}, served until 2028-07-29" in out
    (asked,) = [q for q in graph.requests if q["parts"] == ["debug_token"]]
    assert asked["query"]["input_token"] == TOKEN and asked["token"] == APP_TOKEN
    assert "Warning: Facebook: the Page token" not in out and TOKEN not in out and APP_TOKEN not in out
    # the one warning: the workspace's hashtag is several words in one case (for screen readers)
    assert "Warning: Facebook: #duisburgistechtsolidarisch is several words in one case" in out


def test_channel_check_warns_two_weeks_before_the_token_expires(cli, ws, graph, monkeypatch):
    import time

    monkeypatch.setenv("CAMPAIGN_FACEBOOK_APP_TOKEN", APP_TOKEN)
    soon = int(time.time()) + 5 * 86400
    graph.token_info = {"type": "PAGE", "is_valid": True, "expires_at": soon, "profile_id": "1001", "scopes": ALL_SCOPES}
    r, out = _check(cli)
    assert r.exit_code == 0, out
    from datetime import datetime

    day = datetime.fromtimestamp(soon, UTC).strftime("%Y-%m-%d")
    assert f"Warning: Facebook: the Page token expires on {day}" in out and "never-expiring" in out
    graph.token_info["expires_at"] = int(time.time()) + 60 * 86400
    assert "Warning: Facebook: the Page token" not in _check(cli)[1]
    graph.token_info["expires_at"] = int(time.time()) - 86400
    r, out = _check(cli)
    assert r.exit_code == 1 and "NOT OK" in out and "expired on" in out


@pytest.mark.parametrize("info,words", [
    ({"type": "PAGE", "scopes": ["pages_read_engagement"]}, "missing scope(s): pages_manage_posts"),
    ({"type": "USER", "scopes": ALL_SCOPES}, "a user token, not a Page token"),
    ({"type": "PAGE", "profile_id": "999", "scopes": ALL_SCOPES}, "the token belongs to another Page (999)"),
    ({"is_valid": False, "error": {"message": "Session has expired"}}, "the token is not valid: Session has expired"),
])
def test_channel_check_names_what_is_wrong_with_the_token(cli, ws, graph, monkeypatch, info, words):
    monkeypatch.setenv("CAMPAIGN_FACEBOOK_APP_TOKEN", APP_TOKEN)
    graph.token_info = {"is_valid": True, "expires_at": 0, "profile_id": "1001", **info}
    r, out = _check(cli)
    assert r.exit_code == 1 and "NOT OK" in out and words in out


def test_channel_check_without_an_app_token_still_tells_a_page_token_from_another(cli, ws, graph):
    r, out = _check(cli)
    assert r.exit_code == 0 and "a Page token" in out and "CAMPAIGN_FACEBOOK_APP_TOKEN" in out
    assert not [q for q in graph.requests if q["parts"] == ["debug_token"]]
    graph.me = {"id": "555", "name": "A. Admin"}  # a person's own token, not the Page's
    r, out = _check(cli)
    assert r.exit_code == 1 and "the token is not the Page's own token (it belongs to 555)" in out
    assert "A. Admin" not in out


def test_the_version_table_knows_when_our_version_stops_and_warns_ahead():
    from datetime import date

    from schedules.graph import VERSION_ENDS, version_note

    end = VERSION_ENDS[GRAPH_API_VERSION]
    assert GRAPH_API_VERSION == "25.0" and end == date(2028, 7, 29)
    assert version_note(date(2026, 6, 17)) == ("Graph API v25.0, served until 2028-07-29", None)
    assert "update the campaign tool before then" in version_note(date(2028, 6, 1))[1]
    assert "no longer serves" in version_note(date(2028, 8, 1))[1]


def test_engagement_fetch_stores_the_unique_media_views_as_reach(cli, ws, graph):
    from schedules import engagement

    pid = approved_portrait(ws, "Tamara", 32, "health", size=(1400, 1750))
    post_id = _due_post(ws, pid)
    cli("publish", post_id)
    graph.engagement["1001_9001"] = {"likes": 1700, "comments": 12, "shares": 30}
    graph.insights["1001_9001"] = {"post_total_media_view_unique": 40000}
    r = cli("engagement", "fetch")
    assert r.exit_code == 0, r.output
    (asked,) = graph.calls("insights")
    assert asked["path"] == f"/v{GRAPH_API_VERSION}/1001_9001/insights"
    assert asked["query"]["metric"] == "post_total_media_view_unique"  # not the retired post_impressions_unique
    (snap,) = engagement.snapshots(ws.store.read(), post_id)
    assert (snap["likes"], snap["reach"]) == (1700, 40000)


def test_a_retired_facebook_metric_leaves_the_reactions_and_a_warning(cli, ws, graph):
    from schedules import engagement

    pid = approved_portrait(ws, "Tamara", 32, "health", size=(1400, 1750))
    post_id = _due_post(ws, pid)
    cli("publish", post_id)
    graph.engagement["1001_9001"] = {"likes": 1700, "comments": 12, "shares": 30}
    graph.retired_metrics = {"post_total_media_view_unique"}
    r = cli("engagement", "fetch")
    assert r.exit_code == 0, r.output
    assert "Warning: Facebook no longer serves the metric 'post_total_media_view_unique'" in r.output
    (snap,) = engagement.snapshots(ws.store.read(), post_id)
    assert (snap["likes"], snap["comments"], snap["shares"], snap["reach"]) == (1700, 12, 30, None)


def test_a_wrong_app_token_is_a_warning_and_the_page_token_is_still_checked(cli, ws, graph, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_FACEBOOK_APP_TOKEN", "4321|wrongsecret")
    r, out = _check(cli)
    assert r.exit_code == 0 and "a Page token" in out
    assert "Warning: Facebook: Meta refused CAMPAIGN_FACEBOOK_APP_TOKEN" in out and "wrongsecret" not in out


# A token that is not shaped like Meta's (no EAA...), with characters that change when encoded.
PLAIN_TOKEN = "plainTok|Sec/Ret+Geheim=99"
PLAIN_APP_TOKEN = "4321|appSec/Wrong+Secret="


def _every_spelling(value: str) -> list[str]:
    return [value, quote(value, safe=""), quote(value, safe="").lower(), quote_plus(value), json.dumps(value)[1:-1],
            json.dumps(value).replace("/", "\\/")[1:-1], base64.b64encode(value.encode()).decode(),
            base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")]


@pytest.fixture
def plain_graph(ws, monkeypatch):
    from fake_graph import FakeGraph

    monkeypatch.setenv("CAMPAIGN_FACEBOOK_TOKEN", PLAIN_TOKEN)
    monkeypatch.setenv("CAMPAIGN_FACEBOOK_APP_TOKEN", PLAIN_APP_TOKEN)
    with FakeGraph(token=PLAIN_TOKEN) as fake:
        monkeypatch.setenv("CAMPAIGN_GRAPH_URL", fake.url)
        configure(ws, "channels.facebook", publisher="facebook", page_id="1001")
        yield fake


def test_a_token_echoed_in_any_encoding_never_reaches_the_channel_check_warning(cli, ws, plain_graph):
    plain_graph.debug_token_error = (
        f"Invalid OAuth access token - Cannot parse access token: input_token={quote_plus(PLAIN_TOKEN)}"
        f"&access_token={quote(PLAIN_APP_TOKEN, safe='').lower()}; client_secret={quote('appSec/Wrong+Secret=')}; "
        f"body {json.dumps({'input_token': PLAIN_TOKEN})} as "
        f"{base64.b64encode(PLAIN_TOKEN.encode()).decode()} / {base64.b64encode(PLAIN_APP_TOKEN.encode()).decode()}")
    r = cli("channel", "check", "facebook")
    assert r.exit_code == 0 and "a Page token" in r.output
    assert "Warning: Facebook: Meta refused CAMPAIGN_FACEBOOK_APP_TOKEN" in r.output and "[redacted]" in r.output
    texts = [r.output, (ws.root / "campaign.log").read_text() if (ws.root / "campaign.log").exists() else ""]
    for text in texts:
        for value in (PLAIN_TOKEN, PLAIN_APP_TOKEN, "appSec/Wrong+Secret="):
            for spelling in _every_spelling(value):
                assert spelling not in text, spelling
        assert "Geheim" not in text and "plainTok" not in text and "Wrong" not in text


def test_a_platform_error_of_100_kb_is_kept_cut_and_scrubbed(cli, ws, plain_graph):
    pid = approved_portrait(ws, "Mehmet", 45, "transport", size=(1400, 1750))
    post_id = _due_post(ws, pid)
    echoed = "Invalid image: " + "A1b2C3d4" * 12_500  # a server that echoed the upload back: 100 KB
    plain_graph.fail_next.append((400, {"message": f"input_token={quote(PLAIN_TOKEN, safe='')} {echoed}",
                                        "type": "OAuthException", "code": 100}))
    before = len(ws.store.path.read_bytes())
    r = cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "failed" and "Invalid image: A1b2C3d4" in post["error"]
    assert len(post["error"]) <= 500 and post["error"].endswith("…")
    assert all(len(h["note"] or "") <= 500 for h in post["history"])
    assert len(ws.store.path.read_bytes()) - before < 5_000 and len(r.output) < 2_000
    for text in (r.output, ws.store.path.read_text(), (ws.root / "campaign.log").read_text()):
        assert "A1b2C3d4" * 100 not in text
        for spelling in _every_spelling(PLAIN_TOKEN):
            assert spelling not in text


@pytest.mark.real_clock  # the withdrawal is a real `campaign` process
def test_a_withdrawal_typed_while_the_upload_hangs_is_recorded_at_once_and_lists_the_post_to_take_down(ws, graph):
    import threading

    from conftest import run_campaign

    from campaign.outputs.renders import publishing_site
    from schedules.daemon import recover
    from schedules.runner import publish_post

    pid = approved_portrait(ws, "Brigitte", 81, "senior", size=(1400, 1750))
    post_id = _due_post(ws, pid)
    graph.hold_upload = threading.Event()
    ended: dict = {}
    publishing = threading.Thread(target=lambda: ended.update(publish_post(publishing_site(ws), post_id)))
    publishing.start()
    try:
        assert graph.upload_arrived.wait(60)
        r = run_campaign("-w", ws.root, "consent", "withdraw", pid, "--scope", "facebook", "--json", timeout=50)
        still_hanging = publishing.is_alive()
        assert r.returncode == 0, r.stderr  # not "the store is locked"
        assert recover(publishing_site(ws))["unknown"] == []  # the daemon's recovery leaves a post on the wire alone
        assert _post(ws, post_id)["status"] == "publishing"
    finally:
        graph.hold_upload.set()
        publishing.join(60)
    assert still_hanging  # the withdrawal did not wait for the upload
    assert [p["id"] for p in json.loads(r.stdout)["takedown"]] == [post_id]  # it was on the wire: take it down
    post = _post(ws, post_id)
    assert ended["status"] == post["status"] == "published" and post["remote_id"] == "1001_9001"
    assert [e["event"] for e in ws.store.read().table("consents").all() if e["portrait_id"] == pid][-1] == "withdraw"


def test_a_post_whose_consent_is_withdrawn_after_it_was_prepared_is_not_published(ws, graph):
    """The check right before the call reads the store afresh: a withdrawal recorded while the post
    was being prepared (here: while its stale render was being made) keeps it from going out."""
    from campaign.outputs.renders import publishing_site
    from campaign.privacy.withdrawal import withdraw
    from schedules.runner import publish_post

    pid = approved_portrait(ws, "Tamara", 32, "health", size=(1400, 1750))
    post_id = _due_post(ws, pid)

    def publisher_made_after_a_withdrawal(channel):
        from schedules.runner import publisher_for

        withdraw(ws, pid, "facebook")  # typed while the post was prepared: recorded without waiting
        return publisher_for(ws, channel)
    post = publish_post(publishing_site(ws), post_id, publisher=publisher_made_after_a_withdrawal)
    assert post["status"] == "cancelled" and graph.uploads == []
