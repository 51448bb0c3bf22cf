"""The Threads channel against a fake Threads API on 127.0.0.1 (and the fake Graph API for Page hosting)."""
from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import approved_portrait, configure, due_post
from fake_threads import TOKEN, USER, FakeThreads

from schedules import engagement, posts

SCOPES = "instagram,threads"


class QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def threads(ws, tmp_path, monkeypatch):
    folder = tmp_path / "www"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietFiles, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("CAMPAIGN_THREADS_TOKEN", TOKEN)
    with FakeThreads() as fake:
        monkeypatch.setenv("CAMPAIGN_THREADS_URL", fake.url)
        configure(ws, "channels.threads", publisher="threads", image_host="url", public_dir=str(folder),
                  public_base_url=f"http://127.0.0.1:{server.server_address[1]}/")
        fake.folder = folder
        yield fake
    server.shutdown()
    server.server_close()


def _post(ws, post_id):
    return posts.get(ws.store.read(), post_id)


def test_publish_makes_a_container_with_text_and_alt_text_then_publishes_it(cli, ws, threads):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes=SCOPES, surname="Sommerfeld")
    post_id = due_post(ws, pid, "threads")
    r = cli("publish", post_id)
    assert r.exit_code == 0, r.output
    post = _post(ws, post_id)
    assert post["status"] == "published" and post["remote_id"] == threads.threads[0]["id"]
    assert post["permalink"] == threads.threads[0]["permalink"] and post["container_id"] in threads.containers
    (made,) = threads.calls("POST", USER, "threads")
    assert made["version"] == "v1.0" and made["form"]["media_type"] == "IMAGE"
    assert made["form"]["text"] == post["caption"] and made["form"]["alt_text"] == post["alt_text"]
    assert made["form"]["image_url"].startswith("http://127.0.0.1:")
    (published,) = threads.calls("POST", USER, "threads_publish")
    assert published["form"]["creation_id"] == post["container_id"]
    assert len(threads.calls("GET", USER, "threads_publishing_limit")) == 1
    assert list(threads.folder.iterdir()) == []  # the public copy is gone once the post is out
    assert "Sommerfeld" not in json.dumps([q["form"] for q in threads.requests], ensure_ascii=False)


def test_a_carousel_is_one_container_per_image_and_a_carousel_container(cli, ws, threads):
    pid = approved_portrait(ws, "Amira", 38, "health", scopes=SCOPES)
    assert cli("portrait", "translate", pid, "--lang", "tr", "--quote", "Birlikte güçlüyüz.",
               "--role", "Hemşire").exit_code == 0
    with ws.store.transaction() as db:
        post_id = posts.create(db, pid, "threads", ws.now(), ws.now(), lang="de", fmt="carousel")["id"]
    assert cli("publish", post_id).exit_code == 0
    made = threads.calls("POST", USER, "threads")
    children, parent = made[:2], made[2]
    assert [c["form"]["is_carousel_item"] for c in children] == ["true", "true"]
    assert children[0]["form"]["alt_text"] != children[1]["form"]["alt_text"]
    assert parent["form"]["media_type"] == "CAROUSEL" and len(parent["form"]["children"].split(",")) == 2


def test_a_timeout_after_threads_published_is_settled_by_its_container_without_a_second_post(cli, ws, threads,
                                                                                              monkeypatch):
    import schedules.threads

    monkeypatch.setattr(schedules.threads, "TIMEOUT", (2, 0.5))
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "threads")
    threads.slow_publish = 2.0
    cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "unknown" and post["container_id"] in threads.containers
    assert cli("run", "--once").exit_code == 0
    r = cli("reconcile")
    assert r.exit_code == 0, r.output
    post = _post(ws, post_id)
    assert post["status"] == "published" and post["remote_id"] == threads.threads[0]["id"]
    assert len(threads.calls("POST", USER, "threads_publish")) == 1 and len(threads.threads) == 1


