"""The `campaign` command line: a thin layer over the library.

Each command parses its options, calls one library function and prints the result. Command
modules import heavy libraries only inside the command that needs them, so `--help` is fast.
"""
from __future__ import annotations

import importlib

import click

from campaign import __version__
from campaign.cli.common import CampaignGroup

# (module under campaign.cli, command or group object in it): one line each.
COMMANDS = [
    ("workspace", "init"),
    ("portrait", "portrait"),
    ("consent", "consent"),
    ("gdpr", "gdpr"),
    ("audit", "audit"),
    ("schedule", "schedule"),
    ("run", "run"),
    ("run", "publish"),
    ("run", "status"),
    ("engagement", "engagement"),
    ("billboard", "billboard"),
    ("report", "report"),
    ("render", "render"),
    ("render", "preview"),
    ("channel", "channel"),
    ("channel", "reconcile"),
    ("doctor", "doctor"),
]


@click.group(cls=CampaignGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-w", "--workspace", "workspace_path", type=click.Path(file_okay=False),
              envvar="CAMPAIGN_WORKSPACE", help="The campaign folder (default: here or a parent).")
@click.version_option(__version__, prog_name="campaign")
@click.pass_context
def main(ctx: click.Context, workspace_path: str | None) -> None:
    """Run a solidarity portrait campaign: portraits and consent, branded images,
    the posting plan, Instagram and Facebook, and the billboard."""
    ctx.obj = {"workspace": workspace_path}


for _module, _name in COMMANDS:
    main.add_command(getattr(importlib.import_module(f"campaign.cli.{_module}"), _name))
