"""campaign consent grant|withdraw|status."""
from __future__ import annotations

from pathlib import Path

import click

from campaign.cli.common import CampaignGroup, echo_table, emit, json_option, workspace
from campaign.workspace.i18n import N_, _, format_date, ngettext
from portraits.consent import SCOPES
from portraits.messages import _m


@click.group(cls=CampaignGroup)
def consent() -> None:
    """Consent: signed forms, scopes, expiry and withdrawal."""


@consent.command("grant")
@click.argument("portrait_id", metavar="ID")
@click.option("--scope", "scopes", required=True,
              help=N_("Comma list: {scopes} (or all).", scopes=','.join(SCOPES)))
@click.option("--signed-on", required=True, help=N_("Date the form was signed, YYYY-MM-DD or DD.MM.YYYY."))
@click.option("--expires", help=N_("Last day the consent holds, YYYY-MM-DD or DD.MM.YYYY (default: no end)."))
@click.option("--signed-by", help=N_("Who signed (default: the person, or the guardians for a minor)."))
@click.option("--guardian", "guardians", multiple=True,
              help=N_("A guardian with custody who signed (repeat for each)."))
@click.option("--evidence", type=click.Path(dir_okay=False),
              help=N_("The scanned signed form; kept with its SHA-256."))
@click.option("--text-version", default="1", show_default=True, help=N_("Version of the consent text signed."))
@json_option
@click.pass_context
def grant(ctx, portrait_id, scopes, signed_on, expires, signed_by, guardians, evidence, text_version, as_json):
    """Record a signed consent form for ID."""
    from campaign.intake.portrait_actions import grant_consent

    event = grant_consent(workspace(ctx), portrait_id, scopes, signed_on, expires, signed_by, guardians,
                          Path(evidence) if evidence else None, text_version)
    emit(event, as_json, _said_granted, lambda e: {k: v for k, v in e.items() if k not in ("guardians", "signed_by")})


def _said_granted(event: dict) -> None:
    scopes, portrait_id = ", ".join(event["scopes"]), event["portrait_id"]
    click.echo(_("Consent recorded for {portrait_id}: {scopes} until {expires}.", portrait_id=portrait_id,
                 scopes=scopes, expires=format_date(event["expires"])) if event["expires"] else
               _("Consent recorded for {portrait_id}: {scopes}.", portrait_id=portrait_id, scopes=scopes))


@consent.command("withdraw")
@click.argument("portrait_id", metavar="ID")
@click.option("--scope", "scopes", help=N_("Comma list of scopes to withdraw (default: all)."))
@click.option("--received",
              help=N_("Date the withdrawal reached the office, YYYY-MM-DD or DD.MM.YYYY (default: today)."))
@click.option("--via", help=N_("How it came in, e.g. email, phone, letter."))
@json_option
@click.pass_context
def withdraw(ctx, portrait_id, scopes, received, via, as_json):
    """Withdraw consent: future posts are cancelled at once, published ones listed for takedown."""
    from campaign.privacy.withdrawal import withdraw as do_withdraw
    from portraits.dates import parse_date

    ws = workspace(ctx)
    result = do_withdraw(ws, portrait_id, scopes, parse_date(received, _m("received date")), via)
    emit(result, as_json, lambda r: _said_withdrawn(r, portrait_id))


def _said_withdrawn(result: dict, portrait_id: str) -> None:
    click.echo(_("Consent withdrawn for {portrait_id}: {scopes}.", portrait_id=portrait_id,
                 scopes=', '.join(result['scopes'])))
    click.echo(ngettext("Cancelled {n} planned post.", "Cancelled {n} planned posts.", len(result["cancelled"]),
                        n=len(result["cancelled"])))
    if result["takedown"]:
        click.echo(_("Take these published posts down by hand:"))
        for p in result["takedown"]:
            click.echo(_("  {id} on {channel} ({permalink})", id=p['id'], channel=p['channel'],
                         permalink=p.get('permalink') or p.get('remote_id') or p['status']))
    if result["recall"]:
        click.echo(_("Printed records: these billboard files show them; do not print them, and recall them "
                     "if printed:"))
        for r in result["recall"]:
            click.echo(_("  pick {pick} (run {run}): {pdf}", pick=r['pick'], run=r['run'], pdf=r['pdf']))
    for pick in result["repick"]:
        click.echo(_("Billboard pick {pick} holds them: pick again (campaign billboard pick) and approve the "
                     "new pick.", pick=pick))
    for made in result["handouts"]:
        if made["removed"]:
            click.echo(_("Removed the {label} ({removed}): it showed {portrait_id}.", label=made['label'],
                         removed=', '.join(made['removed']), portrait_id=portrait_id))
        elif made["by_hand"]:
            click.echo(_("Delete the {label} by hand (outside the workspace): {by_hand}", label=made['label'],
                         by_hand=', '.join(made['by_hand'])))
        click.echo(_("  Also: {note}.\n  Make it again without them: {remake}", note=made['note'],
                     remake=made['remake']))


@consent.command("status")
@click.argument("portrait_id", metavar="[ID]", required=False)
@click.option("--expiring-within", type=int, metavar="DAYS",
              help=N_("Only consents that end within DAYS days."))
@json_option
@click.pass_context
def status(ctx, portrait_id, expiring_within, as_json):
    """Show who may be published where, and until when."""
    from portraits import consent as consent_lib
    from portraits.errors import CampaignError

    if expiring_within is not None and expiring_within < 0:
        raise CampaignError(_m("--expiring-within must be 0 or more days."))
    ws = workspace(ctx)
    emit(consent_lib.status(ws.store.read(), ws.now().date(), portrait_id, expiring_within), as_json,
         lambda rows: echo_table(
             [{**r, "signed_on": format_date(r.get("signed_on")) or None,
               "expires": format_date(r.get("expires")) or None} for r in rows],
             ["portrait_id", "first_name", "scopes", "signed_on", "expires", "withdrawn", "guardians_signed"],
             empty=_("No consent matches.")))
