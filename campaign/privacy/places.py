"""Every place where the tool keeps or writes something that can show or name a person.

PLACES below is the one list that `gdpr erase`, `gdpr export`, `consent withdraw`, `campaign status`
and `campaign doctor` work from. Each place says where it is, what erasure does there and, as
functions, how to find one person in it (`person_files`, `erase_rows`), what a withdrawal
changes in it (`withdraw`), what a person must make again after either (`redo`), and what can go
wrong with it on disk (`check`, for doctor; those live in campaign/privacy/checks.py).

A new kind of output that can show or name a person is added to PLACES in the same change that
adds the output; a file written to a path the user chooses is also recorded with
`campaign.workspace.footprint.record_output`, so that erasure can find it again.
"""
from __future__ import annotations

from pathlib import Path

from tinydb import TinyDB

from campaign.privacy.checks import (
    _evidence_check,
    _export_temp_check,
    _handout_check,
    _odd_names_check,
    _outbox_check,
    _photo_check,
    _render_check,
    _store_temp_check,
    _stray_temp_check,
)
from campaign.privacy.per_person import (
    _audit_erase,
    _evidence_files,
    _handout_files,
    _handout_redo,
    _handout_withdraw,
    _hosted_files,
    _outbox_files,
    _outputs_erase,
    _outputs_of,
    _outputs_redo,
    _photo_files,
    _pick_files,
    _picks_erase,
    _picks_redo,
    _picks_withdraw,
    _post_pages,
    _posts_withdraw,
    _render_files,
    _report_parts,
    _rows,
    export_temp,
)
from campaign.workspace import STORE_NAME, Workspace
from campaign.workspace.footprint import Place, Scan
from campaign.workspace.store import BACKUP_DIR
from campaign.workspace.store import backup_files as kept_versions


def backup_files(ws: Workspace) -> list[Path]:
    return kept_versions(ws.store.path)


