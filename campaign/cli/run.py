"""campaign run, publish, status."""
from __future__ import annotations

from datetime import date

import click

from campaign.cli.common import echo_table, emit, json_option, typed_date, when, workspace
from campaign.workspace import i18n
from campaign.workspace.i18n import N_, _, format_date, ngettext, translate
from portraits.messages import _m
from schedules.model import PostStatus


@click.command()
@click.option("--once", is_flag=True,
              help=N_("Publish what is due now, then exit (for cron or a systemd timer)."))
@click.option("--sync-seconds", type=float, help=N_("How often to re-read the store (default 5)."))
@json_option
@click.pass_context
def run(ctx, once, sync_seconds, as_json):
    """The publishing daemon: publishes each planned post at its time until stopped (Ctrl-C)."""
    from campaign.outputs.renders import publishing_site
    from campaign.workspace import longrun
    from schedules.daemon import Runner, run_once

    ws = workspace(ctx)
    if once:
        emit(run_once(publishing_site(ws)), as_json, _said_run)
        return
    runner = Runner(publishing_site(ws), sync_seconds)
    longrun.settle()
    click.echo(_("Publishing daemon for {root} (Ctrl-C to stop). Log: {log_path}", root=ws.root, log_path=ws.log_path))
    runner.run_forever()


def _said_run(result: dict) -> None:
    for p in result["posts"]:
        why = p.get("error") if p["status"] != PostStatus.PLANNED else p.get("reason") or p.get("error")
        click.echo(f"{p['id']}: {i18n.value('status', p['status'])}" + (f" ({translate(why)})" if why else ""))
    for pid in result["unknown"]:
        click.echo(_("{pid}: unknown (was publishing when stopped) - check the account, then `campaign "
                     "reconcile`", pid=pid))
    for pid in result["missed"]:
        click.echo(_("{pid}: failed, missed - `campaign schedule retry {pid}` to send it now", pid=pid))
    if not result["posts"]:
        click.echo(_("Nothing due."))


@click.command()
@click.argument("post_id", metavar="POST_ID")
@json_option
@click.pass_context
def publish(ctx, post_id, as_json):
    """Publish one planned post now."""
    from campaign.posting.scheduling import publish_now

    emit(publish_now(workspace(ctx), post_id), as_json, _said_published)


def _said_published(post: dict) -> None:
    """Published, or why not: a post left planned or failed is an error for a person (`--json` shows the post)."""
    from portraits.errors import CampaignError
    from schedules.approval import WAITING

    post_id = post["id"]
    if post["status"] == PostStatus.PUBLISHED:
        click.echo(_("Published {post_id} on {channel}: {permalink}", post_id=post_id, channel=post['channel'],
                     permalink=post.get('permalink') or post.get('remote_id')))
    elif post["status"] == PostStatus.PLANNED and (post.get("reason") or "").startswith(WAITING):
        raise CampaignError(_m("{post_id} was not published: {reason}.", post_id=post_id, reason=post['reason']),
                            _m("Approve it first: campaign schedule approve {post_id}", post_id=post_id))
    else:
        raise CampaignError(_m("{post_id} is {status}: {error}.", post_id=post_id, status=post['status'],
                               error=post.get('error') or post.get('reason')))


@click.command()
@json_option
@click.pass_context
def status(ctx, as_json):
    """What is due, what failed and why, what is unknown, and what to do."""
    from campaign.posting.scheduling import status_report

    emit(status_report(workspace(ctx)), as_json, _said_status)


def _said_status(r: dict) -> None:
    click.echo(_("Daemon: running") if r["daemon_running"]
               else _("Daemon: not running (start it with `campaign run`)"))
    for c in r["channels"]:
        health = translate(c["health"])
        click.echo(_("Channel {channel}: {publisher}, {health}, last error: {error}", channel=c["channel"],
                     publisher=c["publisher"], health=health, error=translate(c["last_error"]))
                   if c["last_error"] else
                   _("Channel {channel}: {publisher}, {health}", channel=c["channel"], publisher=c["publisher"],
                     health=health))
    if any(c["publisher"] != "outbox" for c in r["channels"]):
        click.echo(_("(`campaign channel check` asks the platforms whether the credentials work.)"))
    grouped = r["approval_range"]
    if grouped:
        first, last = (date.fromisoformat(grouped[k]) for k in ("from", "to"))
        click.echo(ngettext(
            "{n} post waits for approval ({first} to {last}) -> check them with `campaign schedule list`, then "
            "`campaign schedule approve --from {start} --to {end}`",
            "{n} posts wait for approval ({first} to {last}) -> check them with `campaign schedule list`, then "
            "`campaign schedule approve --from {start} --to {end}`", grouped["count"], n=grouped["count"],
            first=format_date(first), last=format_date(last), start=typed_date(first), end=typed_date(last)))
    for p in r["awaiting_approval"]:
        if grouped and p["approval"]:
            continue
        state = (translate(p["approval"]["text"]) if p["approval"]
                 else _("cannot go out: {problem}", problem=translate(p["problem"])))
        click.echo(_("Waiting for approval: {id} ({channel}, {at}): {state} -> campaign schedule show {id}, "
                     "then campaign schedule approve {id}",
                     id=p['id'], channel=p['channel'], at=when(p['at']), state=state))
    for p in r["takedown"]:
        click.echo(_("Take down by hand: {id} on {channel} ({where}): the person withdrew their consent for it",
                     id=p["id"], channel=p["channel"], where=p.get("permalink") or p.get("remote_id") or "-"))
    if r["due_now"]:
        click.echo(_("Due now: {value}", value=', '.join(p['id'] for p in r['due_now'])))
    click.echo(_("Next:") if r['next'] else _("Next: nothing planned."))
    echo_table([{**p, "at": when(p["at"])} for p in r["next"]], ["id", "at", "channel", "portrait_id"], empty="")
    for p in r["failed"]:
        click.echo(_("Failed {id} ({channel}, {at}): {error} -> fix it, then `campaign schedule retry {id}`",
                     id=p['id'], channel=p['channel'], at=when(p['at']),
                     error=translate(p.get('error') or p.get('reason'))))
    for p in r["unknown"]:
        click.echo(_("Unknown {id} ({channel}): may or may not be online -> check the account, then "
                     "`campaign reconcile` (or `campaign schedule retry {id}` if it is not there)",
                     id=p['id'], channel=p['channel']))
    for e in r["erasures"]:
        click.echo(_("Unfinished erasure {ref} (started {started_at}): some files of that person may remain "
                     "-> `campaign doctor --fix` finishes it (or `campaign gdpr erase ID` again)",
                     ref=e['ref'], started_at=when(e['started_at'])))
    for note in r["redo"]:
        click.echo(_("To do: {note}", note=note))
