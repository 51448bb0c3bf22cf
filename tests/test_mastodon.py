"""The Mastodon channel against a fake instance on 127.0.0.1: what is sent, never twice, errors."""
from __future__ import annotations

import json

import pytest
from conftest import approved_portrait, configure, due_post
from fake_mastodon import TOKEN, FakeMastodon

from campaign.outputs.renders import publishing_site
from schedules import engagement, posts

SCOPES = "instagram,facebook,billboard,mastodon"


@pytest.fixture
def masto(ws, monkeypatch):
    """A fake instance and a workspace whose mastodon channel publishes to it."""
    monkeypatch.setenv("CAMPAIGN_MASTODON_TOKEN", TOKEN)
    with FakeMastodon() as fake:
        monkeypatch.setenv("CAMPAIGN_MASTODON_URL", fake.url)
        configure(ws, "channels.mastodon", publisher="mastodon", instance="https://social.bund.de")
        yield fake


def _post(ws, post_id):
    return posts.get(ws.store.read(), post_id)


def test_publish_uploads_the_image_with_its_alt_text_and_the_face_as_focus_then_the_status(cli, ws, masto):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes=SCOPES, surname="Sommerfeld")
    post_id = due_post(ws, pid, "mastodon")
    r = cli("publish", post_id)
    assert r.exit_code == 0, r.output
    post = _post(ws, post_id)
    assert post["status"] == "published"
    (status,) = masto.statuses
    assert post["remote_id"] == status["id"] and post["permalink"] == status["url"]
    (upload,) = masto.calls("POST", "/api/v2/media")
    assert upload["form"]["description"] == post["alt_text"] and "Brigitte, 81" in post["alt_text"]
    assert upload["files"]["file"] == (ws.root / post["image"]).read_bytes()  # the render itself
    x, y = (float(v) for v in upload["form"]["focus"].split(","))
    assert -1 <= x <= 1 and 0 < y <= 1  # the focal point sits in the upper half of a 4:5 portrait
    (sent,) = masto.status_posts
    assert sent["form"]["status"] == post["caption"] and "Brigitte (81)" in sent["form"]["status"]
    assert sent["form"]["language"] == "de" and sent["form"]["visibility"] == "public"
    assert sent["lists"]["media_ids[]"] == [upload_id for upload_id in masto.media]
    assert sent["headers"]["Idempotency-Key"] == f"campaign-{post_id}-{post['content_hash'][:16]}"
    assert all(q["token"] == TOKEN for q in masto.requests)
    for q in masto.requests:
        assert "Sommerfeld" not in json.dumps(q["form"], ensure_ascii=False)
    assert b"Sommerfeld" not in upload["files"]["file"]
    assert TOKEN not in (ws.root / "campaign.json").read_text() and TOKEN not in r.output


def test_the_focus_point_is_the_face_the_render_placed(cli, ws, masto, tmp_path):
    """The astronaut photo scikit-image ships (a real face): Mastodon's focus is the centre of the head
    where the render put it, in Mastodon's terms (-1..1 from the centre, y upwards)."""
    from datetime import date

    from PIL import Image
    from skimage import data

    from portraits import consent, records

    Image.fromarray(data.astronaut()).resize((1024, 1024)).save(tmp_path / "astronaut.jpg", quality=95)
    with ws.store.transaction() as db:
        rec = records.add_portrait(db, ws.photos, tmp_path / "astronaut.jpg", first_name="Eileen", age=62,
                                   role="Astronautin", quote="Von oben sieht man: wir gehören zusammen.")
        consent.grant(db, rec["id"], "mastodon", date(2026, 1, 1))
        records.approve_portrait(db, rec["id"], True)
    post_id = due_post(ws, rec["id"], "mastodon")
    assert cli("publish", post_id).exit_code == 0
    image = ws.root / _post(ws, post_id)["image"]
    hx, hy, hw, hh = json.loads(image.with_suffix(".json").read_text())["boxes"]["head"]
    W, H = Image.open(image).size
    (upload,) = masto.calls("POST", "/api/v2/media")
    x, y = (float(v) for v in upload["form"]["focus"].split(","))
    assert x == pytest.approx((hx + hw / 2) / W * 2 - 1, abs=0.01)
    assert y == pytest.approx(1 - (hy + hh / 2) / H * 2, abs=0.01) and y > 0


def test_a_carousel_sends_each_language_with_its_own_alt_text_in_one_status(cli, ws, masto):
    pid = approved_portrait(ws, "Amira", 38, "health", scopes=SCOPES)
    assert cli("portrait", "translate", pid, "--lang", "tr", "--quote", "Birlikte güçlüyüz.",
               "--role", "Hemşire").exit_code == 0
    with ws.store.transaction() as db:
        post_id = posts.create(db, pid, "mastodon", ws.now(), ws.now(), lang="de", fmt="carousel")["id"]
    r = cli("publish", post_id)
    assert r.exit_code == 0, r.output
    uploads = masto.calls("POST", "/api/v2/media")
    assert len(uploads) == 2 and uploads[0]["form"]["description"] != uploads[1]["form"]["description"]
    (sent,) = masto.status_posts
    assert len(sent["lists"]["media_ids[]"]) == 2


def test_a_timeout_after_the_instance_made_the_status_is_unknown_and_never_posted_again(cli, ws, masto, monkeypatch):
    import schedules.mastodon

    monkeypatch.setattr(schedules.mastodon, "TIMEOUT", 0.5)
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "mastodon")
    masto.slow_status = 2.0  # the instance makes the status, the answer comes too late
    r = cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "unknown", r.output
    assert post["media_ids"] == list(masto.media) and post["idempotency_key"].startswith(f"campaign-{post_id}-")
    assert cli("run", "--once").exit_code == 0
    assert cli("publish", post_id).exit_code == 1  # an unknown post is not published blindly
    assert len(masto.statuses) == 1

    r = cli("reconcile", "--json")
    assert r.exit_code == 0, r.output
    post = _post(ws, post_id)
    assert post["status"] == "published" and post["remote_id"] == masto.statuses[0]["id"]
    assert len(masto.status_posts) == 1 and len(masto.statuses) == 1


