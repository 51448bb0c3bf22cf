"""campaign schedule plan|add|list|show|approve|move|cancel|retry|ical."""
from __future__ import annotations

import click

from campaign.cli.common import CampaignGroup, echo_table, emit, json_option, when, workspace
from campaign.workspace import i18n
from campaign.workspace.i18n import N_, _, format_date, translate
from schedules.channel import FORMATS, planned_channels
from schedules.model import PostStatus

POST_COLUMNS = ["id", "at", "channel", "format", "lang", "portrait_id", "first_name", "status", "reason"]


def _short(posts: list[dict]) -> list[dict]:
    return [{k: p.get(k) for k in ("id", "portrait_id", "first_name", "channel", "at", "status", "format", "lang",
                                   "remote_id", "permalink", "reason", "error", "attempts", "next_try")}
            for p in posts]


def _weekday_time(at: str, ws) -> str:
    from campaign.outputs.postview import weekday_time

    return weekday_time(at, ws)


def _selection(f):
    """Posts named by id, or chosen by portrait and dates (schedule approve / cancel)."""
    f = click.option("--to", "end", help=N_("Up to and including this day."))(f)
    f = click.option("--from", "start", help=N_("From this day on."))(f)
    f = click.option("--portrait", "portrait_id", metavar="ID",
                     help=N_("Every planned or failed post of this portrait."))(f)
    return click.argument("post_ids", metavar="[POST]...", nargs=-1)(f)


@click.group(cls=CampaignGroup)
def schedule() -> None:
    """The posting calendar."""


@schedule.command("plan")
@click.option("--start", required=True, help=N_("First day, YYYY-MM-DD or DD.MM.YYYY."))
@click.option("--end", help=N_("Last day, YYYY-MM-DD or DD.MM.YYYY (default: four weeks)."))
@click.option("--days", help=N_("Posting days, e.g. mon-sat (default from campaign.toml)."))
@click.option("--time", "at", help=N_("Local time HH:MM (default from campaign.toml)."))
@click.option("--channels",
              help=N_("Comma list: {planned_channels} (default: all).", planned_channels=','.join(planned_channels())))
@click.option("--langs",
              help=N_("Languages, e.g. de,tr,ar: the first every posting day, the others the same day where "
                      "the portrait has them (default: each portrait's own)."))
@json_option
@click.pass_context
def plan(ctx, start, end, days, at, channels, langs, as_json):
    """Fill the calendar with approved portraits: one per posting day and channel."""
    from campaign.posting.scheduling import plan_posts

    emit(plan_posts(workspace(ctx), start, end, days, at, channels, langs), as_json, _said_planned,
         lambda r: {"created": _short(r["created"]), "holidays": r["holidays"], "gaps": r["gaps"]})


def _said_planned(result: dict) -> None:
    click.echo(i18n.ngettext("Planned {n} post.", "Planned {n} posts.", len(result["created"]),
                             n=len(result["created"])))
    for h in result["holidays"]:
        name = h.get("name_de", h["name"]) if i18n.language() == "de" else h["name"]
        click.echo(_("  skipped {date}: {name}", date=format_date(h["date"]), name=name))
    for g in result["gaps"]:
        click.echo(_("  no post on {date} ({channel}): {reason}", date=format_date(g['date']),
                     channel=g['channel'], reason=g['reason']))


@schedule.command("add")
@click.argument("portrait_id", metavar="ID")
@click.option("--at", required=True, help=N_("Local date and time, YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM."))
@click.option("--channel",
              help=N_("{planned_channels} (default: all).", planned_channels=' or '.join(planned_channels())))
@click.option("--lang",
              help=N_("Language of the post (a carousel's first image); default: the portrait's own."))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="feed", show_default=True,
              help=N_("carousel: the portrait in every language it has, in one post."))
@json_option
@click.pass_context
def add(ctx, portrait_id, at, channel, lang, fmt, as_json):
    """Plan one post by hand."""
    from campaign.posting.scheduling import add_post

    emit(add_post(workspace(ctx), portrait_id, at, channel, lang, fmt), as_json, _said_added, _short)


def _said_added(created: list[dict]) -> None:
    for p in created:
        click.echo(_("Planned {id}: {portrait_id} on {channel} at {at} ({format}, {lang})", id=p['id'],
                     portrait_id=p['portrait_id'], channel=p['channel'], at=when(p['at']), format=p['format'],
                     lang=p['lang']))


@schedule.command("list")
@click.option("--from", "start", help=N_("From this day, YYYY-MM-DD or DD.MM.YYYY."))
@click.option("--to", "end", help=N_("Up to and including this day."))
@click.option("--status", type=click.Choice([s.value for s in PostStatus]))
@json_option
@click.pass_context
def list_(ctx, start, end, status, as_json):
    """List posts in time order."""
    from campaign.posting.scheduling import list_posts

    emit(_short(list_posts(workspace(ctx), start, end, status)), as_json, lambda rows: echo_table(
        [{**r, "at": when(r["at"]), "reason": translate(r["reason"])} for r in rows], POST_COLUMNS,
        empty=_("No posts. Plan some with `campaign schedule plan --start DATE`.")))


@schedule.command("move")
@click.argument("post_id", metavar="POST")
@click.option("--to", "to", required=True,
              help=N_("New local date and time, YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM."))
