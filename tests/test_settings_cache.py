"""campaign.toml checked once: the kept settings read back as the model gives them, and a changed file
is checked again."""
from __future__ import annotations

import pytest
from conftest import configure, set_config

from campaign.workspace import Workspace, config, settings_cache
from portraits.errors import CampaignError


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _fresh(ws) -> Workspace:
    return Workspace(ws.root)


def _read_back(ws) -> config.Settings | None:
    """What the next command would read back without checking (None: it checks the file in full)."""
    return settings_cache.kept_settings(ws.root / "campaign.toml")


def test_kept_settings_read_back_as_the_model_gives_them(ws):
    configure(ws, "whatsapp", lines={"tr": "Dayanışma"}, languages=["de", "tr"])
    configure(ws, "channels.facebook", publisher="facebook", page_id="123")
    assert _read_back(ws) is None
    checked = _fresh(ws).config  # the first time: the full check
    kept = _read_back(ws)
    assert type(kept) is config.Settings  # then read back: the same model, its methods and defaults
    assert type(_fresh(ws).config.channel("facebook")) is type(checked.channel("facebook"))
    assert kept.model_dump() == checked.model_dump()
    assert kept.tz == checked.tz
    assert kept.channel("facebook").page_id == "123" == checked.channel("facebook").page_id
    assert kept.channel("nowhere").model_dump() == checked.channel("nowhere").model_dump()
    assert kept.whatsapp.line("tr", "x") == "Dayanışma" and kept.whatsapp.line("de", "x") == "x"
    assert kept.engagement.weights.model_dump() == checked.engagement.weights.model_dump()
    assert kept.posting.grace_hours == checked.posting.grace_hours
    with pytest.raises(ValueError, match="frozen"):
        kept.name = "other"
    changed = kept.model_copy(update={"name": "Other"})
    assert changed.name == "Other" and kept.name != "Other" and changed.channel("nowhere") == kept.channel("nowhere")


def test_a_changed_file_is_checked_again(ws):
    _fresh(ws).config  # noqa: B018 (reading the property checks the file and keeps a copy)
    assert _read_back(ws) is not None
    configure(ws, "posting", grace_hours="six")
    assert _read_back(ws) is None
    with pytest.raises(CampaignError, match="grace_hours"):
        _fresh(ws).config  # noqa: B018 (reading the property checks the file)


def _kept_files(tmp_path):
    return sorted((tmp_path / "cache" / "campaign").glob("settings-*.json"))


def _edit_kept(tmp_path, change) -> None:
    import json

    for kept in _kept_files(tmp_path):
        data = json.loads(kept.read_text())
        change(data)
        kept.write_text(json.dumps(data))


def _posting(fields):
    return fields["posting"]


def test_a_kept_copy_edited_by_hand_is_not_trusted_over_the_file(cli, ws, tmp_path):
    from conftest import approved_portrait, due_post, set_config


    set_config(ws, 'approval = "none"', 'approval = "two"')
    assert _fresh(ws).config.posting.approval == "two"
    assert _read_back(ws) is not None and _kept_files(tmp_path)
    _edit_kept(tmp_path, lambda f: _posting(f).update(approval="none"))
    assert _read_back(ws) is None
    assert _fresh(ws).config.posting.approval == "two"
    post_id = due_post(ws, approved_portrait(ws, "Brigitte", 81, "senior"))
    r = cli("run", "--once")
    assert r.exit_code == 0, r.output
    from schedules import posts

    assert posts.get(ws.store.read(), post_id)["status"] == "planned"
    assert not ws.outbox.exists() or not list(ws.outbox.iterdir())


