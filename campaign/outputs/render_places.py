"""The renders' places on the footprint list: renders/<id>/ (each portrait's images in every format)
and the contact sheet, with what erasure and `doctor` do there. Registered when imported
(campaign/outputs/every_output.py); kept beside renders.py rather than in it while that module is
being reworked.
"""
from __future__ import annotations

import re
from pathlib import Path

from campaign.workspace.footprint import (
    Finding,
    Place,
    Scan,
    entries,
    not_ours,
    recorded_files,
    register,
    removal,
    tool_temp,
)
from portraits.layouts import LAYOUTS
from portraits.messages import _m

RENDER_NAME = re.compile(rf"^({'|'.join(map(re.escape, LAYOUTS))})(-[a-z]{{2,3}})?\.(jpg|json)$")  # <format>[-<lang>]


def render_files(scan: Scan, pid: str) -> list[Path]:
    return [scan.ws.renders / pid]


def render_check(scan: Scan) -> list[Finding]:
    found = []
    for e in entries(scan.ws.renders):
        path, rel = Path(e.path), f"renders/{e.name}"
        if e.name.startswith(".") or e.name.endswith(".tmp"):
            if tool_temp(e.name) and scan.old_enough(path):
                found.append(Finding("renders",
                                     _m("{rel} is a temporary file left by a stopped command.", rel=rel),
                                     _m("`campaign doctor --fix` removes it."), rel, removal(path, rel)))
            continue
        if not e.is_dir(follow_symlinks=False):
            found.append(not_ours(rel))
            continue
        if e.name not in scan.portraits:
            theirs = [f for f in entries(path) if not f.is_file(follow_symlinks=False)
                      or not (RENDER_NAME.match(f.name) or tool_temp(f.name))]
            if theirs:  # a folder of the person's own (renders/notes/): listed, not removed
                found += [not_ours(f"{rel}/{f.name}") for f in theirs]
                continue
            found.append(Finding("renders",
                                 _m("{rel} holds images of a portrait that no longer exists.", rel=rel),
                                 _m("`campaign doctor --fix` removes it."), rel, removal(path, rel)))
            continue
        listing = entries(path)
        names = {f.name for f in listing}
        for f in listing:
            frel = f"{rel}/{f.name}"
            if f.name.endswith(".tmp") or f.name.startswith("."):
                if tool_temp(f.name) and scan.old_enough(Path(f.path)):
                    found.append(Finding("renders",
                                         _m("{frel} is a half-written image left by a stopped command.", frel=frel),
                                         _m("`campaign doctor --fix` removes it."), frel,
                                         removal(Path(f.path), frel)))
            elif (RENDER_NAME.match(f.name) and f.name.endswith(".json")
                  and f.name[:-5] + ".jpg" not in names):  # rendering.py: <format>.jpg + .json
                found.append(Finding("renders", _m("{frel} describes an image that is not there.", frel=frel),
                                     _m("`campaign doctor --fix` removes the record; `campaign render` makes "
                                        "the image again."),
                                     frel, removal(Path(f.path), frel)))
    return found


register(
    Place("renders", "renders/<id>/", "deleted", person_files=render_files, check=render_check),
    Place("contact sheet", "exports/contact-sheet.jpg (or --out)", "deleted; `campaign status` says to make it "
          "again", shows_others=True, person_files=recorded_files("contact-sheet")),
)
