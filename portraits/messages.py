"""Messages a person reads, translated when they are shown rather than when they are made.

`portraits` and `schedules` raise `CampaignError` but cannot import `campaign` (imports go one way),
and the interface language is only known in the command line. So a message is made in English with
`_m("No portrait with id {id!r}.", id=pid)`: a `Message` is a `str` whose value is that English text
(logs, `--json`, the store and the audit log keep it unchanged), and which also carries its msgid
and parameters, so that `campaign.i18n.translate()` can say it in the interface language on screen.
Babel extracts `_m("...")` like `_("...")` (babel-campaign.cfg).

Braces are placeholders only when parameters are given, as in `str.format`; a message without
parameters is taken as it is.
"""
from __future__ import annotations

from typing import Any


class Message(str):
    """English text that remembers how it was made: `msgid.format(**params)`."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> "Message":
        self = super().__new__(cls, msgid.format(**params) if params else msgid)
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self):  # pickled (process pools) as what it is
        return (_rebuild, (self.msgid, self.params))


def _rebuild(msgid: str, params: dict[str, Any]) -> Message:
    return Message(msgid, **params)


class PluralMessage(Message):
    """A message that depends on a count `n` ("1 row", "3 rows"): said with `ngettext`."""

    plural: str

    def __new__(cls, singular: str, plural: str, n: int, /, **params: Any) -> "PluralMessage":
        params = {"n": n, **params}
        self = str.__new__(cls, (singular if n == 1 else plural).format(**params))
        self.msgid, self.plural, self.params = singular, plural, params
        return self

    def __reduce__(self):
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


def join(separator: str, items: list) -> Message:
    """Messages joined like `separator.join(items)`, each still said in the interface language."""
    escaped = separator.replace("{", "{{").replace("}", "}}")
    return Message(escaped.join(f"{{item{i}}}" for i in range(len(items))),
                   **{f"item{i}": item for i, item in enumerate(items)})
