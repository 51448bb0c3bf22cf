"""systemd units for a workspace (`campaign service units`): the publishing daemon, the web app and
the daily WhatsApp send, as a city's IT runs services.

Tokens never go into a unit (units are world-readable): each unit reads an optional environment file
that IT keeps with mode 0600. Units are written only where none is, or over a unit this command wrote
(its first line says so): never over a file someone else made.
"""
from __future__ import annotations

import pwd
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from campaign.workspace import Workspace
from portraits.errors import CampaignError
from portraits.files import atomic_write_bytes
from portraits.messages import _m

MARK = "# Written by `campaign service units`"
USER_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
UNSAFE_PATH = re.compile(r"[\s\"'\\%$;]")  # what would need quoting in a unit line: refused instead
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


@dataclass(frozen=True)
class Unit:
    name: str
    text: str


def default_user(ws: Workspace) -> str:
    """The owner of the workspace folder: the account that can already read and write it."""
    return pwd.getpwuid(ws.root.stat().st_uid).pw_name


def executable() -> str:
    """This installation's `campaign` (the virtual environment's script when there is one)."""
    script = Path(sys.executable).with_name("campaign")
    return str(script) if script.exists() else f"{sys.executable} -m campaign"


def slug(ws: Workspace) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ws.root.name.lower()).strip("-") or "campaign"


def _check(ws: Workspace, user: str, whatsapp_at: str) -> None:
    if not USER_NAME.fullmatch(user):
        raise CampaignError(_m("{user!r} is not a system account name.", user=user),
                            _m("Give the account the services run as, e.g. --user campaign."))
    if user == "root":
        raise CampaignError(_m("The services should not run as root."),
                            _m("Give the account that owns the workspace, e.g. --user campaign."))
    for path in (str(ws.root), executable()):
        if UNSAFE_PATH.search(path.replace(" -m campaign", "")):
            raise CampaignError(_m("{path} has a space or a sign a unit file would need quoted.", path=path),
                                _m("Move it to a path of letters, digits, '-', '_' and '/', e.g. /srv/campaign."))
    if not TIME.fullmatch(whatsapp_at):
        raise CampaignError(_m("--whatsapp-at {value} is not a time of day.", value=whatsapp_at),
                            _m("Give it as HH:MM, e.g. 09:00."))


def _service(ws: Workspace, user: str, description: str, command: str, kind: str = "simple",
             extra: str = "") -> str:
    root = ws.root
    return f"""{MARK} for {root}
[Unit]
Description={description} ({ws.config.name.replace('%', '%%')})
After=network-online.target
Wants=network-online.target

[Service]
Type={kind}
User={user}
WorkingDirectory={root}
Environment=CAMPAIGN_WORKSPACE={root}
Environment=CAMPAIGN_USER={user}
# Tokens (CAMPAIGN_FACEBOOK_TOKEN, ...) go here, mode 0600, never into this file:
EnvironmentFile=-/etc/campaign/{slug(ws)}.env
ExecStart={executable()} -w {root} {command}
UMask=0077
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths={root}
{extra}"""


def units(ws: Workspace, user: str | None = None, host: str = "127.0.0.1", port: int = 8080,
          whatsapp_at: str = "09:00") -> list[Unit]:
    """The four unit files for `ws`: daemon, web app, and the WhatsApp send with its daily timer."""
    user = user or default_user(ws)
    _check(ws, user, whatsapp_at)
    name = f"campaign-{slug(ws)}"
    proxy = " --https-proxy" if host in ("127.0.0.1", "::1", "localhost") else ""
    always = "Restart=on-failure\nRestartSec=10\n"
    return [
        Unit(f"{name}-run.service", _service(
            ws, user, "Campaign publishing daemon", "run",
            extra=always + "# A post mid-call is written `publishing` first; give the call time to end.\n"
                           "TimeoutStopSec=120\n\n[Install]\nWantedBy=multi-user.target\n")),
        Unit(f"{name}-web.service", _service(
            ws, user, "Campaign web app", f"serve --host {host} --port {port}{proxy}",
            extra=always + "\n[Install]\nWantedBy=multi-user.target\n")),
        Unit(f"{name}-whatsapp.service", _service(ws, user, "Campaign daily WhatsApp send", "whatsapp send",
                                                  kind="oneshot")),
        Unit(f"{name}-whatsapp.timer", f"""{MARK} for {ws.root}
[Unit]
Description=Campaign daily WhatsApp send at {whatsapp_at} ({ws.config.timezone})

[Timer]
OnCalendar=*-*-* {whatsapp_at}:00 {ws.config.timezone}
Persistent=true
Unit={name}-whatsapp.service

[Install]
WantedBy=timers.target
"""),
    ]


def install_units(found: list[Unit], folder: Path) -> list[str]:
    """Write the units into `folder` (e.g. /etc/systemd/system); a unit someone else wrote is refused."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CampaignError(_m("The folder {folder} does not exist.", folder=folder),
                            _m("Give the folder systemd reads, e.g. /etc/systemd/system."))
    for unit in found:
        path = folder / unit.name
        if path.is_symlink() or (path.exists() and not path.read_text(errors="replace").startswith(MARK)):
            raise CampaignError(_m("{path} exists and was not written by `campaign service units`.", path=path),
                                _m("Nothing was written. Remove or rename it first, or print the units and "
                                   "merge them by hand."))
    for unit in found:
        atomic_write_bytes(folder / unit.name, unit.text.encode(), mode=0o644)
    return [str(folder / unit.name) for unit in found]


def owner_can_write(ws: Workspace, user: str) -> bool:
    """Whether `user` owns the workspace (else the services cannot write the store)."""
    try:
        return pwd.getpwnam(user).pw_uid == ws.root.stat().st_uid
    except KeyError:
        return False


