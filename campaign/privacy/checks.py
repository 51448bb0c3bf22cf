"""What `campaign doctor` looks for in the places the privacy floor keeps itself (photos, consent
forms, the outbox, the store's temporary files, odd names): leftovers of a stopped command, kept
files that are not what the store says, files the tool did not write. Outputs' checks are with each
output (campaign/outputs/)."""
from __future__ import annotations

import os
import re
from pathlib import Path

from campaign.workspace import PRIVATE_NAME, STORE_NAME
from campaign.workspace.footprint import POST_FOLDER, Finding, Scan, entries, not_ours, removal, shown, temp_base
from campaign.workspace.store import BACKUP_DIR
from portraits.files import kept_file_problem, temp_prefix
from portraits.messages import _m

HASH_NAME = re.compile(r"^[0-9a-f]{64}(\.[a-z0-9]{1,5})?$")  # photos/ and .private/evidence/: named by SHA-256


def odd_names_check(scan: Scan) -> list[Finding]:
    """Names that are not UTF-8 where the tool keeps or writes files: reported, left alone (they
    are nobody's output of ours; erasure and every check go past them)."""
    found = []
    tops = [scan.ws.photos, scan.ws.renders, scan.ws.outbox, scan.ws.root / PRIVATE_NAME / "evidence"]
    paths = [Path(e.path) for top in tops for e in entries(top)]
    paths += [Path(e.path) for e in entries(scan.ws.renders) if e.is_dir(follow_symlinks=False)
              for e in entries(Path(e.path))]
    for folder, dirs, files in os.walk(scan.ws.exports):
        paths += [Path(folder) / name for name in dirs + files]
    for path in paths:
        try:
            path.name.encode("utf-8")
        except UnicodeEncodeError:
            rel = shown(scan.rel(path))
            found.append(Finding("file names", _m("{rel} has a name that is not valid text (not UTF-8).", rel=rel),
                                 _m("Rename it, or move it out of the workspace."), rel))
    return found


def _kept_file_findings(place: str, folder: Path, name: str, owner: str, sha: str | None, what: str,
                        scan: Scan) -> list[Finding]:
    """A kept file that is a link, or whose content is not what the store recorded."""
    rel = f"{scan.rel(folder)}/{name}"
    problem = kept_file_problem(folder / name, folder, sha)
    if problem in ("link", "outside"):
        return [Finding(place, _m("{rel}, the {what} of {owner}, is a link to another file; it is not used, "
                                  "exported or published.", rel=rel, what=what, owner=owner),
                        _m("Remove the link and restore the file from a backup of the workspace, or add it "
                           "again."), rel)]
    if problem == "changed":
        return [Finding(place, _m("{rel}, the {what} of {owner}, is not the file that was recorded: its content was "
                                  "changed or replaced.", rel=rel, what=what, owner=owner),
                        _m("Restore the file from a backup of the workspace, or add it again."), rel)]
    return []


def _kept_files_check(place: str, folder: Path, referenced: dict[str, tuple[str, str | None]], what: str,
                      scan: Scan) -> list[Finding]:
    """Files named in the store (photos, consent forms): missing, staged but not renamed, orphaned,
    temporary, links, or not what was recorded; `referenced` maps a name to (owner, SHA-256 of its content)."""
    found: list[Finding] = []
    listing = entries(folder)
    names = {e.name for e in listing}
    staged: dict[str, list[Path]] = {}
    for e in listing:
        base = temp_base(e.name)
        if base and e.name.endswith(".tmp"):
            staged.setdefault(base, []).append(Path(e.path))
    rel = scan.rel(folder)
    for name, (owner, sha) in sorted(referenced.items()):
        if name in names:
            found += _kept_file_findings(place, folder, name, owner, sha, what, scan)
            continue
        if name in staged:
            newest = max(staged.pop(name), key=lambda p: p.stat().st_mtime)

            def finish(src: Path = newest, dst: Path = folder / name) -> str:
                os.replace(src, dst)
                return f"gave {rel}/{dst.name} its name"
            found.append(Finding(place,
                                 _m("The {what} of {owner} was left under a temporary name when the command "
                                    "saving it was stopped.", what=what, owner=owner),
                                 _m("`campaign doctor --fix` gives it its name."), f"{rel}/{name}", finish))
        else:
            found.append(Finding(place,
                                 _m("The {what} of {owner} ({rel}/{name}) is missing.", what=what, owner=owner,
                                    rel=rel, name=name),
                                 _m("Restore {rel}/ from a backup of the workspace.", rel=rel)))
    for e in listing:
        path = Path(e.path)
        if e.name in referenced:
            continue
        base = temp_base(e.name)
        if not HASH_NAME.match(base if base and e.name.endswith(".tmp") else e.name):
            if not e.name.startswith("."):
                found.append(not_ours(f"{rel}/{e.name}"))
        elif base and e.name.endswith(".tmp"):
            if scan.locked or scan.old_enough(path):
                found.append(Finding(place,
                                     _m("{rel}/{name} is a half-saved {what} left by a stopped command.",
                                        rel=rel, name=e.name, what=what),
                                     _m("`campaign doctor --fix` removes it."), f"{rel}/{e.name}",
                                     removal(path, f"{rel}/{e.name}")))
        elif not e.name.startswith("."):
            found.append(Finding(place,
                                 _m("{rel}/{name} belongs to no portrait or consent (a {what} no record "
                                    "points to cannot be used, shown or erased).", rel=rel, name=e.name, what=what),
                                 _m("`campaign doctor --fix` removes it."), f"{rel}/{e.name}",
                                 removal(path, f"{rel}/{e.name}")))
    return found


