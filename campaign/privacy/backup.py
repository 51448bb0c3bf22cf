"""A whole workspace in one archive (`campaign backup`), and back (`campaign restore`).

The archive is what a city's IT keeps for a bad day: the store, photos, renders, exports, the log,
and the private parts (`.private/`: consent forms, session keys; `.backups/`: earlier store
versions; surnames in the store). It is therefore written with mode 0600, outside the workspace,
and recorded among the outputs that show people, so that `gdpr erase` lists it to delete by hand.

A restore reads and checks the whole archive into a new folder next to the target before anything
is replaced: members only inside the workspace, no links, every file as the manifest says (size and
SHA-256), and a store and settings that open. Only then does it rename the folder into place. It
never writes over a folder the tool did not make: the target is new, empty, or (with `replace`) a
workspace, which is kept beside it under another name rather than deleted.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import secrets
import shutil
import stat
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from campaign.workspace import CONFIG_NAME, PRIVATE_NAME, STORE_NAME, Workspace
from portraits.errors import CampaignError
from portraits.files import fsync_folder, temp_prefix
from portraits.messages import _m

MANIFEST = "campaign-backup.json"
FORMAT = 1
KIND = "backup"  # its record in the outputs table (campaign.workspace.footprint)
PRIVATE_PARTS = (PRIVATE_NAME, ".backups")
RESTORING = ".restoring-"  # a half-restored folder: .<target name>.restoring-<hex>


@dataclass(frozen=True)
class Member:
    """One file of the archive as its manifest describes it."""
    path: str
    size: int
    sha256: str
    mode: int


def _skipped(rel: PurePosixPath) -> bool:
    """Lock files belong to running processes, and half-written temporary files to nobody."""
    name = rel.name
    return name.endswith(".lock") or (name.startswith(".") and name.endswith(".tmp"))


def _workspace_files(ws: Workspace) -> list[PurePosixPath]:
    """Every regular file of the workspace, relative; links are not followed (nothing outside comes in)."""
    found = []
    for folder, dirs, files in os.walk(ws.root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink() and RESTORING not in d)
        for name in sorted(files):
            path = here / name
            rel = PurePosixPath(path.relative_to(ws.root).as_posix())
            if not _skipped(rel) and stat.S_ISREG(path.lstat().st_mode):
                found.append(rel)
    return found


def _add(tar: tarfile.TarFile, name: str, data: bytes, mode: int, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, int(mtime)
    tar.addfile(info, io.BytesIO(data))


def _refuse_out(ws: Workspace, out: Path) -> None:
    if out.is_relative_to(ws.root):
        raise CampaignError(_m("{out} is inside the workspace: the next backup would hold this one.", out=out),
                            _m("Write the backup to a folder outside the workspace."))
    if out.exists() or out.is_symlink():
        raise CampaignError(_m("{out} already exists; a backup never replaces a file.", out=out),
                            _m("Choose a new file name, e.g. with today's date in it."))
    if not out.parent.is_dir():
        raise CampaignError(_m("The folder {folder} does not exist.", folder=out.parent),
                            _m("Create it first, or choose another --out."))


def _write_archive(ws: Workspace, f, store: bytes) -> tuple[list[Member], dict]:
    """Every file (one at a time in memory: a photo, never the whole workspace), then the manifest."""
    members: list[Member] = []
    with tarfile.open(fileobj=f, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for rel in _workspace_files(ws):
            path = ws.root / rel
            try:
                data = store if str(rel) == STORE_NAME else path.read_bytes()
                st = path.stat()
            except FileNotFoundError:  # a temporary output that went while we walked
                continue
            mode = stat.S_IMODE(st.st_mode)
            _add(tar, str(rel), data, mode, st.st_mtime)
            members.append(Member(str(rel), len(data), hashlib.sha256(data).hexdigest(), mode))
        manifest = {"format": FORMAT, "made_at": ws.now().isoformat(timespec="seconds"),
                    "schema": json.loads(store).get("_meta", {}).get("1", {}).get("schema"),
                    "private": [p for p in PRIVATE_PARTS if (ws.root / p).exists()] + [STORE_NAME],
                    "files": [m.__dict__ for m in members]}
        _add(tar, MANIFEST, json.dumps(manifest, indent=1).encode(), 0o600, ws.now().timestamp())
    return members, manifest


def backup_workspace(ws: Workspace, out: Path) -> dict:
    """Write the whole workspace to `out` (a new .tar.gz file outside it); return what it holds."""
    from campaign.workspace.footprint import record_output

    out = Path(os.path.abspath(out))
    _refuse_out(ws, out)
    with ws.store.lock:  # the store as one version, never half a transaction's files
        store = ws.store.path.read_bytes()
    ws.store._load(store)  # a broken store is refused here, not discovered on the bad day
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(out.name), suffix=".tmp", dir=out.parent)
    try:
        os.fchmod(fd, 0o600)  # it holds surnames, consent forms and keys
        with os.fdopen(fd, "wb") as f:
            members, manifest = _write_archive(ws, f, store)
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, out)  # fails if someone made `out` meanwhile: never replaced
    except FileExistsError:
        raise CampaignError(_m("{out} already exists; a backup never replaces a file.", out=out),
                            _m("Choose a new file name, e.g. with today's date in it.")) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    fsync_folder(out.parent)
    people = [p["id"] for p in ws.store.read().table("portraits").all()]
    record_output(ws, KIND, out, people, discard=lambda: out.unlink(missing_ok=True))
    return {"archive": str(out), "files": len(members), "bytes": out.stat().st_size,
            "private": manifest["private"], "portraits": len(people)}


def _safe_name(name: str) -> PurePosixPath | None:
    """A member name that stays inside the workspace, or None."""
    if not name or "\\" in name or "\x00" in name:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("..", "") for part in path.parts) or path.parts[0] == ".":
        return None
    return path


def _not_a_backup(archive: Path, why: str) -> CampaignError:
    return CampaignError(_m("{archive} is not a campaign backup that can be restored: {why}.", archive=archive,
                            why=why), _m("Nothing was changed. Use an archive made by `campaign backup`."))


def _unpack(archive: Path, folder: Path) -> tuple[dict, dict[str, tuple[int, str]]]:  # noqa: C901 - every check of an untrusted member, in one loop over the stream
    """Write the archive's files into `folder` (ours, new) as they stream by; return its manifest and
    what was written (size, SHA-256). Names must stay inside; only regular files, no links."""
    try:
        tar = tarfile.open(archive, mode="r:gz")
    except FileNotFoundError:
        raise CampaignError(_m("{archive} does not exist.", archive=archive),
                            _m("Give the path of a file made by `campaign backup`.")) from None
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise _not_a_backup(archive, _m("it is not a readable .tar.gz archive")) from None
    written: dict[str, tuple[int, str]] = {}
    manifest_bytes = None
    try:
        with tar:
            for info in tar:
                name = _safe_name(info.name)
                if name is None:
                    raise _not_a_backup(archive, _m("{name} would be written outside the workspace",
                                                    name=info.name))
                if info.isdir():
                    continue
                if not info.isreg():
                    raise _not_a_backup(archive, _m("{name} is a link or a special file", name=info.name))
                if str(name) in written or (str(name) == MANIFEST and manifest_bytes is not None):
                    raise _not_a_backup(archive, _m("{name} is in it twice", name=info.name))
                source = tar.extractfile(info)
                if str(name) == MANIFEST:
                    manifest_bytes = source.read()
                    continue
                written[str(name)] = _write_member(folder / name, source, info)
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise _not_a_backup(archive, _m("the archive is damaged or cut short")) from None
    try:
        manifest = json.loads(manifest_bytes)
        listed = [Member(**m) for m in manifest["files"]]
        if manifest["format"] != FORMAT:
            raise ValueError
    except (KeyError, ValueError, TypeError):
        raise _not_a_backup(archive, _m("it has no manifest ({name}) this version reads", name=MANIFEST)) from None
    if {m.path for m in listed} != set(written):
        raise _not_a_backup(archive, _m("its files are not the ones its manifest lists"))
    for m in listed:
        if written[m.path] != (m.size, m.sha256):
            raise _not_a_backup(archive, _m("{name} is not the file that was backed up", name=m.path))
    for needed in (CONFIG_NAME, STORE_NAME):
        if needed not in written:
            raise _not_a_backup(archive, _m("it has no {name}", name=needed))
    return manifest, written


def _write_member(path: Path, source, info: tarfile.TarInfo) -> tuple[int, str]:
    """One file, created new (never over another), with its mode and time; its size and SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest, size = hashlib.sha256(), 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as f:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            f.write(chunk)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(path, (info.mode & 0o777) | 0o600)
    os.utime(path, (info.mtime, info.mtime))
    return size, digest.hexdigest()


