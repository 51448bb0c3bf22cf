"""`report --pdf`: the page's print version (A4, its print stylesheet) as a PDF, by headless Chromium.

Chromium is a system dependency already (`make system`); it lays the page out exactly as the
browser prints it, so the PDF and a printout from the browser match. It runs with no network (every
host but this machine unreachable) and a throwaway profile.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from portraits.errors import CampaignError
from portraits.messages import _m
from portraits.workers import bound_to_parent

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync",
         "--disable-component-update", "--no-first-run", "--no-pdf-header-footer",
         "--run-all-compositor-stages-before-draw",
         "--virtual-time-budget=10000", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
TIMEOUT = 120


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def print_to_pdf(page: Path, target: Path) -> None:
    """Print `page` (a local HTML file) to `target`."""
    browser = chromium()
    if browser is None:
        raise CampaignError(_m("The PDF needs Chromium, which is not installed; nothing was changed."),
                            _m("Install it (`make system`, Debian package chromium), or leave out --pdf."))
    with tempfile.TemporaryDirectory(prefix="campaign-chromium-") as profile:
        try:
            # Killed with the command: a killed `report --pdf` leaves no browser printing on.
            done = subprocess.run(bound_to_parent([browser, *FLAGS, f"--user-data-dir={profile}",
                                                   f"--print-to-pdf={target}", page.resolve().as_uri()]),
                                  capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            done = None
    if done is None or done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        raise CampaignError(_m("Chromium could not print the report as a PDF; nothing was changed."),
                            _m("Try again, or run `campaign report` without --pdf and print the page from a browser."))
