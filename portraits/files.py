"""Files written atomically: a crash leaves the old content or the new one, never a mix.

Temporary file in the same folder, fsync, rename, fsync the folder (as pipx does). It lives in
`portraits`, the lowest package, so that every layer writes its files the same way.

A file that belongs to a store record (a kept photo) is *staged*: written under its temporary
name while the transaction runs and renamed only once the store has committed the record. A
kill before the commit leaves a `.NAME.*.tmp` file and no record (`campaign doctor` removes it);
a kill between commit and rename leaves that temporary file next to the record that names it
(`campaign doctor --fix` finishes the rename). Never a photo that no record points to.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

STAGED_ATTR = "staged_files"  # set on a TinyDB by the store's transaction: [(temporary, final), ...]


def cache_dir() -> Path:
    """The user's cache folder for this tool (platformdirs: `$XDG_CACHE_HOME/campaign`, else
    `~/.cache/campaign` on Linux). Everything kept there is worked out again when missing, so
    deleting it is always safe."""
    from platformdirs import user_cache_path  # here, not at the top: most commands never need it

    return user_cache_path("campaign", appauthor=False)


def temp_prefix(name: str) -> str:
    """Temporary files for `name` start with this (and end in .tmp): how cleanup tools know them."""
    return f".{name}."


@contextlib.contextmanager
def _temp_beside(path: Path, tag: str = "", mode: int | None = None) -> Iterator[tuple[IO[bytes], Path]]:
    """A new temporary file beside `path` (named by `temp_prefix`, then `tag`), open for writing:
    flushed and fsynced when the block ends, removed if it fails."""
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name) + tag, suffix=".tmp", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            yield f, Path(tmp)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _write_temp(path: Path, data: bytes, mode: int | None) -> Path:
    with _temp_beside(path, mode=mode) as (f, tmp):
        f.write(data)
    return tmp


def write_temp(path: Path, data: bytes, mode: int | None = None) -> Path:
    """`data` under a temporary name beside `path` (fsynced): the first half of a staged write, done
    before the transaction that records it (`adopt_staged`), so no lock is held while it is written."""
    return _write_temp(Path(path), data, mode)


class _Hashing:
    """A write-only file that hashes what passes through it. No `fileno`: Pillow then writes
    through `write` instead of straight to the descriptor."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


def stream_temp(path: Path, write: Callable[[IO[bytes]], None], tag: str = "") -> tuple[Path, str]:
    """What `write` writes, under a temporary name beside `path` (fsynced), and its SHA-256: a staged
    write like `write_temp` for a file too large to hold twice in memory (a 24 MP photo's clean copy).
    `tag` goes into the temporary name after the prefix (`temp_prefix`), e.g. the writer's process id."""
    with _temp_beside(Path(path), tag) as (f, tmp):
        hashing = _Hashing(f)
        write(hashing)  # type: ignore[arg-type]  # a file as far as a writer is concerned
    return tmp, hashing.hash.hexdigest()


def fsync_folder(folder: Path) -> None:
    """Make a rename or link in `folder` survive a power cut."""
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace `path` with `data`; `mode` (e.g. 0o600) is set before the content is written."""
    path = Path(path)
    tmp = _write_temp(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_folder(path.parent)


def atomic_write_all(files: list[tuple[Path, bytes]]) -> None:
    """Several files, each replaced as `atomic_write_bytes` replaces one and in the order given, with
    their fsyncs done side by side and each folder fsynced once: the eight files of one portrait's
    renders wait for the disk about once, not sixteen times."""
    from concurrent.futures import ThreadPoolExecutor

    files = [(Path(path), data) for path, data in files]
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(files)))) as pool:
        writing = [pool.submit(_write_temp, path, data, None) for path, data in files]
    temps = [w.result() for w in writing if w.exception() is None]
    try:
        if len(temps) < len(files):
            next(w for w in writing if w.exception() is not None).result()  # raises it
        for (path, _data), tmp in zip(files, temps):
            os.replace(tmp, path)
    except BaseException:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    for folder in dict.fromkeys(path.parent for path, _data in files):
        fsync_folder(folder)


def stage_bytes(db: Any, path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `path` so that it appears when the store transaction holding `db` commits.

    Outside a transaction (a plain TinyDB) the file is written at once."""
    path = Path(path)
    tmp = _write_temp(path, data, mode)
    pending = getattr(db, STAGED_ATTR, None)
    if pending is None:
        os.replace(tmp, path)
        fsync_folder(path.parent)
    else:
        pending.append((tmp, path))


