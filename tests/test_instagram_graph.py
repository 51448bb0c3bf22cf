"""Instagram through the official Graph API, against the fake Graph API on 127.0.0.1: containers with
the exact fields, status polling, publishing, the 24-hour limit, carousels and stories, both ways of
hosting the image, what Meta refuses, error codes, crashes between container and publish, insights."""
from __future__ import annotations

import functools
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import FB_TOKEN, ROOT, approved_portrait, configure
from fake_graph import IG_USER

from schedules import posts
from schedules.channel import Media, PermanentError, TransientError, make_publisher
from schedules.graph import GRAPH_API_VERSION

ALT = "Foto von Brigitte, 81, Rentnerin. Zitat: „Wir halten zusammen.“"
CAPTION = "Brigitte (81), Rentnerin:\n„Wir halten zusammen.“\n\n#duisburgistechtsolidarisch"


@pytest.fixture
def ig(ws, graph):
    """The instagram channel on the official API, linked to the fake Page; images hosted as Page photos."""
    configure(ws, "channels.instagram", publisher="instagram-graph", page_id="1001")
    return graph


def publisher(ws):
    pub = make_publisher("instagram", ws.config.channel("instagram"), ws.outbox, ws.private)
    pub.saved = []
    pub.checkpoint = lambda fields, note: pub.saved.append((dict(fields), note))
    return pub


def jpeg(path: Path, size=(1080, 1350), mode="RGB", fmt="JPEG", **save) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, (200, 40, 60) if mode == "RGB" else (10, 80, 60, 0)).save(path, fmt, **save)
    return path


def labels(graph) -> list[str]:
    return [r["label"] for r in graph.requests if r["label"]]


def test_a_feed_post_is_one_container_with_image_caption_and_alt_text_then_one_poll_and_the_publish(ws, ig):
    image = jpeg(ws.root / "in" / "feed.jpg")
    pub = publisher(ws)
    result = pub.publish({"id": "p-1", "format": "feed"}, [Media(image, ALT, "de")], CAPTION)

    assert labels(ig) == ["limit", "page_photo", "photo_images", "container", "status", "publish", "delete"]
    (hosted,) = ig.calls("page_photo")
    assert hosted["form"]["published"] == "false" and hosted["files"]["source"] == image.read_bytes()
    photo_id = next(iter(ig.photos))
    (container,) = ig.calls("container")
    assert container["path"] == f"/v{GRAPH_API_VERSION}/{IG_USER}/media"
    assert container["form"] == {"image_url": f"{ig.url}cdn/{photo_id}.jpg", "caption": CAPTION, "alt_text": ALT,
                                 "access_token": FB_TOKEN}  # the largest of the photo's images, nothing else
    container_id = next(iter(ig.containers))
    (publish,) = ig.calls("publish")
    assert publish["form"]["creation_id"] == container_id
    assert ig.photos[photo_id]["deleted"]  # the unpublished Page photo is gone again
    assert result["remote_id"] == ig.ig_media[0]["id"] and result["permalink"] == ig.ig_media[0]["permalink"]
    assert result["container_id"] == container_id and result["posts_left"] == 49
    # The container id was handed over before the publish call, with the window's figures.
    assert pub.saved[-1] == ({"container_id": container_id},
                             f"Instagram container {container_id} created; 50 of 50 posts left in the 24 h window")
    assert {r["version"] for r in ig.requests} == {f"v{GRAPH_API_VERSION}"}


def test_the_account_is_the_one_linked_to_the_page_unless_ig_user_id_is_set(ws, ig):
    image = jpeg(ws.root / "in" / "feed.jpg")
    publisher(ws).publish({"id": "p-1"}, [Media(image, ALT)], CAPTION)
    asked = [r for r in ig.requests if r["parts"] == ["1001"]]
    assert asked and asked[0]["query"]["fields"] == "instagram_business_account"

    ig.requests.clear()
    configure(ws, "channels.instagram", ig_user_id=IG_USER)
    publisher(ws).publish({"id": "p-2"}, [Media(image, ALT)], CAPTION + " 2")
    assert not [r for r in ig.requests if r["parts"] == ["1001"] and r["method"] == "GET"]

    ig.linked_ig = False
    configure(ws, "channels.instagram", ig_user_id="")
    with pytest.raises(PermanentError, match="has no Instagram professional account linked") as e:
        publisher(ws).publish({"id": "p-3"}, [Media(image, ALT)], CAPTION)
    assert "ig_user_id" in e.value.hint


