"""campaign backup, restore."""
from __future__ import annotations

from pathlib import Path

import click

from campaign.cli.common import emit, json_option, warn, workspace
from campaign.workspace.i18n import N_, _, ngettext


@click.command()
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help=N_("The archive to write (a new .tar.gz file outside the workspace)."))
@json_option
@click.pass_context
def backup(ctx, out, as_json):
    """The whole workspace in one archive, private parts included (consent forms, surnames, keys)."""
    from campaign.privacy.backup import backup_workspace

    emit(backup_workspace(workspace(ctx), Path(out)), as_json, _said_backup)


def _said_backup(result: dict) -> None:
    click.echo(ngettext("Wrote {archive}: {n} file.", "Wrote {archive}: {n} files.", result["files"],
                        archive=result["archive"]))
    warn(_("The archive holds the private parts too ({parts}): surnames, consent forms and keys. Keep it as safe "
           "as the workspace; an erasure lists it to delete by hand.", parts=", ".join(result["private"])))


@click.command()
@click.argument("archive", type=click.Path(dir_okay=False))
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--replace", is_flag=True,
              help=N_("FOLDER holds a campaign: restore over it (the current one is kept beside it, renamed)."))
@json_option
def restore(archive, folder, replace, as_json):
    """Restore a backup into FOLDER (new or empty); the archive is checked in full before anything changes."""
    from campaign.privacy.backup import restore_workspace

    emit(restore_workspace(Path(archive), Path(folder), replace=replace), as_json, _said_restore)


def _said_restore(result: dict) -> None:
    click.echo(ngettext("Restored the backup of {made_at} into {workspace}: {n} file.",
                        "Restored the backup of {made_at} into {workspace}: {n} files.", result["files"],
                        made_at=result["made_at"], workspace=result["workspace"]))
    if result["kept"]:
        click.echo(_("The campaign that was there is kept as {kept}; delete it once the restore is checked.",
                     kept=result["kept"]))