PLACES: tuple[Place, ...] = (
    Place("portrait", "campaign.json, table portraits", "removed", erase_rows=_rows("portraits", "id")),
    Place("consents", "campaign.json, table consents", "removed", erase_rows=_rows("consents")),
    Place("posts", "campaign.json, table posts (captions, alt texts)",
          "removed; published posts are listed as takedown tasks", erase_rows=_rows("posts"),
          withdraw=_posts_withdraw),
    Place("engagement", "campaign.json, table engagement", "removed", erase_rows=_rows("engagement")),
    Place("billboard picks", "campaign.json, table billboard (picks, reasons, export warnings)",
          "the person is taken out; a pick that held them must be picked again and approved",
          shows_others=True, erase_rows=_picks_erase, withdraw=_picks_withdraw, redo=_picks_redo),
    Place("outputs", "campaign.json, table outputs (which files show whom)",
          "the id is taken out; what must be made again is noted for `campaign status`",
          erase_rows=_outputs_erase, redo=_outputs_redo),
    Place("audit", "campaign.json, table audit", "kept, with the id replaced by an opaque reference "
          "(exact match on subject and ids, never a substring)", erase_rows=_audit_erase),
    Place("photo", "photos/<sha256>.jpg", "deleted", person_files=_photo_files, check=_photo_check),
    Place("evidence", ".private/evidence/<sha256>.<ext>", "deleted (unless another person's consent uses the "
          "same form)", person_files=_evidence_files, check=_evidence_check),
    Place("renders", "renders/<id>/", "deleted", person_files=_render_files, check=_render_check),
    Place("outbox", "outbox/<date>-<post>-<channel>/", "deleted", person_files=_outbox_files, check=_outbox_check),
    Place("post pages", "exports/posts/<post>.html of `schedule show --html` (or --out)",
          "deleted wherever they were written (the post records each page; the tool wrote them); a withdrawal "
          "deletes the pages of the posts it cancels", person_files=_post_pages, anywhere=True),
    Place("hosted images", "<public_dir>/<post>-N.jpg of a channel whose publisher hosts images (instagram-graph "
          "with image_host \"url\")",
          "deleted, wherever that folder is (the tool names these files itself)", person_files=_hosted_files,
          anywhere=True),
    Place("billboard files", "exports/billboard-*.pdf and .png (or --out)",
          "deleted inside the workspace (outside it: listed to delete by hand); if printed, recall",
          shows_others=True, person_files=_pick_files),
    Place("export temp", "exports/.billboard-*/ (cut-outs of every face on a poster) and half-written "
          "exports (.NAME.*.tmp, *.tmp.png)", "deleted", shows_others=True, person_files=export_temp,
          check=_export_temp_check),
    Place("calendar", "the .ics files written by `schedule ical`", "rewritten without the person's events",
          shows_others=True, person_files=_outputs_of("calendar"), rewrite=True),
    Place("contact sheet", "exports/contact-sheet.jpg (or --out)", "deleted; `campaign status` says to make it "
          "again", shows_others=True, person_files=_outputs_of("contact-sheet")),
    Place("report", "exports/report/index.html, img/ and report.pdf (or --out)", "deleted; `campaign status` says to make it "
          "again", shows_others=True, person_files=_outputs_of("report", _report_parts)),
    Place("report PDF", "the file of `report --pdf --out FILE.pdf`", "deleted; `campaign status` says to make it again",
          shows_others=True, person_files=_outputs_of("report-pdf")),
    Place("press kit", "exports/press-kit/ and press-kit.zip (or --out), .press-kit.*.tmp while one is made",
          "deleted inside the workspace (outside: listed to delete by hand); `campaign status` says to make it again "
          "and to ask media partners to stop using the images; a withdrawal of press consent deletes it too",
          shows_others=True, person_files=_handout_files("press-kit"), withdraw=_handout_withdraw("press-kit"),
          redo=_handout_redo("press-kit"), check=_handout_check("press-kit")),
    Place("whatsapp bundles", "exports/whatsapp/ (or --out): the day's images and messages, and a page listing them",
          "deleted inside the workspace (outside: listed to delete by hand); `campaign status` says to make it "
          "again; a withdrawal of whatsapp consent deletes it too", shows_others=True,
          person_files=_handout_files("whatsapp-bundle"), withdraw=_handout_withdraw("whatsapp-bundle"),
          redo=_handout_redo("whatsapp-bundle"), check=_handout_check("whatsapp-bundle")),
    Place("website gallery", "exports/gallery/ (or --out): index.html, embed.html, gallery.json, img/",
          "deleted inside the workspace (outside: listed to delete by hand); `campaign status` says to make it "
          "again; a withdrawal of website consent deletes it too", shows_others=True,
          person_files=_handout_files("gallery"), withdraw=_handout_withdraw("gallery"),
          redo=_handout_redo("gallery"), check=_handout_check("gallery")),
    Place("whatsapp sends", "campaign.json, table whatsapp_sends (which day's portrait went to which subscriber id)",
          "removed", erase_rows=_rows("whatsapp_sends")),
    Place("whatsapp subscribers", "campaign.json, tables whatsapp_subscribers and whatsapp_optouts; the key of the "
          "do-not-send codes in .private/whatsapp-optout.key", "untouched: they name subscribers, not portraits "
          "(`gdpr erase --subscriber NUMBER` erases a subscriber, what was sent to them and their do-not-send code)"),
    Place("gdpr export", "<out>/<id>/ of `gdpr export`", "deleted inside the workspace (outside: listed to "
          "delete by hand)", person_files=_outputs_of("gdpr-export")),
    Place("backups", "the archives of `campaign backup --out FILE` (always outside the workspace)",
          "listed to delete by hand (an archive holds everyone: make a new backup, then delete the old ones)",
          shows_others=True, person_files=_outputs_of("backup")),
    Place("log", "campaign.log", "rewritten without the lines that name the id or the public label"),
    Place("store backups", f"{BACKUP_DIR}/{STORE_NAME}.N", "the versions that hold the person are deleted "
          "(the store itself, without them, is the newest version)"),
    Place("store temp", f".{STORE_NAME}.*.tmp (a half-written store, everyone in it)",
          "deleted by the erasure's own store change", check=_store_temp_check),
    Place("temporary files", ".NAME.*.tmp inside exports/ folders, .private/ and the kept store versions",
          "deleted with the output they belong to", check=_stray_temp_check),
    Place("file names", "a name that is not UTF-8 in photos/, renders/, outbox/, exports/ or .private/evidence/",
          "left alone: no output of the tool has such a name (erasure goes past it)", check=_odd_names_check),
)


def place(name: str) -> Place:
    return next(p for p in PLACES if p.name == name)


def redo(ws: Workspace, db: TinyDB) -> list[str]:
    """What people must make, pick or approve again after erasures and withdrawals (for `status`)."""
    scan = Scan(ws, db)
    return [note for p in PLACES if p.redo for note in p.redo(scan)]

