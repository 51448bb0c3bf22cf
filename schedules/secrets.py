"""Secrets come from the environment only, and are scrubbed from anything we print or log."""
from __future__ import annotations

import ipaddress
import os
import re

_TOKEN_PATTERNS = (
    re.compile(r"(access_token=)[^&\s\"']+"),
    re.compile(r"\bEAA[A-Za-z0-9]{20,}"),          # Meta user/page tokens
    re.compile(r"(sessionid[\"'=:\s]+)[^;&\s\"',]+", re.IGNORECASE),
    re.compile(r"(Authorization:\s*Bearer\s+)\S+", re.IGNORECASE),
    re.compile(r"\b[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}\b"),  # a Bluesky app password
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*"),  # a JWT (Bluesky session)
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
    host = m and m.group("host")
    loopback = host == "localhost" or bool(host) and _is_loopback(host.strip("[]"))
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


def redact(text: str) -> str:
    """Remove every known secret and anything shaped like a token from `text`."""
    if not text:
        return text
    from schedules.channel import secret_names

    for name in secret_names():
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "[redacted]")
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[redacted]", text)
    return text