def adopt_staged(db: Any, pairs: list[tuple[Path, Path]]) -> None:
    """Files written beforehand with `write_temp` join the transaction holding `db`: named when it
    commits, removed when it fails. A temporary file that is gone meanwhile (`campaign doctor --fix`
    took it for a leftover) raises FileNotFoundError before anything is recorded."""
    # One listing per folder, and plain strings: 1,000 stats, or hashing 1,000 Paths, were a fifth
    # of a 1,000-row import's time under the store lock.
    present: dict[str, set[str]] = {}
    missing = []
    for tmp, _final in pairs:
        folder, name = os.path.split(os.fspath(tmp))
        if folder not in present:
            present[folder] = set(os.listdir(folder or "."))
        if name not in present[folder]:
            missing.append(tmp)
    if missing:
        raise FileNotFoundError(str(missing[0]))
    pending = getattr(db, STAGED_ATTR, None)
    if pending is None:
        publish_staged(pairs)
    else:
        pending.extend(pairs)


def publish_staged(pending: list[tuple[Path, Path]]) -> None:
    """After the commit: give every staged file its final name."""
    folders = set()
    for tmp, final in pending:
        target = os.fspath(final)
        os.replace(tmp, target)
        folders.add(os.path.dirname(target))
    for folder in folders:
        fsync_folder(Path(folder or "."))


def discard_staged(pending: list[tuple[Path, Path]]) -> None:
    """The transaction failed: its staged files go."""
    for tmp, _final in pending:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


_KNOWN_HASHES: dict[str, str] | None = None  # stat signature -> SHA-256, see _sha256_of
_KNOWN_LIMIT = 50_000
_SAVE_PENDING = False  # an atexit hook writes what this process learnt


def _known_hashes_file() -> Path:
    return cache_dir() / "kept-hashes.json"


def _save_known_hashes() -> None:
    import json

    if not _KNOWN_HASHES:
        return
    with contextlib.suppress(OSError):
        target = _known_hashes_file()
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, json.dumps(dict(list(_KNOWN_HASHES.items())[-_KNOWN_LIMIT:])).encode(), 0o600)


def sha256_file(path: Path) -> str:
    """The file's SHA-256, read a megabyte at a time."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _sha256_of(path: Path) -> str:
    """The file's SHA-256, remembered (in the user's cache folder) under its device, inode, size,
    mtime and ctime: a file written, copied or moved in gets a new ctime or inode and is hashed
    again, so `campaign doctor` does not read every 7 MB photo on every run."""
    import json

    global _KNOWN_HASHES, _SAVE_PENDING
    if _KNOWN_HASHES is None:
        try:
            _KNOWN_HASHES = dict(json.loads(_known_hashes_file().read_bytes()))
        except (OSError, ValueError, TypeError):
            _KNOWN_HASHES = {}
    st = os.stat(path)
    key = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"
    if key in _KNOWN_HASHES:
        return _KNOWN_HASHES[key]
    digest = sha256_file(path)
    if os.stat(path).st_ctime_ns == st.st_ctime_ns:  # not changed while it was read
        if not _SAVE_PENDING:
            import atexit

            atexit.register(_save_known_hashes)
            _SAVE_PENDING = True
        _KNOWN_HASHES[key] = digest
    return digest


def kept_file_problem(path: Path, folder: Path, sha256: str | None) -> str | None:
    """What is wrong with a file the store keeps under a hash (a photo, a consent form), or None.

    Read for an export, a render or a publish, such a file must be the one the store recorded: a
    link (to /etc/shadow, to another person's photo) is never followed, and content whose SHA-256
    is not the recorded one is someone else's picture or form under this person's name."""
    path = Path(path)
    if path.is_symlink():
        return "link"
    if not path.exists():
        return "missing"
    if not os.path.realpath(path).startswith(os.path.realpath(folder) + os.sep) or not path.is_file():
        return "outside"
    if sha256 and _sha256_of(path) != sha256:
        return "changed"
    return None


def require_kept_file(path: Path, folder: Path, sha256: str | None, photo: bool, hint: str) -> Path:
    """`path` if it is the file the store recorded (a photo, else a consent form); else a message
    saying what is wrong, and `hint`."""
    from portraits.errors import CampaignError
    from portraits.messages import _m

    problem = kept_file_problem(path, folder, sha256)
    if problem in ("link", "outside"):
        raise CampaignError(_m("The photo {path} is a link to another file, so it is not used.", path=path) if photo
                            else _m("The consent form {path} is a link to another file, so it is not used.",
                                    path=path), hint)
    if problem == "changed":
        raise CampaignError(_m("The photo {path} is not the one that was added (its content was changed or "
                               "replaced), so it is not used.", path=path) if photo
                            else _m("The consent form {path} is not the one that was recorded (its content was "
                                    "changed or replaced), so it is not used.", path=path), hint)
    if problem == "missing":
        raise CampaignError(_m("The photo {path} is missing.", path=path) if photo
                            else _m("The consent form {path} is missing.", path=path), hint)
    return path
