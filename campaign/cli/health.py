"""campaign health: what monitoring reads, for a container's or a timer's health check."""
from __future__ import annotations

import click

from campaign.cli.common import emit, json_option, workspace
from campaign.workspace.i18n import _


@click.command()
@json_option
@click.pass_context
def health(ctx, as_json):
    """Whether the store reads and the daemon looks for due posts in time; exit code 1 when not."""
    from campaign.posting.health import health as state

    found = emit(state(workspace(ctx)), as_json, _said)
    if not found["ok"]:
        ctx.exit(1)


def _said(found: dict) -> None:
    click.echo(_("Store: {state}", state=_("readable") if found["store"] == "ok" else _("unreadable")))
    daemon = found["daemon"]
    if daemon["last_look"] is None:
        click.echo(_("Daemon: has never looked for due posts."))
    else:
        text = (_("Daemon: last looked for due posts {seconds:.0f} s ago, longer than its interval allows "
                  "(is `campaign run` running?).", seconds=daemon["seconds_since"]) if daemon["late"] else
                _("Daemon: last looked for due posts {seconds:.0f} s ago.", seconds=daemon["seconds_since"]))
        click.echo(text)
