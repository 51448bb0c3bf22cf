"""The demo's drawn portraits (campaign/cli/demo.py) look like what an office would shoot."""
from __future__ import annotations

import json
from datetime import date

from campaign.cli.demo import SAMPLES, _draw_portrait
from portraits import consent, records


def test_every_demo_photo_frames_the_head_so_each_format_shows_it_whole(cli, ws, tmp_path):
    """Head and shoulders with room above: the face is found, nothing warns at intake, and none of the
    four formats cuts the hair or the face (the square's narrow photo area beside its text included)."""
    for seed, (first, _surname, age, role, category, quote, lang) in enumerate(SAMPLES):
        photo = tmp_path / f"{first}.jpg"
        _draw_portrait(photo, seed)
        added = cli("portrait", "add", photo, "--first-name", first, "--age", age, "--role", role,
                    "--role-category", category, "--quote", quote, "--lang", lang, "--json")
        assert added.exit_code == 0, added.output
        record = json.loads(added.output)
        assert record["photo"]["focus_source"] == "face" and record["photo"]["warnings"] == [], first
    with ws.store.transaction() as db:
        for p in records.all_portraits(db):
            consent.grant(db, p["id"], "instagram,facebook", date(2026, 1, 1),
                          guardians=["Guardian"] if p["age"] < 18 else [], today=date(2100, 1, 1))
            records.approve_portrait(db, p["id"], True)
    rendered = cli("render", "--json")
    assert rendered.exit_code == 0, rendered.output
    result = json.loads(rendered.output)
    assert len(result["rendered"]) == 4 * len(SAMPLES) and result["failed"] == [], result
    assert result["warnings"] == []
