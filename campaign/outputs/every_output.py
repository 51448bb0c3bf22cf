"""Every output module that registers places on the footprint list (campaign/workspace/footprint.py).

campaign/privacy/places.py imports this before it reads the list, so that erasure, withdrawal,
`gdpr export`, `status` and `doctor` see every kind of file that can show a person. A new output
that shows people registers its places in its own module and is imported here.
"""
from __future__ import annotations

from campaign.outputs import billboard_places, handout, postview, render_places, report

MODULES = (render_places, postview, billboard_places, report, handout)
