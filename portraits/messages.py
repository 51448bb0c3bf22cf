"""Messages a person reads, translated when they are shown rather than when they are made.

`portraits` and `schedules` raise `CampaignError` but cannot import `campaign` (imports go one way),
and the interface language is only known in the command line. So a message is made in English with
`_m("No portrait with id {id!r}.", id=pid)`: a `Message` is a `str` whose value is that English text
(logs, `--json`, the store and the audit log keep it unchanged), and which also carries its msgid
and parameters, so that `campaign.workspace.i18n.translate()` can say it in the interface language on screen.
Babel extracts `_m("...")` like `_("...")` (babel-campaign.cfg).

Braces are placeholders only when parameters are given, as in `str.format`; a message without
parameters is taken as it is.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Message(str):
    """English text that remembers how it was made: `msgid.format(**params)`."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> Message:
        self = super().__new__(cls, msgid.format(**params) if params else msgid)
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self) -> tuple[Callable[..., Message], tuple[Any, ...]]:  # pickled (process pools) as itself
        return (_rebuild, (self.msgid, self.params))


def _rebuild(msgid: str, params: dict[str, Any]) -> Message:
    return Message(msgid, **params)


class PluralMessage(Message):
    """A message that depends on a count `n` ("1 row", "3 rows"): said with `ngettext`."""

    plural: str

    def __new__(cls, singular: str, plural: str, n: int, /, **params: Any) -> PluralMessage:
        params = {"n": n, **params}
        self = str.__new__(cls, (singular if n == 1 else plural).format(**params))
        self.msgid, self.plural, self.params = singular, plural, params
        return self

    def __reduce__(self) -> tuple[Callable[..., Message], tuple[Any, ...]]:
        return (_rebuild_plural, (self.msgid, self.plural, self.params))


def _rebuild_plural(singular: str, plural: str, params: dict[str, Any]) -> PluralMessage:
    params = dict(params)
    return PluralMessage(singular, plural, params.pop("n"), **params)


def _mn(singular: str, plural: str, n: int, /, **params: Any) -> PluralMessage:
    """Mark a message with a count for translation (`{n}` is the count); its value is the English text."""
    return PluralMessage(singular, plural, n, **params)


def _m(msgid: str, /, **params: Any) -> Message:
    """Mark a message for translation; its value is the English text."""
    return Message(msgid, **params)


def to_stored(value: Any) -> Any:
    """What the store keeps of a message: `{"msg": id, "params": {...}}` (and "plural" for a
    count), so that it is said in any interface language later; other values as they are."""
    if isinstance(value, Message):
        stored = {"msg": value.msgid, "params": {k: to_stored(v) for k, v in value.params.items()}}
        if isinstance(value, PluralMessage):
            stored["plural"] = value.plural
        return stored
    if isinstance(value, (list, tuple)):
        return [to_stored(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool, dict)):
        return value
    return str(value)  # a date or a path in a message: as it reads in English


def is_stored(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("msg"), str) and isinstance(value.get("params"), dict) \
        and set(value) <= {"msg", "params", "plural"}


def from_stored(value: Any) -> Any:
    """A message kept by `to_stored` as the `Message` it was (text is returned as it is)."""
    if isinstance(value, list):
        return [from_stored(v) for v in value]
    if not is_stored(value):
        return value
    params = {k: from_stored(v) for k, v in value["params"].items()}
    try:
        if "plural" in value:
            n = params.pop("n")
            return PluralMessage(value["msg"], value["plural"], n, **params)
        return Message(value["msg"], **params)
    except (KeyError, IndexError, ValueError, TypeError):  # a damaged record still shows its text
        return value["msg"]


def join(separator: str, items: list[Any]) -> Message:
    """Messages joined like `separator.join(items)`, each still said in the interface language."""
    escaped = separator.replace("{", "{{").replace("}", "}}")
    return Message(escaped.join(f"{{item{i}}}" for i in range(len(items))),
                   **{f"item{i}": item for i, item in enumerate(items)})
