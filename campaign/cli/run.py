"""campaign run, publish, status."""
from __future__ import annotations

import click

from campaign.cli.common import echo_json, echo_table, json_option, workspace


@click.command()
@click.option("--once", is_flag=True, help="Publish what is due now, then exit (for cron or a systemd timer).")
@click.option("--sync-seconds", type=float, help="How often to re-read the store (default 5).")
@json_option
@click.pass_context
def run(ctx, once, sync_seconds, as_json):
    """The publishing daemon: publishes each planned post at its time until stopped (Ctrl-C)."""
    from schedules.runner import Runner, run_once

    ws = workspace(ctx)
    if once:
        result = run_once(ws)
        if as_json:
            echo_json(result)
            return
        for p in result["posts"]:
            why = p.get("error") if p["status"] != "planned" else p.get("reason") or p.get("error")
            click.echo(f"{p['id']}: {p['status']}" + (f" ({why})" if why else ""))
        for pid in result["unknown"]:
            click.echo(f"{pid}: unknown (was publishing when stopped) - check the account, then `campaign reconcile`")
        for pid in result["missed"]:
            click.echo(f"{pid}: failed, missed - `campaign schedule retry {pid}` to send it now")
        if not result["posts"]:
            click.echo("Nothing due.")
        return
    runner = Runner(ws, sync_seconds)
    click.echo(f"Publishing daemon for {ws.root} (Ctrl-C to stop). Log: {ws.log_path}")
    runner.run_forever()


@click.command()
@click.argument("post_id", metavar="POST_ID")
@json_option
@click.pass_context
def publish(ctx, post_id, as_json):
    """Publish one planned post now."""
    from portraits.errors import CampaignError
    from schedules.approval import WAITING
    from schedules.posts import get
    from schedules.runner import publish_post

    ws = workspace(ctx)
    post = get(ws.store.read(), post_id)
    if post["status"] != "planned":
        raise CampaignError(f"{post_id} is {post['status']}; only planned posts can be published.",
                            "A failed post goes back in the queue with `campaign schedule retry`.")
    post = publish_post(ws, post_id, force=True)
    if as_json:
        echo_json(post)
    elif post["status"] == "published":
        click.echo(f"Published {post_id} on {post['channel']}: {post.get('permalink') or post.get('remote_id')}")
    elif post["status"] == "planned" and (post.get("reason") or "").startswith(WAITING):
        raise CampaignError(f"{post_id} was not published: {post['reason']}.",
                            f"Approve it first: campaign schedule approve {post_id}")
    else:
        raise CampaignError(f"{post_id} is {post['status']}: {post.get('error') or post.get('reason')}.")


@click.command()
@json_option
@click.pass_context
def status(ctx, as_json):
    """What is due, what failed and why, what is unknown, and what to do."""
    from campaign.scheduling import status_report

    r = status_report(workspace(ctx))
    if as_json:
        echo_json(r)
        return
    click.echo(f"Daemon: {'running' if r['daemon_running'] else 'not running (start it with `campaign run`)'}")
    for c in r["channels"]:
        click.echo(f"Channel {c['channel']}: {c['publisher']}, {c['health']}"
                   + (f", last error: {c['last_error']}" if c["last_error"] else ""))
    if any(c["publisher"] != "outbox" for c in r["channels"]):
        click.echo("(`campaign channel check` asks the platforms whether the credentials work.)")
    for p in r["awaiting_approval"]:
        state = p["approval"]["text"] if p["approval"] else f"cannot go out: {p['problem']}"
        click.echo(f"Waiting for approval: {p['id']} ({p['channel']}, {p['at']}): {state}"
                   f" -> campaign schedule show {p['id']}, then campaign schedule approve {p['id']}")
    if r["due_now"]:
        click.echo(f"Due now: {', '.join(p['id'] for p in r['due_now'])}")
    click.echo("Next:" if r["next"] else "Next: nothing planned.")
    echo_table(r["next"], ["id", "at", "channel", "portrait_id"], empty="")
    for p in r["failed"]:
        click.echo(f"Failed {p['id']} ({p['channel']}, {p['at']}): {p.get('error') or p.get('reason')}"
                   f" -> fix it, then `campaign schedule retry {p['id']}`")
    for p in r["unknown"]:
        click.echo(f"Unknown {p['id']} ({p['channel']}): may or may not be online -> check the account, "
                   f"then `campaign reconcile` (or `campaign schedule retry {p['id']}` if it is not there)")
    for e in r["erasures"]:
        click.echo(f"Unfinished erasure {e['ref']} (started {e['started_at']}): some files of that person may "
                   "remain -> `campaign doctor --fix` finishes it (or `campaign gdpr erase ID` again)")
    for note in r["redo"]:
        click.echo(f"To do: {note}")
