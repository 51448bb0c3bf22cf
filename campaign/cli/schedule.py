"""campaign schedule plan|add|list|move|cancel|retry|ical."""
from __future__ import annotations

import click

from campaign.cli.common import CampaignGroup, echo_json, echo_table, json_option, workspace
from schedules.channel import CHANNELS

POST_COLUMNS = ["id", "at", "channel", "portrait_id", "first_name", "status", "reason"]


def _short(posts: list[dict]) -> list[dict]:
    return [{k: p.get(k) for k in ("id", "portrait_id", "first_name", "channel", "at", "status", "remote_id",
                                   "permalink", "reason", "error", "attempts", "next_try")} for p in posts]


@click.group(cls=CampaignGroup)
def schedule() -> None:
    """The posting calendar."""


@schedule.command("plan")
@click.option("--start", required=True, help="First day, YYYY-MM-DD or DD.MM.YYYY.")
@click.option("--end", help="Last day, YYYY-MM-DD or DD.MM.YYYY (default: four weeks).")
@click.option("--days", help="Posting days, e.g. mon-sat (default from campaign.toml).")
@click.option("--time", "at", help="Local time HH:MM (default from campaign.toml).")
@click.option("--channels", help=f"Comma list: {','.join(CHANNELS)} (default: all).")
@json_option
@click.pass_context
def plan(ctx, start, end, days, at, channels, as_json):
    """Fill the calendar with approved portraits: one per posting day and channel."""
    from campaign.scheduling import plan_posts

    result = plan_posts(workspace(ctx), start, end, days, at, channels)
    if as_json:
        echo_json({"created": _short(result["created"]), "holidays": result["holidays"], "gaps": result["gaps"]})
        return
    click.echo(f"Planned {len(result['created'])} post(s).")
    for h in result["holidays"]:
        click.echo(f"  skipped {h['date']}: {h['name']}")
    for g in result["gaps"]:
        click.echo(f"  no post on {g['date']} ({g['channel']}): {g['reason']}")


@schedule.command("add")
@click.argument("portrait_id", metavar="ID")
@click.option("--at", required=True, help="Local date and time, YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM.")
@click.option("--channel", help=f"{' or '.join(CHANNELS)} (default: all).")
@json_option
@click.pass_context
def add(ctx, portrait_id, at, channel, as_json):
    """Plan one post by hand."""
    from campaign.scheduling import add_post

    created = add_post(workspace(ctx), portrait_id, at, channel)
    if as_json:
        echo_json(_short(created))
    else:
        for p in created:
            click.echo(f"Planned {p['id']}: {portrait_id} on {p['channel']} at {p['at']}")


@schedule.command("list")
@click.option("--from", "start", help="From this day, YYYY-MM-DD or DD.MM.YYYY.")
@click.option("--to", "end", help="Up to and including this day.")
@click.option("--status", type=click.Choice(["planned", "publishing", "published", "failed", "unknown", "cancelled"]))
@json_option
@click.pass_context
def list_(ctx, start, end, status, as_json):
    """List posts in time order."""
    from campaign.scheduling import list_posts

    rows = _short(list_posts(workspace(ctx), start, end, status))
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows, POST_COLUMNS, empty="No posts. Plan some with `campaign schedule plan --start DATE`.")


@schedule.command("move")
@click.argument("post_id", metavar="POST")
@click.option("--to", "to", required=True, help="New local date and time, YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM.")
@click.pass_context
def move(ctx, post_id, to):
    """Move a planned post to another time."""
    from campaign.scheduling import move_post

    p = move_post(workspace(ctx), post_id, to)
    click.echo(f"Moved {post_id} to {p['at']}.")


@schedule.command("cancel")
@click.argument("post_id", metavar="POST")
@click.pass_context
def cancel(ctx, post_id):
    """Cancel a planned post (the daemon picks it up at once)."""
    from campaign.scheduling import cancel_post

    cancel_post(workspace(ctx), post_id)
    click.echo(f"Cancelled {post_id}.")


@schedule.command("retry")
@click.argument("post_id", metavar="POST")
@click.option("--at", help="When, YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM (default: now).")
@click.pass_context
def retry(ctx, post_id, at):
    """Put a failed (or checked unknown) post back in the queue."""
    from campaign.scheduling import retry_post

    p = retry_post(workspace(ctx), post_id, at)
    click.echo(f"{post_id} is planned again for {p['at']}.")


@schedule.command("ical")
@click.argument("out", metavar="FILE", type=click.Path(dir_okay=False))
@click.pass_context
def ical(ctx, out):
    """Write the calendar as an iCalendar file staff can subscribe to."""
    from pathlib import Path

    from campaign.scheduling import export_ical

    result = export_ical(workspace(ctx), Path(out))
    click.echo(f"Wrote {result['events']} event(s) to {result['file']}")
