"""campaign press kit."""
from __future__ import annotations

import click

from campaign.cli.common import CampaignGroup, emit, json_option, progress_bar, warn, workspace
from campaign.workspace.i18n import N_, _, ngettext


@click.group(cls=CampaignGroup)
def press() -> None:
    """Material for journalists (portraits with press consent only)."""


@press.command("kit")
@click.option("--from", "start",
              help=N_("Only portraits with a post from this day (YYYY-MM-DD or DD.MM.YYYY)."))
@click.option("--to", "end", help=N_("... up to this day."))
@click.option("--out", type=click.Path(file_okay=False),
              help=N_("Folder for the kit (default exports/press-kit); the zip goes beside it."))
@click.option("--jobs", type=int, default=None, help=N_("Parallel processes (default: the number of cores)."))
@json_option
@click.pass_context
def kit(ctx, start, end, out, jobs, as_json):
    """Press images (feed motif and clean photo, with credit, copyright, usage terms and caption
    in IPTC/XMP), a press release draft and manifest.json, as a folder and a zip."""
    from campaign.outputs.presskit import make_kit

    with progress_bar(_("Writing press images"), shown=not as_json) as progress:
        result = make_kit(workspace(ctx), start, end, out, jobs, progress)
    emit(result, as_json, _said)
    ctx.exit(1 if result["failed"] else 0)


def _said(result: dict) -> None:
    click.echo(_("Press kit: {portraits}, {images}: {folder}",
                 portraits=ngettext("{n} portrait", "{n} portraits", len(result["portraits"]),
                                    n=len(result["portraits"])),
                 images=ngettext("{n} image", "{n} images", result["images"], n=result["images"]),
                 folder=result["folder"]))
    click.echo(_("  zip: {zip}", zip=result['zip']))
    click.echo(_("  press release draft: {press_release}", press_release=result['press_release']))
    for small in result["too_small_for_print"]:
        warn(_("{portrait_id}: the photo has only {width}x{height} px, too small for print; its images are "
               "marked \"web only\" in manifest.json.", portrait_id=small["portrait_id"],
               width=small["width"], height=small["height"]))
    for f in result["failed"]:
        warn(_("{portrait_id} left out: {reason}", portrait_id=f['portrait_id'], reason=f['reason']))
