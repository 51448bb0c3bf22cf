"""The --json outputs of the main listings keep their shape: scripts of the office read them.

A shape is the keys of each object and the type of each value (the first item of a list stands
for all). Values that only sometimes appear (an error, a permalink) are left to the other tests."""
from __future__ import annotations

import json

from sweep import build


def shape(value):
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def keys(value) -> list[str]:
    return sorted(value)


def test_the_main_listings_keep_their_json_shape(cli, ws, tmp_path):
    people = build(cli, ws, tmp_path)

    def listing(*words):
        r = cli(*words, "--json")
        assert r.exit_code == 0, r.output
        return json.loads(r.output)

    portraits = listing("portrait", "list")
    assert len(portraits) == 3 and keys(portraits[0]) == PORTRAIT_KEYS
    assert shape(portraits[0]["photo"]) == PORTRAIT_PHOTO
    posts = listing("schedule", "list")
    assert keys(posts[0]) == POST_KEYS
    consent = listing("consent", "status", people[1].id)
    assert shape(consent) == CONSENT_STATUS
    status = listing("status")
    assert keys(status) == STATUS_KEYS


# As `campaign ... --json` printed them before campaign/ was laid out by job (b06f553).
PORTRAIT_KEYS = ["age", "approved_at", "approved_by", "consent", "created_at", "credit", "first_name", "id", "lang",
                 "photo", "quote", "role", "role_category", "status", "translations", "updated_at"]
PORTRAIT_PHOTO = {"file": "str", "focus": ["float"], "focus_source": "str", "format": "str", "height": "int",
                  "kept_sha256": "str", "sha256": "str", "warnings": ["str"], "width": "int"}
POST_KEYS = ["at", "attempts", "channel", "error", "first_name", "format", "id", "lang", "next_try", "permalink",
             "portrait_id", "reason", "remote_id", "status"]
CONSENT_STATUS = [{"age": "int", "expires": "NoneType", "first_name": "str", "guardians_signed": "int", "minor": "bool",
                   "needs_guardian": [], "portrait_id": "str", "scopes": ["str"], "signed_on": "str",
                   "text_version": "str", "withdrawn": []}]
STATUS_KEYS = ["approval", "approval_range", "awaiting_approval", "channels", "daemon_running", "due_now", "erasures",
               "failed", "next", "now", "publishing", "redo", "takedown", "unknown"]
