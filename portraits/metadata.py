"""Newsroom metadata in press images: IPTC (IIM) and XMP, written by ExifTool.

Picture desks read credit, copyright, usage terms and caption from these fields, and every tool
they use agrees with ExifTool (Phil Harvey's, Debian package `libimage-exiftool-perl`) on how
they are written: IIM in a Photoshop APP13 block with its UTF-8 marker, XMP in APP1. No Python
library writes both as completely, so we run ExifTool as a subprocess: one process per batch of
files (`-execute` between them, read from a pipe), so a kit of 200 portraits costs a few process starts,
not 400. ExifTool is killed with the command that started it.

Each file is written anew (`-o`) after removing every tag (`-all=`), so nothing of the source
(GPS, camera, dates, a surname someone typed into a field) can come along; only the fields of
`PressTags` are there afterwards.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portraits.errors import CampaignError
from portraits.messages import _m
from portraits.workers import bound_to_parent

# IIM fields have byte limits (IPTC IIM 4.2); the full text always goes to XMP.
IIM_LIMITS = {"ObjectName": 64, "Headline": 256, "Caption-Abstract": 2000, "By-line": 32, "Credit": 32,
              "CopyrightNotice": 128, "SpecialInstructions": 256, "Source": 32}


@dataclass(frozen=True)
class PressTags:
    """What a newsroom reads from a press image, and nothing else."""
    title: str          # "Brigitte, 81"
    headline: str       # the campaign's name
    caption: str        # first name, age, role and the quote
    creator: str        # the photographer
    credit: str         # the credit line to print
    copyright: str      # "© 2026 Stadt Duisburg"
    usage_terms: str    # what the newsroom may do with it
    source: str         # who hands it out (the campaign)


def exiftool() -> str:
    path = shutil.which("exiftool")
    if not path:
        raise CampaignError(_m("ExifTool is not installed; press images need it for their credit and "
                               "copyright."),
                            _m("Install it: apt-get install libimage-exiftool-perl (`make setup` does this)."))
    return path


def _iim(value: str, field: str) -> str:
    """`value` cut to the field's IIM byte limit, never inside a character."""
    data = value.encode("utf-8")[:IIM_LIMITS[field]]
    return data.decode("utf-8", "ignore")


def _one_line(value: str) -> str:
    return " ".join(value.split())  # an argument file holds one argument per line


def tag_arguments(tags: PressTags) -> list[str]:
    t = {k: _one_line(v) for k, v in tags.__dict__.items()}
    return [
        "-all=",
        "-IPTC:CodedCharacterSet=UTF8",
        f"-IPTC:ObjectName={_iim(t['title'], 'ObjectName')}",
        f"-IPTC:Headline={_iim(t['headline'], 'Headline')}",
        f"-IPTC:Caption-Abstract={_iim(t['caption'], 'Caption-Abstract')}",
        f"-IPTC:By-line={_iim(t['creator'], 'By-line')}",
        f"-IPTC:Credit={_iim(t['credit'], 'Credit')}",
        f"-IPTC:Source={_iim(t['source'], 'Source')}",
        f"-IPTC:CopyrightNotice={_iim(t['copyright'], 'CopyrightNotice')}",
        # IIM has no usage-terms field; Special Instructions is where agencies put restrictions.
        f"-IPTC:SpecialInstructions={_iim(t['usage_terms'], 'SpecialInstructions')}",
        f"-XMP-dc:Title={t['title']}",
        f"-XMP-photoshop:Headline={t['headline']}",
        f"-XMP-dc:Description={t['caption']}",
        f"-XMP-dc:Creator={t['creator']}",
        f"-XMP-photoshop:Credit={t['credit']}",
        f"-XMP-photoshop:Source={t['source']}",
        f"-XMP-dc:Rights={t['copyright']}",
        f"-XMP-xmpRights:UsageTerms={t['usage_terms']}",
        "-XMP-xmpRights:Marked=True",
        "-XMP-x:XMPToolkit=",  # not even the writing tool's name
    ]


def write(jobs: list[tuple[Path, Path, PressTags]]) -> list[Path]:
    """For each (source, target, tags): write `target` as `source` with only these tags.

    One ExifTool process for the whole list; each file is its own command in it, so one unreadable
    source does not stop the others. Returns the targets that could not be written."""
    if not jobs:
        return []
    lines = ["-charset", "iptc=UTF8", "-charset", "filename=UTF8"]
    for source, target, tags in jobs:
        lines += [*tag_arguments(tags), "-o", str(target), str(source), "-execute"]
    # The arguments (captions with names and quotes) go through a pipe: a file for them in the system's
    # temp folder would outlive a killed command where neither erasure nor doctor looks.
    done = subprocess.run(bound_to_parent([exiftool(), "-q", "-q", "-@", "-"]), input="\n".join(lines) + "\n",
                          capture_output=True, text=True, encoding="utf-8", errors="replace")
    missing = [Path(target) for _s, target, _t in jobs if not Path(target).is_file()]
    if len(missing) == len(jobs):
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise CampaignError(_m("ExifTool could not write the press metadata ({value}).",
                               value=detail[0] if detail else 'no message'),
                            _m("Check the disk space and that the photos are readable, then make the kit "
                               "again."))
    return missing


def read(paths: list[Path]) -> list[dict[str, Any]]:
    """Every tag ExifTool finds in these files, grouped ("IPTC:Credit", "XMP-dc:Rights", "GPS:...")."""
    done = subprocess.run([exiftool(), "-json", "-G1", "-a", "-charset", "iptc=UTF8", *map(str, paths)],
                          capture_output=True, text=True, check=True)
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found
