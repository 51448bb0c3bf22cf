"""The billboard's preflight: read a print PDF back (pikepdf) and check it as a PDF/X-4 preflight would."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from portraits.errors import CampaignError
from portraits.messages import _m, _mn, join
from portraits.poster import CONDITIONS, PT_PER_MM

Matrix = tuple[float, float, float, float, float, float]
Segment = tuple[float, float, float, float]
Placed = tuple[str, float, float]  # an image's name and its placed width and height (points)
# pikepdf's objects (pages, dictionaries, streams) take any key as an attribute: Any, read as PDF.
PdfObject = Any


def _matrix_mul(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _walk(page: PdfObject) -> tuple[list[Segment], list[Placed]]:
    """Stroked line segments and placed images of a page: ([(x0, y0, x1, y1)], [(name, width_pt, height_pt)]),
    in page points (the current transformation matrix applied)."""
    import pikepdf

    ctm: Matrix = (1, 0, 0, 1, 0, 0)
    stack: list[Matrix] = []
    segments: list[Segment] = []
    images: list[Placed] = []
    path: list[Segment] = []
    point: tuple[float, float] | None = None

    def at(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = ctm
        return a * x + c * y + e, b * x + d * y + f
    for instruction in pikepdf.parse_content_stream(page):
        operands: Any = instruction.operands
        op = str(instruction.operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else ctm
        elif op == "cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            ctm = _matrix_mul((a, b, c, d, e, f), ctm)
        elif op == "m":
            point = at(float(operands[0]), float(operands[1]))
        elif op == "l" and point is not None:
            nxt = at(float(operands[0]), float(operands[1]))
            path.append((*point, *nxt))
            point = nxt
        elif op in ("S", "s"):
            segments.extend(path)
            path = []
        elif op in ("n", "f", "F", "f*", "B", "b", "B*", "b*"):
            path = []
        elif op == "Do":
            images.append((str(operands[0]), abs(ctm[0]) + abs(ctm[2]), abs(ctm[1]) + abs(ctm[3])))
    return segments, images


Check = Callable[..., None]  # check(name, ok, detail, where=None): one line of the preflight


def preflight(path: Path) -> list[dict[str, Any]]:
    """Read a PDF back (pikepdf) and check it as a PDF/X-4 preflight would: [{check, ok, detail}]."""
    import pikepdf

    checks: list[dict[str, Any]] = []

    def check(name: str, ok: bool, detail: str, where: int | None = None) -> None:
        # names and details are messages: English in --json, the interface language on screen
        if where is not None:
            name = _m("{check} (page {number})", check=name, number=where)
        checks.append({"check": name, "ok": bool(ok), "detail": detail})
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PdfError:
        raise CampaignError(_m("{name} is not a readable PDF.", name=Path(path).name),
                            _m("Give the PDF that billboard export wrote.")) from None
    with pdf:
        _document_checks(pdf, check)
        cmyk_intent = _output_intent_check(pdf, check)
        info = pdf.docinfo
        dpi_wanted = int(info.get("/CampaignDPI", 72))
        if "/CampaignFaces" in info:  # our own export: each slot's crop against its face box
            slots = str(info.CampaignFaces).split()
            cut = [s.split(":")[0] for s in slots if s.endswith(":cut")]
            check("Faces whole (per slot)", not cut,
                  f"slot(s) {', '.join(cut)} cut through the face" if cut else
                  f"{sum(s.endswith(':ok') for s in slots)} of {len(slots)} slot(s) checked, every face whole "
                  "from forehead to chin")
        for number, page in enumerate(pdf.pages, 1):
            where = number if len(pdf.pages) > 1 else None
            bleed = _box_check(page, check, where)
            if bleed is None:
                continue
            segments, placed = _walk(page)
            inner = [s for s in segments if max(s[0], s[2]) > bleed[0] + 0.01 and min(s[0], s[2]) < bleed[2] - 0.01
                     and max(s[1], s[3]) > bleed[1] + 0.01 and min(s[1], s[3]) < bleed[3] - 0.01]
            check(_m("Crop marks outside the bleed"), len(segments) >= 8 and not inner,
                  _mn("{n} mark line, {inner} reaching into the BleedBox",
                      "{n} mark lines, {inner} reaching into the BleedBox", len(segments), inner=len(inner)), where)
            _font_check(page, check, where)
            _image_checks(page, placed, check, where, dpi_wanted, cmyk_intent)
    return checks


def _document_checks(pdf: PdfObject, check: Check) -> None:
    """The PDF version, the PDF/X keys (document info and XMP alike) and the Trapped key."""
    version = tuple(int(v) for v in pdf.pdf_version.split("."))
    check(_m("PDF version"), version >= (1, 6),
          _m("{version} (PDF/X-4 needs 1.6 or later)", version=str(pdf.pdf_version)))
    info = pdf.docinfo
    pdfx = str(info.get("/GTS_PDFXVersion", ""))
    with pdf.open_metadata() as meta:
        xmp_pdfx = meta.get("pdfxid:GTS_PDFXVersion", "")
    missing = _m("missing")
    check(_m("PDF/X version"), pdfx.startswith("PDF/X-4") and xmp_pdfx == pdfx,
          _m("info {info}, XMP {xmp}", info=pdfx or missing, xmp=xmp_pdfx or missing))
    trapped = str(info.get("/Trapped", ""))
    check(_m("Trapped key"), trapped in ("/True", "/False"), trapped or missing)


def _output_intent_check(pdf: PdfObject, check: Check) -> bool:
    """Check the GTS_PDFX output intent; True when it embeds a CMYK profile (then images must be CMYK)."""
    import pikepdf

    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == pikepdf.Name.GTS_PDFX]
    if not intents:
        check(_m("Output intent"), False, _m("no GTS_PDFX output intent"))
        return False
    intent = intents[0]
    condition = str(intent.get("/OutputConditionIdentifier", ""))
    profile = intent.get("/DestOutputProfile")
    if profile is None:
        check(_m("Output intent"), condition in CONDITIONS,
              _m("{condition} ({registered}); no profile embedded: export with --icc to embed the printer's",
                 condition=condition, registered=CONDITIONS.get(condition) or _m("not a registered condition")))
        return False
    cmyk_intent = int(profile.get("/N", 0)) == 4
    check(_m("Output intent"), cmyk_intent,
          _m("{condition}: {info}, CMYK profile embedded", condition=condition,
             info=str(intent.get('/Info', ''))) if cmyk_intent else
          _m("{condition}: the embedded profile is not CMYK", condition=condition))
    return cmyk_intent


def _box_check(page: PdfObject, check: Check, where: int | None) -> list[float] | None:
    """TrimBox inside BleedBox inside the page; returns the BleedBox (None: a box is missing)."""
    media = [float(v) for v in page.obj.MediaBox]
    trim, bleed = page.obj.get("/TrimBox"), page.obj.get("/BleedBox")
    if trim is None or bleed is None:
        check(_m("TrimBox and BleedBox"), False, _m("missing"), where)
        return None
    trim, bleed = [float(v) for v in trim], [float(v) for v in bleed]
    inside = (media[0] <= bleed[0] <= trim[0] and media[1] <= bleed[1] <= trim[1]
              and trim[2] <= bleed[2] <= media[2] and trim[3] <= bleed[3] <= media[3])
    sides = min(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]) / PT_PER_MM
    check(_m("TrimBox and BleedBox"), inside and sides > 0,
          _m("trim {width:.1f} x {height:.1f} mm, bleed {sides:.1f} mm a side, inside the page",
             width=(trim[2] - trim[0]) / PT_PER_MM, height=(trim[3] - trim[1]) / PT_PER_MM, sides=sides), where)
    return bleed


def _font_check(page: PdfObject, check: Check, where: int | None) -> None:
    fonts_ok, names = True, []
    for font in _fonts(page.obj.Resources):
        descriptor = font.get("/FontDescriptor")
        if descriptor is None and "/DescendantFonts" in font:
            descriptor = font.DescendantFonts[0].get("/FontDescriptor")
        embedded = descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        fonts_ok &= embedded
        base = str(font.get("/BaseFont", "?")).lstrip("/")
        names.append(base if embedded else _m("{font} (not embedded)", font=base))
    check(_m("Fonts embedded"), fonts_ok, join(", ", names) if names else _m("no fonts"), where)


def _image_checks(page: PdfObject, placed: list[Placed], check: Check, where: int | None, dpi_wanted: int,
                  cmyk_intent: bool) -> None:
    """Each image's colour space against the output intent, and its resolution at its placed size."""
    import pikepdf

    spaces, low = [], []
    default_rgb = "/DefaultRGB" in page.obj.Resources.get("/ColorSpace", {})
    for name, image in _images(page):
        cs = image.get("/ColorSpace")
        kind = str(cs if not isinstance(cs, pikepdf.Array) else f"{cs[0]} N={int(cs[1].get('/N', 0))}")
        spaces.append(kind)
        for used, w_pt, _h in placed:
            if used == str(name) and w_pt > 0:
                ppi = int(image.Width) / (w_pt / 72)
                if ppi < dpi_wanted * 0.95:
                    low.append(_m("{image} {ppi:.0f} ppi", image=str(name).lstrip('/'), ppi=ppi))
    if cmyk_intent:
        colour_ok = all(s in ("/DeviceCMYK", "/DeviceGray") or s.endswith("N=4") for s in spaces)
        detail = _m("CMYK images only") if colour_ok else _m("RGB images in a CMYK file")
    else:
        colour_ok = all(s != "/DeviceRGB" or default_rgb for s in spaces)
        detail = (_m("RGB tagged sRGB (ICC-based), the printer converts") if colour_ok
                  else _m("untagged device RGB"))
    check(_m("Colour"), colour_ok, _m("{detail}: {spaces}", detail=detail,
                                      spaces=", ".join(sorted(set(spaces))) or _m("no images")), where)
    check(_m("Image resolution"), not low,
          _m("every image at least {dpi} ppi at the page's size", dpi=dpi_wanted) if not low
          else join(", ", low), where)


def _fonts(resources: PdfObject, seen: set[tuple[int, int]] | None = None) -> Iterator[PdfObject]:
    """Every font of a resource dictionary and of the forms inside it."""
    seen = set() if seen is None else seen
    for _name, font in (resources.get("/Font") or {}).items():
        if font.objgen not in seen:
            seen.add(font.objgen)
            yield font
    for _name, xobject in (resources.get("/XObject") or {}).items():
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject and xobject.objgen not in seen:
            seen.add(xobject.objgen)
            yield from _fonts(xobject.Resources, seen)


def _images(page: PdfObject) -> list[tuple[str, PdfObject]]:
    """(name, image) of the page's own image XObjects."""
    xobjects = page.obj.Resources.get("/XObject") or {}
    return [(name, x) for name, x in xobjects.items() if x.get("/Subtype") == "/Image"]