def test_a_kept_copy_cannot_change_a_value_the_file_leaves_to_its_default(ws, tmp_path):
    cfg = ws.root / "campaign.toml"
    cfg.write_text("\n".join(line for line in cfg.read_text().splitlines()
                             if not line.startswith(("max_attempts", "approval"))) + "\n")
    assert _fresh(ws).config.posting.max_attempts == 5
    assert _read_back(ws) is not None
    _edit_kept(tmp_path, lambda f: _posting(f).update(max_attempts=50, approval="one"))
    assert _read_back(ws) is None
    settings = _fresh(ws).config
    assert (settings.posting.max_attempts, settings.posting.approval) == (5, "none")
    _edit_kept(tmp_path, lambda f: f["channels"].update(extra=f["channels"]["instagram"]))
    assert set(_fresh(ws).config.channels) == {"instagram", "facebook", "whatsapp"}


def test_an_unchanged_file_is_still_read_back_from_the_kept_copy(ws):
    _fresh(ws).config  # noqa: B018 (reading the property checks the file and keeps a copy)
    assert _read_back(ws) == _fresh(ws).config


def test_the_time_zone_is_read_from_the_verified_kept_copy_without_the_model(ws):
    set_config(ws, 'timezone = "Europe/Berlin"', 'timezone = "America/New_York"')
    _fresh(ws).check_settings()  # the first time: the full check, kept
    fresh = _fresh(ws)
    fresh.check_settings()
    assert str(fresh.tz) == "America/New_York" and "config" not in fresh.__dict__
    assert fresh.config.timezone == "America/New_York" and fresh.config == _fresh(ws).config


def test_a_kept_time_zone_edited_by_hand_is_not_trusted_over_the_file(ws, tmp_path):
    set_config(ws, 'timezone = "Europe/Berlin"', 'timezone = "America/New_York"')
    _fresh(ws).check_settings()
    _edit_kept(tmp_path, lambda f: f.update(timezone="Europe/Berlin"))
    fresh = _fresh(ws)
    fresh.check_settings()
    assert str(fresh.tz) == "America/New_York"


def test_a_broken_file_is_reported_by_a_command_that_needs_only_the_time_zone(cli, ws):
    _fresh(ws).check_settings()
    set_config(ws, 'timezone = "Europe/Berlin"', 'timezone = "Mars/Olympus"')
    before = (ws.root / "campaign.json").read_bytes()
    r = cli("portrait", "list")
    assert r.exit_code == 1 and "timezone" in r.output and "Traceback" not in r.output
    assert (ws.root / "campaign.json").read_bytes() == before


def test_a_file_edited_while_the_web_app_runs_is_read_again(ws):
    """`campaign serve` verified the file at its start; an edit since then is what the next request reads."""
    running = _fresh(ws)
    running.check_settings()
    assert str(running.tz) == "Europe/Berlin"
    set_config(ws, 'timezone = "Europe/Berlin"', 'timezone = "America/New_York"')
    running.reread_settings()
    assert str(running.tz) == "America/New_York" and running.config.timezone == "America/New_York"


def test_plain_values_are_the_models_read_from_the_verified_kept_copy(ws, tmp_path):
    """What a render reads (`Workspace.plain`): the model's values, from the kept copy without the model;
    a kept brand edited by hand is not trusted over the file, and an edit while the web app runs is read."""
    set_config(ws, 'primary = "#E30613"', 'primary = "#0055AA"')
    checked = _fresh(ws).config
    fresh = _fresh(ws)
    assert fresh.plain.brand.primary == "#0055AA" == checked.brand.primary and "config" not in fresh.__dict__
    assert fresh.plain.hashtag == checked.hashtag and fresh.plain.captions.get("de") == checked.captions["de"]
    assert dict(fresh.plain.brand) == checked.brand.model_dump()
    with pytest.raises(AttributeError):
        fresh.plain.brand.primary = "#000000"
    _edit_kept(tmp_path, lambda f: f["brand"].update(primary="#000000"))
    assert _fresh(ws).plain.brand.primary == "#0055AA"
    set_config(ws, 'primary = "#0055AA"', 'primary = "#112233"')
    fresh.reread_settings()
    assert fresh.plain.brand.primary == "#112233"
