"""campaign init."""
from __future__ import annotations

from pathlib import Path

import click

from campaign.workspace.i18n import N_, _


@click.command()
@click.argument("path", type=click.Path(file_okay=False), default=".")
@click.option("--name", help=N_("The campaign's name, e.g. \"Duisburg ist echt solidarisch\"."))
@click.option("--hashtag", help=N_("The campaign hashtag (default: made from the name)."))
@click.option("--timezone", default="Europe/Berlin", show_default=True, help=N_("IANA timezone name."))
def init(path: str, name: str | None, hashtag: str | None, timezone: str) -> None:
    """Create a campaign workspace in PATH."""
    from campaign.workspace import init_workspace

    ws = init_workspace(Path(path), name=name, hashtag=hashtag, timezone=timezone)
    click.echo(_("Created campaign workspace {root}", root=ws.root))
    click.echo(_("Next: campaign portrait add PHOTO --first-name ... (see campaign portrait add --help)"))
