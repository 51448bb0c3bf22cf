"""campaign engagement record|fetch|import|top."""
from __future__ import annotations

import click

from campaign.cli.common import CampaignGroup, echo_json, json_option, workspace


@click.group(cls=CampaignGroup)
def engagement():
    """Likes, comments and shares of published posts (the billboard is chosen by them)."""


@engagement.command()
@click.argument("post_id")
@click.option("--likes", required=True, help="Likes (or reactions) so far.")
@click.option("--comments", required=True, help="Comments so far.")
@click.option("--shares", default="0", show_default=True, help="Shares so far.")
@click.option("--reach", default=None, help="Accounts reached, if known.")
@json_option
@click.pass_context
def record(ctx, post_id, likes, comments, shares, reach, as_json):
    """Record figures typed in by hand for one published post."""
    from campaign.engagement import record_engagement

    snap = record_engagement(workspace(ctx), post_id, likes, comments, shares, reach)
    if as_json:
        echo_json(snap)
    else:
        click.echo(f"Recorded for {post_id}: {snap['likes']} likes, {snap['comments']} comments, "
                   f"{snap['shares']} shares.")
