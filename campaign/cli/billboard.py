"""campaign billboard pick|show|approve|export|preflight."""
from __future__ import annotations

import click

from campaign.cli.common import CampaignGroup, emit, json_option, keep_freed_memory, warn, when, workspace
from campaign.workspace.i18n import N_, _, format_date, translate


@click.group(cls=CampaignGroup)
def billboard():
    """The billboard: pick the portraits, approve the pick, export the print PDF."""


def _stored(text: str) -> str:
    """A reason stored with the pick (a message, see billboard.shown_pick) in the interface language."""
    return translate(text)


def _show(doc: dict) -> None:
    click.echo(_("Billboard pick {pick} for {from_} to {to} ({count} of {slots} slots, photos checked for "
                 "{checked_for}):",
                 pick=doc['pick'], from_=format_date(doc['from']), to=format_date(doc['to']),
                 count=len(doc['picked']), slots=doc['slots'], checked_for=_stored(doc['checked_for'])))
    for i, c in enumerate(doc["picked"], 1):
        click.echo(f"  {i}. {c['portrait_id']}: {_stored(c['why'])}")
    if doc["skipped"]:
        click.echo(_("Not on it:"))
        for s in doc["skipped"]:
            click.echo(f"  {s['portrait_id']}: {_stored(s['reason'])}")
    verdict = doc.get("fit") or {"fits": True}
    if not verdict["fits"]:
        warn(_("This pick does not fit the poster: {problems}.",
               problems="; ".join(_stored(p) for p in verdict["problems"])))
        if verdict.get("offer"):
            warn(_stored(verdict["offer"]))
    if doc.get("approved_at"):
        click.echo(_("Approved by {approved_by} at {approved_at}.", approved_by=doc['approved_by'],
                     approved_at=when(doc['approved_at'])))
    elif verdict["fits"]:
        click.echo(_("Not approved yet: campaign billboard approve."))


@billboard.command()
@click.option("--slots", type=int, default=None,
              help=N_("How many portraits (default from campaign.toml, 9)."))
@click.option("--from", "start", help=N_("First day of the run, YYYY-MM-DD or DD.MM.YYYY (default today)."))
@click.option("--to", "end", help=N_("Last day of the run, YYYY-MM-DD or DD.MM.YYYY (default ten days)."))
@json_option
@click.pass_context
def pick(ctx, slots, start, end, as_json):
    """Pick the motifs: consent for the whole run, photos large enough, variety, then engagement."""
    from campaign.outputs.billboard import pick as do_pick

    emit(do_pick(workspace(ctx), slots, start, end), as_json, _show)


@billboard.command()
@json_option
@click.pass_context
def show(ctx, as_json):
    """Show the latest pick and whether it is approved."""
    from campaign.outputs.billboard import current

    emit(current(workspace(ctx)), as_json,
         lambda doc: _show(doc) if doc else click.echo(_("No billboard pick yet: campaign billboard pick.")))


@billboard.command()
@json_option
@click.pass_context
def approve(ctx, as_json):
    """Sign off the latest pick (records who and when)."""
    from campaign.outputs.billboard import approve as do_approve

    emit(do_approve(workspace(ctx)), as_json, _said_approved)


def _said_approved(doc: dict) -> None:
    if doc.get("already"):
        click.echo(_("Pick {pick} was already approved by {approved_by} at {approved_at}.", pick=doc['pick'],
                     approved_by=doc['approved_by'], approved_at=when(doc['approved_at'])))
    else:
        click.echo(_("Pick {pick} approved by {approved_by} at {approved_at}.", pick=doc['pick'],
                     approved_by=doc['approved_by'], approved_at=when(doc['approved_at'])))


@billboard.command()
@click.option("--format", "fmt", help=N_("18/1, city-light or WIDTHxHEIGHTcm (default from campaign.toml)."))
@click.option("--scale", help=N_("1:10 (default) or 1:1."))
@click.option("--dpi", type=int, help=N_("Resolution of the photos at that scale (default 300)."))
@click.option("--out", type=click.Path(dir_okay=False),
              help=N_("The PDF to write (default exports/billboard-...pdf)."))
@click.option("--force", is_flag=True,
              help=N_("Replace --out (and its .png) even if no billboard export wrote it."))
@click.option("--icc", type=click.Path(dir_okay=False),
              help=N_("The printer's CMYK ICC profile: photos and colours converted to it, embedded as the "
                      "output intent."))
@json_option
@click.pass_context
def export(ctx, fmt, scale, dpi, out, force, icc, as_json):
    """Write the approved pick as a print PDF (PDF/X-4 candidate) with bleed and crop marks, plus a PNG preview."""
    from campaign.outputs.billboard import export as do_export

    keep_freed_memory()
    emit(do_export(workspace(ctx), fmt, scale, dpi, out, icc, force), as_json, _said_export)


def _said_export(result: dict) -> None:
    w, h = result["page_mm"]
    click.echo(_("Wrote {pdf} ({format} at {scale}, {dpi} dpi, grid {grid}; page {w:g} x {h:g} mm with "
                 "{bleed_mm:g} mm bleed and crop marks).",
                 pdf=result['pdf'], format=result['format'], scale=result['scale'], dpi=result['dpi'],
                 grid=result['grid'], w=w, h=h, bleed_mm=result['bleed_mm']))
    click.echo(_("Colour: {colour}. Type at full size: names {name:g} cm, campaign name {title:g} cm.",
                 colour=result['colour'], name=result['type_cm']['name'], title=result['type_cm']['title']))
    for slot in result["slots"]:
        click.echo(_("  {portrait_id}: {slot_pixels}x{slot_pixels2} px, {effective_dpi} dpi at {scale}",
                     portrait_id=slot['portrait_id'], slot_pixels=slot['slot_pixels'][0],
                     slot_pixels2=slot['slot_pixels'][1], effective_dpi=slot['effective_dpi'],
                     scale=result['scale']))
    click.echo(_("Preview: {png}", png=result['png']))
    for line in result["warnings"]:
        warn(_("low resolution: {line}", line=line))


@billboard.command()
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@click.pass_context
def preflight(ctx, file, as_json):
    """Check a billboard PDF as a printer would: PDF/X-4 keys, output intent, boxes, marks, fonts, colour, resolution."""  # noqa: E501 - one msgid
    from campaign.outputs.billboard import preflight as do_preflight

    result = emit(do_preflight(file), as_json, _said_preflight)
    if not result["ok"]:
        ctx.exit(1)


def _said_preflight(result: dict) -> None:
    for c in result["checks"]:
        click.echo(_("{result}  {check}: {detail}", result=_("PASS") if c["ok"] else _("FAIL"),
                     check=translate(c["check"]), detail=translate(c["detail"])))
    click.echo(_("All checks passed.") if result['ok'] else _("Some checks failed: the printer will "
                                                              "likely reject this file."))