def photo_check(scan: Scan) -> list[Finding]:
    referenced = {Path(p["photo"]["file"]).name: (pid, p["photo"].get("kept_sha256"))
                  for pid, p in scan.portraits.items() if p.get("photo", {}).get("file")}
    return _kept_files_check("photo", scan.ws.photos, referenced, "photo", scan)


def evidence_check(scan: Scan) -> list[Finding]:
    referenced = {}
    for e in scan.db.table("consents").all():
        if e.get("evidence"):
            referenced.setdefault(e["evidence"]["name"], (e["portrait_id"], e["evidence"].get("sha256")))
    folder = scan.ws.root / PRIVATE_NAME / "evidence"
    return _kept_files_check("evidence", folder, referenced, "consent form", scan) if folder.is_dir() else []


def outbox_check(scan: Scan) -> list[Finding]:
    from schedules.runner import in_flight

    found = []
    for e in entries(scan.ws.outbox):
        m = POST_FOLDER.match(e.name)
        if not m:
            continue
        path, rel = Path(e.path), f"outbox/{e.name}"
        if e.name.startswith("."):
            # Written during the platform call, with no store lock held: its call lock says it is on the wire.
            if (scan.locked or scan.old_enough(path)) and not in_flight(scan.ws, m.group(1)):
                found.append(Finding("outbox",
                                     _m("{rel} is a post the outbox was still writing when it was stopped.", rel=rel),
                                     _m("`campaign doctor --fix` removes it (the post itself is settled by "
                                        "`campaign reconcile`)."),
                                     rel, removal(path, rel)))
        elif m.group(1) not in scan.posts:
            found.append(Finding("outbox", _m("{rel} belongs to a post that no longer exists.", rel=rel),
                                 _m("`campaign doctor --fix` removes it."), rel, removal(path, rel)))
    return found


def store_temp_check(scan: Scan) -> list[Finding]:
    """Half-written store files left by a crash (the store itself is whole; the next change removes them too)."""
    found = []
    for e in entries(scan.ws.root):
        if e.name.startswith(temp_prefix(STORE_NAME)) and e.name.endswith(".tmp"):
            path = Path(e.path)
            if scan.locked or scan.old_enough(path):
                found.append(Finding("store temp",
                                     _m("{name} is a half-written store file left by a crash (the store "
                                        "itself is whole).", name=e.name),
                                     _m("`campaign doctor --fix` removes it."), e.name, removal(path, e.name)))
    return found


def stray_temp_check(scan: Scan) -> list[Finding]:
    """Half-written files (.NAME.*.tmp) in the folders the checks above do not list: inside exports
    (a report's images), .private (a platform session) and the kept store versions."""
    from campaign.outputs.report import STAGING_PREFIX as REPORT_STAGING

    found = []
    roots = [Path(e.path) for e in entries(scan.ws.exports) if e.is_dir() and not e.name.startswith(".")]
    roots += [scan.ws.root / PRIVATE_NAME, scan.ws.root / BACKUP_DIR]
    for top in roots:
        for folder, dirs, files in os.walk(top):
            for name in [d for d in dirs if d.startswith(REPORT_STAGING)]:
                dirs.remove(name)
                path = Path(folder) / name
                if scan.old_enough(path):
                    rel = scan.rel(path)
                    found.append(Finding("temporary files",
                                         _m("{rel} is a report that was being made when it was stopped; it "
                                            "holds faces.", rel=rel),
                                         _m("`campaign doctor --fix` removes it."), rel, removal(path, rel)))
            for name in files:
                path = Path(folder) / name
                if temp_base(name) and name.endswith(".tmp") and scan.old_enough(path):
                    rel = scan.rel(path)
                    found.append(Finding("temporary files",
                                         _m("{rel} is a half-written file left by a stopped command.", rel=rel),
                                         _m("`campaign doctor --fix` removes it."), rel, removal(path, rel)))
    return found

