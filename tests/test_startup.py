"""What a command loads: each command's module only when it runs, and no validator of campaign.toml
for a file that was checked before (campaign/workspace/settings_cache.py reads it back)."""
from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest
from conftest import ROOT, approved_portrait


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
    probe = ("import sys\nfrom campaign.cli import main\n"
             "try:\n    main(['-w', sys.argv[1], 'render', '--jobs', '1'])\nexcept SystemExit as e:\n    assert not e.code\n"
             "print(sorted(m for m in sys.modules if m in ('pydantic.plugin._loader', 'portraits.poster')\n"
             "             or m.startswith('campaign.cli.')))\n")
    for _ in range(2):  # the first run checks campaign.toml and keeps it; the second reads it back
        out = subprocess.run([sys.executable, "-c", probe, str(ws.root)], cwd=ROOT, capture_output=True, text=True,
                             env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
        assert out.returncode == 0, out.stderr
    loaded = eval(out.stdout.strip().splitlines()[-1])
    assert loaded == ["campaign.cli.common", "campaign.cli.render"]


@pytest.mark.slow
def test_a_command_that_needs_only_the_time_zone_does_not_load_the_settings_model(ws, tmp_path):
    """`portrait list` needs the time zone alone: a file checked before is verified against its kept copy
    and the zone read from it, without importing pydantic or the settings model (issue #22)."""
    approved_portrait(ws, "Brigitte", 81, "senior")
    probe = ("import sys\nfrom campaign.cli import main\n"
             "try:\n    main(['-w', sys.argv[1], 'portrait', 'list', '--json'])\nexcept SystemExit as e:\n    assert not e.code\n"
             "print(sorted(m for m in sys.modules if m == 'pydantic' or m == 'campaign.workspace.config'))\n")
    for _ in range(2):  # the first run checks campaign.toml and keeps it; the second reads it back
        out = subprocess.run([sys.executable, "-c", probe, str(ws.root)], cwd=ROOT, capture_output=True, text=True,
                             env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
        assert out.returncode == 0, out.stderr
    assert '"first_name": "Brigitte"' in out.stdout
    assert eval(out.stdout.strip().splitlines()[-1]) == []


@pytest.mark.slow
def test_render_reads_the_brand_without_loading_the_settings_model(ws, tmp_path):
    """A render reads plain values of campaign.toml (the brand, name, hashtag): from a file checked
    before they are read from its verified kept copy (`Workspace.plain`), and neither pydantic nor the
    settings model nor any publisher is imported (~80 ms of a cold `campaign render ID`, issue 27).
    The brand the file sets is the one drawn."""
    approved_portrait(ws, "Brigitte", 81, "senior")
    toml = ws.root / "campaign.toml"
    toml.write_text(toml.read_text().replace('primary = "#E30613"', 'primary = "#0055AA"'))
    probe = ("import sys\nfrom campaign.cli import main\n"
             "try:\n    main(['-w', sys.argv[1], 'render', 'brigitte-81', '--format', 'story', '--jobs', '1'])\n"
             "except SystemExit as e:\n    assert not e.code\n"
             "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'campaign.workspace.config',\n"
             "             'schedules.outbox', 'schedules.instagram', 'schedules.facebook'))))\n")
    for _ in range(2):  # the first run checks campaign.toml and keeps it; the second reads it back
        for old in ws.renders.glob("*/*"):
            old.unlink()
        out = subprocess.run([sys.executable, "-c", probe, str(ws.root)], cwd=ROOT, capture_output=True, text=True,
                             env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
        assert out.returncode == 0, out.stderr
    assert eval(out.stdout.strip().splitlines()[-1]) == []
    import json

    from PIL import Image

    x, y, w, h = json.loads((ws.renders / "brigitte-81" / "story.json").read_text())["boxes"]["band"]
    with Image.open(ws.renders / "brigitte-81" / "story.jpg") as im:
        colours = im.convert("RGB").crop((x, y, x + w, y + h)).getcolors(w * h)
    most = max(colours)[1]  # the band's own colour, around its text
    assert max(abs(a - b) for a, b in zip(most, (0x00, 0x55, 0xAA))) < 12, most
