"""campaign gdpr export|erase."""
from __future__ import annotations

from pathlib import Path

import click

from campaign.cli.common import CampaignGroup, emit, json_option, workspace
from campaign.workspace.i18n import N_, _, ngettext


@click.group(cls=CampaignGroup)
def gdpr() -> None:
    """GDPR requests: give a person their data, or erase them."""


@gdpr.command("export")
@click.argument("portrait_id", metavar="ID", required=False)
@click.option("--subscriber", help=N_("A WhatsApp subscriber's number or id instead of a portrait."))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help=N_("Folder to write to."))
@json_option
@click.pass_context
def export(ctx, portrait_id, subscriber, out_dir, as_json):
    """Everything stored about ID: a JSON file plus the photo, consent forms and renders
    (or about a WhatsApp subscriber: their number, language, opt-in and the messages sent)."""
    from campaign.outputs.whatsapp_day import export_subscriber
    from campaign.privacy.gdpr import export_person

    _one_of(portrait_id, subscriber)
    ws = workspace(ctx)
    result = export_subscriber(ws, subscriber, Path(out_dir)) if subscriber else \
        export_person(ws, portrait_id, Path(out_dir))
    emit(result, as_json, lambda r: click.echo(ngettext("Wrote {n} file to {folder}", "Wrote {n} files to {folder}",
                                                        len(r["files"]), n=len(r["files"]), folder=r["folder"])))


def _one_of(portrait_id: str | None, subscriber: str | None) -> None:
    if bool(portrait_id) == bool(subscriber):
        raise click.UsageError(_("Give a portrait ID or --subscriber NUMBER, one of them."))


@gdpr.command("erase")
@click.argument("portrait_id", metavar="ID", required=False)
@click.option("--subscriber", help=N_("A WhatsApp subscriber's number or id instead of a portrait."))
@click.option("--yes", is_flag=True, help=N_("Do not ask for confirmation."))
@json_option
@click.pass_context
def erase(ctx, portrait_id, subscriber, yes, as_json):
    """Erase ID from every file and record (press kits, bundles and galleries showing them too); the
    audit keeps an anonymous entry. Finishes an interrupted erase. With --subscriber: a WhatsApp
    subscriber's data."""
    from campaign.outputs.whatsapp_day import erase_subscriber
    from campaign.privacy.gdpr import erase_person

    _one_of(portrait_id, subscriber)
    ws = workspace(ctx)
    if subscriber:
        if not yes:
            click.confirm(_("Erase this WhatsApp subscriber and everything sent to them for good?"),
                          abort=True)
        emit(erase_subscriber(ws, subscriber), as_json, _said_subscriber_erased)
        return
    if not yes:
        click.confirm(_("Erase {portrait_id} and all their files for good?", portrait_id=portrait_id),
                      abort=True)
    emit(erase_person(ws, portrait_id), as_json, lambda r: _said_erased(r, portrait_id))


def _said_subscriber_erased(result: dict) -> None:
    click.echo(ngettext("Erased the subscriber ({value}); {n} kept version of the store removed.",
                        "Erased the subscriber ({value}); {n} kept versions of the store removed.",
                        result["backups_removed"],
                        value=', '.join((f'{n} {k}' for k, n in result['removed'].items() if n)),
                        backups_removed=result['backups_removed']))
    click.echo(_("If your own sign-up lists still hold the number, remove it there too."))


def _said_erased(result: dict, portrait_id: str) -> None:
    figures = {"portrait_id": portrait_id, "erased": result["erased"],
               "files": ngettext("{n} file or folder deleted", "{n} files and folders deleted",
                                 result["files_removed"], n=result["files_removed"]),
               "lines": ngettext("{n} log line removed", "{n} log lines removed", result["log_lines_removed"],
                                 n=result["log_lines_removed"])}
    click.echo(_("Finished erasing {portrait_id} (audit reference {erased}): {files}, {lines}.", **figures)
               if result["resumed"] else
               _("Erased {portrait_id} (audit reference {erased}): {files}, {lines}.", **figures))
    for ref in result["finished_earlier"]:
        click.echo(_("Also finished the interrupted erasure {ref}.", ref=ref))
    for p in result["takedown"]:
        click.echo(_("  Take down by hand: post {post_id} on {channel} {permalink}", post_id=p['post_id'],
                     channel=p['channel'], permalink=p.get('permalink') or p.get('remote_id') or ''))
        for photo in p.get("hosted_photo_ids", []):
            click.echo(_("  Delete by hand: the unpublished Page photo {photo} (the image of post {post_id})",
                         photo=photo, post_id=p['post_id']))
    for f in result["by_hand"]:
        click.echo(_("  Delete by hand (outside the workspace, shows them): {path}", path=f['path']))
    for note in result["redo"]:
        click.echo(_("  To do: {note}", note=note))
