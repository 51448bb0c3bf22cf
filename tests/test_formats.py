"""Stories and multilingual carousels (and a Turkish post) through the outbox, the fake Graph API and
the `create_autospec(instagrapi.Client)` stand-in, with the calls the real libraries take."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import create_autospec

import instagrapi
import pytest
from conftest import approved_portrait, configure, due_post

from campaign.outputs.renders import publishing_site
from schedules import posts
from schedules.captions import RLM
from schedules.graph import GRAPH_API_VERSION
from schedules.instagram import InstagramPublisher
from schedules.runner import publish_post

AR_QUOTE = "التضامن يعني أن نكون هنا من أجل بعضنا البعض."
AR_ROLE = "طبيبة"
TR_QUOTE = "Birlikte güçlüyüz."


@pytest.fixture
def amira(cli, ws):
    """A doctor quoted in German, with her quote in Arabic too."""
    pid = approved_portrait(ws, "Amira", 38, "health", surname="Haddad")
    r = cli("portrait", "translate", pid, "--lang", "ar", "--quote", AR_QUOTE, "--role", AR_ROLE)
    assert r.exit_code == 0, r.output
    return pid


def _folder(ws, post_id):
    (folder,) = [d for d in ws.outbox.iterdir() if f"-{post_id}-" in d.name]
    return folder


def _renders(ws, pid, layout):
    return [ws.renders / pid / f"{layout}.jpg", ws.renders / pid / f"{layout}-ar.jpg"]


def test_an_arabic_carousel_goes_to_the_outbox_as_numbered_images_with_their_alt_texts(cli, ws, amira):
    r = cli("schedule", "add", amira, "--at", "2030-05-04 18:30", "--channel", "instagram", "--format", "carousel",
            "--json")
    assert r.exit_code == 0, r.output
    post_id = json.loads(r.output)[0]["id"]
    with ws.store.transaction() as db:
        posts.update(db, post_id, ws.now(), at=ws.now().isoformat(timespec="seconds"))
    assert publish_post(publishing_site(ws), post_id)["status"] == "published"
    folder = _folder(ws, post_id)
    assert sorted(p.name for p in folder.iterdir()) == ["alt-1.txt", "alt-2.txt", "caption.txt", "image-1.jpg",
                                                        "image-2.jpg", "post.json"]
    first, second = _renders(ws, amira, "instagram-feed")
    assert (folder / "image-1.jpg").read_bytes() == first.read_bytes()  # the campaign language first
    assert (folder / "image-2.jpg").read_bytes() == second.read_bytes()
    assert (folder / "alt-1.txt").read_text().startswith("Foto von Amira, 38, Health.")
    assert (folder / "alt-2.txt").read_text() == f"صورة Amira، 38، {AR_ROLE}. اقتباس: «{AR_QUOTE}»\n"
    caption = (folder / "caption.txt").read_text()
    assert caption.startswith("Amira (38), Health:\n„Amira sagt: wir halten zusammen.“")
    assert f"{RLM}العربية: «{AR_QUOTE}»" in caption and "Haddad" not in caption
    meta = json.loads((folder / "post.json").read_text())
    assert meta["format"] == "carousel" and [i["lang"] for i in meta["images"]] == ["de", "ar"]
    post = posts.get(ws.store.read(), post_id)
    assert [i["hash"] for i in post["images"]] == [i["input_hash"] for i in meta["images"]]
    for image, render in zip(post["images"], (first, second)):
        assert image["hash"] == json.loads(render.with_suffix(".json").read_text())["hash"]


def test_a_carousel_can_lead_with_the_translation(cli, ws, amira):
    r = cli("schedule", "add", amira, "--at", "2030-05-04 18:30", "--channel", "facebook", "--format", "carousel",
            "--lang", "ar", "--json")
    (post,) = json.loads(r.output)
    assert post["lang"] == "ar"
    view = json.loads(cli("schedule", "show", post["id"], "--json").output)
    assert [i["lang"] for i in view["images"]] == ["ar", "de"]
    assert view["caption"].startswith(RLM + "Amira (38)، " + AR_ROLE)
    assert "\nDeutsch: „Amira sagt: wir halten zusammen.“" in view["caption"]


def test_a_carousel_needs_a_second_language_and_is_refused_when_planned(cli, ws):
    pid = approved_portrait(ws, "Ben", 50, "senior")
    before = ws.store.path.read_bytes()
    r = cli("schedule", "add", pid, "--at", "2030-05-04 18:30", "--format", "carousel")
    assert r.exit_code == 1 and "a carousel needs two languages" in r.output
    assert ws.store.path.read_bytes() == before


def test_a_story_goes_to_the_outbox_as_the_story_render_without_a_caption(cli, ws):
    pid = approved_portrait(ws, "Jonas", 16, "youth")
    post_id = due_post(ws, pid, fmt="story")
    assert publish_post(publishing_site(ws), post_id)["status"] == "published"
    folder = _folder(ws, post_id)
    assert (folder / "image.jpg").read_bytes() == (ws.renders / pid / "story.jpg").read_bytes()
    assert (folder / "caption.txt").read_text() == ""
    from PIL import Image
    with Image.open(folder / "image.jpg") as im:
        assert im.size == (1080, 1920)


# --- Facebook, against the fake Graph API on 127.0.0.1 ---------------------------------------------

def test_an_arabic_carousel_is_one_facebook_post_of_unpublished_photos(ws, graph, amira):
    post_id = due_post(ws, amira, channel="facebook", fmt="carousel")
    post = publish_post(publishing_site(ws), post_id)
    assert post["status"] == "published", post.get("error")
    first, second = _renders(ws, amira, "facebook")
    photos = [q for q in graph.requests if q["parts"] == ["1001", "photos"]]
    assert [q["form"]["published"] for q in photos] == ["false", "false"]  # nothing public before the post
    assert [q["files"]["source"] for q in photos] == [first.read_bytes(), second.read_bytes()]
    (feed,) = [q for q in graph.requests if q["parts"] == ["1001", "feed"]]
    assert feed["path"] == f"/v{GRAPH_API_VERSION}/1001/feed"
    assert feed["form"]["message"] == post["caption"] and AR_QUOTE in feed["form"]["message"]
    photo_ids = list(graph.photos)
    attached = [json.loads(feed["form"][f"attached_media[{i}]"]) for i in range(2)]
    assert attached == [{"media_fbid": photo_id} for photo_id in photo_ids]
    assert graph.posts[-1]["attached"] == photo_ids
    assert post["remote_id"] == graph.posts[-1]["id"] and post["photo_ids"] == photo_ids


def test_a_story_is_a_facebook_page_photo_story(ws, graph):
    pid = approved_portrait(ws, "Tamara", 32, "health")
    post_id = due_post(ws, pid, channel="facebook", fmt="story")
    post = publish_post(publishing_site(ws), post_id)
    assert post["status"] == "published", post.get("error")
    (photo,) = [q for q in graph.requests if q["parts"] == ["1001", "photos"]]
    assert photo["form"]["published"] == "false" and "message" not in photo["form"]
    assert photo["files"]["source"] == (ws.renders / pid / "story.jpg").read_bytes()
    (story,) = [q for q in graph.requests if q["parts"] == ["1001", "photo_stories"]]
    assert story["form"]["photo_id"] == list(graph.photos)[0] and story["version"] == f"v{GRAPH_API_VERSION}"
    assert post["remote_id"] == graph.stories[0]["id"]


def test_a_turkish_post_goes_to_the_facebook_page_in_turkish(cli, ws, graph):
    pid = approved_portrait(ws, "Mehmet", 45, "transport")
    cli("portrait", "translate", pid, "--lang", "tr", "--quote", TR_QUOTE, "--role", "Otobüs şoförü")
    post_id = due_post(ws, pid, channel="facebook", lang="tr")
    assert publish_post(publishing_site(ws), post_id)["status"] == "published"
    (upload,) = graph.uploads
    assert upload["files"]["source"] == (ws.renders / pid / "facebook-tr.jpg").read_bytes()
    assert upload["form"]["message"] == "Mehmet (45), Otobüs şoförü:\n“Birlikte güçlüyüz.”\n\n#duisburgistechtsolidarisch"
    assert "published" not in upload["form"]


# --- Instagram, against create_autospec(instagrapi.Client) ------------------------------------------

@pytest.fixture
def client():
    stand_in = create_autospec(instagrapi.Client, instance=True)
    stand_in.get_settings.return_value = {"uuids": {"phone_id": "p-1"}, "cookies": {}}
    stand_in.photo_upload.return_value = SimpleNamespace(pk="31", code="Tr31")
    stand_in.album_upload.return_value = SimpleNamespace(pk="41", code="Al41")
    stand_in.photo_upload_to_story.return_value = SimpleNamespace(pk="51", code="St51")
    stand_in.album_configure.return_value = {"status": "ok"}
    return stand_in


@pytest.fixture
def insta(ws, client, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_INSTAGRAM_PASSWORD", "pw")
    configure(ws, "channels.instagram", publisher="instagram", account="stadt.duisburg")
    pub = InstagramPublisher("instagram", ws.config.channel("instagram"), ws.outbox, ws.private, client=client)
    pub.login(None, lambda what: "123456")
    client.reset_mock()
    return pub


def test_an_arabic_carousel_is_one_instagram_album_with_an_alt_text_per_image(ws, amira, insta, client):
    post_id = due_post(ws, amira, fmt="carousel")
    post = publish_post(publishing_site(ws), post_id, publisher=lambda ch: insta)
    assert post["status"] == "published", post.get("error")
    assert post["remote_id"] == "41" and post["permalink"] == "https://www.instagram.com/p/Al41/"
    (call,) = client.album_upload.call_args_list
    paths, caption = call.args
    assert paths == _renders(ws, amira, "instagram-feed") and all(isinstance(p, Path) for p in paths)
    assert caption == post["caption"] and AR_QUOTE in caption
    # instagrapi calls the handler with each image's upload; the alt texts ride along to album_configure.
    handler = call.kwargs["configure_handler"]
    children = [{"upload_id": "1"}, {"upload_id": "2"}]
    handler(children, caption, [], None, extra_data={})
    (configured,) = client.album_configure.call_args_list
    sent = configured.args[0]
    assert sent[0]["custom_accessibility_caption"].startswith("Foto von Amira, 38")
    assert sent[1]["custom_accessibility_caption"] == f"صورة Amira، 38، {AR_ROLE}. اقتباس: «{AR_QUOTE}»"
    client.photo_upload.assert_not_called()


def test_a_story_is_an_instagram_photo_story(ws, insta, client):
    pid = approved_portrait(ws, "Olena", 27, "retail")
    post_id = due_post(ws, pid, fmt="story")
    post = publish_post(publishing_site(ws), post_id, publisher=lambda ch: insta)
    assert post["status"] == "published"
    client.photo_upload_to_story.assert_called_once_with(ws.renders / pid / "story.jpg")
    assert post["permalink"] == "https://www.instagram.com/stories/stadt.duisburg/51/"


def test_a_turkish_post_goes_to_instagram_in_turkish(cli, ws, insta, client):
    pid = approved_portrait(ws, "Mehmet", 45, "transport")
    cli("portrait", "translate", pid, "--lang", "tr", "--quote", TR_QUOTE, "--role", "Otobüs şoförü")
    post_id = due_post(ws, pid, lang="tr")
    assert publish_post(publishing_site(ws), post_id, publisher=lambda ch: insta)["status"] == "published"
    client.photo_upload.assert_called_once_with(
        ws.renders / pid / "instagram-feed-tr.jpg",
        "Mehmet (45), Otobüs şoförü:\n“Birlikte güçlüyüz.”\n\n#duisburgistechtsolidarisch",
        extra_data={"custom_accessibility_caption": f"Fotoğraf: Mehmet, 45, Otobüs şoförü. Alıntı: “{TR_QUOTE}”"})
