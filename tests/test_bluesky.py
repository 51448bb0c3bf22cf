"""The Bluesky channel against a fake PDS on 127.0.0.1: the record, facets, images, session, never twice."""
from __future__ import annotations

import io
import json
import os
import random

import pytest
from conftest import approved_portrait, configure, due_post
from fake_bluesky import APP_PASSWORD, BLOB_LIMIT, DID, HANDLE, FakeBluesky
from PIL import Image

from schedules import engagement, posts
from schedules.bluesky import facets, fit_image, record_key
from schedules.captions import graphemes

SCOPES = "instagram,billboard,bluesky"


@pytest.fixture
def sky(ws, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_BLUESKY_APP_PASSWORD", APP_PASSWORD)
    with FakeBluesky() as fake:
        monkeypatch.setenv("CAMPAIGN_BLUESKY_URL", fake.url)
        configure(ws, "channels.bluesky", publisher="bluesky", handle=HANDLE)
        yield fake


def _post(ws, post_id):
    return posts.get(ws.store.read(), post_id)


def _slice(text: str, facet: dict) -> str:
    return text.encode("utf-8")[facet["index"]["byteStart"]:facet["index"]["byteEnd"]].decode("utf-8")


def test_facets_are_byte_ranges_in_utf8_with_umlauts_and_arabic():
    text = ("Grüße aus Duisburg: „Wir halten zusammen“ #DuisburgIstEchtSolidarisch\n"
            "مرحبا بكم #معا https://www.duisburg.de/solidarisch und #Füreinander.")
    found = facets(text)
    assert [_slice(text, f) for f in found] == ["#DuisburgIstEchtSolidarisch", "#معا",
                                                "https://www.duisburg.de/solidarisch", "#Füreinander"]
    assert found[0]["index"]["byteStart"] == len("Grüße aus Duisburg: „Wir halten zusammen“ ".encode())
    assert found[0]["index"]["byteStart"] != text.index("#")  # umlauts and „ take more than one byte
    assert [f["features"][0].get("tag") for f in found] == ["DuisburgIstEchtSolidarisch", "معا", None, "Füreinander"]
    assert found[2]["features"][0] == {"$type": "app.bsky.richtext.facet#link",
                                       "uri": "https://www.duisburg.de/solidarisch"}


def test_graphemes_count_what_a_reader_sees():
    assert graphemes("Grüße") == 5 == graphemes("Gru\u0308ße")  # a decomposed ü is one
    assert graphemes("مَرْحَبًا") == 5  # Arabic vowel signs sit on their letters
    assert graphemes("a" * 300) == 300


def test_a_render_over_the_limit_is_encoded_again_under_it_from_its_pixels(tmp_path):
    rng = random.Random(7)
    noisy = Image.frombytes("RGB", (1080, 1350), bytes(rng.getrandbits(8) for _ in range(1080 * 1350 * 3)))
    big = tmp_path / "feed.jpg"
    noisy.save(big, quality=95)
    assert os.path.getsize(big) > BLOB_LIMIT
    data, size = fit_image(big, BLOB_LIMIT)
    assert len(data) <= BLOB_LIMIT and size[0] / size[1] == pytest.approx(1080 / 1350, abs=0.01)
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG" and not im.getexif() and "comment" not in im.info
    small = tmp_path / "small.jpg"
    Image.new("RGB", (1080, 1350), (200, 100, 50)).save(small)
    assert fit_image(small, BLOB_LIMIT)[0] == small.read_bytes()  # what fits goes out as it is


def test_publish_makes_the_record_under_the_key_chosen_before_the_call(cli, ws, sky):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes=SCOPES, surname="Sommerfeld")
    post_id = due_post(ws, pid, "bluesky")
    r = cli("publish", post_id)
    assert r.exit_code == 0, r.output
    post = _post(ws, post_id)
    assert post["status"] == "published"
    (create,) = sky.calls("com.atproto.repo.createRecord")
    data = create["json"]
    assert data["repo"] == DID and data["collection"] == "app.bsky.feed.post" and data["rkey"] == post["rkey"]
    assert post["remote_id"] == f"at://{DID}/app.bsky.feed.post/{post['rkey']}"
    assert post["permalink"] == f"https://bsky.app/profile/{HANDLE}/post/{post['rkey']}"
    record = data["record"]
    assert record["text"] == post["caption"] and record["langs"] == ["de"]
    (image,) = record["embed"]["images"]
    assert image["alt"] == post["alt_text"] and "Brigitte, 81" in image["alt"]
    assert (image["aspectRatio"]["width"], image["aspectRatio"]["height"]) == (1080, 1350)
    (blob,) = sky.blobs.values()
    assert image["image"]["ref"]["$link"] in sky.blobs and blob == (ws.root / post["image"]).read_bytes()
    tags = [f for f in record["facets"] if f["features"][0]["$type"].endswith("#tag")]
    assert [_slice(record["text"], f) for f in tags] == ["#duisburgistechtsolidarisch"]
    assert "Sommerfeld" not in json.dumps(data, ensure_ascii=False) and b"Sommerfeld" not in blob
    assert len(post["rkey"]) == 13 and post["rkey"] == record_key(post_id, _when(post))


