"""Every post publishes the current render of its portrait: made at publish time when it is missing or
stale, byte for byte what `campaign render` makes, never the raw photo."""
from __future__ import annotations

import json
import shutil

from conftest import approved_portrait, due_post, set_config
from PIL import Image

from campaign.outputs.renders import publishing_site
from schedules import posts
from schedules.daemon import run_once
from schedules.runner import publish_post


def _folder(ws, post_id):
    (folder,) = [d for d in ws.outbox.iterdir() if f"-{post_id}-" in d.name]
    return folder


def _sidecar(ws, pid, name):
    return json.loads((ws.renders / pid / name).with_suffix(".json").read_text())


def test_a_portrait_never_rendered_goes_out_as_exactly_what_campaign_render_makes(cli, ws):
    # A large photo: JPEG decoding at a reduced scale depends on every format made from it, so only
    # rendering the way `campaign render` does gives the same bytes.
    pid = approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommerfeld", size=(3000, 3750))
    assert not (ws.renders / pid).exists()
    post_id = due_post(ws, pid)
    result = run_once(publishing_site(ws))  # the real runner, as cron would call it
    assert [p["status"] for p in result["posts"]] == ["published"]
    sent = (_folder(ws, post_id) / "image.jpg").read_bytes()
    photo = (ws.root / ws.store.read().table("portraits").all()[0]["photo"]["file"]).read_bytes()
    assert sent != photo
    with Image.open(_folder(ws, post_id) / "image.jpg") as im:
        assert im.size == (1080, 1350) and not im.getexif() and "exif" not in im.info
    # What `campaign render` makes of the portrait, from scratch, is the same file.
    shutil.rmtree(ws.renders / pid)
    r = cli("render", pid)
    assert r.exit_code == 0, r.output
    assert (ws.renders / pid / "instagram-feed.jpg").read_bytes() == sent
    # The post, its outbox entry and the render's record name the same input hash.
    post = posts.get(ws.store.read(), post_id)
    digest = _sidecar(ws, pid, "instagram-feed.jpg")["hash"]
    assert post["images"] == [{"file": f"renders/{pid}/instagram-feed.jpg", "lang": "de", "hash": digest,
                               "alt_text": post["alt_text"]}]
    meta = json.loads((_folder(ws, post_id) / "post.json").read_text())
    assert meta["images"] == [{"file": "image.jpg", "lang": "de", "input_hash": digest}]
    assert meta["format"] == "feed" and meta["lang"] == "de"
    assert not list(ws.renders.rglob("photo-clean*"))


def test_a_quote_edited_after_rendering_goes_out_with_the_new_quote_in_image_caption_and_alt_text(cli, ws):
    pid = approved_portrait(ws, "Tamara", 32, "health")
    assert cli("render", pid).exit_code == 0
    old_image = (ws.renders / pid / "instagram-feed.jpg").read_bytes()
    old_hash = _sidecar(ws, pid, "instagram-feed.jpg")["hash"]
    assert cli("portrait", "edit", pid, "--quote", "Wir passen auf euch auf.").exit_code == 0
    post_id = due_post(ws, pid)
    assert publish_post(publishing_site(ws), post_id)["status"] == "published"
    folder = _folder(ws, post_id)
    sent = (folder / "image.jpg").read_bytes()
    assert sent != old_image
    assert "Wir passen auf euch auf." in (folder / "caption.txt").read_text()
    assert "„Wir passen auf euch auf.“" in (folder / "alt.txt").read_text()
    new_hash = json.loads((folder / "post.json").read_text())["images"][0]["input_hash"]
    assert new_hash != old_hash
    # A fresh render of the new quote is the image that went out.
    shutil.rmtree(ws.renders / pid)
    assert cli("render", pid).exit_code == 0
    assert (ws.renders / pid / "instagram-feed.jpg").read_bytes() == sent
    assert _sidecar(ws, pid, "instagram-feed.jpg")["hash"] == new_hash


def test_a_current_render_is_used_as_it_is(cli, ws):
    pid = approved_portrait(ws, "Mehmet", 45, "transport")
    assert cli("render", pid).exit_code == 0
    made = {p.name: p.stat().st_mtime_ns for p in (ws.renders / pid).iterdir()}
    post_id = due_post(ws, pid)
    assert publish_post(publishing_site(ws), post_id)["status"] == "published"
    assert {p.name: p.stat().st_mtime_ns for p in (ws.renders / pid).iterdir()} == made  # nothing made again
    assert (_folder(ws, post_id) / "image.jpg").read_bytes() == (ws.renders / pid / "instagram-feed.jpg").read_bytes()


def test_a_brand_change_renders_the_post_again_before_it_goes_out(cli, ws):
    pid = approved_portrait(ws, "Olena", 27, "retail")
    assert cli("render", pid).exit_code == 0
    set_config(ws, 'primary = "#E30613"', 'primary = "#0057B8"')
    post_id = due_post(ws, pid)
    assert publish_post(publishing_site(ws), post_id)["status"] == "published"
    with Image.open(_folder(ws, post_id) / "image.jpg") as im:
        r, g, b = im.getpixel((540, 1340))
    assert b > 150 and r < 60  # the band in the new colour


def test_a_post_that_cannot_be_rendered_fails_with_the_reason_and_nothing_goes_out(cli, ws):
    pid = approved_portrait(ws, "Jonas", 16, "youth")
    set_config(ws, 'font = ""', 'font = "fonts/missing.ttf"')
    post_id = due_post(ws, pid)
    post = publish_post(publishing_site(ws), post_id)
    assert post["status"] == "failed" and post["reason"] == "could not prepare"
    assert "brand font fonts/missing.ttf does not exist" in post["error"]
    assert not any(ws.outbox.iterdir())
    r = cli("status")
    assert f"Failed {post_id}" in r.output and "missing.ttf" in r.output