def test_a_container_threads_gave_up_on_fails_the_unknown_post_with_threads_own_reason(cli, ws, threads,
                                                                                       monkeypatch):
    import schedules.threads

    monkeypatch.setattr(schedules.threads, "TIMEOUT", (2, 0.5))
    pid = approved_portrait(ws, "Mehmet", 45, "transport", scopes=SCOPES)
    post_id = due_post(ws, pid, "threads")
    threads.slow_publish = 2.0
    cli("publish", post_id)
    container = threads.containers[_post(ws, post_id)["container_id"]]
    threads.threads.clear()  # Threads never made the post of it: the container ended in an error instead
    container["status"], container["error_message"] = "ERROR", "MEDIA_EXPIRED: the container expired"
    assert cli("reconcile").exit_code == 0
    post = _post(ws, post_id)
    assert post["status"] == "failed"
    assert "MEDIA_EXPIRED: the container expired" in post["reason"] and "schedule retry" in post["reason"]


def test_an_expired_token_fails_the_post_with_what_to_do(cli, ws, threads, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_THREADS_TOKEN", "THAAold-token-00000000")
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "threads")
    r = cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "failed" and "Threads refused the token" in post["error"]
    assert "THAAold" not in post["error"] and "THAAold" not in r.output and threads.threads == []


def test_the_24_hour_limit_is_read_from_the_api(cli, ws, threads):
    threads.quota_total = threads.quota_usage = 250
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "threads")
    cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "planned" and "limit of 250 posts in 24 hours" in post["error"]


def test_engagement_reads_likes_replies_reposts_and_quotes(cli, ws, threads):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes=SCOPES)
    post_id = due_post(ws, pid, "threads")
    cli("publish", post_id)
    threads.insights[_post(ws, post_id)["remote_id"]] = {"likes": 90, "replies": 4, "reposts": 6, "quotes": 2,
                                                         "views": 3000}
    r = cli("engagement", "fetch")
    assert r.exit_code == 0, r.output
    (snap,) = engagement.snapshots(ws.store.read(), post_id)
    assert (snap["likes"], snap["comments"], snap["shares"]) == (90, 4, 8)


def test_channel_check_names_the_account(cli, ws, threads):
    (row,) = json.loads(cli("channel", "check", "threads", "--json").output)
    assert row["ok"] is True and row["account"] == f"@stadt.duisburg ({USER})"
    assert "250 of 250 posts left" in row["message"]


def test_page_photo_hosting_needs_the_page(cli, ws):
    configure(ws, "channels.threads", publisher="threads", image_host="page-photo")
    r = cli("status")
    assert r.exit_code == 1 and '[channels.threads] image_host: "page-photo" needs page_id' in r.output


def test_the_first_comment_is_a_reply_published_under_the_post(cli, ws, threads):
    configure(ws, "channels.threads", first_comment="Alle Porträts im Profil.")
    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes=SCOPES)
    post_id = due_post(ws, pid, "threads")
    assert cli("publish", post_id).exit_code == 0
    post = _post(ws, post_id)
    reply = threads.calls("POST", USER, "threads")[-1]["form"]
    assert reply["media_type"] == "TEXT" and reply["reply_to_id"] == post["remote_id"]
    assert post["comment_id"] == threads.threads[-1]["id"] != post["remote_id"]


def test_page_photo_hosting_uploads_to_the_page_for_threads_to_fetch_and_removes_it(cli, ws, threads, graph):
    """The image as an unpublished photo of the city's Page (the fake Graph API), fetched from there by Threads."""
    configure(ws, "channels.threads", publisher="threads", image_host="page-photo", page_id="1001",
              public_dir="", public_base_url="")
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "threads")
    r = cli("publish", post_id)
    assert r.exit_code == 0, r.output
    (photo,) = graph.calls("page_photo")
    (made,) = threads.calls("POST", USER, "threads")
    assert made["form"]["image_url"].startswith(graph.url + "cdn/")
    assert all(p["deleted"] for p in graph.photos.values())  # removed once the post is out
    assert _post(ws, post_id)["status"] == "published"
