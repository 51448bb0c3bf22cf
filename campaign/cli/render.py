"""campaign render, campaign preview."""
from __future__ import annotations

import click

from campaign.cli.common import emit, json_option, progress_bar, warn, workspace
from campaign.workspace.i18n import N_, _, ngettext, translate
from portraits.messages import _m, join


@click.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--format", "formats",
              help=N_("Formats, comma-separated: instagram-feed, instagram-square, story, facebook (default "
                      "all)."))
@click.option("--lang", help=N_("Only this language (default: each portrait's own and every translation)."))
@click.option("--jobs", type=int, default=None, help=N_("Parallel processes (default: the number of cores)."))
@json_option
@click.pass_context
def render(ctx, ids, formats, lang, jobs, as_json):
    """Render approved portraits into branded, metadata-free images (renders/<id>/<format>.jpg)."""
    from campaign.outputs.renders import render as do_render

    ws = workspace(ctx)
    with progress_bar(_("Rendering"), shown=not as_json) as progress:
        result = do_render(ws, list(ids) or None, formats, lang, jobs, progress)
    emit(result, as_json, _said_render)
    if result["failed"]:
        ctx.exit(1)


def _said_render(result: dict) -> None:
    click.echo(_("Rendered {images} of {portraits}; {unchanged} unchanged.",
                 images=ngettext("{n} image", "{n} images", len(result["rendered"]), n=len(result["rendered"])),
                 portraits=ngettext("{n} portrait", "{n} portraits", result["portraits"], n=result["portraits"]),
                 unchanged=result['unchanged']))
    for s in result["skipped"]:
        warn(_("{portrait_id} skipped: {reason}", portrait_id=s['portrait_id'], reason=s['reason']))
    for f in result["failed"]:
        click.echo(_("Error: {portrait_id} could not be rendered: {reason}", portrait_id=f['portrait_id'],
                     reason=f['reason']),
                   err=True)
    if result["failed"]:
        click.echo(ngettext("{n} portrait failed; the others were rendered. Fix it and run `campaign render` again.",
                            "{n} portraits failed; the others were rendered. Fix those and run `campaign render` "
                            "again.", len(result["failed"]), n=len(result["failed"])),
                   err=True)
        return
    for w in result["warnings"]:
        warn(f"{w['portrait_id']} {w['format']} ({w['lang']}): {translate(w['warning'])}")


@click.command()
@click.option("--out", type=click.Path(dir_okay=False),
              help=N_("File for the sheet (default exports/contact-sheet.jpg)."))
@json_option
@click.pass_context
def preview(ctx, out, as_json):
    """A contact sheet of all renders, to look over before they go out."""
    from campaign.outputs.renders import preview as do_preview

    emit(do_preview(workspace(ctx), out), as_json, _said_preview)


def _said_preview(result: dict) -> None:
    figures = {"renders": ngettext("{n} image", "{n} images", result["renders"], n=result["renders"]),
               "portraits": ngettext("{n} portrait", "{n} portraits", result["portraits"], n=result["portraits"]),
               "file": result["file"]}
    click.echo(_("Contact sheet of {renders}, {portraits}: {file} ({left_out} without a valid consent today left "
                 "out)", left_out=result["left_out"], **figures) if result["left_out"] else
               _("Contact sheet of {renders}, {portraits}: {file}", **figures))
    for pid, marks in result["marks"].items():
        warn(_m("{portrait_id}: {marks}", portrait_id=pid, marks=join("; ", marks)))
