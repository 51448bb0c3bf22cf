"""The workspace: one folder that holds one campaign (DESIGN.md).

    campaign.toml  campaign.json  campaign.log  photos/  renders/  outbox/  exports/
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from portraits.errors import CampaignError
from portraits.messages import _m

if TYPE_CHECKING:
    from campaign.workspace.config import Settings
    from campaign.workspace.settings_values import PlainSettings
    from campaign.workspace.store import Store

CONFIG_NAME = "campaign.toml"  # = campaign.workspace.config.CONFIG_NAME; that module (pydantic) loads when needed
STORE_NAME = "campaign.json"
LOG_NAME = "campaign.log"
PRIVATE_NAME = ".private"
FOLDERS = ("photos", "renders", "outbox", "exports")
ENV_VAR = "CAMPAIGN_WORKSPACE"


@dataclass
class Workspace:
    root: Path
    _config: Settings | None = field(default=None, repr=False)
    _kept: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)

    @cached_property
    def config(self) -> Settings:
        """The settings model (pydantic): made from the values `check_settings` verified, when it did,
        else campaign.toml read (checked in full unless it was checked before)."""
        from campaign.workspace.settings_cache import load_settings, read_back

        if self._config is not None:
            return self._config
        settings = read_back(self._kept) if self._kept is not None else None
        return settings if settings is not None else load_settings(self.root / CONFIG_NAME)

    @cached_property
    def plain(self) -> PlainSettings:
        """campaign.toml's values as the model reads them (`ws.plain.brand.primary`), for a command
        that reads plain values only: the values `check_settings` verified, without loading the settings
        model (pydantic); the model's dump when it is loaded or the file must be checked in full.
        Dropped with the model by `reread_settings`."""
        from campaign.workspace.settings_cache import kept_values
        from campaign.workspace.settings_values import PlainSettings

        if self._config is None and "config" not in self.__dict__:
            values = self._kept if self._kept is not None else kept_values(self.root / CONFIG_NAME)
            if values is not None:
                return PlainSettings(values)
        return PlainSettings(self.config.model_dump())

    def check_settings(self) -> None:
        """Report a broken campaign.toml now, before a command does anything. A file that passed the
        check before is only verified against its kept copy (tomllib and json): the settings model
        loads only when a command reads more than a plain value such as the time zone."""
        if self._config is not None or self._kept is not None or "config" in self.__dict__:
            return
        from campaign.workspace.settings_cache import kept_values

        self._kept = kept_values(self.root / CONFIG_NAME)
        if self._kept is None:
            self.config  # noqa: B018 - checked in full, and kept for the next command

    def reread_settings(self) -> None:
        """campaign.toml changed while this process runs (the web app): the next read takes the file again."""
        self.__dict__.pop("config", None)
        self.__dict__.pop("plain", None)
        self._kept = None

    @cached_property
    def store(self) -> Store:
        """The store; a workspace whose campaign.json is missing or empty is refused, never started afresh."""
        from campaign.workspace.store import Store

        return Store(self.root / STORE_NAME, create=False)

    @property
    def tz(self) -> ZoneInfo:
        """The campaign's time zone; from the verified kept values while the model is not loaded."""
        if self._kept is not None and "config" not in self.__dict__:
            try:
                return ZoneInfo(self._kept["timezone"])
            except (KeyError, TypeError, ValueError):  # not a dump of the model: the model decides
                pass
        return self.config.tz

    def now(self) -> datetime:
        """The current time in the campaign's timezone (aware)."""
        return datetime.now(self.tz)

    @property
    def photos(self) -> Path:
        return self.root / "photos"

    @property
    def renders(self) -> Path:
        return self.root / "renders"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def log_path(self) -> Path:
        return self.root / LOG_NAME

    def photo_of(self, portrait: dict) -> Path:
        """The portrait's kept photo, checked before it is read for a render, an export or a hand-out:
        never a link out of photos/, never another picture put under its name. A missing one is left
        to the reader to report, as before."""
        from portraits.files import require_kept_file
        from portraits.messages import _m

        path = self.root / portrait["photo"]["file"]
        if path.exists() or path.is_symlink():
            require_kept_file(path, self.photos, portrait["photo"].get("kept_sha256"), True,
                              _m("Restore photos/ from a backup of the workspace, or add the portrait again "
                                 "with its own photo."))
        return path

    @property
    def private(self) -> Path:
        """Sessions, consent forms and other files that must never be published (mode 0700).

        mkdir's mode only applies to a new folder: one copied in with wider modes is tightened here."""
        path = self.root / PRIVATE_NAME
        path.mkdir(mode=0o700, exist_ok=True)
        if path.stat().st_mode & 0o777 != 0o700:
            path.chmod(0o700)
        return path


