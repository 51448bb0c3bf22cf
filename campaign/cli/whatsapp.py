"""campaign whatsapp bundle|send|subscribers."""
from __future__ import annotations

import click

from campaign.cli.common import CampaignGroup, echo_table, emit, json_option, table_day, warn, workspace
from campaign.workspace.i18n import N_, _, ngettext, translate


@click.group(cls=CampaignGroup)
def whatsapp() -> None:
    """The day's portrait on WhatsApp, in many languages (whatsapp consent only)."""


@whatsapp.command("bundle")
@click.option("--lang", "langs",
              help=N_("Languages, comma-separated (default: [whatsapp] languages, else every one the "
                      "portrait has)."))
@click.option("--from", "start", help=N_("First day (default today)."))
@click.option("--to", "end", help=N_("Last day (default: the first)."))
@click.option("--out", type=click.Path(file_okay=False), help=N_("Folder (default exports/whatsapp)."))
@json_option
@click.pass_context
def bundle(ctx, langs, start, end, out, as_json):
    """Per day and language the image and the message text, and one page listing them."""
    from campaign.outputs.whatsapp_day import make_bundle

    emit(make_bundle(workspace(ctx), langs, start, end, out), as_json, _said_bundle)


def _said_bundle(result: dict) -> None:
    click.echo(ngettext("{n} message in {languages} for {days}: {index}", "{n} messages in {languages} for {days}: "
                        "{index}", result["messages"], n=result["messages"], languages=", ".join(result["languages"]),
                        days=", ".join(result["days"]), index=result["index"]))
    for s in result["skipped"]:
        warn(f"{s['day']}{' ' + s['lang'] if s.get('lang') else ''}: {translate(s['reason'])}")


@whatsapp.command("send")
@click.option("--day", help=N_("The day whose portrait goes out (default today)."))
@json_option
@click.pass_context
def send(ctx, day, as_json):
    """Send the day's portrait to every subscriber who has not had it (WhatsApp Cloud API)."""
    from campaign.outputs.whatsapp_day import send as do_send

    result = emit(do_send(workspace(ctx), day), as_json, _said_sent)
    ctx.exit(1 if result["failed"] or result["unknown"] else 0)


def _said_sent(result: dict) -> None:
    click.echo(_("{day}: {portrait_id} to {subscribers}: {sent} sent, {already} had it "
                 "already, {failed} failed, {retry_later} to try again later, {unknown} unknown.",
                 day=result['day'], portrait_id=result['portrait_id'],
                 subscribers=ngettext("{n} subscriber", "{n} subscribers", result["subscribers"],
                                      n=result["subscribers"]),
                 sent=result['sent'], already=result['already'], failed=result['failed'],
                 retry_later=result['retry_later'], unknown=result['unknown']))
    for lang, n in result["languages_missing"].items():
        warn(ngettext("{n} subscriber reading {language} got the quote's own language: there is no {language} "
                      "translation.", "{n} subscribers reading {language} got the quote's own language: there is no "
                      "{language} translation.", n, n=n, language=lang))
    for error in result["errors"]:
        warn(error)


@whatsapp.group("subscribers", cls=CampaignGroup)
def subscribers_group() -> None:
    """People who opted in to the campaign's WhatsApp messages (numbers are never shown)."""


@subscribers_group.command("add")
@click.argument("number")
@click.option("--lang", required=True, help=N_("The language they read, e.g. tr."))
@click.option("--opted-in", required=True, help=N_("The day they agreed (YYYY-MM-DD or DD.MM.YYYY)."))
@click.option("--source", required=True,
              help=N_("Where the opt-in comes from, e.g. \"sign-up form, Stadtfest\"."))
@json_option
@click.pass_context
def add(ctx, number, lang, opted_in, source, as_json):
    """Record one opt-in."""
    from campaign.outputs.whatsapp_day import add_subscriber

    emit(add_subscriber(workspace(ctx), number, lang, opted_in, source), as_json, lambda sub: click.echo(
        _("Subscribed {id} ({number}, {lang}).", id=sub['id'], number=sub['number'], lang=sub['lang'])))


@subscribers_group.command("remove")
@click.argument("who", metavar="NUMBER|ID")
@json_option
@click.pass_context
def remove(ctx, who, as_json):
    """STOP: the subscriber gets nothing more, from now on."""
    from campaign.outputs.whatsapp_day import remove_subscriber

    emit(remove_subscriber(workspace(ctx), who), as_json, lambda sub: click.echo(
        _("Removed {id} ({number}); they get no more messages.", id=sub['id'], number=sub['number'])))


@subscribers_group.command("list")
@json_option
@click.pass_context
def list_(ctx, as_json):
    """The subscribers, numbers masked."""
    from campaign.outputs.whatsapp_day import list_subscribers

    emit(list_subscribers(workspace(ctx)), as_json,
         lambda rows: echo_table([{**row, "opted_in": table_day(row.get("opted_in"))} for row in rows],
                                 ["id", "number", "lang", "opted_in", "source"], "No subscribers yet."))


@subscribers_group.command("import")
@click.argument("csv_path", metavar="CSV", type=click.Path(dir_okay=False))
@click.option("--source", help=N_("Where these opt-ins come from, for rows without a source column."))
@json_option
@click.pass_context
def import_(ctx, csv_path, source, as_json):
    """Import opt-ins: columns number, lang, opted_in (and source). All rows or none."""
    from campaign.outputs.whatsapp_day import import_subscribers

    emit(import_subscribers(workspace(ctx), csv_path, source), as_json, _said_imported)


def _said_imported(result: dict) -> None:
    click.echo(ngettext("Added {n} subscriber; {already_subscribed} already subscribed, {sent_stop} left "
                        "out because they sent STOP after their opt-in.",
                        "Added {n} subscribers; {already_subscribed} already subscribed, {sent_stop} left "
                        "out because they sent STOP after their opt-in.", result["added"],
                        n=result['added'], already_subscribed=result['already_subscribed'],
                        sent_stop=result['sent_stop']))