def _when(post):
    from datetime import datetime

    from schedules.bluesky import _TID_CHARS

    value = 0
    for ch in post["rkey"]:
        value = value * 32 + _TID_CHARS.index(ch)
    return datetime.fromtimestamp((value >> 10) / 1_000_000).astimezone()


def test_the_session_is_kept_and_reused_so_the_next_run_does_not_log_in_again(cli, ws, sky):
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    first, second = due_post(ws, pid, "bluesky"), due_post(ws, pid, "bluesky")
    assert cli("publish", first).exit_code == 0
    session = ws.private / "bluesky-session"
    assert session.is_file() and (session.stat().st_mode & 0o777) == 0o600
    assert APP_PASSWORD not in session.read_text()
    assert cli("publish", second).exit_code == 0
    assert len(sky.calls("com.atproto.server.createSession")) == 1  # login is rate limited: once


def test_an_expired_session_logs_in_again_with_the_app_password(cli, ws, sky):
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    first, second = due_post(ws, pid, "bluesky"), due_post(ws, pid, "bluesky")
    assert cli("publish", first).exit_code == 0
    sky.expire_sessions()
    assert cli("publish", second).exit_code == 0, _post(ws, second)
    assert len(sky.calls("com.atproto.server.createSession")) == 2 and len(sky.records) == 2


def test_a_wrong_app_password_fails_the_post_with_what_to_do(cli, ws, sky, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_BLUESKY_APP_PASSWORD", "wxyz-wxyz-wxyz-wxyz")
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "bluesky")
    r = cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "failed" and "Bluesky refused the app password" in post["error"]
    assert "wxyz-wxyz" not in post["error"] and "wxyz-wxyz" not in r.output and sky.records == {}


def test_a_render_over_blueskys_limit_is_posted_smaller_not_refused(cli, ws, sky, monkeypatch):
    """Renders of the plain test photos are small, so the limit is lowered, on both sides: in the
    channel's description (what we send) and on the fake server (what it refuses, as Bluesky does)."""
    from dataclasses import replace

    from schedules.channel import CHANNELS

    limit = 20_000
    monkeypatch.setitem(CHANNELS, "bluesky", replace(CHANNELS["bluesky"], image_bytes=limit))
    sky.blob_limit = limit
    pid = approved_portrait(ws, "Amira", 38, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "bluesky")
    r = cli("publish", post_id)
    assert r.exit_code == 0, r.output
    (blob,) = sky.blobs.values()
    post = _post(ws, post_id)
    assert len(blob) <= limit < (ws.root / post["image"]).stat().st_size