def test_polling_waits_while_the_container_is_in_progress_and_publishes_once_it_is_finished(ws, ig):
    ig.container_states = ["IN_PROGRESS", "IN_PROGRESS", "FINISHED"]
    publisher(ws).publish({"id": "p-1"}, [Media(jpeg(ws.root / "in" / "feed.jpg"), ALT)], CAPTION)
    assert len(ig.calls("status")) == 3 and len(ig.calls("publish")) == 1


def test_a_container_in_error_fails_with_metas_reason_and_nothing_is_published(ws, ig):
    ig.container_states = ["IN_PROGRESS", "ERROR"]
    with pytest.raises(PermanentError) as e:
        publisher(ws).publish({"id": "p-1"}, [Media(jpeg(ws.root / "in" / "feed.jpg"), ALT)], CAPTION)
    assert "2207004" in e.value.message and "nothing was published" in e.value.message
    assert "8 MB" in e.value.hint
    assert ig.calls("publish") == [] and ig.ig_media == []
    assert all(p["deleted"] for p in ig.photos.values())


def test_a_full_24_hour_window_waits_an_hour_and_sends_nothing(ws, ig):
    ig.quota_usage = 50
    with pytest.raises(TransientError, match="limit of 50 posts in 24 hours") as e:
        publisher(ws).publish({"id": "p-1"}, [Media(jpeg(ws.root / "in" / "feed.jpg"), ALT)], CAPTION)
    assert e.value.retry_after >= 3600
    assert labels(ig) == ["limit"]


def test_a_carousel_is_one_child_container_per_image_then_a_carousel_container(ws, ig):
    images = [Media(jpeg(ws.root / "in" / f"c{i}.jpg"), f"Bild {i}") for i in range(3)]
    result = publisher(ws).publish({"id": "p-1", "format": "carousel"}, images, CAPTION)
    *children, parent = ig.calls("container")
    assert [c["form"]["is_carousel_item"] for c in children] == ["true"] * 3
    assert [c["form"]["alt_text"] for c in children] == ["Bild 0", "Bild 1", "Bild 2"]
    assert len({c["form"]["image_url"] for c in children}) == 3 and all("caption" not in c["form"] for c in children)
    child_ids = list(ig.containers)[:3]
    assert parent["form"]["media_type"] == "CAROUSEL" and parent["form"]["children"] == ",".join(child_ids)
    assert parent["form"]["caption"] == CAPTION and "image_url" not in parent["form"]
    (publish,) = ig.calls("publish")
    assert publish["form"]["creation_id"] == list(ig.containers)[3] == result["container_id"]
    assert len(ig.photos) == 3 and all(p["deleted"] for p in ig.photos.values())


def test_a_story_is_a_stories_container_without_caption_or_alt_text(ws, ig):
    story = jpeg(ws.root / "in" / "story.jpg", size=(1080, 1920))
    publisher(ws).publish({"id": "p-1", "format": "story"}, [Media(story, ALT)], CAPTION)
    (container,) = ig.calls("container")
    assert container["form"]["media_type"] == "STORIES"
    assert "caption" not in container["form"] and "alt_text" not in container["form"]  # the API takes neither
    assert len(ig.calls("publish")) == 1


@pytest.mark.parametrize("fmt,count,words", [("carousel", 1, "2 to 10 images"), ("feed", 2, "takes one image"),
                                              ("carousel", 11, "2 to 10 images"), ("reel", 1, "no 'reel' post format")])
def test_a_post_of_the_wrong_shape_is_refused_before_any_call(ws, ig, fmt, count, words):
    media = [Media(jpeg(ws.root / "in" / f"{i}.jpg"), ALT) for i in range(count)]
    with pytest.raises(PermanentError, match=words):
        publisher(ws).publish({"id": "p-1", "format": fmt}, media, CAPTION)
    assert ig.requests == []