def init_workspace(path: Path, name: str | None = None, hashtag: str | None = None,
                   timezone: str = "Europe/Berlin") -> Workspace:
    """Create a workspace folder with a commented campaign.toml and an empty store."""
    from pydantic import ValidationError

    from campaign.workspace.config import Settings
    from campaign.workspace.settings_template import render_template

    path = Path(path).resolve()
    if (path / CONFIG_NAME).exists():
        raise CampaignError(_m("{path} already holds a campaign.", path=path),
                            _m("Use it as it is, or choose another folder."))
    if path.exists() and not path.is_dir():
        raise CampaignError(_m("{path} is a file, not a folder.", path=path),
                            _m("Choose a folder for the workspace."))
    name = name if name is not None else Settings.model_fields["name"].default
    if hashtag is None:
        hashtag = "#" + "".join(ch for ch in name.lower() if ch.isalnum())
    try:
        settings = Settings(name=name, hashtag=hashtag, timezone=timezone)
    except ValidationError as e:
        error = e.errors()[0]
        option = {"name": "--name", "hashtag": "--hashtag", "timezone": "--timezone"}.get(str(error["loc"][0]), "")
        raise CampaignError(f"{option}: {str(error['msg']).removeprefix('Value error, ')}.",
                            {"--timezone": _m("Use a name like Europe/Berlin."),
                             "--hashtag": _m("Use letters and digits only, e.g. #duisburgistechtsolidarisch.")}
                            .get(option, _m("Use plain text on one line."))) from None
    path.mkdir(parents=True, exist_ok=True)
    for folder in FOLDERS:
        (path / folder).mkdir(exist_ok=True)
    from campaign.workspace.store import Store, atomic_write_text

    # The store first, campaign.toml last: a folder with campaign.toml always has its store.
    with Store(path / STORE_NAME, create=True).transaction() as db:
        from portraits import audit
        audit.record(db, "init", None, name=settings.name)
    atomic_write_text(path / CONFIG_NAME, render_template(settings.name, settings.hashtag, settings.timezone))
    return Workspace(path)


def settings_file(explicit: str | Path | None = None, cwd: Path | None = None) -> Path | None:
    """The workspace's campaign.toml: in `-w` first, then CAMPAIGN_WORKSPACE, then the current folder or
    its nearest parent; None when the place looked in has none. Cheap: `--help` uses it too."""
    chosen = explicit or os.environ.get(ENV_VAR)
    if chosen:
        folders = [Path(chosen).expanduser().resolve()]
    else:
        here = (cwd or Path.cwd()).resolve()
        folders = [here, *here.parents]
    for folder in folders:
        if (folder / CONFIG_NAME).exists():
            return folder / CONFIG_NAME
    return None


def find_workspace(explicit: str | Path | None = None, cwd: Path | None = None) -> Workspace:
    """`-w` first, then CAMPAIGN_WORKSPACE, then the current folder or its nearest parent."""
    found = settings_file(explicit, cwd)
    if found is not None:
        return Workspace(found.parent)
    if explicit:
        root = Path(explicit).expanduser().resolve()
        raise CampaignError(_m("{root} is not a campaign workspace (no {config_name}).", root=root,
                               config_name=CONFIG_NAME),
                            _m("Create one with `campaign init PATH`."))
    env = os.environ.get(ENV_VAR)
    if env:
        raise CampaignError(_m("{env_var}={env} is not a campaign workspace (no {config_name}).",
                               env_var=ENV_VAR, env=env, config_name=CONFIG_NAME),
                            _m("Fix the variable or create one with `campaign init PATH`."))
    raise CampaignError(_m("No campaign workspace here or in any parent folder."),
                        _m("Run `campaign init PATH`, or pass -w PATH, or set CAMPAIGN_WORKSPACE."))