def test_a_timeout_after_the_server_made_the_record_is_settled_by_reading_that_record(cli, ws, sky, monkeypatch):
    import schedules.bluesky

    monkeypatch.setattr(schedules.bluesky, "TIMEOUT", 0.5)
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "bluesky")
    sky.slow_create = 2.0
    cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "unknown" and post["rkey"] in sky.records
    assert cli("run", "--once").exit_code == 0 and len(sky.records) == 1
    r = cli("reconcile")
    assert r.exit_code == 0, r.output
    post = _post(ws, post_id)
    assert post["status"] == "published" and post["remote_id"] == sky.records[post["rkey"]]["uri"]
    (asked,) = sky.calls("com.atproto.repo.getRecord")
    assert asked["query"]["rkey"] == [post["rkey"]]
    assert len(sky.calls("com.atproto.repo.createRecord")) == 1


def test_a_retry_reuses_the_record_key_so_it_can_never_post_twice(cli, ws, sky):
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "bluesky")
    assert cli("publish", post_id).exit_code == 0
    rkey = _post(ws, post_id)["rkey"]
    with ws.store.transaction() as db:  # as if the answer had been lost and the post tried again
        posts.update(db, post_id, ws.now(), "planned", "test")
    cli("publish", post_id)
    assert [c["json"]["rkey"] for c in sky.calls("com.atproto.repo.createRecord")] == [rkey, rkey]
    assert len(sky.records) == 1 and _post(ws, post_id)["status"] == "failed"


def test_a_rate_limit_puts_the_post_back_for_later(cli, ws, sky):
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "bluesky")
    sky.rate_limited = 1
    cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "planned" and "rate limit" in post["error"] and sky.records == {}


def test_engagement_counts_likes_reposts_quotes_and_replies(cli, ws, sky):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes=SCOPES)
    post_id = due_post(ws, pid, "bluesky")
    cli("publish", post_id)
    uri = _post(ws, post_id)["remote_id"]
    sky.counts[uri] = {"likeCount": 250, "repostCount": 40, "quoteCount": 5, "replyCount": 12}
    r = cli("engagement", "fetch")
    assert r.exit_code == 0, r.output
    (snap,) = engagement.snapshots(ws.store.read(), post_id)
    assert (snap["likes"], snap["shares"], snap["comments"]) == (250, 45, 12)


def test_channel_check_names_the_handle(cli, ws, sky):
    r = cli("channel", "check", "bluesky", "--json")
    assert r.exit_code == 0, r.output
    (row,) = json.loads(r.output)
    assert row["ok"] is True and row["account"] == f"@{HANDLE}"


def test_a_caption_over_300_graphemes_is_refused_with_what_to_do(cli, ws, sky):
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    configure(ws, "captions", de="{first_name} ({age}), {role}: {quote}\n" + "Mehr dazu im Netz. " * 16 + "{hashtag}")
    post_id = due_post(ws, pid, "bluesky")
    cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "failed" and "Bluesky allows 300" in post["error"] and sky.records == {}
    r = cli("schedule", "add", pid, "--at", "2099-06-01 18:30", "--channel", "bluesky")
    assert r.exit_code == 1 and "Bluesky allows 300" in r.output  # said when it is planned, not at 18:30


def test_the_first_comment_is_a_reply_to_the_post(cli, ws, sky):
    configure(ws, "channels.bluesky", first_comment="Mehr: https://www.duisburg.de/solidarisch #EchtSolidarisch")
    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes=SCOPES)
    post_id = due_post(ws, pid, "bluesky")
    assert cli("publish", post_id).exit_code == 0
    post = _post(ws, post_id)
    first, second = sky.calls("com.atproto.repo.createRecord")
    made = sky.records[post["rkey"]]
    reply = second["json"]["record"]
    for ref in (reply["reply"]["root"], reply["reply"]["parent"]):
        assert (ref["uri"], ref["cid"]) == (made["uri"], made["cid"])
    assert post["comment_id"] == f"at://{DID}/app.bsky.feed.post/{second['json']['rkey']}"
    assert [_slice(reply["text"], f) for f in reply["facets"]] == ["https://www.duisburg.de/solidarisch",
                                                                     "#EchtSolidarisch"]
