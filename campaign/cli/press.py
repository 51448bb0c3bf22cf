"""campaign press kit."""
from __future__ import annotations

import sys

import click

from campaign.cli.common import CampaignGroup, echo_json, json_option, warn, workspace


@click.group(cls=CampaignGroup)
def press() -> None:
    """Material for journalists (portraits with press consent only)."""


@press.command("kit")
@click.option("--from", "start", help="Only portraits with a post from this day (YYYY-MM-DD or DD.MM.YYYY).")
@click.option("--to", "end", help="... up to this day.")
@click.option("--out", type=click.Path(file_okay=False), help="Folder for the kit (default exports/press-kit); the zip goes beside it.")
@click.option("--jobs", type=int, default=None, help="Parallel processes (default: the number of cores).")
@json_option
@click.pass_context
def kit(ctx, start, end, out, jobs, as_json):
    """Press images (feed motif and clean photo, with credit, copyright, usage terms and caption
    in IPTC/XMP), a press release draft and manifest.json, as a folder and a zip."""
    from campaign.presskit import make_kit

    ws = workspace(ctx)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="Writing press images", file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    try:
        result = make_kit(ws, start, end, out, jobs, None if as_json else progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        echo_json(result)
    else:
        click.echo(f"Press kit of {len(result['portraits'])} portrait(s), {result['images']} image(s): {result['folder']}")
        click.echo(f"  zip: {result['zip']}")
        click.echo(f"  press release draft: {result['press_release']}")
        for f in result["failed"]:
            warn(f"{f['portrait_id']} left out: {f['reason']}")
    ctx.exit(1 if result["failed"] else 0)
