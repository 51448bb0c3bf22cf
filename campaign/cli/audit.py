"""campaign audit."""
from __future__ import annotations

from datetime import datetime

import click

from campaign.cli.common import echo_table, emit, json_option, when, workspace
from campaign.workspace.i18n import N_, _


@click.command()
@click.argument("subject", required=False)
@click.option("--last", type=int, help=N_("Only the last N entries."))
@json_option
@click.pass_context
def audit(ctx, subject, last, as_json):
    """The audit log: who changed what, when (optionally for one id)."""
    from portraits import audit as audit_lib

    ws = workspace(ctx)
    rows = audit_lib.entries(ws.store.read(), subject)
    emit(rows[-last:] if last else rows, as_json, lambda shown: echo_table(
        [{**r, "at": when(datetime.fromisoformat(r["at"]).astimezone(ws.tz))} for r in shown],
        ["at", "who", "action", "subject"], empty=_("The audit log is empty.")))