def test_the_same_post_sent_again_with_its_key_gives_the_status_already_made(ws, masto):
    """What a retry of a lost answer meets: Mastodon returns the status of that key, no second one."""
    from schedules.mastodon import MastodonPublisher, MastodonSettings

    pid = approved_portrait(ws, "Jonas", 46, "volunteer", scopes=SCOPES)
    render = ws.renders / pid
    from schedules.runner import publish_post

    post_id = due_post(ws, pid, "mastodon")
    publish_post(publishing_site(ws), post_id)
    post = _post(ws, post_id)
    publisher = MastodonPublisher("mastodon", MastodonSettings(instance="https://social.bund.de"), ws.outbox, ws.private)
    from schedules.channel import Media

    again = publisher.publish(post, [Media(ws.root / post["image"], post["alt_text"], "de")], post["caption"])
    assert again["remote_id"] == post["remote_id"] and len(masto.statuses) == 1
    assert render.is_dir()


def test_reconcile_fails_an_unknown_post_whose_status_never_appeared(cli, ws, masto, monkeypatch, clock):
    from datetime import timedelta

    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "mastodon")
    with ws.store.transaction() as db:
        posts.update(db, post_id, ws.now(), "unknown", "test", media_ids=["1"], caption="x",
                     attempted_at=(ws.now() - timedelta(hours=2)).isoformat(timespec="seconds"))
    r = cli("reconcile")
    assert r.exit_code == 0, r.output
    post = _post(ws, post_id)
    assert post["status"] == "failed" and "no status on the account holds its images" in post["reason"]


def test_an_expired_token_fails_the_post_with_what_to_do_and_channel_check_says_so(cli, ws, masto, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_MASTODON_TOKEN", "an-old-token-0000000000")
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "mastodon")
    cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "failed"
    assert "refused the Mastodon token" in post["error"] and "an-old-token" not in post["error"]
    assert masto.status_posts == []
    r = cli("channel", "check", "mastodon", "--json")
    (row,) = json.loads(r.output)
    assert row["ok"] is False and "refused the Mastodon token" in row["message"]


def test_a_rate_limit_puts_the_post_back_for_later_not_into_a_tight_loop(cli, ws, masto):
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "mastodon")
    masto.rate_limited = 1
    cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "planned" and "rate limit" in post["error"]
    assert post["next_try"] > ws.now().isoformat()
    assert masto.statuses == []


def test_channel_check_names_the_account_on_its_instance(cli, ws, masto):
    r = cli("channel", "check", "mastodon", "--json")
    assert r.exit_code == 0, r.output
    (row,) = json.loads(r.output)
    assert row["ok"] is True and row["account"] == "@stadt_duisburg@social.bund.de"
    assert masto.requests[-1]["path"] == "/api/v1/accounts/verify_credentials"


def test_engagement_fetch_reads_favourites_boosts_and_replies(cli, ws, masto):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes=SCOPES)
    post_id = due_post(ws, pid, "mastodon")
    cli("publish", post_id)
    masto.statuses[0].update(favourites_count=120, reblogs_count=30, replies_count=7)
    r = cli("engagement", "fetch", "--json")
    assert r.exit_code == 0, r.output
    (snap,) = engagement.snapshots(ws.store.read(), post_id)
    assert (snap["likes"], snap["shares"], snap["comments"]) == (120, 30, 7)


def test_the_test_server_address_is_honoured_for_this_machine_only(cli, ws, masto, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_MASTODON_URL", "http://social.example:8080/")
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    post_id = due_post(ws, pid, "mastodon")
    cli("publish", post_id)
    post = _post(ws, post_id)
    assert post["status"] == "failed" and "is not a test server on this machine" in post["error"]
    assert masto.requests == []


def test_the_instance_address_in_campaign_toml_must_be_https(cli, ws):
    configure(ws, "channels.mastodon", publisher="mastodon", instance="http://social.bund.de")
    before = ws.store.path.read_bytes()
    r = cli("status")
    assert r.exit_code == 1
    assert "[channels.mastodon] instance: 'http://social.bund.de' is not an instance address" in r.output
    assert ws.store.path.read_bytes() == before


def test_a_story_cannot_be_planned_on_mastodon(cli, ws, masto):
    pid = approved_portrait(ws, "Tamara", 32, "health", scopes=SCOPES)
    r = cli("schedule", "add", pid, "--at", "2099-06-01 18:30", "--channel", "mastodon", "--format", "story")
    assert r.exit_code == 1
    assert "Mastodon has no 'story' posts." in r.output and "Use --format feed or square or carousel." in r.output


def test_the_first_comment_is_a_reply_to_the_status(cli, ws, masto):
    configure(ws, "channels.mastodon", first_comment="Alle Porträts: https://www.duisburg.de/solidarisch")
    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes=SCOPES)
    post_id = due_post(ws, pid, "mastodon")
    assert cli("publish", post_id).exit_code == 0
    status, reply = masto.statuses
    post = _post(ws, post_id)
    assert post["remote_id"] == status["id"] and post["comment_id"] == reply["id"]
    sent = masto.status_posts[1]
    assert sent["form"]["in_reply_to_id"] == status["id"] and sent["form"]["status"].startswith("Alle Porträts")
    assert sent["headers"]["Idempotency-Key"] == masto.status_posts[0]["headers"]["Idempotency-Key"] + "-comment"
