"""Secrets come from the environment only, and are scrubbed from anything we print, store or log.

A server may echo a token back in any spelling: as it is, URL-encoded (an `input_token=` in an
error), inside JSON (`\\/` for `/`), in base64. Every spelling of every configured secret is
scrubbed, so a token that does not look like Meta's is caught as surely as one that does.
What a platform says is also cut to a sane length: a server that echoed an upload must not leave
100 KB in the store.
"""
from __future__ import annotations

import base64
import ipaddress
import json
import os
import re
from functools import lru_cache
from urllib.parse import quote, quote_plus

ERROR_CHARS = 500  # what is kept of a platform's message (shown, stored, logged)
MIN_SECRET = 4     # shorter values would scrub ordinary words
MIN_PART = 8       # each half of "app-id|app-secret" is scrubbed on its own from this length
REDACTED = "[redacted]"
# Token-shaped text, each with a word it cannot match without (looked for first: a 100 KB answer
# is searched for a word in microseconds, by a case-insensitive pattern in tens of milliseconds).
_TOKEN_PATTERNS = (
    (("_token=", "client_secret="),
     re.compile(r"((?:access|input|fb_exchange)_token=|client_secret=)[^&\s\"']+", re.IGNORECASE)),
    (("_token",), re.compile(r"([\"'](?:access|input|fb_exchange)_token[\"']\s*:\s*[\"'])[^\"']+", re.IGNORECASE)),
    (("eaa",), re.compile(r"\bEAA[A-Za-z0-9]{20,}")),          # Meta user/page tokens
    (("sessionid",), re.compile(r"(sessionid[\"'=:\s]+)[^;&\s\"',]+", re.IGNORECASE)),
    (("bearer",), re.compile(r"(Authorization:\s*Bearer\s+)\S+", re.IGNORECASE)),
    (("-",), re.compile(r"\b[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}\b")),  # a Bluesky app password
    (("eyj",), re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*")),  # a JWT (Bluesky session)
)


# The only shape a test server's address may have: http, a loopback host, a port. Nothing else
# (no user part, no backslash, no path tricks), so what we check is what requests will contact.
LOCAL_URL = re.compile(r"http://(?P<host>localhost|\d{1,3}(?:\.\d{1,3}){3}|\[::1\])(?::(?P<port>\d{1,5}))?/?")


def local_test_url(env: str) -> str | None:
    """A fake platform for tests and drills (CAMPAIGN_GRAPH_URL, CAMPAIGN_MASTODON_URL, ...), honoured
    only on this machine so that a token can never be sent elsewhere; campaign.toml cannot set it.
    The address is rebuilt from its checked parts."""
    from portraits.messages import _m
    from schedules.channel import PermanentError

    raw = os.environ.get(env)
    if not raw:
        return None
    m = LOCAL_URL.fullmatch(raw)
    host: str | None = m.group("host") if m else None
    loopback = host == "localhost" or (host is not None and _is_loopback(host.strip("[]")))
    port = int(m.group("port") or 80) if m else 0
    if not m or not loopback or not 0 < port < 65536:
        raise PermanentError(_m("{graph_url_env} is not a test server on this machine.", graph_url_env=env),
                             _m("Unset {graph_url_env}, or give it as http://127.0.0.1:PORT/.", graph_url_env=env))
    return f"http://{host}:{port}/"


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secret(name: str) -> str | None:
    """A secret from the environment, or None."""
    value = os.environ.get(name)
    return value or None


def spellings(value: str) -> set[str]:
    """The ways a server may write `value` back: raw, URL-encoded (once or twice), JSON, base64."""
    forms = {value, quote(value, safe=""), quote(value), quote_plus(value), quote(quote(value, safe=""), safe=""),
             json.dumps(value)[1:-1], json.dumps(value).replace("/", "\\/")[1:-1],
             json.dumps(value, ensure_ascii=False)[1:-1]}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        coded = encode(value.encode("utf-8")).decode("ascii")
        forms |= {coded, coded.rstrip("=")}
    return {f for f in forms if len(f) >= MIN_SECRET}


@lru_cache(maxsize=8)
def _forms(values: tuple[str, ...]) -> tuple[str, ...]:
    """Every spelling of these secrets, longest first (a whole spelling goes before a part of it)."""
    forms: set[str] = set()
    for value in values:
        forms |= spellings(value)
        # "app-id|app-secret": the secret is echoed alone too (client_secret=...)
        forms |= {f for part in re.split(r"[|:]", value) if len(part) >= MIN_PART for f in spellings(part)}
    forms |= {_PERCENT.sub(lambda m: m.group(0).lower(), f) for f in forms}  # %2f as well as %2F
    return tuple(sorted(forms, key=len, reverse=True))


_PERCENT = re.compile(r"%[0-9A-F]{2}")


def redact(text: str) -> str:
    """Remove every known secret (in every spelling) and anything shaped like a token from `text`."""
    if not text:
        return text
    from schedules.channel import secret_names

    values = tuple(sorted(v for v in (os.environ.get(n) for n in secret_names()) if v and len(v) >= MIN_SECRET))
    for form in _forms(values):  # plain replacing: a 100 KB answer takes a millisecond, not a regex's 100
        text = text.replace(form, REDACTED)
    lowered = text.lower()
    for words, pattern in _TOKEN_PATTERNS:
        if any(word in lowered for word in words):
            text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + REDACTED, text)
    return text


def cut(text: str, limit: int = ERROR_CHARS) -> str:
    """`text` at most `limit` characters long, an ellipsis where it was cut."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def platform_text(text: object, limit: int = ERROR_CHARS) -> str:
    """What a platform (or its library) said, fit to show, store and log: scrubbed first, then cut,
    so a cut never leaves half a token behind."""
    return cut(redact(str(text or "")), limit)
