"""What a command loads: each command's module only when it runs, and no validator of campaign.toml
for a file that was checked before (campaign/workspace/settings_cache.py reads it back)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from conftest import ROOT, approved_portrait, set_config


def _command_in_a_fresh_interpreter(root: Path, cache: Path, args: list[str], modules: str,
                                    env: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """`campaign -w ROOT ARGS` run in a new Python (with `cache` as its cache folder): what it
    printed, and the sorted names of the modules it loaded that the expression `modules` (over `m`)
    picks out."""
    probe = ("import sys\nfrom campaign.cli import main\n"
             "try:\n    main(['-w', *sys.argv[1:]])\nexcept SystemExit as e:\n    assert not e.code\n"
             f"print(sorted(m for m in sys.modules if {modules}))\n")
    out = subprocess.run([sys.executable, "-c", probe, str(root), *args], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "XDG_CACHE_HOME": str(cache), **(env or {})})
    assert out.returncode == 0, out.stderr
    printed, _newline, loaded = out.stdout.strip().rpartition("\n")
    return printed, eval(loaded)


def test_every_lazy_command_is_the_command_of_that_name():
    from campaign.cli import main

    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert len(names) == len(main.lazy) and names == sorted(names)
    for name in names:
        assert main.get_command(ctx, name).name == name


@pytest.mark.slow
def test_render_neither_checks_a_checked_file_again_nor_imports_other_commands(ws, tmp_path):
    """pydantic's validators are built only for a full check (defer_build); the model's classes are
    read back with model_construct, and nothing imports pydantic's plugin loader (importlib.metadata)."""
    approved_portrait(ws, "Brigitte", 81, "senior")
    for _ in range(2):  # the first run checks campaign.toml and keeps it; the second reads it back
        _printed, loaded = _command_in_a_fresh_interpreter(
            ws.root, tmp_path / "cache", ["render", "--jobs", "1"],
            "m in ('pydantic.plugin._loader', 'portraits.poster') or m.startswith('campaign.cli.')")
    assert loaded == ["campaign.cli.common", "campaign.cli.render"]


@pytest.mark.slow
def test_a_command_that_needs_only_the_time_zone_does_not_load_the_settings_model(ws, tmp_path):
    """`portrait list` needs the time zone alone: a file checked before is verified against its kept copy
    and the zone read from it, without importing pydantic or the settings model (issue #22)."""
    approved_portrait(ws, "Brigitte", 81, "senior")
    for _ in range(2):  # the first run checks campaign.toml and keeps it; the second reads it back
        printed, loaded = _command_in_a_fresh_interpreter(ws.root, tmp_path / "cache", ["portrait", "list", "--json"],
                                                          "m == 'pydantic' or m == 'campaign.workspace.config'")
    assert '"first_name": "Brigitte"' in printed
    assert loaded == []


@pytest.mark.slow
def test_render_reads_the_brand_without_loading_the_settings_model(ws, tmp_path):
    """A render reads plain values of campaign.toml (the brand, name, hashtag): from a file checked
    before they are read from its verified kept copy (`Workspace.plain`), and neither pydantic nor the
    settings model nor any publisher is imported (~80 ms of a cold `campaign render ID`, issue 27); nor
    logging.handlers, as a render writes no log line. The brand the file sets is the one drawn."""
    approved_portrait(ws, "Brigitte", 81, "senior")
    toml = ws.root / "campaign.toml"
    toml.write_text(toml.read_text().replace('primary = "#E30613"', 'primary = "#0055AA"'))
    for _ in range(2):  # the first run checks campaign.toml and keeps it; the second reads it back
        for old in ws.renders.glob("*/*"):
            old.unlink()
        _printed, loaded = _command_in_a_fresh_interpreter(
            ws.root, tmp_path / "cache", ["render", "brigitte-81", "--format", "story", "--jobs", "1"],
            "m.startswith(('pydantic', 'campaign.workspace.config', 'schedules.outbox', 'schedules.instagram', "
            "'schedules.facebook', 'logging.handlers'))")
    assert loaded == []
    assert (ws.root / "campaign.log").is_file()  # there, as before, for the first line to come
    import json

    from PIL import Image

    x, y, w, h = json.loads((ws.renders / "brigitte-81" / "story.json").read_text())["boxes"]["band"]
    with Image.open(ws.renders / "brigitte-81" / "story.jpg") as im:
        colours = im.convert("RGB").crop((x, y, x + w, y + h)).getcolors(w * h)
    most = max(colours)[1]  # the band's own colour, around its text
    assert max(abs(a - b) for a, b in zip(most, (0x00, 0x55, 0xAA))) < 12, most


@pytest.mark.slow
def test_billboard_export_and_gdpr_erase_read_the_settings_without_the_model(cli, ws, tmp_path):
    """The export reads [billboard] and [brand], an erase each channel's web folder: plain values, so
    neither command imports pydantic or the settings model once the file was checked (issue 27), and
    the export still says the print condition the file sets."""
    set_config(ws, 'print_condition = "FOGRA39"', 'print_condition = "FOGRA51"')
    people = [approved_portrait(ws, name, age, cat, size=(1800, 2250))
              for name, age, cat in (("Brigitte", 81, "senior"), ("Tamara", 32, "health"), ("Jonas", 46, "retail"))]
    assert cli("billboard", "pick", "--slots", "3", "--from", "2026-06-01", "--to", "2026-06-10").exit_code == 0
    assert cli("billboard", "approve").exit_code == 0
    runs = {}
    for args in (["portrait", "list"], ["billboard", "export", "--json"], ["gdpr", "erase", people[0], "--yes"]):
        # the first command checks campaign.toml and keeps it
        runs[args[0]] = _command_in_a_fresh_interpreter(ws.root, tmp_path / "cache", args,
                                                        "m.startswith(('pydantic', 'campaign.workspace.config'))",
                                                        {"CAMPAIGN_USER": "tester"})
    assert "FOGRA51" in runs["billboard"][0]
    assert all(runs[command][1] == [] for command in ("billboard", "gdpr")), runs
    assert people[0] not in cli("portrait", "list", "--json").output
