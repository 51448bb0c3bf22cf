"""campaign gallery."""
from __future__ import annotations

import click

from campaign.cli.common import echo_json, json_option, workspace
from campaign.workspace.i18n import N_, _, ngettext


@click.command()
@click.option("--out", type=click.Path(file_okay=False),
              help=N_("Folder for the gallery (default exports/gallery)."))
@json_option
@click.pass_context
def gallery(ctx, out, as_json):
    """A static page of the portraits with website consent, for the city's website (and gallery.json for its CMS)."""
    from campaign.outputs.gallery import make_gallery

    result = make_gallery(workspace(ctx), out)
    if as_json:
        echo_json(result)
        return
    click.echo(ngettext("Gallery of {n} portrait: {index}", "Gallery of {n} portraits: {index}",
                        len(result["portraits"]), n=len(result["portraits"]), index=result["index"]))
    click.echo(_("  for the CMS: {json}; to paste into a page: embed.html", json=result['json']))
    click.echo(_("It opens in a browser without a server and loads nothing from elsewhere."))
