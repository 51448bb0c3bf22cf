"""Posting days as campaign.toml writes them ("mon-sat", "mon,wed,fri"): read without the posting plan,
so checking the settings does not import it."""
from __future__ import annotations

from portraits.errors import CampaignError
from portraits.messages import _m

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_days(spec: str) -> set[int]:
    """'mon-sat' / 'mon,wed,fri' / 'mon-fri,sun' -> weekday numbers (Monday = 0)."""
    out: set[int] = set()
    for part in (spec or "").lower().replace(" ", "").split(","):
        if not part:
            continue
        ends = part.split("-")
        if len(ends) > 2 or any(e[:3] not in WEEKDAYS for e in ends):
            raise CampaignError(_m("The days {spec!r} are not weekdays.", spec=spec),
                                _m("Write them like mon-sat or mon,wed,fri."))
        a, b = WEEKDAYS.index(ends[0][:3]), WEEKDAYS.index(ends[-1][:3])
        out.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    if not out:
        raise CampaignError(_m("No posting days given."), _m("Write them like mon-sat or mon,wed,fri."))
    return out
