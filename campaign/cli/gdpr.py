"""campaign gdpr export|erase."""
from __future__ import annotations

from pathlib import Path

import click

from campaign.cli.common import CampaignGroup, echo_json, json_option, workspace


@click.group(cls=CampaignGroup)
def gdpr() -> None:
    """GDPR requests: give a person their data, or erase them."""


@gdpr.command("export")
@click.argument("portrait_id", metavar="ID")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write to.")
@json_option
@click.pass_context
def export(ctx, portrait_id, out_dir, as_json):
    """Everything stored about ID: a JSON file plus the photo, consent forms and renders."""
    from campaign.gdpr import export_person

    result = export_person(workspace(ctx), portrait_id, Path(out_dir))
    if as_json:
        echo_json(result)
    else:
        click.echo(f"Wrote {len(result['files'])} file(s) to {result['folder']}")


@gdpr.command("erase")
@click.argument("portrait_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@click.pass_context
def erase(ctx, portrait_id, yes, as_json):
    """Erase ID from every file and record; the audit keeps an anonymous entry. Finishes an interrupted erase."""
    from campaign.gdpr import erase_person

    ws = workspace(ctx)
    if not yes:
        click.confirm(f"Erase {portrait_id} and all their files for good?", abort=True)
    result = erase_person(ws, portrait_id)
    if as_json:
        echo_json(result)
        return
    verb = "Finished erasing" if result["resumed"] else "Erased"
    click.echo(f"{verb} {portrait_id} (audit reference {result['erased']}): {result['files_removed']} file(s) "
               f"and folder(s) deleted, {result['log_lines_removed']} log line(s) removed.")
    for ref in result["finished_earlier"]:
        click.echo(f"Also finished the interrupted erasure {ref}.")
    for p in result["takedown"]:
        click.echo(f"  Take down by hand: post {p['post_id']} on {p['channel']} {p.get('permalink') or p.get('remote_id') or ''}")
        for photo in p.get("hosted_photo_ids", []):
            click.echo(f"  Delete by hand: the unpublished Page photo {photo} (the image of post {p['post_id']})")
    for f in result["by_hand"]:
        click.echo(f"  Delete by hand (outside the workspace, shows them): {f['path']}")
    for note in result["redo"]:
        click.echo(f"  To do: {note}")
