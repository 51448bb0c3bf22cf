"""`campaign report`: the page the team opens every morning, a static HTML folder opened in any browser.

Everything the page shows is copied next to it (relative links only), so the folder can be
zipped or put on a shared drive; `--pdf` adds the print version (A4) made by headless Chromium.
First names only; a portrait without a valid consent today is left out of the gallery, and a
withdrawn person's face never appears. What it shows: campaign/outputs/report/page.py; the templates:
campaign/templates/report.*.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from campaign.workspace import Workspace, i18n
from campaign.workspace.footprint import Place, record_output, recorded_files, register, remove, written_here
from campaign.workspace.store import atomic_write_text
from portraits.errors import CampaignError
from portraits.messages import _m

MANIFEST = ".campaign-report.json"  # the files of the report in this folder: the only ones it ever replaces or removes
STAGING_PREFIX = ".campaign-report-"  # a report being made; one left by a crash is removed by the next
PDF_NAME = "report.pdf"  # `report --pdf`: the print version, beside the page


def default_folder(ws: Workspace) -> Path:
    return ws.exports / "report"


def _our_files(ws: Workspace, out_dir: Path) -> set[str]:
    """The files the previous report wrote here (relative paths), from its manifest."""
    manifest = out_dir / MANIFEST
    if manifest.is_file():
        try:
            return set(_manifest(out_dir)["files"])
        except (ValueError, KeyError, TypeError):
            raise CampaignError(_m("The report list {manifest} is damaged, so the tool cannot tell its files "
                                   "from others.", manifest=manifest),
                                _m("Delete that folder's report yourself, or choose another --out folder.")) from None
    if out_dir.resolve() == default_folder(ws).resolve():
        # exports/report from a version without a manifest: it held exactly index.html and img/.
        return {str(p.relative_to(out_dir)) for p in [out_dir / "index.html", *(out_dir / "img").glob("*")]
                if p.is_file()}
    return set()


def _manifest(out_dir: Path) -> dict:
    return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))


def _previous_thumbnails(out_dir: Path, ours: set[str]) -> dict:
    """What the previous report's thumbnails were made from (to reuse the unchanged ones)."""
    try:
        thumbs = _manifest(out_dir).get("thumbnails") or {}
    except (OSError, ValueError, AttributeError):
        return {}
    return {name: made for name, made in thumbs.items() if f"img/{name}" in ours and isinstance(made, dict)}


def _write_manifest(out_dir: Path, files: set[str], thumbnails: dict | None = None) -> None:
    atomic_write_text(out_dir / MANIFEST, json.dumps({"files": sorted(files), "thumbnails": thumbnails or {}}))


