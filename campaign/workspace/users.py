"""The office's accounts for the web app: names, roles, argon2id password hashes, and the login lock.

Accounts live in the store (table `users`), so a backup carries them and the audit log names them.
A password is never stored or logged, only its argon2id hash. Failed logins are counted per user
and per address; after `MAX_FAILURES` within `LOCK_MINUTES` the login is locked for that long, and
the audit log records the lock. What each role may do is one table here (`ALLOWED`), which the web
app checks on the server for every request.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from tinydb import Query, TinyDB

from portraits import audit, identity
from portraits.errors import CampaignError, NotFound
from portraits.messages import _m

ROLES = ("redaktion", "freigabe", "admin")
# What a role may change. Everyone logged in may look at every page.
ALLOWED: dict[str, frozenset[str]] = {
    "edit": frozenset({"redaktion", "admin"}),     # portraits, quotes, consent, plans
    "approve": frozenset({"freigabe"}),            # posts, portraits, the billboard (four eyes)
    "users": frozenset({"admin"}),                 # accounts and channels
}
MIN_PASSWORD = 10
MAX_FAILURES = 5
LOCK_MINUTES = 15
NAME_PATTERN = re.compile(r"[^\W_][\w.\- ]{0,59}")


class Forbidden(CampaignError):
    """The logged-in user's role does not allow this change."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def may(self, action: str) -> bool:
        return self.role in ALLOWED[action]


def normalise(name: str) -> str:
    """One person, one account name, however it was typed: the rule approvals use
    (portraits.identity.person_key). A name it refuses matches no account."""
    return identity.person_key_or_none(name) or "\0" + audit.name_key(name)


# argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~20-40 ms a check here. At most
# two checks run at once, so a burst of log-ins stays within the server's memory budget.
_CHECKS = threading.BoundedSemaphore(2)


def _hasher():
    from argon2 import PasswordHasher, Type

    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise CampaignError(_m("The password is shorter than {count} characters.", count=MIN_PASSWORD),
                            _m("Choose a longer one; a short sentence is easy to remember."))


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise CampaignError(_m("There is no role {role!r}.", role=role),
                            _m("Use {roles}.", roles=" or ".join(ROLES)))


def _find(db: TinyDB, name: str) -> dict | None:
    key = normalise(name)
    return next((u for u in db.table("users").all() if u["key"] == key), None)


def get(db: TinyDB, name: str) -> dict:
    found = _find(db, name)
    if found is None:
        raise NotFound(_m("There is no user {name!r}.", name=name), _m("See them with `campaign user list`."))
    return dict(found)


def list_users(db: TinyDB) -> list[dict]:
    """Name, role and when each account was made; never the hash."""
    return [{"name": u["name"], "role": u["role"], "created_at": u["created_at"]}
            for u in sorted(db.table("users").all(), key=lambda u: u["key"])]


def hash_password(password: str) -> str:
    """The argon2id hash (slow on purpose: made before the store's lock is taken)."""
    _check_password(password)
    with _CHECKS:
        return _hasher().hash(password)


def add_user(db: TinyDB, name: str, role: str, password_hash: str, now: datetime) -> dict:
    name = unicodedata.normalize("NFC", name.strip())
    if not NAME_PATTERN.fullmatch(name):
        raise CampaignError(_m("The user name {name!r} is not a plain name.", name=name),
                            _m("Use letters, digits, dots, hyphens or spaces (at most 60), e.g. anna."))
    identity.person_key(name)  # no invisible characters, no look-alike letters from another script
    _check_role(role)
    if _find(db, name) is not None:
        raise CampaignError(_m("The user {name!r} already exists.", name=name),
                            _m("Choose another name, or change the password with `campaign user passwd`."))
    doc = {"name": name, "key": normalise(name), "role": role, "hash": password_hash,
           "created_at": now.isoformat(timespec="seconds")}
    db.table("users").insert(doc)
    audit.record(db, "user.add", name, now=now, role=role)
    return {"name": name, "role": role}


def remove_user(db: TinyDB, name: str, now: datetime) -> None:
    user = get(db, name)
    db.table("users").remove(Query().key == user["key"])
    audit.record(db, "user.remove", user["name"], now=now)


def set_password(db: TinyDB, name: str, password_hash: str, now: datetime) -> None:
    user = get(db, name)
    db.table("users").update({"hash": password_hash}, Query().key == user["key"])
    audit.record(db, "user.passwd", user["name"], now=now)


def _recent_failures(db: TinyDB, key: str, now: datetime) -> list[datetime]:
    since = now - timedelta(minutes=LOCK_MINUTES)
    doc = db.table("login_failures").get(Query().key == key)
    return [t for t in (datetime.fromisoformat(s) for s in (doc.get("at", []) if doc else [])) if t > since]


def locked_until(db: TinyDB, name: str, address: str, now: datetime) -> datetime | None:
    """When the login of this name or from this address opens again; None when it is open."""
    ends = []
    for key in (f"user:{normalise(name)}", f"address:{address}"):
        failures = _recent_failures(db, key, now)
        if len(failures) >= MAX_FAILURES:
            ends.append(failures[-MAX_FAILURES] + timedelta(minutes=LOCK_MINUTES))
    return max(ends) if ends else None


def verify(db: TinyDB, name: str, password: str) -> User | None:
    """The account when the password is right (read from a snapshot: no lock held while hashing)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    user = _find(db, name)
    with _CHECKS:
        if user is None:
            _hasher().hash(password[:64] or "x")  # as slow as a real check: no telling which names exist
            return None
        try:
            _hasher().verify(user["hash"], password)
        except (VerificationError, InvalidHashError):
            return None
    return User(user["name"], user["role"])


def record_login(db: TinyDB, name: str, address: str, ok: bool, now: datetime) -> None:
    """Count a failure per name and per address (a success clears the name's count); audit both,
    and the moment a login becomes locked."""
    keys = (f"user:{normalise(name)}", f"address:{address}")
    table = db.table("login_failures")
    if ok:
        table.remove(Query().key == keys[0])
        audit.record(db, "user.login", name, now=now)
        return
    was_locked = locked_until(db, name, address, now) is not None
    for key in keys:
        kept = [t.isoformat(timespec="seconds") for t in _recent_failures(db, key, now)] + \
            [now.isoformat(timespec="seconds")]
        table.upsert({"key": key, "at": kept[-MAX_FAILURES * 2:]}, Query().key == key)
    audit.record(db, "user.login_failed", None, now=now, address=address)
    if not was_locked and locked_until(db, name, address, now) is not None:
        audit.record(db, "user.login_locked", None, now=now, address=address, minutes=LOCK_MINUTES)


def require(user: User, action: str) -> None:
    """Refuse a change the user's role does not allow (the web app calls this for every change)."""
    if not user.may(action):
        roles = " / ".join(sorted(ALLOWED[action]))
        raise Forbidden(_m("Your role ({role}) may not do this.", role=user.role),
                        _m("Ask someone with the role {roles}.", roles=roles))
