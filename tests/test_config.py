"""campaign.toml: one typed model; every wrong value is one clean error naming the key; no secrets."""
from __future__ import annotations

import pytest
from conftest import configure, run_campaign, set_config

WRONG = [
    ('timezone = "Europe/Berlin"', "timezone = 5", "timezone = 5 is not text"),
    ('timezone = "Europe/Berlin"', 'timezone = "Mars/Olympus"', "'Mars/Olympus' is not a timezone"),
    ("grace_hours = 6", 'grace_hours = "six"', "[posting] grace_hours = 'six' is not a number"),
    ("grace_hours = 6", "grace_hours = -1", "[posting] grace_hours = -1 is out of range"),
    ("max_attempts = 5", "max_attempts = 2.5", "[posting] max_attempts = 2.5 is not a whole number"),
    ("slots = 9", 'slots = "nine"', "[billboard] slots = 'nine' is not a whole number"),
    ("slots = 9", "slots = 0", "[billboard] slots = 0 is out of range"),
    ('primary = "#E30613"', 'primary = "red-ish"', "'red-ish' is not a colour"),
    ('days = "mon-sat"', 'days = "someday"', "are not weekdays"),
    ('time = "18:30"', 'time = "half past six"', "is not a time of day"),
    ('format = "18/1"', 'format = "huge"', "is not a billboard format"),
    ("per_reach = false", 'per_reach = "yes"', "[engagement] per_reach = 'yes' is not true or false"),
    ('de = "{first_name}', 'de = "{first_name} {surname} {first_name}', "{surname}, which is not a caption field"),
    ('de = "{first_name}', 'de = "{first_name:>999999999} {first_name}', "write the field plainly"),
    ('de = "{first_name}', 'de = "{first_name.__class__} {first_name}', "not a caption field"),
    ('de = "{first_name}', 'de = "{ {first_name}', "not a valid template"),
    ('publisher = "outbox"', 'publisher = "myspace"', "'myspace' is not a publisher"),
    ("[billboard]", "[billbord]", "there is no setting billbord"),
    ('[channels.facebook]\npublisher = "outbox"', '[channels.facebook]\npublisher = "facebook"\npage_id = "my page"',
     "is not a Page id"),
    ("grace_hours = 6", "grace_hours = 6\ngrace_hour = 7", "there is no setting [posting] grace_hour"),
]


@pytest.mark.parametrize("old,new,message", WRONG, ids=[w[1].split("\n")[-1][:30] for w in WRONG])
def test_a_wrong_setting_is_one_clean_error_naming_the_key(cli, ws, old, new, message):
    set_config(ws, old, new)
    before = ws.store.path.read_bytes()
    r = cli("portrait", "list")
    assert r.exit_code == 1, r.output
    assert message in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) <= 2
    assert ws.store.path.read_bytes() == before


SECRETS = [("channels.facebook", "token"), ("channels.facebook", "Access_Token"), ("", "api_key"),
           ("", "API-Key"), ("brand", "apiKey"), ("channels.instagram", "password"), ("posting", "passwd"),
           ("", "client_secret"), ("engagement", "SessionId")]


@pytest.mark.parametrize("section,key", SECRETS)
def test_keys_that_look_like_secrets_are_refused_at_any_depth(cli, ws, section, key):
    if section:
        configure(ws, section, **{key: "EAAB123secret"})
    else:
        (ws.root / "campaign.toml").write_text(f'{key} = "EAAB123secret"\n' + (ws.root / "campaign.toml").read_text())
    r = cli("status")
    assert r.exit_code == 1 and "holds a secret" in r.output
    assert "EAAB123secret" not in r.output


def test_every_default_setting_comes_from_one_model(ws):
    from campaign.workspace.config import Settings

    # The file `init` writes reads back as exactly the defaults (plus name and hashtag).
    assert ws.config == Settings(name="Duisburg ist echt solidarisch", hashtag="#duisburgistechtsolidarisch")
    (ws.root / "campaign.toml").write_text('name = "Kurz"\n')
    ws.__dict__.pop("config")
    assert ws.config.posting.grace_hours == 6 and ws.config.channel("facebook").publisher == "outbox"
    assert ws.config.hashtag == "#echtsolidarisch"


@pytest.mark.parametrize("args,message", [
    (["--name", "Duisburg\x1b[31m ist echt"], "--name: the campaign name holds control or invisible characters"),
    (["--name", "Ok", "--hashtag", "#zwei wörter"], "--hashtag: '#zwei wörter' is not one hashtag"),
    (["--name", "Ok", "--hashtag", "#tag\u200b"], "--hashtag: the hashtag holds control or invisible characters"),
    (["--timezone", "Mars/Olympus"], "--timezone: 'Mars/Olympus' is not a timezone"),
])
@pytest.mark.slow
def test_init_refuses_control_characters_and_bad_names(tmp_path, args, message):
    r = run_campaign("init", tmp_path / "c", *args)
    assert r.returncode == 1 and message in r.stderr, r.stderr
    assert not (tmp_path / "c").exists()
