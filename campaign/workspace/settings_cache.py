"""campaign.toml, checked once: the settings of a file already checked are read back without checking.

Checking the file runs every validator of the settings model (campaign/workspace/config.py), which
builds pydantic's validators for a dozen models and reads each value. A file that passed the check
is kept, as the model's dump, in the user's cache folder (~/.cache/campaign, like the hyphenation
patterns), under a key made of the file's exact bytes and the code that checks it (size and
modification time of every module of the three packages). The same file with the same code gives
the same settings, so it is read back with `model_construct` (config.read_back): the same model,
its methods and defaults, without running a validator. Any change to the file or the code is a new
key and the full check. Only files that passed are kept, so every wrong value still gives its error.

A kept copy is only ever a faster way to the same result: before it is used, it is verified against
the file it came from (parsed with tomllib, a few milliseconds). Every value the file sets must be the
kept value, and every value it leaves out must be the model's default, which is kept with the code
(in the package's __pycache__, where Python keeps its compiled code) rather than with the settings.
A kept copy edited by hand ("approval": "none" while the file says "two") is not used; the file is
checked in full instead. A file whose values the check rewrites (a hashtag without "#", spaces
around a value) is checked in full each time.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from campaign.workspace.config import Settings

FORMAT = 2  # bump when the kept form changes (2: the model's plain dump, read back with model_construct)
PACKAGES = ("campaign", "portraits", "schedules")
UI_LANGUAGE_VARIABLES = ("CAMPAIGN_UI_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
KEEP = 64  # settings files kept in the cache folder: the newest, of every campaign on this computer


def code_stamp() -> str:
    """What the check depends on besides the file: the code's modules and the interface language."""
    here = Path(__file__).resolve().parents[2]
    parts = []
    for package in PACKAGES:
        try:
            with os.scandir(here / package) as entries:
                for entry in entries:
                    if entry.name.endswith(".py"):
                        st = entry.stat()
                        parts.append(f"{package}/{entry.name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{package}:?")
    parts += [f"{var}={os.environ.get(var, '')}" for var in UI_LANGUAGE_VARIABLES]
    return "\n".join(sorted(parts))


def _cache_dir() -> Path:
    from portraits.files import cache_dir

    return cache_dir()


def _prune() -> None:
    kept = sorted(_cache_dir().glob("settings-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in kept[KEEP:]:
        old.unlink(missing_ok=True)


def _leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, value) for every value in nested tables; an empty table is a value of its own."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    else:
        yield path, value


def _same(kept: Any, given: Any) -> bool:
    """Equal and of the same kind; 6 and 6.0 are the same number (TOML and the model may differ)."""
    numbers = (int, float)
    if isinstance(kept, numbers) and isinstance(given, numbers) and not isinstance(kept, bool) \
            and not isinstance(given, bool):
        return kept == given
    return type(kept) is type(given) and kept == given


def _defaults_file(stamp_key: str) -> Path:
    return Path(__file__).resolve().parent / "__pycache__" / f"settings-defaults-{stamp_key[:40]}.json"


def _keep_defaults(stamp_key: str) -> None:
    """The model's defaults, kept with the code that defines them (only after a full check)."""
    target = _defaults_file(stamp_key)
    if target.exists():
        return
    from campaign.workspace.config import Settings
    from portraits.files import atomic_write_bytes

    try:
        target.parent.mkdir(exist_ok=True)
        atomic_write_bytes(target, json.dumps(Settings().model_dump(), ensure_ascii=False).encode())
        for old in target.parent.glob("settings-defaults-*.json"):  # of code that has changed since
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only installation: every file is checked in full


def verified(kept: dict[str, Any], raw: bytes, stamp_key: str) -> bool:
    """Whether the kept settings are what the file says: each value it sets, and the defaults for the rest."""
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
        defaults = json.loads(_defaults_file(stamp_key).read_bytes())
    except (OSError, ValueError):
        return False
    given = dict(_leaves(data))
    values = dict(_leaves(kept))
    default_values = dict(_leaves(defaults))
    if any(path not in values or not _same(values[path], value) for path, value in given.items()):
        return False
    return not any(path not in given and (path not in default_values or not _same(value, default_values[path]))
                   for path, value in values.items())


def _keys(raw: bytes) -> tuple[str, Path]:
    """The key of the code's defaults, and where this very file's checked settings are kept."""
    stamp = b"%d\n%s\n" % (FORMAT, code_stamp().encode())
    kept = _cache_dir() / f"settings-{hashlib.sha256(stamp + raw).hexdigest()[:40]}.json"
    return hashlib.sha256(stamp).hexdigest(), kept


def kept_settings(path: Path) -> Settings | None:
    """The kept settings of the campaign.toml at `path`, when this very file passed the check before
    and the kept copy is what the file says (None otherwise: the file must be checked in full)."""
    values = kept_values(path)
    return None if values is None else read_back(values)


def kept_values(path: Path) -> dict[str, Any] | None:
    """The kept settings of the campaign.toml at `path` as plain values (the model's dump), verified
    against the file as for `kept_settings`, without loading the settings model (pydantic): enough for
    a command that needs a plain value or two, such as the time zone. None: check the file in full."""
    try:
        return _kept(Path(path).read_bytes())
    except OSError:
        return None


def _kept(raw: bytes) -> dict[str, Any] | None:
    stamp_key, cached = _keys(raw)
    try:
        kept = json.loads(cached.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or not verified(kept, raw, stamp_key):
        return None
    return kept


def read_back(values: dict[str, Any]) -> Settings | None:
    """The settings model made again from verified kept values (None when they are not a dump of it)."""
    from campaign.workspace.config import read_back as constructed

    try:
        return constructed(values)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def load_settings(path: Path) -> Settings:
    """The settings of campaign.toml at `path`: read back when this very file was checked before,
    else checked in full by campaign.workspace.config and kept."""
    from campaign.workspace.config import checked_settings, read_config

    raw = read_config(path)  # its own error for a missing file
    values = _kept(raw)
    settings = None if values is None else read_back(values)
    if settings is not None:
        return settings
    settings = checked_settings(raw)
    stamp_key, cached = _keys(raw)
    _keep_defaults(stamp_key)
    try:
        from portraits.files import atomic_write_bytes

        _cache_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write_bytes(cached, json.dumps(settings.model_dump(), ensure_ascii=False).encode(), mode=0o600)
        _prune()
    except (OSError, TypeError, ValueError):
        pass  # no cache folder to write: checked again next time
    return settings
