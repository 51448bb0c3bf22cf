"""`portrait add` and `portrait import`: the photos are taken in first, the store is locked only to record.

Decoding a photo, finding its face and writing its clean copy take about a tenth of a second for
a small photo and seconds for a 24 MP one; a 1,000-row import held the store lock for two minutes,
and every other command (a withdrawal among them) failed after 60 s. So the intake happens with no
lock held, each clean copy under a temporary name, and one short transaction at the end checks
again what could have changed meanwhile (a photo now used by another portrait, an id now taken)
and records every row or none; the temporary files are named when it commits and removed when
anything fails. A kill in between leaves `.NAME.*.tmp` files in photos/ that no record names:
`campaign doctor --fix` removes them.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign.workspace import Workspace
from portraits import records

if TYPE_CHECKING:
    from portraits.intake_jobs import Progress


def _slot(ws: Workspace) -> tuple[int, int]:
    from campaign.outputs.billboard import slot_pixels

    return slot_pixels(ws.config)


def add_portrait(ws: Workspace, photo: Path | str, **fields) -> dict:
    """Add one portrait from `photo` (fields as `records.prepare_portrait` takes them)."""
    prepared = records.prepare_portrait(ws.photos, Path(photo), default_lang=ws.config.language, slot=_slot(ws),
                                        known=ws.store.read(), **fields)
    (record,) = _insert(ws, [prepared], imported=False)
    return record


def _insert(ws: Workspace, prepared: list[records.Prepared], imported: bool) -> list[dict[str, Any]]:
    """Rows whose photos are already taken in: their records made before the lock, then all inserted in
    one short transaction; the kept copies removed again when the insert is refused."""
    now = ws.now()
    records.ready(prepared, ws.photos, ws.config.language, now)  # the records made before the lock
    try:
        with ws.store.transaction() as db:
            return records.insert_prepared(db, prepared, ws.photos, ws.config.language, now, imported=imported)
    except BaseException:
        records.discard(prepared)
        raise


def _imported(made: list[dict[str, Any]]) -> dict[str, Any]:
    return {"imported": [r["id"] for r in made], "count": len(made)}


def import_portraits(ws: Workspace, csv_file: Path | str, photos_dir: Path | str | None = None,
                     uploaded: dict[str, Path] | None = None, jobs: int | None = None,
                     progress: Progress | None = None) -> dict:
    """Import a CSV of portraits: all rows or none. `uploaded`: the photos the web app received with
    it, by the name each was sent under (a row's photo is looked up there, never used as a path).
    `jobs`: threads taking the photos in (default: all cores); `progress(done, total)` hears of each."""
    prepared = records.prepare_csv(ws.photos, Path(csv_file), Path(photos_dir) if photos_dir else None,
                                   ws.config.language, _slot(ws), known=ws.store.read(), uploaded=uploaded,
                                   jobs=jobs, progress=progress)
    return _imported(_insert(ws, prepared, imported=True))


def add_many(ws: Workspace, rows: list[dict], uploaded: dict[str, Path], name: str) -> dict:
    """Portraits from rows typed beside their photos (the web app's "drop many photos"): the same
    intake and checks as `import_portraits`, all rows or none, a wrong row named by its number.
    Each row's `photo` is a key of `uploaded` (a name the server chose), never a path."""
    prepared = records.prepare_rows(ws.photos, list(enumerate(rows, start=1)), name, None, ws.config.language,
                                    _slot(ws), known=ws.store.read(), uploaded=uploaded)
    return _imported(_insert(ws, prepared, imported=True))
