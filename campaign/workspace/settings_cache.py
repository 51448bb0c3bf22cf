"""campaign.toml, checked once: the settings of a file already checked are read back without pydantic.

Importing pydantic and building the settings model (campaign/workspace/config.py) costs about 0.15 s, checking
the file another 0.05 s: a third of a quick command such as `campaign render ID` or `gdpr erase`.
A file that passed the check is kept, as its checked values, in the user's cache folder
(~/.cache/campaign, like the hyphenation patterns), under a key made of the file's exact bytes and the
code that checks it (size and modification time of every module of the three packages). The same file
with the same code gives the same settings, so it is not checked again; any change to either is a new
key and the full check. Only files that passed are kept, so every wrong value still gives its error.

A kept copy is only ever a faster way to the same result: before it is used, it is verified against
the file it came from (parsed with tomllib, a few milliseconds). Every value the file sets must be the
kept value, and every value it leaves out must be the model's default, which is kept with the code
(in the package's __pycache__, where Python keeps its compiled code) rather than with the settings.
A kept copy edited by hand ("approval": "none" while the file says "two") is not used; the file is
checked in full instead. A file whose values the check rewrites (a hashtag without "#", spaces
around a value) is checked in full each time.

The settings read back are plain read-only objects with the model's fields and its few methods
(`Settings.tz`, `Settings.channel`, `WhatsApp.line`, `model_dump`); tests/test_settings_cache.py keeps
the two in step.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FORMAT = 1  # bump when the kept form changes
_PACKAGES = ("campaign", "portraits", "schedules")
_ENV = ("CAMPAIGN_UI_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # the interface language


class Section:
    """A checked section of campaign.toml: its fields as attributes, read-only."""
    __slots__ = ("_kind", "_values")

    def __init__(self, kind: str, values: dict[str, Any]):
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"{self._kind} has no field {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"{self._kind} is read-only")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Section):
            return (self._kind, self._values) == (other._kind, other._values)
        if type(other).__name__ == self._kind and hasattr(other, "model_dump"):  # the pydantic model
            return self.model_dump() == other.model_dump()
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._kind, json.dumps(self.model_dump(), sort_keys=True)))

    def __repr__(self) -> str:
        return f"{self._kind}({', '.join(f'{k}={v!r}' for k, v in self._values.items())})"

    def model_dump(self) -> dict[str, Any]:
        return _plain(self._values)

    def model_copy(self, update: dict[str, Any] | None = None) -> Section:
        """A copy with some fields replaced, unchecked (as pydantic's model_copy)."""
        copy = type(self)(self._kind, {**self._values, **(update or {})})
        for slot in getattr(type(self), "__slots__", ()):
            if hasattr(self, slot):
                object.__setattr__(copy, slot, getattr(self, slot))
        return copy


class WhatsApp(Section):
    __slots__ = ()

    def line(self, lang: str, default: str) -> str:
        return self.lines.get(lang) or default


class Settings(Section):
    __slots__ = ("_default_channel",)

    @property
    def tz(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)

    def channel(self, name: str) -> Section:
        return self.channels.get(name) or self._default_channel


KINDS = {"WhatsApp": WhatsApp, "Settings": Settings}


def _plain(value: Any) -> Any:
    if isinstance(value, Section):
        return value.model_dump()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _kept(value: Any) -> Any:
    """A pydantic model as JSON that says which section each dict is."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return {"__section__": type(value).__name__,
                "fields": {k: _kept(getattr(value, k)) for k in type(value).model_fields}}
    if isinstance(value, dict):
        return {"__dict__": {k: _kept(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return [_kept(v) for v in value]
    return value


def _read_back(value: Any) -> Any:
    if isinstance(value, dict):
        if "__section__" in value:
            kind = value["__section__"]
            return KINDS.get(kind, Section)(kind, {k: _read_back(v) for k, v in value["fields"].items()})
        return {k: _read_back(v) for k, v in value["__dict__"].items()}
    if isinstance(value, list):
        return [_read_back(v) for v in value]
    return value


def _code_stamp() -> str:
    here = Path(__file__).resolve().parents[2]
    parts = []
    for package in _PACKAGES:
        try:
            with os.scandir(here / package) as entries:
                for entry in entries:
                    if entry.name.endswith(".py"):
                        st = entry.stat()
                        parts.append(f"{package}/{entry.name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{package}:?")
    parts += [f"{var}={os.environ.get(var, '')}" for var in _ENV]
    return "\n".join(sorted(parts))


def _cache_dir() -> Path:
    from portraits.files import cache_dir

    return cache_dir()


KEEP = 64  # settings files kept in the cache folder: the newest, of every campaign on this computer


def _prune() -> None:
    kept = sorted(_cache_dir().glob("settings-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in kept[KEEP:]:
        old.unlink(missing_ok=True)


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
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
    from campaign.workspace.config import Settings, default_channel
    from portraits.files import atomic_write_bytes

    data = {"settings": Settings().model_dump(), "default_channel": default_channel().model_dump()}
    try:
        target.parent.mkdir(exist_ok=True)
        atomic_write_bytes(target, json.dumps(data, ensure_ascii=False).encode())
        for old in target.parent.glob("settings-defaults-*.json"):  # of code that has changed since
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only installation: every file is checked in full


def verified(kept: dict, raw: bytes, stamp_key: str) -> bool:
    """Whether the kept settings are what the file says: each value it sets, and the defaults for the rest."""
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
        defaults = json.loads(_defaults_file(stamp_key).read_bytes())
    except (OSError, ValueError):
        return False
    given = dict(_leaves(data))
    values = dict(_leaves(kept["settings"]))
    default_values = dict(_leaves(defaults["settings"]))
    if any(path not in values or not _same(values[path], value) for path, value in given.items()):
        return False
    if any(path not in given and (path not in default_values or not _same(value, default_values[path]))
           for path, value in values.items()):
        return False
    return all(_same(kept["default_channel"].get(k), v) for k, v in defaults["default_channel"].items()) \
        and set(kept["default_channel"]) == set(defaults["default_channel"])


def load_settings(path: Path):
    """The settings of campaign.toml at `path`: read back when this very file was checked before,
    else checked by campaign.workspace.config (pydantic) and kept."""
    try:
        raw = Path(path).read_bytes()
    except OSError:
        raw = None
    if raw is None:
        from campaign.workspace.config import load_config

        return load_config(path)  # its own error for a missing file
    stamp = b"%d\n%s\n" % (FORMAT, _code_stamp().encode())
    stamp_key = hashlib.sha256(stamp).hexdigest()
    key = hashlib.sha256(stamp + raw).hexdigest()
    cached = _cache_dir() / f"settings-{key[:40]}.json"
    try:
        kept = json.loads(cached.read_bytes())
        settings = _read_back(kept["settings"])
        object.__setattr__(settings, "_default_channel", _read_back(kept["default_channel"]))
        plain = {"settings": settings.model_dump(), "default_channel": settings._default_channel.model_dump()}
        if verified(plain, raw, stamp_key):
            return settings
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    from campaign.workspace.config import default_channel, load_config

    settings = load_config(path)
    _keep_defaults(stamp_key)
    try:
        from portraits.files import atomic_write_bytes

        data = json.dumps({"settings": _kept(settings), "default_channel": _kept(default_channel())}, ensure_ascii=False)
        _cache_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write_bytes(cached, data.encode(), mode=0o600)
        _prune()
    except (OSError, TypeError, ValueError):
        pass  # no cache folder to write: checked again next time
    return settings
