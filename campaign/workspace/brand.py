"""The brand's files named in campaign.toml [brand]: the font and the logo, checked, as paths.

Rendering and the billboard both take them from here, so a render does not load the billboard."""
from __future__ import annotations

from pathlib import Path

from campaign.workspace import Workspace
from portraits.errors import CampaignError
from portraits.messages import _m


def brand_font(ws: Workspace, default: bool = True) -> Path | None:
    """The [brand] font, checked; without one, Noto Sans (or None when `default` is False)."""
    custom = ws.plain.brand.font
    if custom:
        path = (ws.root / custom).resolve()
        if not path.is_file():
            raise CampaignError(_m("The brand font {custom} does not exist.", custom=custom),
                                _m("Fix [brand] font in campaign.toml, or leave it empty."))
        return path
    from portraits.fonts import fallbacks

    return fallbacks()[0] if default else None


def brand_logo(ws: Workspace) -> Path | None:
    logo = ws.plain.brand.logo
    if not logo:
        return None
    path = (ws.root / logo).resolve()
    if not path.is_file():
        raise CampaignError(_m("The logo {logo} does not exist.", logo=logo),
                            _m("Fix [brand] logo in campaign.toml, or leave it empty."))
    return path
