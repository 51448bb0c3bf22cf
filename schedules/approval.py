"""Post approval: a post goes out only when enough different people approved exactly what it will publish.

An approval records who, when, and the post's content hash: the input hashes of its images, its
caption, its alt texts, its time, channel, format and languages. Only approvals that carry the
current hash count, so any change to what the post would publish (quote, translation, photo, focal
point, brand, time, ...) leaves the earlier approvals behind: they stay in the record for the
history, and no longer count. "two" means two different people (four eyes).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict

from tinydb import TinyDB

from portraits import audit, identity
from portraits.errors import CampaignError
from portraits.messages import _m, _mn
from schedules import posts
from schedules.model import Approval, Post

RULES = {"none": 0, "one": 1, "two": 2}
WAITING = "waiting for approval"  # the reason of a due post that lacks approvals
MAX_COMMENT = 500


def content_hash(post: Post, langs: list[str], image_hashes: list[str], caption: str, alt_texts: list[str]) -> str:
    """One hash of everything a post would publish, and when and where."""
    data = {"channel": post["channel"], "format": post["format"], "at": post["at"], "langs": langs,
            "images": image_hashes, "caption": caption, "alt": alt_texts}
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


class ApprovalView(TypedDict):
    """How far a post is approved, as `--json` and the pages show it."""
    needed: int
    approved: bool
    by: list[str]
    earlier: list[str]
    text: str


@dataclass
class State:
    """How far a post is approved: who approved what it shows now, and who approved an earlier version."""
    needed: int
    current: list[Approval] = field(default_factory=list)
    earlier: list[Approval] = field(default_factory=list)

    @property
    def people(self) -> list[str]:
        """Each approver once, compared by `identity.person_key` ("Anna" and "anna" are one person); a
        stored name that would be refused today counts for nobody."""
        by_key: dict[str, str] = {}
        for a in self.current:
            key = identity.person_key_or_none(a["who"])
            if key is not None:
                by_key.setdefault(key, a["who"])
        return list(by_key.values())

    @property
    def approved(self) -> bool:
        return len(self.people) >= self.needed

    def describe(self) -> str:
        """"approved by anna, ben" / "1 of 2 approvals (anna); 2 earlier ones no longer match"."""
        if not self.needed:
            return _m("no approval needed")
        people = ", ".join(self.people)
        if self.approved:
            text = _m("approved by {people}", people=people)
        elif self.people:
            text = _m("{count} of {needed} approvals ({people})", count=len(self.people), needed=self.needed,
                      people=people)
        else:
            text = _m("{count} of {needed} approvals", count=len(self.people), needed=self.needed)
        if self.earlier:
            text = _mn("{text}; {n} earlier approval of a version that has changed since",
                       "{text}; {n} earlier approvals of a version that has changed since", len(self.earlier),
                       text=text)
        return text

    def as_dict(self) -> ApprovalView:
        return {"needed": self.needed, "approved": self.approved, "by": self.people,
                "earlier": [a["who"] for a in self.earlier], "text": self.describe()}


def state(post: Post, digest: str, rule: str) -> State:
    approvals = list(post.get("approvals") or [])
    return State(needed=RULES[rule], current=[a for a in approvals if a["hash"] == digest],
                 earlier=[a for a in approvals if a["hash"] != digest])


def approve(db: TinyDB, post_id: str, digest: str, rule: str, now: datetime, comment: str | None = None,
            edited_by: str | None = None) -> Post:
    """Record that the acting person approves the post as it is now; refused when they already did.
    A comment (what the approver looked at or asks for) is kept with the approval. With the rule
    "two", `edited_by` (who last changed the portrait's texts or photo) cannot approve that edit."""
    post = posts.get(db, post_id)
    if post["status"] not in posts.FUTURE:
        raise CampaignError(_m("{post_id} is {status}; only planned or failed posts can be approved.",
                               post_id=post_id, status=post['status']))
    who = audit.actor()
    key = identity.person_key(who)
    if rule == "two" and edited_by and identity.person_key_or_none(edited_by) == key:
        raise CampaignError(_m("{who} made the last change to what {post_id} shows and cannot approve it.",
                               who=who, post_id=post_id),
                            _m("Four eyes: the approvals must come from two other people."))
    before = state(post, digest, rule)
    if key in {identity.person_key_or_none(p) for p in before.people}:
        raise CampaignError(_m("{who} has already approved {post_id} as it is now.", who=who, post_id=post_id),
                            _m("A second approval must come from another person (--user NAME or CAMPAIGN_USER).")
                            if before.needed > 1 and not before.approved else _m("Nothing more to do."))
    given: Approval = {"who": who, "at": now.isoformat(timespec="seconds"), "hash": digest}
    comment = " ".join((comment or "").split())
    if len(comment) > MAX_COMMENT:
        raise CampaignError(_m("The comment is {count} characters long.", count=len(comment)),
                            _m("Keep it to {most}.", most=MAX_COMMENT))
    if comment:
        given["comment"] = comment
    approvals = [*post.get("approvals", []), given]
    after = state({**post, "approvals": approvals}, digest, rule)
    fields: dict[str, Any] = {"approvals": approvals}
    if (post.get("reason") or "").startswith(WAITING):  # a due post: look at it again now, not in a minute
        fields.update(reason=None, next_try=None)
    post = posts.update(db, post_id, now, note=f"approved by {who} ({after.describe()})", **fields)
    audit.record(db, "post.approve", post_id, now=now, content=digest[:12], approvals=len(after.people))
    return post
