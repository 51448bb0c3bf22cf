"""Instagram with Instagram Login (graph.instagram.com, no Facebook Page) against the fake Graph API."""
from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import FB_TOKEN, approved_portrait, configure, due_post
from fake_graph import IG_USER

from schedules import posts
from schedules.graph import GRAPH_API_VERSION

IG_TOKEN = FB_TOKEN  # the fake server takes one token: here it is the account's Instagram user token


class QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def iglogin(ws, tmp_path, monkeypatch):
    """The instagram channel on Instagram Login, its images in the office's web folder on 127.0.0.1."""
    from fake_graph import FakeGraph

    folder = tmp_path / "www"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietFiles, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.delenv("CAMPAIGN_FACEBOOK_TOKEN", raising=False)
    monkeypatch.setenv("CAMPAIGN_INSTAGRAM_TOKEN", IG_TOKEN)
    with FakeGraph(token=IG_TOKEN) as fake:
        fake.me = {"user_id": IG_USER, "username": fake.ig_username, "account_type": "BUSINESS", "id": "ig-app-scoped"}
        monkeypatch.setenv("CAMPAIGN_GRAPH_URL", fake.url)
        configure(ws, "channels.instagram", publisher="instagram-login", public_dir=str(folder),
                  public_base_url=f"http://127.0.0.1:{server.server_address[1]}/")
        fake.folder = folder
        yield fake
    server.shutdown()
    server.server_close()


def _post(ws, post_id):
    return posts.get(ws.store.read(), post_id)


def test_publish_makes_a_container_from_the_public_folder_on_the_tokens_own_account(cli, ws, iglogin):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommerfeld")
    post_id = due_post(ws, pid, "instagram")
    r = cli("publish", post_id)
    assert r.exit_code == 0, r.output
    post = _post(ws, post_id)
    assert post["status"] == "published" and post["remote_id"] == iglogin.ig_media[0]["id"]
    (me,) = [q for q in iglogin.requests if q["parts"] == ["me"]]
    assert me["query"]["fields"] == "user_id,username,account_type"
    (container,) = iglogin.calls("container")
    assert container["parts"] == [IG_USER, "media"] and container["version"] == f"v{GRAPH_API_VERSION}"
    assert container["form"]["caption"] == post["caption"] and container["form"]["alt_text"] == post["alt_text"]
    assert container["form"]["image_url"].startswith("http://127.0.0.1:")  # the office's folder, no Page photo
    assert iglogin.calls("page_photo") == [] and len(iglogin.calls("limit")) == 1
    assert list(iglogin.folder.iterdir()) == []  # the public copy is gone once the post is out
    assert all(q["token"] == IG_TOKEN for q in iglogin.requests)
    assert "Sommerfeld" not in json.dumps([q["form"] for q in iglogin.requests], ensure_ascii=False)


def test_posts_published_one_after_another_reuse_one_connection_to_the_api(cli, ws, iglogin):
    """Each new connection to graph.instagram.com costs a TCP and TLS handshake: the calls of a post,
    and of the next post, go over the connection that is already open."""
    first = due_post(ws, approved_portrait(ws, "Brigitte", 81, "senior"), "instagram")
    second = due_post(ws, approved_portrait(ws, "Tamara", 32, "health"), "instagram")
    assert cli("publish", first).exit_code == 0 and cli("publish", second).exit_code == 0
    assert _post(ws, first)["status"] == _post(ws, second)["status"] == "published"
    assert len(iglogin.calls("publish")) == 2 and len(iglogin.requests) >= 10
    assert len({q["connection"] for q in iglogin.requests}) == 1


def test_the_daily_limit_is_what_the_api_says_not_a_constant(cli, ws, iglogin):
    iglogin.quota_total, iglogin.quota_usage = 25, 25
    pid = approved_portrait(ws, "Tamara", 32, "health")
    post_id = due_post(ws, pid, "instagram")
    cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "planned" and "limit of 25 posts in 24 hours" in post["error"]
    assert iglogin.calls("container") == []


def test_a_story_goes_out_on_a_business_account_and_is_refused_on_a_creator_account(cli, ws, iglogin):
    pid = approved_portrait(ws, "Tamara", 32, "health")
    story = due_post(ws, pid, "instagram", fmt="story")
    assert cli("publish", story).exit_code == 0
    (container,) = iglogin.calls("container")
    assert container["form"]["media_type"] == "STORIES"
    iglogin.me["account_type"] = "MEDIA_CREATOR"
    other = due_post(ws, pid, "instagram", fmt="story")
    cli("publish", other)
    post = _post(ws, other)
    assert post["status"] == "failed" and "(MEDIA_CREATOR) cannot post stories" in post["error"]


def test_channel_check_says_which_instagram_route_fits_the_account(cli, ws, iglogin):
    r = cli("channel", "check", "instagram", "--json")
    (row,) = json.loads(r.output)
    assert row["ok"] is True and row["account"] == f"@{iglogin.ig_username} ({IG_USER})"
    assert "Instagram Login fits this business account" in row["message"] and "50 of 50 posts left" in row["message"]
    iglogin.me["account_type"] = "PERSONAL"
    (row,) = json.loads(cli("channel", "check", "instagram", "--json").output)
    assert row["ok"] is False and "a personal account: neither Instagram route can publish to it" in row["message"]


def test_an_expired_token_fails_the_post_saying_to_make_a_new_instagram_token(cli, ws, iglogin, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_INSTAGRAM_TOKEN", "IGQ-an-old-token-000000")
    pid = approved_portrait(ws, "Tamara", 32, "health")
    post_id = due_post(ws, pid, "instagram")
    r = cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "failed" and "Instagram refused the token" in post["error"]
    assert "IGQ-an-old" not in post["error"] and "IGQ-an-old" not in r.output


def test_instagram_login_needs_the_web_folder_and_its_address_together(cli, ws):
    configure(ws, "channels.instagram", publisher="instagram-login", public_dir="/srv/www")
    r = cli("status")
    assert r.exit_code == 1 and "[channels.instagram] public_dir: Instagram Login needs both" in r.output
