"""Each channel is described once (schedules/channel.py) and everything reads that description."""
from __future__ import annotations

import json

import pytest
from conftest import configure

from portraits import consent
from portraits.layouts import LAYOUTS
from schedules.channel import CHANNELS, FORMATS, PUBLISHERS, publisher_class, settings_model


def test_the_consent_scopes_are_the_channels_then_billboard_press_and_website():
    assert consent.all_scopes() == (*CHANNELS, "billboard", "press", "website") == consent.SCOPES
    for spec in CHANNELS.values():
        assert spec.scope == spec.name


@pytest.mark.parametrize("kind", list(PUBLISHERS))
def test_every_publisher_kind_has_its_own_settings_model_named_by_its_publisher_key(kind):
    model = settings_model(kind)
    assert model.model_fields["publisher"].default == kind
    assert model.model_config["extra"] == "forbid" and model.model_config["strict"]


def test_every_channel_can_publish_offline_and_its_formats_are_real_layouts():
    for spec in CHANNELS.values():
        assert "outbox" in spec.publishers and set(spec.publishers) <= set(PUBLISHERS)
        assert spec.formats and set(spec.formats.values()) <= set(LAYOUTS)
        if spec.planned:  # a feed post on every channel posts are planned for; a story only where there are any
            assert "feed" in spec.formats and set(spec.formats) <= set(FORMATS)
            assert spec.takes_stories == ("story" in spec.formats) and spec.formats.get("story", "story") == "story"
        else:  # WhatsApp: one image a day, the square render (campaign/whatsapp.py)
            assert set(spec.formats) == {"feed"}
        assert spec.caption_chars > 0 and spec.hashtags > 0
    assert all(kind.formats and set(kind.formats) <= set(FORMATS) for kind in PUBLISHERS.values())


@pytest.mark.parametrize("kind", list(PUBLISHERS))
def test_every_publisher_kind_has_the_whole_interface(kind):
    cls = publisher_class(kind)
    for method in ("publish", "check", "recent_media", "fetch_engagement", "readiness"):
        assert callable(getattr(cls, method)), (kind, method)


def test_every_secret_a_publisher_reads_is_scrubbed_from_messages(monkeypatch):
    from schedules.channel import secret_names
    from schedules.secrets import redact

    names = secret_names()  # each once, though two publishers may read the same one
    assert set(names) == {name for kind in PUBLISHERS.values() for name in kind.secrets}
    assert names  # the real publishers read their secrets from the environment
    for i, name in enumerate(names):
        monkeypatch.setenv(name, f"s3cr3t-value-{i}")
    text = redact(" ".join(f"s3cr3t-value-{i}" for i in range(len(names))))
    assert "s3cr3t" not in text


def test_a_channel_cannot_use_a_publisher_meant_for_another(cli, ws):
    configure(ws, "channels.facebook", publisher="instagram")
    r = cli("status")
    assert r.exit_code == 1
    assert "[channels.facebook] publisher: Facebook Page cannot publish through 'instagram'" in r.output


def test_status_shows_each_channel_with_what_its_description_says(cli, ws):
    r = cli("status")
    assert r.exit_code == 0
    from campaign.workspace.i18n import scope_label

    for name, spec in CHANNELS.items():  # the new channels only once campaign.toml names them
        assert (f"Channel {scope_label(name)}: outbox, offline outbox" in r.output) == spec.default
    init_text = (ws.root / "campaign.toml").read_text()
    assert "[channels.instagram]" in init_text and "# account =" in init_text and "# page_id =" in init_text


def test_a_key_of_another_publisher_is_refused_but_an_empty_one_from_an_older_file_is_not(cli, ws):
    configure(ws, "channels.instagram", publisher="outbox", account="", page_id="", image_host="page-photo")
    assert cli("status").exit_code == 0  # what `campaign init` wrote before each publisher had its own keys
    configure(ws, "channels.instagram", publisher="outbox", page_id="1001")
    r = cli("status")
    assert r.exit_code == 1 and "there is no setting [channels.instagram] page_id" in r.output