# long: stage, check for others' files, swap in: the order that leaves a whole report after kill -9
def write_report(ws: Workspace, out: str | Path | None = None, *, cancelled: bool = False, pdf: bool = False,
                 lang: str | None = None) -> dict:
    """Write index.html and its images into `out` (default exports/report/); return what it holds.

    `lang` is the interface language (default: the one in use); `cancelled` adds cancelled posts
    to the calendar; `pdf` also writes report.pdf, the print version, beside the page.

    The report is made in a staging folder inside `out`, its images are moved into place, and the
    page replaces the old one last, so a page never points at an image that is not there. Only
    files listed in the previous report's manifest are replaced or removed; a file of someone
    else's in the way stops the report before anything is changed.

    With `pdf`, an `out` ending in .pdf is the print version's file: the page goes to the default
    folder and the PDF to that file (a file the tool did not write there is never replaced)."""
    pdf_file = pdf_target(ws, out) if pdf else None
    if pdf_file is not None:
        out = None
    out_dir = Path(out) if out else default_folder(ws)
    from campaign.workspace.outpaths import refuse_protected

    refuse_protected(ws, out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise CampaignError(_m("{out_dir} is a file, not a folder.", out_dir=out_dir),
                            _m("Give --out a folder for the report."))
    out_dir.mkdir(parents=True, exist_ok=True)
    old = _our_files(ws, out_dir)
    for leftover in out_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in _manifest_temps(out_dir):  # a report killed while writing its file list
        leftover.unlink(missing_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    try:
        from campaign.outputs.report import page

        thumbs = page.Thumbnails(out_dir / "img", _previous_thumbnails(out_dir, old))
        summary = page.make(ws, stage, i18n.normalise(lang) or i18n.language(), cancelled=cancelled, thumbs=thumbs)
        if pdf:
            from campaign.outputs.report.pdf import print_to_pdf

            print_to_pdf(stage / "index.html", stage / PDF_NAME)
        new = {str(p.relative_to(stage)) for p in stage.rglob("*") if p.is_file()}
        theirs = sorted(f for f in new if (out_dir / f).exists() and f not in old)
        if theirs:
            raise CampaignError(_m("{out_dir} already holds {files}, which no campaign report wrote; nothing was "
                                   "changed.", out_dir=out_dir, files=", ".join(theirs[:3])),
                                _m("Give --out an empty or new folder, or move those files away."))
        _write_manifest(out_dir, old | new)  # from here on every file is listed, whatever happens
        (out_dir / "img").mkdir(mode=0o700, exist_ok=True)
        (out_dir / "img").chmod(0o700)  # the report shows consent figures: for the office only
        if out_dir.resolve() == default_folder(ws).resolve():
            out_dir.chmod(0o700)
        for name in sorted(new):
            (stage / name).chmod(0o600)
        for name in sorted(new - {"index.html"}):
            os.replace(stage / name, out_dir / name)
        os.replace(stage / "index.html", out_dir / "index.html")
        _write_manifest(out_dir, new, {name: made for name, made in thumbs.made.items() if f"img/{name}" in new})
        for name in sorted(old - new):
            with contextlib.suppress(FileNotFoundError):
                (out_dir / name).unlink()
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    index = out_dir / "index.html"
    names, faces = summary.pop("_names"), summary.pop("_faces")
    record_output(ws, "report", index, names, faces, discard=lambda: [remove(part) for part in report_parts(index)])
    printed = out_dir / PDF_NAME
    if pdf_file is not None:
        _copy_private(printed, pdf_file)
        record_output(ws, "report-pdf", pdf_file, names, faces)
        printed = pdf_file
    return {"index": str(index), "pdf": str(printed) if pdf else None, **summary,
            "thumbnails": {"made": len(thumbs.made) - thumbs.reused, "reused": thumbs.reused}, "files": sorted(new)}


def pdf_target(ws: Workspace, out: str | Path | None) -> Path | None:
    """The file `report --pdf --out FILE.pdf` asks for, or None when `out` is a folder. Refused
    before anything is made when a file the tool did not write is in the way."""
    if out is None or Path(out).suffix.lower() != ".pdf" or Path(out).is_dir():
        return None
    target = Path(out)
    if target.exists() and not written_here(ws, "report-pdf", target):
        raise CampaignError(_m("{target} already exists and no campaign report wrote it; nothing was changed.",
                               target=target),
                            _m("Give --out a new file name, or move that file away."))
    if not target.parent.is_dir():
        raise CampaignError(_m("The folder {folder} does not exist; nothing was changed.", folder=target.parent),
                            _m("Create it first, or give --out a file in an existing folder."))
    return target


def _copy_private(source: Path, target: Path) -> None:
    """Copy the print version to `target` whole or not at all, readable by its owner only (it
    holds the consent figures)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f, open(source, "rb") as src:
            shutil.copyfileobj(src, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def report_parts(index: Path) -> list[Path]:
    """What a report at `index` consists of: the page, its images, its file list and any half-made
    report (never the rest of an --out folder). Erasure removes these when the report shows someone."""
    folder = index.parent
    return [index, folder / "img", folder / PDF_NAME, folder / MANIFEST, *folder.glob(STAGING_PREFIX + "*"),
            *_manifest_temps(folder)]


def _manifest_temps(folder: Path) -> list[Path]:
    """Half-written copies of the file list (atomic_write_text's temporary files)."""
    from portraits.files import temp_prefix

    return list(folder.glob(temp_prefix(MANIFEST) + "*.tmp"))


register(
    Place("report", "exports/report/index.html, img/ and report.pdf (or --out)", "deleted; `campaign status` says to "
          "make it again", shows_others=True, person_files=recorded_files("report", report_parts)),
    Place("report PDF", "the file of `report --pdf --out FILE.pdf`", "deleted; `campaign status` says to make it again",
          shows_others=True, person_files=recorded_files("report-pdf")),
)
