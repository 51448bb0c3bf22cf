"""Every place where the tool keeps or writes something that can show or name a person.

PLACES below is the one list that `gdpr erase`, `gdpr export`, `consent withdraw`, `campaign status`
and `campaign doctor` work from. Each place says where it is, what erasure does there and, as
functions, how to find one person in it (`person_files`, `erase_rows`), what a withdrawal
changes in it (`withdraw`), what a person must make again after either (`redo`), and what can go
wrong with it on disk (`check`, for doctor; those live in campaign/privacy/checks.py).

The places of outputs are registered by the module that owns each output (`footprint.register`, at
import; campaign/outputs/every_output.py imports them all, and this module imports that before it
reads the list). A new kind of output that can show or name a person registers its places in the
same change that adds the output, and joins every_output.py; a file written to a path the user
chooses is also recorded with `campaign.workspace.footprint.record_output`, so that erasure can find it again.
"""
from __future__ import annotations

from pathlib import Path

from tinydb import TinyDB

from campaign.outputs import every_output  # noqa: F401 - imported for what it does: every output registers its places
from campaign.privacy.checks import (
    evidence_check,
    odd_names_check,
    outbox_check,
    photo_check,
    store_temp_check,
    stray_temp_check,
)
from campaign.privacy.per_person import (
    audit_erase,
    evidence_files,
    hosted_files,
    outbox_files,
    outputs_erase,
    outputs_redo,
    photo_files,
    posts_withdraw,
    rows_of,
)
from campaign.workspace import STORE_NAME, Workspace
from campaign.workspace.footprint import Place, Scan, recorded_files, registered
from campaign.workspace.store import BACKUP_DIR
from campaign.workspace.store import backup_files as kept_versions


def backup_files(ws: Workspace) -> list[Path]:
    return kept_versions(ws.store.path)


# The places the privacy floor keeps itself: the store's tables, the kept photos and consent forms, what
# publishing writes (the outbox, hosted images) and the calendar; each output's places come from
# its own module (campaign/outputs/every_output.py), between these and the workspace-wide ones below.
KEPT: tuple[Place, ...] = (
    Place("portrait", "campaign.json, table portraits", "removed", erase_rows=rows_of("portraits", "id")),
    Place("consents", "campaign.json, table consents", "removed", erase_rows=rows_of("consents")),
    Place("posts", "campaign.json, table posts (captions, alt texts)",
          "removed; published posts are listed as takedown tasks", erase_rows=rows_of("posts"),
          withdraw=posts_withdraw),
    Place("engagement", "campaign.json, table engagement", "removed", erase_rows=rows_of("engagement")),
    Place("outputs", "campaign.json, table outputs (which files show whom)",
          "the id is taken out; what must be made again is noted for `campaign status`",
          erase_rows=outputs_erase, redo=outputs_redo),
    Place("audit", "campaign.json, table audit", "kept, with the id replaced by an opaque reference "
          "(exact match on subject and ids, never a substring)", erase_rows=audit_erase),
    Place("photo", "photos/<sha256>.jpg", "deleted", person_files=photo_files, check=photo_check),
    Place("evidence", ".private/evidence/<sha256>.<ext>", "deleted (unless another person's consent uses the "
          "same form)", person_files=evidence_files, check=evidence_check),
    Place("outbox", "outbox/<date>-<post>-<channel>/", "deleted", person_files=outbox_files, check=outbox_check),
    Place("hosted images", "<public_dir>/<post>-N.jpg of a channel whose publisher hosts images (instagram-graph "
          "with image_host \"url\")",
          "deleted, wherever that folder is (the tool names these files itself)", person_files=hosted_files,
          anywhere=True),
    Place("calendar", "the .ics files written by `schedule ical`", "rewritten without the person's events",
          shows_others=True, person_files=recorded_files("calendar"), rewrite=True),
)
WORKSPACE_WIDE: tuple[Place, ...] = (
    Place("whatsapp sends", "campaign.json, table whatsapp_sends (which day's portrait went to which subscriber id)",
          "removed", erase_rows=rows_of("whatsapp_sends")),
    Place("whatsapp subscribers", "campaign.json, tables whatsapp_subscribers and whatsapp_optouts; the key of the "
          "do-not-send codes in .private/whatsapp-optout.key", "untouched: they name subscribers, not portraits "
          "(`gdpr erase --subscriber NUMBER` erases a subscriber, what was sent to them and their do-not-send code)"),
    Place("gdpr export", "<out>/<id>/ of `gdpr export`", "deleted inside the workspace (outside: listed to "
          "delete by hand)", person_files=recorded_files("gdpr-export")),
    Place("backups", "the archives of `campaign backup --out FILE` (always outside the workspace)",
          "listed to delete by hand (an archive holds everyone: make a new backup, then delete the old ones)",
          shows_others=True, person_files=recorded_files("backup")),
    Place("log", "campaign.log", "rewritten without the lines that name the id or the public label"),
    Place("store backups", f"{BACKUP_DIR}/{STORE_NAME}.N", "the versions that hold the person are deleted "
          "(the store itself, without them, is the newest version)"),
    Place("store temp", f".{STORE_NAME}.*.tmp (a half-written store, everyone in it)",
          "deleted by the erasure's own store change", check=store_temp_check),
    Place("temporary files", ".NAME.*.tmp inside exports/ folders, .private/ and the kept store versions",
          "deleted with the output they belong to", check=stray_temp_check),
    Place("file names", "a name that is not UTF-8 in photos/, renders/, outbox/, exports/ or .private/evidence/",
          "left alone: no output of the tool has such a name (erasure goes past it)", check=odd_names_check),
)

PLACES: tuple[Place, ...] = (*KEPT, *registered(), *WORKSPACE_WIDE)


def place(name: str) -> Place:
    return next(p for p in PLACES if p.name == name)


def redo(ws: Workspace, db: TinyDB) -> list[str]:
    """What people must make, pick or approve again after erasures and withdrawals (for `status`)."""
    scan = Scan(ws, db)
    return [note for p in PLACES if p.redo for note in p.redo(scan)]