def _check_target(target: Path, replace: bool) -> str:
    """'new', 'empty' or 'workspace' (then only with `replace`); anything else is refused."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise CampaignError(_m("{target} exists and is not a folder.", target=target),
                            _m("Restore into a new folder."))
    if not target.exists():
        if not target.parent.is_dir():
            raise CampaignError(_m("The folder {folder} does not exist.", folder=target.parent),
                                _m("Create it first, or restore somewhere else."))
        return "new"
    if not any(target.iterdir()):
        return "empty"
    if not (target / CONFIG_NAME).is_file():
        raise CampaignError(_m("{target} holds files that are not a campaign workspace.", target=target),
                            _m("Restore into a new or empty folder; nothing was changed."))
    if not replace:
        raise CampaignError(_m("{target} already holds a campaign.", target=target),
                            _m("Restore into a new folder, or add --replace: the current one is then kept "
                               "beside it, renamed."))
    from schedules.daemon import DaemonLock

    if DaemonLock.running(Workspace(target)):
        raise CampaignError(_m("The publishing daemon runs on {target}.", target=target),
                            _m("Stop `campaign run` (and `campaign serve`) first, then restore."))
    return "workspace"


def _opens(folder: Path) -> None:
    """The restored store and settings open as a workspace would open them."""
    from campaign.workspace.store import Store

    ws = Workspace(folder)
    try:
        ws.config  # noqa: B018 - reading it checks the restored campaign.toml
        Store(folder / STORE_NAME, create=False, backups=0).read()
    except CampaignError as e:
        raise CampaignError(_m("The backup's store or settings do not open: {why}", why=e.message),
                            _m("Nothing was changed. Use an older backup.")) from None


def _remove_half_restored(target: Path) -> None:
    """Folders a killed restore into `target` left (their name says they are ours)."""
    for stale in target.parent.glob(f".{target.name}{RESTORING}*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)


def restore_workspace(archive: Path, target: Path, replace: bool = False) -> dict:
    """Restore a backup into `target`: checked in full first, then renamed into place."""
    archive, target = Path(os.path.abspath(archive)), Path(os.path.abspath(target))
    state = _check_target(target, replace)
    _remove_half_restored(target)
    staging = target.parent / f".{target.name}{RESTORING}{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700)
    try:
        manifest, files = _unpack(archive, staging)
        with contextlib.suppress(FileNotFoundError):
            (staging / PRIVATE_NAME).chmod(0o700)
        _opens(staging)
        state = _check_target(target, replace)  # as it is now, after the slow part
        kept = None
        if state == "empty":
            target.rmdir()
        elif state == "workspace":
            kept = target.parent / f"{target.name}.before-restore-{secrets.token_hex(3)}"
            os.rename(target, kept)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    fsync_folder(target.parent)
    return {"workspace": str(target), "files": len(files), "made_at": manifest["made_at"],
            "private": manifest.get("private", []), "kept": str(kept) if kept else None}
