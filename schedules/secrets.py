"""Secrets come from the environment only, and are scrubbed from anything we print or log."""
from __future__ import annotations

import os
import re

_TOKEN_PATTERNS = (
    re.compile(r"(access_token=)[^&\s\"']+"),
    re.compile(r"\bEAA[A-Za-z0-9]{20,}"),          # Meta user/page tokens
    re.compile(r"(sessionid[\"'=:\s]+)[^;&\s\"',]+", re.IGNORECASE),
    re.compile(r"(Authorization:\s*Bearer\s+)\S+", re.IGNORECASE),
)


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
