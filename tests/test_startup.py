"""What a command loads: each command's module only when it runs, and no pydantic for a campaign.toml
that was checked before (campaign/workspace/settings_cache.py)."""
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
def test_render_imports_neither_pydantic_nor_other_commands(ws, tmp_path):
    approved_portrait(ws, "Brigitte", 81, "senior")
    probe = ("import sys\nfrom campaign.cli import main\n"
             "try:\n    main(['-w', sys.argv[1], 'render', '--jobs', '1'])\nexcept SystemExit as e:\n    assert not e.code\n"
             "print(sorted(m for m in sys.modules if m.startswith('pydantic') or m.startswith('campaign.cli.')))\n")
    for _ in range(2):  # the first run checks campaign.toml and keeps it; the second reads it back
        out = subprocess.run([sys.executable, "-c", probe, str(ws.root)], cwd=ROOT, capture_output=True, text=True,
                             env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
        assert out.returncode == 0, out.stderr
    loaded = eval(out.stdout.strip().splitlines()[-1])
    assert loaded == ["campaign.cli.common", "campaign.cli.render"]