@click.pass_context
def move(ctx, post_id, to):
    """Move a planned post to another time."""
    from campaign.posting.scheduling import move_post

    p = move_post(workspace(ctx), post_id, to)
    click.echo(_("Moved {post_id} to {at}.", post_id=post_id, at=when(p['at'])))


@schedule.command("cancel")
@_selection
@json_option
@click.pass_context
def cancel(ctx, post_ids, portrait_id, start, end, as_json):
    """Cancel planned posts (the daemon picks it up at once): by id, or by --portrait / --from / --to."""
    from campaign.posting.scheduling import cancel_posts

    emit(cancel_posts(workspace(ctx), post_ids, portrait_id, start, end), as_json, lambda done: click.echo(
        _("Cancelled {value}.", value=', '.join(p['id'] for p in done)) if done
        else _("No planned or failed post matches; nothing changed.")), _short)


@schedule.command("approve")
@_selection
@click.option("--comment", help=N_("A note kept with the approval, e.g. what you checked."))
@json_option
@click.pass_context
def approve(ctx, post_ids, portrait_id, start, end, comment, as_json):
    """Approve posts as they are now (who: --user, CAMPAIGN_USER or the login name).

    Any later change to what a post publishes (quote, translation, photo, focal point, brand,
    time) needs a new approval; "two" in [posting] approval means two different people."""
    from campaign.posting.scheduling import approve_posts

    emit(approve_posts(workspace(ctx), post_ids, portrait_id, start, end, comment=comment), as_json, _said_approved)


def _said_approved(result: dict) -> None:
    for row in result["approved"]:
        click.echo(_("{id}: {text} (content {content_hash})", id=row['id'], text=row['approval']['text'],
                     content_hash=row['content_hash'][:12]))
    for row in result["skipped"]:
        click.echo(_("{id}: skipped, {reason}", id=row['id'], reason=row['reason']))
    if not result["approved"] and not result["skipped"]:
        click.echo(_("No planned or failed post matches; nothing changed."))
    elif result["rule"] == "none":
        click.echo(_("Approval is not required here ([posting] approval = \"none\"); it is recorded all the "
                     "same."))


@schedule.command("show")
@click.argument("post_id", metavar="POST")
@click.option("--html", "as_html", is_flag=True,
              help=N_("Write an HTML page of the post (default exports/posts/POST.html)."))
@click.option("--out", type=click.Path(dir_okay=False), help=N_("File for the HTML page (implies --html)."))
@click.option("--force", is_flag=True,
              help=N_("Replace --out even if it is not a page `schedule show` wrote."))
@json_option
@click.pass_context
def show(ctx, post_id, as_html, out, force, as_json):
    """The post exactly as it will appear: images, caption, alt text, channel, language, format, time, approval."""
    from campaign.outputs.postview import show_post, write_post_page

    ws = workspace(ctx)
    view = write_post_page(ws, post_id, out, force) if as_html or out else show_post(ws, post_id)
    emit(view, as_json, lambda v: _said_view(v, ws), lambda v: {k: x for k, x in v.items() if k != "caption_lines"})


def _said_view(view: dict, ws) -> None:
    click.echo(_("{id}: {first_name} on {channel_label}, {format_label}, {when}", id=view['id'],
                 first_name=view['first_name'] or view['portrait_id'], channel_label=view['channel_label'],
                 format_label=translate(view['format_label']), when=_weekday_time(view["at"], ws)))
    approval = translate(view["approval"]["text"])
    click.echo(_("Status: {status} ({reason}). Approval: {approval}.", status=view["status"],
                 reason=translate(view["reason"]), approval=approval) if view["reason"] else
               _("Status: {status}. Approval: {approval}.", status=view["status"], approval=approval))
    if view["problem"]:
        click.echo(_("Cannot go out as it stands: {problem}", problem=view['problem']))
    for n, image in enumerate(view["images"], 1):
        click.echo(_("Image {n} [{lang}]: {file} (input hash {hash})", n=n, lang=image['lang'],
                     file=image['file'], hash=image['hash'][:12]))
        click.echo(_("  Alt text: {alt_text}", alt_text=image['alt_text']))
    if view["caption"]:
        click.echo(_("Caption:"))
        for line in view["caption"].split("\n"):
            click.echo(f"  {line}".rstrip())
    elif view["format"] == "story":
        click.echo(_("Caption: none (stories show only the image)"))
    if view.get("content_hash"):
        click.echo(_("Content hash: {content_hash} (what an approval is given to)",
                     content_hash=view['content_hash'][:12]))
    if view.get("file"):
        click.echo(_("Page: {file}", file=view['file']))


@schedule.command("retry")
@click.argument("post_id", metavar="POST")
@click.option("--at", help=N_("When, YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM (default: now)."))
@click.pass_context
def retry(ctx, post_id, at):
    """Put a failed (or checked unknown) post back in the queue."""
    from campaign.posting.scheduling import retry_post

    p = retry_post(workspace(ctx), post_id, at)
    click.echo(_("{post_id} is planned again for {at}.", post_id=post_id, at=when(p['at'])))


@schedule.command("ical")
@click.argument("out", metavar="FILE", type=click.Path(dir_okay=False))
@click.pass_context
def ical(ctx, out):
    """Write the calendar as an iCalendar file staff can subscribe to."""
    from pathlib import Path

    from campaign.posting.scheduling import export_ical

    result = export_ical(workspace(ctx), Path(out))
    click.echo(i18n.ngettext("Wrote {n} event to {file}", "Wrote {n} events to {file}", result["events"],
                             n=result["events"], file=result["file"]))