def _cmyk(path):
    return jpeg(path, mode="CMYK")


def _too_big(path):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.frombytes("RGB", (2000, 2500), os.urandom(2000 * 2500 * 3)).save(path, "JPEG", quality=100)
    return path


def _xyz_profile(path):
    from PIL import ImageCms

    return jpeg(path, icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("XYZ")).tobytes())


@pytest.mark.parametrize("make,fmt,words", [
    (lambda p: jpeg(p, fmt="PNG"), "feed", "is PNG; Instagram takes JPEG only"),
    (_cmyk, "feed", "not sRGB (CMYK"),
    (_xyz_profile, "feed", "not sRGB (RGB, XYZ identity"),
    (_too_big, "feed", "Instagram takes under 8 MB"),
    (lambda p: jpeg(p, size=(1080, 1920)), "feed", "4:5 (upright) to 1.91:1"),
    (lambda p: jpeg(p, size=(2000, 1000)), "feed", "4:5 (upright) to 1.91:1"),
    (lambda p: jpeg(p, size=(1080, 1350)), "story", "a story is 9:16"),
])
def test_an_image_meta_would_refuse_is_stopped_with_what_to_do_before_any_call(ws, ig, make, fmt, words):
    image = make(ws.root / "in" / "x.jpg")
    with pytest.raises(PermanentError, match=re.escape(words)) as e:
        publisher(ws).publish({"id": "p-1", "format": fmt}, [Media(image, ALT)], CAPTION)
    assert "campaign render" in e.value.hint
    assert ig.requests == []


def test_sizes_meta_takes_pass_the_checks(ws, ig):
    from schedules.instagram_graph import check_image

    for size, fmt in [((1080, 1350), "feed"), ((1080, 1080), "square"), ((1200, 630), "feed"), ((1080, 1920), "story")]:
        check_image(jpeg(ws.root / "in" / f"{size}.jpg", size=size), fmt)
    from PIL import ImageCms

    check_image(jpeg(ws.root / "in" / "srgb.jpg",
                     icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()), "feed")


class QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def web(tmp_path):
    """The office's web server: a folder served on 127.0.0.1."""
    folder = tmp_path / "www"
    folder.mkdir()
    handler = functools.partial(QuietFiles, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/kampagne"
    server.shutdown()
    server.server_close()


def test_url_hosting_copies_the_image_to_the_web_folder_checks_it_answers_and_removes_it(ws, ig, web):
    folder, base = web
    (folder / "kampagne").mkdir()
    configure(ws, "channels.instagram", image_host="url", public_dir=str(folder / "kampagne"), public_base_url=base)
    image = jpeg(ws.root / "in" / "feed.jpg")
    publisher(ws).publish({"id": "p-7"}, [Media(image, ALT)], CAPTION)
    (container,) = ig.calls("container")
    url = container["form"]["image_url"]
    assert url.startswith(base + "/p-7-") and url.endswith(".jpg") and len(url) > len(base) + 20  # not guessable
    assert ig.containers[next(iter(ig.containers))]["status"] == ""  # Meta could fetch it when it made the container
    assert list((folder / "kampagne").iterdir()) == []  # the public copy is gone once the post is out
    assert ig.calls("page_photo") == [] and len(ig.calls("publish")) == 1


def test_url_hosting_that_does_not_answer_stops_before_any_container(ws, ig, web, tmp_path):
    folder, base = web
    elsewhere = tmp_path / "not-served"
    elsewhere.mkdir()
    configure(ws, "channels.instagram", image_host="url", public_dir=str(elsewhere), public_base_url=base)
    with pytest.raises(PermanentError, match=r"not reachable at .*HTTP 404") as e:
        publisher(ws).publish({"id": "p-7"}, [Media(jpeg(ws.root / "in" / "feed.jpg"), ALT)], CAPTION)
    assert "public_base_url" in e.value.hint
    assert ig.calls("container") == [] and list(elsewhere.iterdir()) == []


def test_a_copy_a_crash_left_in_the_web_folder_is_removed_by_reconcile(cli, ws, ig, web):
    folder, base = web
    configure(ws, "channels.instagram", image_host="url", public_dir=str(folder), public_base_url=base)
    post_id = _due(ws, approved_portrait(ws, "Cem", 30, "retail"))
    with ws.store.transaction() as db:
        posts.update(db, post_id, ws.now(), "unknown", "crashed", caption="Cem (30)",
                     attempted_at=ws.now().isoformat(timespec="seconds"))
    left = jpeg(folder / f"{post_id}-0123456789abcdef.jpg")
    other = jpeg(folder / "p-10-0123456789abcdef.jpg")  # another post's, and the office's own files, stay
    assert cli("reconcile").exit_code == 0
    assert not left.exists() and other.exists()


def test_url_hosting_needs_both_the_folder_and_its_address(cli, ws, ig):
    configure(ws, "channels.instagram", image_host="url", public_dir="/srv/www")
    r = cli("status")
    assert r.exit_code == 1
    assert '[channels.instagram] image_host: "url" needs both public_dir and public_base_url' in r.output


def _due(ws, pid, channel="instagram"):
    with ws.store.transaction() as db:
        return posts.create(db, pid, channel, ws.now() - timedelta(seconds=5), ws.now() - timedelta(minutes=1))["id"]


def test_publishing_through_the_runner_keeps_the_container_id_on_the_post(cli, ws, ig):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommerfeld")
    post_id = _due(ws, pid)
    r = cli("publish", post_id)
    assert r.exit_code == 0, r.output
    post = posts.get(ws.store.read(), post_id)
    assert post["status"] == "published" and post["remote_id"] == ig.ig_media[0]["id"]
    assert post["container_id"] == next(iter(ig.containers))
    notes = [h["note"] for h in post["history"]]
    assert notes[-3:-1] == [f"image uploaded unpublished to the Page as {next(iter(ig.photos))}",
                            f"Instagram container {post['container_id']} created; 50 of 50 posts left in the 24 h window"]
    (container,) = ig.calls("container")
    assert "Sommerfeld" not in json.dumps(container["form"]) and "Brigitte (81)" in container["form"]["caption"]
    assert container["form"]["alt_text"] == post["alt_text"]


@pytest.mark.parametrize("where,code,subcode,status,words", [
    ("container", 190, None, "failed", "Reconnect the Page"),
    ("container", 10, None, "failed", "lacks a permission"),
    ("container", 200, None, "failed", "lacks a permission"),
    ("limit", 4, None, "planned", "rate limit"),
    ("container", 17, None, "planned", "rate limit"),
    ("container", 32, None, "planned", "rate limit"),
    ("container", 613, None, "planned", "rate limit"),
    ("publish", 9, 2207042, "planned", "24-hour publishing limit"),
    ("publish", 4, 2207051, "planned", "restricted publishing"),
    ("container", 36000, 2207004, "failed", "under 8 MB"),
    ("container", 36003, 2207009, "failed", "4:5 and 1.91:1"),
    ("container", -1, 2207052, "failed", 'image_host = "page-photo"'),
    ("container", -1, 2207050, "failed", "inactive or restricted"),
    ("container", -1, 2207032, "planned", "could not create the media"),
    ("container", 2, None, "planned", "passing problem"),
    ("publish", 2, None, "unknown", "may not be final"),
    ("publish", -1, 2207001, "unknown", "may not be final"),
])
def test_metas_error_codes_become_permanent_transient_or_unknown(cli, ws, ig, where, code, subcode, status, words):
    pid = approved_portrait(ws, "Mehmet", 45, "transport")
    post_id = _due(ws, pid)
    error = {"message": f"Meta says no, token {FB_TOKEN}", "type": "OAuthException", "code": code}
    if subcode:
        error["error_subcode"] = subcode
    ig.fail_on[where] = [(400, error)]
    cli("publish", post_id)
    post = posts.get(ws.store.read(), post_id)
    assert post["status"] == status
    assert words in post["error"]
    assert FB_TOKEN not in json.dumps(post) and FB_TOKEN not in (ws.root / "campaign.log").read_text()
    if status == "planned":
        wait = datetime.fromisoformat(post["next_try"]) - ws.now()
        assert wait >= timedelta(minutes=4)
    if status == "unknown":
        assert post["container_id"] == next(iter(ig.containers))  # what reconcile will ask about
    assert ig.ig_media == []


def _publish_in_a_process(ws, post_id):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAMPAIGN_FACEBOOK_TOKEN": FB_TOKEN}
    return subprocess.Popen([sys.executable, "-m", "campaign", "-w", str(ws.root), "publish", post_id], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.real_clock
def test_kill_9_after_meta_published_then_reconcile_finds_it_by_its_container_without_a_second_publish(cli, ws, ig):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    post_id = _due(ws, pid)
    proc = _publish_in_a_process(ws, post_id)
    ig.kill_on_publish = proc.pid  # Meta publishes; the process dies before it hears back
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    post = posts.get(ws.store.read(), post_id)
    assert post["status"] == "publishing" and post["container_id"] == next(iter(ig.containers))

    r = cli("reconcile")
    assert r.exit_code == 0, r.output
    post = posts.get(ws.store.read(), post_id)
    assert post["status"] == "published" and post["remote_id"] == ig.ig_media[0]["id"]
    assert "is published" in post["history"][-1]["note"]
    assert f"{post_id}: published as {post['remote_id']}" in r.output
    assert all(p["deleted"] for p in ig.photos.values())  # the hosting photo the crash left is removed

    assert cli("publish", post_id).exit_code == 1
    assert cli("run", "--once").exit_code == 0
    assert len(ig.calls("publish")) == 1 and len(ig.ig_media) == 1  # never a second post


@pytest.mark.real_clock
def test_kill_9_between_container_and_publish_then_reconcile_says_it_never_went_out(cli, ws, ig):
    pid = approved_portrait(ws, "Tamara", 32, "health")
    post_id = _due(ws, pid)
    proc = _publish_in_a_process(ws, post_id)
    ig.kill_on_status = proc.pid  # the container is made and its id stored; the process dies waiting for it
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert posts.get(ws.store.read(), post_id)["container_id"] == next(iter(ig.containers))

    r = cli("reconcile", "--json")
    settled = json.loads(r.output)["settled"]
    assert settled[0]["status"] == "unknown" and "never published" in settled[0]["reason"]
    with ws.store.transaction() as db:  # the window passes
        posts.update(db, post_id, ws.now(), None, "test",
                     attempted_at=(ws.now() - timedelta(hours=2)).isoformat(timespec="seconds"))
    cli("reconcile")
    post = posts.get(ws.store.read(), post_id)
    assert post["status"] == "failed" and f"campaign schedule retry {post_id}" in post["reason"]
    assert ig.calls("publish") == []

    assert cli("schedule", "retry", post_id).exit_code == 0
    assert cli("publish", post_id).exit_code == 0
    assert len(ig.calls("publish")) == 1 and len(ig.ig_media) == 1


def test_channel_check_says_whose_account_how_many_posts_are_left_and_until_when_the_version_is_served(cli, ws, ig):
    ig.quota_usage = 2
    r = cli("channel", "check", "instagram")
    assert r.exit_code == 0, r.output
    assert "Instagram (instagram-graph): ok - @stadt.duisburg (17841400000000001)" in r.output
    assert "48 of 50 posts left in the 24 h window" in r.output
    assert f"Graph API v{GRAPH_API_VERSION}, served until 2028-07-29" in r.output
    assert f'set ig_user_id = "{IG_USER}"' in r.output
    assert FB_TOKEN not in r.output


def test_status_says_what_the_official_api_needs_without_calling_it(cli, ws, ig, monkeypatch):
    assert "Channel Instagram: instagram-graph, the account linked to Page 1001, token set, images via page-photo" \
        in cli("status").output
    configure(ws, "channels.instagram", page_id="", ig_user_id=IG_USER)
    assert 'NOT READY: image_host "page-photo" needs page_id' in cli("status").output
    assert ig.requests == []


def test_login_is_not_needed_for_the_official_api(cli, ws, ig):
    r = cli("channel", "login", "instagram")
    assert r.exit_code == 1 and "needs no login" in r.output


def _published(cli, ws, ig, first, age):
    post_id = _due(ws, approved_portrait(ws, first, age, "health"))
    assert cli("publish", post_id).exit_code == 0
    return post_id, ig.ig_media[-1]["id"]


def test_engagement_fetch_asks_for_the_current_instagram_metrics_and_stores_reach(cli, ws, ig):
    from schedules import engagement

    post_id, media_id = _published(cli, ws, ig, "Olena", 27)
    ig.insights[media_id] = {"likes": 1700, "comments": 80, "shares": 25, "saved": 12, "reach": 40000, "views": 52000}
    r = cli("engagement", "fetch")
    assert r.exit_code == 0, r.output
    assert f"{post_id}: 1,700 likes, 80 comments, 25 shares, 12 saved, 52,000 views, 40,000 reached" in r.output
    (asked,) = ig.calls("insights")
    assert asked["query"]["metric"] == "likes,comments,shares,saved,reach,views"  # not impressions or plays
    (snap,) = engagement.snapshots(ws.store.read(), post_id)
    assert (snap["likes"], snap["comments"], snap["shares"], snap["reach"]) == (1700, 80, 25, 40000)


def test_a_metric_meta_retired_is_skipped_with_a_warning_and_the_others_still_come(cli, ws, ig):
    from schedules import engagement

    first, media1 = _published(cli, ws, ig, "Olena", 27)
    second, media2 = _published(cli, ws, ig, "Emre", 33)
    ig.insights[media1] = {"likes": 10, "comments": 2, "shares": 1, "reach": 300}
    ig.insights[media2] = {"likes": 20, "comments": 4, "shares": 2, "reach": 600}
    ig.retired_metrics = {"views"}
    r = cli("engagement", "fetch")
    assert r.exit_code == 0, r.output
    assert r.output.count("no longer serves the metric 'views'") == 1
    snaps = {s["post_id"]: s for s in engagement.snapshots(ws.store.read())}
    assert (snaps[first]["likes"], snaps[first]["reach"]) == (10, 300)
    assert (snaps[second]["likes"], snaps[second]["reach"]) == (20, 600)
    asked = [r["query"]["metric"] for r in ig.calls("insights")]
    # one refused request, then one request per metric; the next post is asked without the retired one
    assert asked[0] == "likes,comments,shares,saved,reach,views" and asked[1:7] == list(
        ["likes", "comments", "shares", "saved", "reach", "views"])
    assert asked[7:] == ["likes,comments,shares,saved,reach"]


def test_reconcile_without_a_container_still_matches_by_caption(cli, ws, ig):
    post_id = _due(ws, approved_portrait(ws, "Cem", 30, "retail"))
    caption = "Cem (30), Retail: unser Beitrag"
    attempted = ws.now() - timedelta(minutes=3)
    with ws.store.transaction() as db:
        posts.update(db, post_id, ws.now(), "unknown", "test", caption=caption,
                     attempted_at=attempted.isoformat(timespec="seconds"))
    media_id = ig.add_ig_media(caption, attempted + timedelta(seconds=30))
    assert cli("reconcile").exit_code == 0
    assert posts.get(ws.store.read(), post_id)["remote_id"] == media_id
    assert ig.calls("publish") == []


def test_the_image_bytes_meta_fetches_are_the_render_itself(ws, ig):
    image = jpeg(ws.root / "in" / "feed.jpg", quality=80)
    publisher(ws).publish({"id": "p-1"}, [Media(image, ALT)], CAPTION)
    (hosted,) = ig.photos.values()
    assert hosted["bytes"] == image.read_bytes()
    from PIL import Image

    with Image.open(io.BytesIO(hosted["bytes"])) as im:
        assert im.getexif() == {} and im.size == (1080, 1350)
