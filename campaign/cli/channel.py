"""campaign channel check|login, campaign reconcile."""
from __future__ import annotations

import click

from campaign.cli.common import CampaignGroup, emit, json_option, workspace
from campaign.workspace.i18n import _, translate


@click.group(cls=CampaignGroup)
def channel():
    """The accounts posts go to: check the credentials, log in to Instagram."""


@channel.command()
@click.argument("name", required=False)
@json_option
@click.pass_context
def check(ctx, name, as_json):
    """Say for each channel whether its credentials work and which account or Page they reach."""
    from campaign.posting.accounts import check_channels

    emit(check_channels(workspace(ctx), name), as_json, _said_checked)


def _said_checked(rows: list[dict]) -> None:
    """Each channel's verdict; exit code 1 when one is not ok (`--json` leaves that to the script)."""
    for r in rows:
        click.echo(_("{channel} ({publisher}): ok - {account}", channel=r["channel"], publisher=r["publisher"],
                     account=translate(r.get("account") or r["message"])) if r["ok"] else
                   _("{channel} ({publisher}): NOT OK - {account}", channel=r["channel"], publisher=r["publisher"],
                     account=translate(r.get("account") or r["message"])))
        if r.get("details"):
            click.echo(f"  {translate(r['details'])}")
        for warning in r.get("warnings") or []:
            click.echo(_("Warning: {channel}: {warning}", channel=r['channel'], warning=translate(warning)), err=True)
    if not all(r["ok"] for r in rows):
        raise click.exceptions.Exit(1)


@channel.command()
@click.argument("name", type=click.Choice(["instagram"]))
@click.pass_context
def login(ctx, name):
    """Log in to Instagram once; the session is kept (mode 0600) and reused."""
    from campaign.posting.accounts import login_instagram

    result = login_instagram(workspace(ctx), lambda: click.prompt(_("Instagram password"), hide_input=True),
                             lambda what: click.prompt(translate(what)))
    click.echo(_("Logged in as {account}; the session is kept in .private/ and reused.", account=result['account']))


@click.command()
@json_option
@click.pass_context
def reconcile(ctx, as_json):
    """Settle posts whose outcome is unknown by looking at the account's recent media."""
    from campaign.posting.accounts import reconcile_posts

    emit(reconcile_posts(workspace(ctx)), as_json, _said_settled)


def _said_settled(result: dict) -> None:
    if not result["settled"]:
        click.echo(_("Nothing to settle: no post is unknown."))
    for r in result["settled"]:
        line = _("{post_id}: {status} as {remote_id}", post_id=r["post_id"], status=r["status"],
                 remote_id=r["remote_id"]) if r.get("remote_id") else f"{r['post_id']}: {r['status']}"
        click.echo(f"{line} - {translate(r['reason'])}" if r.get("reason") else line)
