"""campaign.toml's checked values read as the settings model reads them, without loading the model.

Importing pydantic and the settings model (campaign/workspace/config.py, with every publisher's
settings class) costs a cold command ~80 ms; a render reads a dozen plain values of it (the brand's
colours and files, the campaign name, the hashtag). `Workspace.plain` gives those values from the
model's own dump, verified against the file (campaign/workspace/settings_cache.py), read the same
way: `plain.brand.credit`, `plain.hashtag`, `plain.captions.get("de")`. It holds values only, no
defaults or checks of its own: what the model works out (`tz`, `channel(name)`, a channel the file
leaves out) is read from `ws.config`.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


class PlainSettings(Mapping[str, Any]):
    """A table of the settings' dump: its keys as attributes (as the model's fields) and as a
    read-only mapping (as the model's dict fields, [captions] or [whatsapp] lines; a key named like a
    mapping's method, `items` or `get`, would be read with [])."""
    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # no setting starts so; copy and pickle ask for such names
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"campaign.toml's settings have no {name!r} here") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the settings are read-only")  # as the model (frozen)

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        return PlainSettings(value) if isinstance(value, Mapping) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"PlainSettings({dict(self._values)!r})"
