"""campaign doctor."""
from __future__ import annotations

import logging

import click

from campaign.cli.common import emit, json_option
from campaign.workspace.i18n import N_, _, ngettext


@click.command()
@click.option("--fix", is_flag=True,
              help=N_("Repair what is safe: remove orphans and leftovers, finish erasures, tighten .private/ "
                      "modes."))
@json_option
@click.pass_context
def doctor(ctx, fix, as_json):
    """Check the workspace: store, files, leftovers of a crash, unfinished erasures, .private/ modes, campaign.toml."""
    from campaign.privacy.doctor import doctor as run_doctor
    from campaign.workspace import find_workspace
    from campaign.workspace.log import setup_logging

    # Not common.workspace(): that stops at a broken campaign.toml, which is one of the things checked here.
    root = ctx.find_root()
    ws = find_workspace((root.obj or {}).get("workspace"))
    setup_logging(ws.log_path)
    result = run_doctor(ws, fix)
    if result["fixed"]:  # counts only: a path could name someone whose leftovers were just removed
        logging.getLogger("campaign").info("doctor --fix: %d repair(s)", len(result["fixed"]))
    emit(result, as_json, lambda r: _said(r, fixing=fix))
    if not result["ok"]:
        ctx.exit(1)


def _said(result: dict, fixing: bool) -> None:
    for line in result["fixed"]:
        click.echo(_("Fixed: {line}.", line=line))
    for line in result["failed"]:
        click.echo(_("Could not fix {line}.", line=line))
    for f in result["findings"]:
        click.echo(_("Problem: {problem} -> {todo}", problem=f['problem'], todo=f['todo']))
    if result["ok"]:
        click.echo(_("The workspace is in order.") if not result['fixed'] else _("The workspace is in order now."))
    else:
        repairable = sum(f["fixable"] for f in result["findings"])
        count = len(result["findings"])
        click.echo(ngettext("{n} problem; `campaign doctor --fix` repairs {repairable} of them.",
                            "{n} problems; `campaign doctor --fix` repairs {repairable} of them.", count, n=count,
                            repairable=repairable) if repairable and not fixing else
                   ngettext("{n} problem.", "{n} problems.", count, n=count))
