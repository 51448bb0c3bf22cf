"""campaign report."""
from __future__ import annotations

import click

from campaign.cli.common import echo_json, json_option, workspace


@click.command()
@click.option("--out", type=click.Path(file_okay=False), help="Folder for the report (default exports/report).")
@json_option
@click.pass_context
def report(ctx, out, as_json):
    """Write a static HTML report: gallery, calendar, ranking with a chart, expiring consent, billboard."""
    from campaign.report import write_report

    result = write_report(workspace(ctx), out)
    if as_json:
        echo_json(result)
        return
    posts = ", ".join(f"{n} {s}" for s, n in result["posts"].items() if n) or "no posts"
    click.echo(f"Report written: {result['index']}")
    click.echo(f"  {result['gallery']} portrait(s) in the gallery"
               + (f", {result['hidden']} without valid consent left out" if result["hidden"] else "")
               + f"; {posts}; {result['ranked']} ranked; {result['expiring']} consent(s) expiring soon.")
    click.echo("Open it in a browser; the folder holds everything it shows.")
