"""Each channel is described once (schedules/channel.py) and everything reads that description."""
from __future__ import annotations

import pytest

from conftest import configure
from portraits.consent import SCOPES
from portraits.layouts import LAYOUTS
from schedules.channel import CHANNELS, FORMATS, PUBLISHERS, publisher_class


def test_every_channel_needs_a_consent_scope_of_its_own_name():
    for spec in CHANNELS.values():
        assert spec.scope == spec.name and spec.scope in SCOPES


def test_every_channel_can_publish_offline_and_its_formats_are_real_layouts():
    for spec in CHANNELS.values():
        assert "outbox" in spec.publishers and set(spec.publishers) <= set(PUBLISHERS)
        assert spec.formats and set(spec.formats.values()) <= set(LAYOUTS)
        if spec.planned:  # feed, square, story and carousel on every channel posts are planned for
            assert set(spec.formats) == set(FORMATS) and spec.formats["story"] == "story"
        else:  # WhatsApp: one image a day, the square render (campaign/outputs/whatsapp_day.py)
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
    for name in CHANNELS:
        assert f"Channel {name}: outbox, offline outbox" in r.output
    init_text = (ws.root / "campaign.toml").read_text()
    assert "[channels.instagram]" in init_text and "account =" in init_text and "page_id =" in init_text
