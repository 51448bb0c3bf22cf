"""campaign whatsapp bundle|send|subscribers."""
from __future__ import annotations

import click

from campaign.cli.common import CampaignGroup, echo_json, echo_table, json_option, warn, workspace


@click.group(cls=CampaignGroup)
def whatsapp() -> None:
    """The day's portrait on WhatsApp, in many languages (whatsapp consent only)."""


@whatsapp.command("bundle")
@click.option("--lang", "langs", help="Languages, comma-separated (default: [whatsapp] languages, else every one the portrait has).")
@click.option("--from", "start", help="First day (default today).")
@click.option("--to", "end", help="Last day (default: the first).")
@click.option("--out", type=click.Path(file_okay=False), help="Folder (default exports/whatsapp).")
@json_option
@click.pass_context
def bundle(ctx, langs, start, end, out, as_json):
    """Per day and language the image and the message text, and one page listing them."""
    from campaign.whatsapp import make_bundle

    result = make_bundle(workspace(ctx), langs, start, end, out)
    if as_json:
        echo_json(result)
        return
    click.echo(f"{result['messages']} message(s) in {', '.join(result['languages'])} for "
               f"{', '.join(result['days'])}: {result['index']}")
    for s in result["skipped"]:
        warn(f"{s['day']}{' ' + s['lang'] if s.get('lang') else ''}: {s['reason']}")


@whatsapp.command("send")
@click.option("--day", help="The day whose portrait goes out (default today).")
@json_option
@click.pass_context
def send(ctx, day, as_json):
    """Send the day's portrait to every subscriber who has not had it (WhatsApp Cloud API)."""
    from campaign.whatsapp import send as do_send

    result = do_send(workspace(ctx), day)
    if as_json:
        echo_json(result)
    else:
        click.echo(f"{result['day']}: {result['portrait_id']} to {result['subscribers']} subscriber(s): "
                   f"{result['sent']} sent, {result['already']} had it already, {result['failed']} failed, "
                   f"{result['retry_later']} to try again later, {result['unknown']} unknown.")
        for lang, n in result["languages_missing"].items():
            warn(f"{n} subscriber(s) reading {lang} got the quote's own language: there is no {lang} translation.")
        for error in result["errors"]:
            warn(error)
    ctx.exit(1 if result["failed"] or result["unknown"] else 0)


@whatsapp.group("subscribers", cls=CampaignGroup)
def subscribers_group() -> None:
    """People who opted in to the campaign's WhatsApp messages (numbers are never shown)."""


@subscribers_group.command("add")
@click.argument("number")
@click.option("--lang", required=True, help="The language they read, e.g. tr.")
@click.option("--opted-in", required=True, help="The day they agreed (YYYY-MM-DD or DD.MM.YYYY).")
@click.option("--source", required=True, help='Where the opt-in comes from, e.g. "sign-up form, Stadtfest".')
@json_option
@click.pass_context
def add(ctx, number, lang, opted_in, source, as_json):
    """Record one opt-in."""
    from campaign.whatsapp import add_subscriber

    sub = add_subscriber(workspace(ctx), number, lang, opted_in, source)
    echo_json(sub) if as_json else click.echo(f"Subscribed {sub['id']} ({sub['number']}, {sub['lang']}).")


@subscribers_group.command("remove")
@click.argument("who", metavar="NUMBER|ID")
@json_option
@click.pass_context
def remove(ctx, who, as_json):
    """STOP: the subscriber gets nothing more, from now on."""
    from campaign.whatsapp import remove_subscriber

    sub = remove_subscriber(workspace(ctx), who)
    echo_json(sub) if as_json else click.echo(f"Removed {sub['id']} ({sub['number']}); they get no more messages.")


@subscribers_group.command("list")
@json_option
@click.pass_context
def list_(ctx, as_json):
    """The subscribers, numbers masked."""
    from campaign.whatsapp import list_subscribers

    rows = list_subscribers(workspace(ctx))
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows, ["id", "number", "lang", "opted_in", "source"], "No subscribers yet.")


@subscribers_group.command("import")
@click.argument("csv_path", metavar="CSV", type=click.Path(dir_okay=False))
@click.option("--source", help="Where these opt-ins come from, for rows without a source column.")
@json_option
@click.pass_context
def import_(ctx, csv_path, source, as_json):
    """Import opt-ins: columns number, lang, opted_in (and source). All rows or none."""
    from campaign.whatsapp import import_subscribers

    result = import_subscribers(workspace(ctx), csv_path, source)
    if as_json:
        echo_json(result)
    else:
        click.echo(f"Added {result['added']} subscriber(s); {result['already_subscribed']} already subscribed, "
                   f"{result['sent_stop']} left out because they sent STOP after their opt-in.")
