"""campaign report."""
from __future__ import annotations

import click

from campaign.cli.common import emit, json_option, workspace
from campaign.workspace.i18n import N_


@click.command()
@click.option("--out", type=click.Path(), help=N_("Folder for the report (default exports/report); with --pdf, a "
                                                "file ending in .pdf is where the print version goes."))
@click.option("--cancelled", is_flag=True, help=N_("Show cancelled posts in the calendar too."))
@click.option("--pdf", is_flag=True, help=N_("Also write report.pdf, the print version (A4), with headless Chromium."))
@json_option
@click.pass_context
def report(ctx, out, cancelled, pdf, as_json):
    """Write the morning report: the next seven days, what needs someone, calendar, ranking, gallery."""
    from campaign.outputs.report import write_report

    emit(write_report(workspace(ctx), out, cancelled=cancelled, pdf=pdf), as_json, _said)


def _said(result: dict) -> None:
    from campaign.workspace.i18n import gettext as _
    from campaign.workspace.i18n import ngettext

    todo = sum(result["attention"].values())
    click.echo(_("Report written: %(index)s") % {"index": result["index"]})
    if result["pdf"]:
        click.echo(_("Print version: %(pdf)s") % {"pdf": result["pdf"]})
    click.echo("  " + "; ".join([
        ngettext("%(num)d post in the next seven days", "%(num)d posts in the next seven days",
                 result["next_days"]) % {"num": result["next_days"]},
        ngettext("%(num)d thing needs someone", "%(num)d things need someone", todo) % {"num": todo},
        ngettext("%(num)d portrait in the gallery", "%(num)d portraits in the gallery",
                 result["gallery"]) % {"num": result["gallery"]},
        ngettext("%(num)d ranked", "%(num)d ranked", result["ranked"]) % {"num": result["ranked"]}]) + ".")
    click.echo(_("Open it in a browser; the folder holds everything it shows."))
