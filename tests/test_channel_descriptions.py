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
    assert model().publisher == kind
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
    from schedules.secrets import redact

    from schedules.channel import secret_names

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
    for name, spec in CHANNELS.items():  # the new channels only once campaign.toml names them
        assert (f"Channel {name}: outbox, offline outbox" in r.output) == spec.default
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
