"""The `campaign` command line: a thin layer over the library.

Each command parses its options, calls one library function and prints the result. Command
modules import heavy libraries only inside the command that needs them, so `--help` is fast.
"""
from __future__ import annotations

import re

import click

from campaign import __version__
from campaign.cli.common import CampaignGroup
from campaign.workspace.i18n import N_, _

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
    ("press", "press"),
    ("gallery", "gallery"),
    ("whatsapp", "whatsapp"),
    ("serve", "serve"),
    ("user", "user"),
    ("backup", "backup"),
    ("backup", "restore"),
    ("service", "service"),
    ("health", "health"),
]


def _user(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not re.fullmatch(r"[^\x00-\x1f\x7f-\x9f]{1,60}", value):
        raise click.BadParameter(_("give a name of 1 to 60 plain characters, e.g. --user anna"))
    return value


@click.group(cls=CampaignGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-w", "--workspace", "workspace_path", type=click.Path(file_okay=False),
              envvar="CAMPAIGN_WORKSPACE", help=N_("The campaign folder (default: here or a parent)."))
@click.option("--user", callback=_user, metavar="NAME",
              help=N_("Who acts, as the audit log and approvals record it (default: CAMPAIGN_USER, else the "
                      "login name)."))
@click.option("--ui-lang", type=click.Choice(["de", "en"]), metavar="de|en",
              help=N_("Language of messages, tables and help (default: CAMPAIGN_UI_LANG, then ui_language in "
                      "campaign.toml, then the system's; German for a German campaign)."))
@click.version_option(__version__, prog_name="campaign")
@click.pass_context
def main(ctx: click.Context, workspace_path: str | None, user: str | None, ui_lang: str | None) -> None:
    """Run a solidarity portrait campaign: portraits and consent, branded images,
    the posting plan, Instagram and Facebook, and the billboard."""
    # ui_lang was read (with the environment and campaign.toml) before parsing: CampaignGroup.main
    ctx.obj = {"workspace": workspace_path}
    if user:
        from portraits.audit import acting_as

        ctx.with_resource(acting_as(user))


# A command's module (and what it imports) loads only when that command runs, or for --help.
main.lazy = {_name: f"campaign.cli.{_module}" for _module, _name in COMMANDS}