def test_a_consent_to_all_scopes_does_not_grow_when_a_channel_is_added(cli, ws, monkeypatch):
    """`--scope all` means the channels there were when it was signed: a new channel needs its own consent."""
    from conftest import approved_portrait

    pid = approved_portrait(ws, "Brigitte", 81, "senior", scopes="all")
    other = approved_portrait(ws, "Tamara", 32, "health", scopes="instagram")
    monkeypatch.setattr(consent, "_channel_scopes", [*consent._channel_scopes, "newchannel"])
    rows = {row["portrait_id"]: row for row in json.loads(cli("consent", "status", "--json").output)}
    assert "newchannel" not in rows[pid]["scopes"] and "mastodon" in rows[pid]["scopes"]
    assert rows[other]["scopes"] == ["instagram"]


def test_a_channels_hashtag_set_ends_its_captions_and_a_run_together_hashtag_is_warned_about(cli, ws):
    from conftest import approved_portrait, due_post

    configure(ws, "channels.facebook", hashtags=["EchtSolidarisch", "#duisburgistechtsolidarisch", "#ruhrgebietsliebe"])
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    r = cli("schedule", "add", pid, "--at", "2099-06-01 18:30", "--channel", "facebook", "--json")
    assert r.exit_code == 0, r.output
    added = json.loads(r.output)
    caption = json.loads(cli("schedule", "show", (added[0] if isinstance(added, list) else added)["id"], "--json").output)["caption"]
    assert caption.endswith("\n#EchtSolidarisch #ruhrgebietsliebe")  # the campaign hashtag is not repeated
    instagram = due_post(ws, pid, "instagram")
    assert cli("publish", instagram).exit_code == 0
    assert "#EchtSolidarisch" not in (next(ws.outbox.iterdir()) / "caption.txt").read_text()  # facebook's own
    r = cli("channel", "check", "facebook", "--json")
    (row,) = json.loads(r.output)
    warned = " ".join(row["warnings"])
    assert "#duisburgistechtsolidarisch is several words in one case" in warned and "#ruhrgebietsliebe" in warned
    assert "#EchtSolidarisch" not in warned


def test_the_first_comment_goes_under_the_post_and_its_failure_never_fails_the_post(cli, ws, graph):
    from conftest import approved_portrait, due_post

    configure(ws, "channels.facebook", first_comment="Alle Porträts: www.duisburg.de/solidarisch")
    pid = approved_portrait(ws, "Brigitte", 81, "senior", size=(1400, 1750))
    post_id = due_post(ws, pid, "facebook")
    assert cli("publish", post_id).exit_code == 0
    post = json.loads(cli("schedule", "list", "--json").output)[0]
    (comment,) = graph.comments
    assert comment["on"] == post["remote_id"] and comment["message"] == "Alle Porträts: www.duisburg.de/solidarisch"
    graph.fail_on["comment"] = [(400, {"message": "Comments are off", "type": "OAuthException", "code": 100})]
    second = due_post(ws, pid, "facebook")
    assert cli("publish", second).exit_code == 0
    from schedules import posts

    done = posts.get(ws.store.read(), second)
    assert done["status"] == "published" and "Comments are off" in done["comment_error"]


def test_the_outbox_keeps_the_first_comment_next_to_the_post(cli, ws):
    from conftest import approved_portrait, due_post

    configure(ws, "channels.instagram", first_comment="Mehr Porträts im Profil.")
    pid = approved_portrait(ws, "Tamara", 32, "health")
    assert cli("publish", due_post(ws, pid, "instagram")).exit_code == 0
    (folder,) = ws.outbox.iterdir()
    assert (folder / "comment.txt").read_text() == "Mehr Porträts im Profil.\n"
