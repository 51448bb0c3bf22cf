"""campaign engagement record|fetch|import|top."""
from __future__ import annotations

import click

from campaign.cli.common import CampaignGroup, echo_json, echo_table, json_option, workspace


@click.group(cls=CampaignGroup)
def engagement():
    """Likes, comments and shares of published posts (the billboard is chosen by them)."""


@engagement.command()
@click.argument("post_id")
@click.option("--likes", required=True, help="Likes (or reactions) so far.")
@click.option("--comments", required=True, help="Comments so far.")
@click.option("--shares", default="0", show_default=True, help="Shares so far.")
@click.option("--reach", default=None, help="Accounts reached, if known.")
@click.option("--at", default=None, help="When the figures were read, YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM (default: now).")
@json_option
@click.pass_context
def record(ctx, post_id, likes, comments, shares, reach, at, as_json):
    """Record figures typed in by hand for one published post."""
    from campaign.engagement import record_engagement

    snap = record_engagement(workspace(ctx), post_id, likes, comments, shares, reach, at)
    if as_json:
        echo_json(snap)
    else:
        click.echo(f"Recorded for {post_id}: {snap['likes']} likes, {snap['comments']} comments, "
                   f"{snap['shares']} shares.")


@engagement.command()
@click.option("--n", "n", type=int, default=None, help="Show only the best N.")
@json_option
@click.pass_context
def top(ctx, n, as_json):
    """Rank portraits by engagement, every post counted at the same age (see campaign.toml [engagement])."""
    from campaign.engagement import top as rank_top

    rows = rank_top(workspace(ctx), n)
    if as_json:
        echo_json(rows)
        return
    echo_table(rows, ["rank", "portrait_id", "first_name", "score", "likes", "comments", "shares"],
               empty="No published posts yet.")
    for row in rows:
        click.echo(f"\n{row['rank']}. {row['portrait_id']}: {row['why']}")
        for p in row["posts"]:
            click.echo(f"   {p['post_id']} {p['channel']}: {p['likes']} likes, {p['comments']} comments, "
                       f"{p['shares']} shares -> {p['score']} ({p['how']})")


@engagement.command()
@json_option
@click.pass_context
def fetch(ctx, as_json):
    """Ask Instagram and Facebook for fresh figures of every published post (a new snapshot each)."""
    from campaign.channels import fetch_engagement

    result = fetch_engagement(workspace(ctx))
    if as_json:
        echo_json(result)
        return
    for f in result["fetched"]:
        more = "".join(f", {f[k]} {k}" for k in ("saved", "views", "reach") if f.get(k) is not None)
        click.echo(f"{f['post_id']}: {f['likes']} likes, {f['comments']} comments, {f['shares']} shares{more}")
    for w in result.get("warnings", []):
        click.echo(f"Warning: {w}", err=True)
    if result["skipped_outbox"]:
        click.echo(f"{len(result['skipped_outbox'])} post(s) went to the offline outbox: nothing to fetch "
                   "(type figures in with `engagement record`).")
    for e in result["errors"]:
        click.echo(f"Warning: {e['post_id']}: {e['error']}", err=True)
    if not result["fetched"] and not result["skipped_outbox"] and not result["errors"]:
        click.echo("No published posts yet.")


@engagement.command("import")
@click.argument("csv_file", metavar="CSV", type=click.Path(dir_okay=False))
@click.option("--at", default=None, help="When the export was made, YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM (default: now).")
@json_option
@click.pass_context
def import_(ctx, csv_file, at, as_json):
    """Read a Meta Business Suite post export (Facebook or Instagram, German or English)."""
    from campaign.engagement import import_export

    result = import_export(workspace(ctx), csv_file, at)
    if as_json:
        echo_json(result)
        return
    click.echo(f"Imported figures for {len(result['imported'])} post(s).")
    for u in result["unmatched"]:
        click.echo(f"Not matched (line {u['line']}): {u['post_id'] or u['permalink']} - not one of our published posts.",
                   err=True)
