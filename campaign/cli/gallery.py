"""campaign gallery."""
from __future__ import annotations

import click

from campaign.cli.common import emit, json_option, workspace
from campaign.workspace.i18n import N_, _, ngettext


@click.command()
@click.option("--out", type=click.Path(file_okay=False),
              help=N_("Folder for the gallery (default exports/gallery)."))
@json_option
@click.pass_context
def gallery(ctx, out, as_json):
    """A static page of the portraits with website consent, for the city's website (and gallery.json for its CMS)."""
    from campaign.outputs.gallery import make_gallery

    emit(make_gallery(workspace(ctx), out), as_json, _said)


def _said(result: dict) -> None:
    click.echo(ngettext("Gallery of {n} portrait: {index}", "Gallery of {n} portraits: {index}",
                        len(result["portraits"]), n=len(result["portraits"]), index=result["index"]))
    click.echo(_("  for the CMS: {json}; to paste into a page: embed.html", json=result['json']))
    click.echo(_("It opens in a browser without a server and loads nothing from elsewhere."))
