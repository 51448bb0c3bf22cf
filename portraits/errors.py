"""Our own error type: a message a non-programmer can act on.

Every library function raises `CampaignError` for a user mistake; the CLI turns it into
one or two lines and exit code 1. It lives in the lowest package so that all three can raise it.
"""


class CampaignError(Exception):
    """A user error: what is wrong, and (optionally) what to do about it."""

    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message}\n{hint}")


class NotFound(CampaignError):
    """An id that is not in the store."""
