"""campaign engagement record|fetch|import|top."""
from __future__ import annotations

import click

from campaign.cli.common import CampaignGroup, echo_table, emit, json_option, workspace
from campaign.workspace.i18n import N_, _, format_number, ngettext, translate


@click.group(cls=CampaignGroup)
def engagement():
    """Likes, comments and shares of published posts (the billboard is chosen by them)."""


@engagement.command()
@click.argument("post_id")
@click.option("--likes", required=True, help=N_("Likes (or reactions) so far."))
@click.option("--comments", required=True, help=N_("Comments so far."))
@click.option("--shares", default="0", show_default=True, help=N_("Shares so far."))
@click.option("--reach", default=None, help=N_("Accounts reached, if known."))
@click.option("--at", default=None,
              help=N_("When the figures were read, YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM (default: now)."))
@json_option
@click.pass_context
def record(ctx, post_id, likes, comments, shares, reach, at, as_json):
    """Record figures typed in by hand for one published post."""
    from campaign.figures import record_engagement

    snap = record_engagement(workspace(ctx), post_id, likes, comments, shares, reach, at)
    emit(snap, as_json, lambda snap: click.echo(
        _("Recorded for {post_id}: {likes} likes, {comments} comments, {shares} shares.",
          post_id=post_id, likes=format_number(snap['likes']),
          comments=format_number(snap['comments']), shares=format_number(snap['shares']))))


@engagement.command()
@click.option("--n", "n", type=int, default=None, help=N_("Show only the best N."))
@json_option
@click.pass_context
def top(ctx, n, as_json):
    """Rank portraits by engagement, every post counted at the same age (see campaign.toml [engagement])."""
    from campaign.figures import top as rank_top

    emit(rank_top(workspace(ctx), n), as_json, _said_top)


def _said_top(rows: list[dict]) -> None:
    figures = ("score", "likes", "comments", "shares")
    echo_table([{**r, **{k: format_number(r.get(k)) for k in figures}} for r in rows],
               ["rank", "portrait_id", "first_name", *figures], empty=_("No published posts yet."))
    for row in rows:
        click.echo(f"\n{row['rank']}. {row['portrait_id']}: {translate(row['why'])}")
        for p in row["posts"]:
            click.echo(_("   {post_id} {channel}: {likes} likes, {comments} comments, {shares} shares -> "
                         "{score} ({how})",
                         post_id=p['post_id'], channel=p['channel'], likes=format_number(p['likes']),
                         comments=format_number(p['comments']), shares=format_number(p['shares']),
                         score=format_number(p['score']), how=translate(p['how'])))


@engagement.command()
@json_option
@click.pass_context
def fetch(ctx, as_json):
    """Ask Instagram and Facebook for fresh figures of every published post (a new snapshot each)."""
    from campaign.posting.accounts import fetch_engagement

    emit(fetch_engagement(workspace(ctx)), as_json, _said_fetched)


def _said_fetched(result: dict) -> None:
    for f in result["fetched"]:
        more = {"saved": N_(", {value} saved"), "views": N_(", {value} views"), "reach": N_(", {value} reached")}
        click.echo(_("{post_id}: {likes} likes, {comments} comments, {shares} shares{more}",
                     post_id=f['post_id'], likes=format_number(f['likes']), comments=format_number(f['comments']),
                     shares=format_number(f['shares']),
                     more="".join(_(more[k], value=format_number(f[k])) for k in more if f.get(k) is not None)))
    for w in result.get("warnings", []):
        click.echo(_("Warning: {w}", w=translate(w)), err=True)
    if result["skipped_outbox"]:
        click.echo(ngettext("{n} post went to the offline outbox: nothing to fetch (type figures in with "
                            "`engagement record`).", "{n} posts went to the offline outbox: nothing to fetch (type "
                            "figures in with `engagement record`).", len(result["skipped_outbox"]),
                            n=len(result["skipped_outbox"])))
    for e in result["errors"]:
        click.echo(_("Warning: {post_id}: {error}", post_id=e['post_id'], error=translate(e['error'])), err=True)
    if not result["fetched"] and not result["skipped_outbox"] and not result["errors"]:
        click.echo(_("No published posts yet."))


@engagement.command("import")
@click.argument("csv_file", metavar="CSV", type=click.Path(dir_okay=False))
@click.option("--at", default=None,
              help=N_("When the export was made, YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM (default: now)."))
@json_option
@click.pass_context
def import_(ctx, csv_file, at, as_json):
    """Read a Meta Business Suite post export (Facebook or Instagram, German or English)."""
    from campaign.figures import import_export

    emit(import_export(workspace(ctx), csv_file, at), as_json, _said_imported)


def _said_imported(result: dict) -> None:
    click.echo(ngettext("Imported figures for {n} post.", "Imported figures for {n} posts.", len(result["imported"]),
                        n=len(result["imported"])))
    for u in result["unmatched"]:
        click.echo(_("Not matched (line {line}): {post_id} - not one of our published posts.", line=u['line'],
                     post_id=u['post_id'] or u['permalink']),
                   err=True)
