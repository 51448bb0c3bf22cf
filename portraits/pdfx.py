"""The keys a PDF/X-4 preflight asks of the billboard's print PDF, added with pikepdf to the file
reportlab wrote: page boxes, the output intent (the printer's CMYK profile, or sRGB for RGB), the
PDF/X version in the document info and the XMP, and what portraits/preflight.py reads back."""
from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

from portraits.poster import CONDITIONS, PT_PER_MM, Spec
from portraits.preflight import _images


def pdfx(path: Path, spec: Spec, title: str, condition: str, icc: Path | None, faces: str = "") -> None:
    """What a PDF/X-4 preflight asks of the file reportlab wrote: boxes, output intent, PDF/X keys and
    XMP, and RGB made device-independent (sRGB) where the images are not the printer's CMYK."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        pw, ph = spec.page

        def box(x: float, y: float, w: float, h: float) -> Any:  # page mm from the top left -> PDF points
            return pikepdf.Array([x * PT_PER_MM, (ph - y - h) * PT_PER_MM, (x + w) * PT_PER_MM, (ph - y) * PT_PER_MM])
        page.obj.MediaBox = box(0, 0, pw, ph)
        page.obj.BleedBox = box(*spec.bleed_box)
        page.obj.TrimBox = box(*spec.trim_box)
        _output_intent(pdf, page, condition, icc)
        _pdfx_keys(pdf, spec, title, faces)
        pdf.save(path, min_version="1.6")


def _output_intent(pdf: Any, page: Any, condition: str, icc: Path | None) -> None:
    """The GTS_PDFX output intent (the printer's CMYK profile embedded when given); without one, sRGB
    for every RGB image and for the page's RGB fills (DefaultRGB)."""
    import pikepdf
    from PIL import ImageCms

    intent = pikepdf.Dictionary(Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
                                OutputConditionIdentifier=condition, RegistryName="http://www.color.org",
                                Info=CONDITIONS.get(condition, condition))
    if icc is not None:
        profile = pdf.make_stream(Path(icc).read_bytes())
        profile.N = 4
        profile.Alternate = pikepdf.Name.DeviceCMYK
        intent.DestOutputProfile = profile
        described = ImageCms.getOpenProfile(str(icc)).profile.profile_description
        intent.OutputConditionIdentifier = "Custom"  # the profile itself says what it characterises
        intent.OutputCondition = described or Path(icc).stem
        intent.Info = described or Path(icc).stem
    pdf.Root.OutputIntents = pikepdf.Array([intent])
    if icc is None:
        srgb = pdf.make_stream(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
        srgb.N = 3
        srgb.Alternate = pikepdf.Name.DeviceRGB
        tagged = pikepdf.Array([pikepdf.Name.ICCBased, srgb])
        resources = page.obj.Resources
        colour_spaces = resources.get("/ColorSpace", pikepdf.Dictionary())
        colour_spaces.DefaultRGB = tagged
        resources.ColorSpace = colour_spaces
        for _name, image in _images(page):
            if image.get("/ColorSpace") == pikepdf.Name.DeviceRGB:
                image.ColorSpace = tagged


def _pdfx_keys(pdf: Any, spec: Spec, title: str, faces: str) -> None:
    """The PDF/X keys in the document info and the XMP alike, with what preflight reads back."""
    from datetime import datetime

    import pikepdf

    now = datetime.now(UTC)
    stamp = now.strftime("D:%Y%m%d%H%M%SZ")
    info = pdf.docinfo
    info.Title = title
    info.Creator = "campaign billboard export"
    info.GTS_PDFXVersion = "PDF/X-4"
    info.Trapped = pikepdf.Name("/False")
    info.CreationDate = stamp
    info.ModDate = stamp
    info.CampaignScale = spec.scale
    info.CampaignDPI = spec.dpi
    info.CampaignFaces = faces
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
        meta["pdfxid:GTS_PDFXVersion"] = "PDF/X-4"
        meta["xmp:CreateDate"] = now.isoformat(timespec="seconds")
        meta["xmp:ModifyDate"] = now.isoformat(timespec="seconds")
        meta["xmp:CreatorTool"] = "campaign billboard export"
        meta["pdf:Trapped"] = "False"
