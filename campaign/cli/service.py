"""campaign service units: systemd units for the daemon, the web app and the daily WhatsApp send."""
from __future__ import annotations

from pathlib import Path

import click

from campaign.cli.common import CampaignGroup, emit, json_option, warn, workspace
from campaign.workspace.i18n import N_, _


@click.group(cls=CampaignGroup)
def service() -> None:
    """Run the campaign as services (systemd)."""


@service.command("units")
@click.option("--user", "account", metavar="NAME",
              help=N_("The system account the services run as (default: the workspace's owner)."))
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535),
              help=N_("Port of the web app, on 127.0.0.1 behind the HTTPS proxy."))
@click.option("--whatsapp-at", default="09:00", show_default=True, metavar="HH:MM",
              help=N_("When the day's WhatsApp message goes out, in the campaign's timezone."))
@click.option("--install", "folder", type=click.Path(file_okay=False),
              help=N_("Write the units into this folder (e.g. /etc/systemd/system) instead of printing them."))
@json_option
@click.pass_context
def units(ctx, account, port, whatsapp_at, folder, as_json):
    """Print (or --install) the systemd units of this workspace: daemon, web app, WhatsApp send and its timer."""
    from campaign.posting.service import default_user, install_units
    from campaign.posting.service import units as make_units

    ws = workspace(ctx)
    user = account or default_user(ws)
    found = make_units(ws, user, port=port, whatsapp_at=whatsapp_at)
    written = install_units(found, Path(folder)) if folder else []
    result = {"units": [{"name": u.name, "text": u.text} for u in found], "written": written}
    emit(result, as_json, lambda r: _said(r, ws, user, installed=bool(folder)))


def _said(result: dict, ws, user: str, installed: bool) -> None:
    from campaign.posting.service import owner_can_write

    if not installed:
        for unit in result["units"]:
            click.echo(f"### {unit['name']}\n{unit['text']}")
    else:
        for path in result["written"]:
            click.echo(_("Wrote {path}", path=path))
    names = " ".join(u["name"] for u in result["units"] if not u["name"].endswith("-whatsapp.service"))
    click.echo(_("Then: systemctl daemon-reload && systemctl enable --now {names}", names=names))
    if not owner_can_write(ws, user):
        warn(_("{user} does not own {root}: the services could not write the store. chown -R {user} {root}",
               user=user, root=ws.root))
