"""Where a command may write what a person named with `--out` (or a FILE argument).

Never over the store, its kept versions, `campaign.toml` or anything under `.private/`, whatever
`--force` says: those are the workspace itself, and losing them loses the campaign. And never over
a file this tool did not write: an output written to a chosen path is recorded in the store's
`outputs` table (`footprint.record_output`), so a path recorded there for the same kind of output
is ours to replace; anything else at that path is someone's file.
"""
from __future__ import annotations

import os
from pathlib import Path

from campaign.workspace import CONFIG_NAME, PRIVATE_NAME, STORE_NAME, Workspace
from campaign.workspace.store import BACKUP_DIR
from portraits.errors import CampaignError
from portraits.messages import _m


def _real(path: Path) -> Path:
    """The path with every link followed, as far as it exists (a link to the store is the store)."""
    return Path(os.path.realpath(path))


def _protected(ws: Workspace) -> tuple[list[Path], list[Path]]:
    """(files never replaced, folders never written into)."""
    root = _real(ws.root)
    return [root / STORE_NAME, root / CONFIG_NAME], [root / PRIVATE_NAME, root / BACKUP_DIR]


def refuse_protected(ws: Workspace, target: str | Path) -> None:
    """Stop before anything is written when `target` is the store or campaign.toml, or lies in
    .private/ or the kept store versions."""
    real = _real(Path(target))
    files, folders = _protected(ws)
    hit = real in files or any(real.is_relative_to(f) for f in folders)
    if hit:
        raise CampaignError(_m("{target} is part of the workspace itself (the store, campaign.toml or its private "
                               "files); nothing was written.", target=target),
                            _m("Give --out a file or folder of its own, e.g. under exports/."))


def refuse_foreign_file(ws: Workspace, target: str | Path, kind: str) -> Path:
    """`target` as a file this kind of output may write: new, or one an output of this kind wrote there."""
    from campaign.workspace import footprint

    target = Path(target)
    refuse_protected(ws, target)
    if target.is_dir():
        raise CampaignError(_m("{target} is a folder.", target=target), _m("Give --out a file name."))
    if not (target.exists() or target.is_symlink()):
        return target
    where = footprint.stored_path(ws, target)
    ours = any(o.get("kind") == kind and o.get("path") == where
               for o in ws.store.read().table(footprint.OUTPUTS).all())
    if target.is_symlink() or not ours:
        raise CampaignError(_m("{target} already exists and this tool did not write it; nothing was changed.",
                               target=target),
                            _m("Choose another file name, or move that file away first."))
    return target


def private_folder(path: Path, up_to: Path | None = None) -> None:
    """Folders of a person's export are as private as .private/ (0700, whatever the umask): made
    here, or tightened up to `up_to` when `path` is a file inside it."""
    folder = path if up_to is None else path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    while True:
        os.chmod(folder, 0o700)
        if up_to is None or folder == up_to:
            break
        folder = folder.parent
