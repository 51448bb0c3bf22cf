"""campaign portrait add|import|list|show|edit|approve|translate."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from campaign.cli.common import CampaignGroup, echo_table, emit, json_option, warn, workspace
from campaign.workspace import i18n
from campaign.workspace.i18n import N_, _, format_date
from portraits.messages import from_stored
from portraits.model import PortraitStatus


@click.group(cls=CampaignGroup)
def portrait() -> None:
    """Portraits: the people, their photo, quote and role."""


@portrait.command("add")
@click.argument("photo", type=click.Path(dir_okay=False))
@click.option("--first-name", required=True, help=N_("First name, the only name ever shown."))
@click.option("--age", required=True, help=N_("Age in years."))
@click.option("--role", required=True, help=N_("Role as it appears, e.g. Intensivkrankenschwester."))
@click.option("--quote", required=True, help=N_("The person's own words: about 200 characters fit every format (a longer "
                                               "quote is refused with how many of its characters fit)."))
@click.option("--surname", help=N_("Kept for the office's records only; never published."))
@click.option("--role-category", help=N_("Group for variety in the plan and billboard, e.g. health."))
@click.option("--lang", help=N_("Language of the quote (default: the campaign's)."))
@click.option("--credit", help=N_("Photo credit, e.g. the photographer."))
@click.option("--id", "portrait_id", help=N_("Own id instead of first-name-age."))
@json_option
@click.pass_context
def add(ctx, photo, first_name, age, role, quote, surname, role_category, lang, credit, portrait_id, as_json):
    """Add a portrait from PHOTO."""
    from campaign.intake.adding import add_portrait
    from portraits import records

    ws = workspace(ctx)
    record = add_portrait(ws, Path(photo), first_name=first_name, age=age, role=role, quote=quote, surname=surname,
                          role_category=role_category, lang=lang, credit=credit, portrait_id=portrait_id)
    emit(record, as_json, _said_added, records.public)


def _said_added(record: dict) -> None:
    click.echo(_("Added {id}: {first_name}, {age}, {role}", id=record['id'], first_name=record['first_name'],
                 age=record['age'], role=record['role']))
    for w in from_stored(record["photo"].get("warnings", [])):
        warn(w)
    click.echo(_("Next: campaign consent grant {id} --scope instagram,facebook --signed-on YYYY-MM-DD",
                 id=record['id']))


@portrait.command("import")
@click.argument("csv_file", metavar="CSV", type=click.Path(dir_okay=False))
@click.option("--photos", "photos_dir", type=click.Path(file_okay=False),
              help=N_("Folder the CSV's photo paths are relative to (default: the CSV's folder)."))
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help=N_("Photos taken in at the same time (default: the number of cores)."))
@json_option
@click.pass_context
def import_(ctx, csv_file, photos_dir, jobs, as_json):
    """Import portraits from a CSV: all rows or none."""
    from campaign.intake.adding import import_portraits

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=_("Taking in the photos"), file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    shown = not as_json and sys.stderr.isatty()
    try:
        result = import_portraits(workspace(ctx), csv_file, photos_dir, jobs=jobs,
                                  progress=progress if shown else None)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    emit(result, as_json, lambda result: click.echo(_("Imported {count} portraits.", count=result['count'])))


@portrait.command("list")
@click.option("--status", type=click.Choice([s.value for s in PortraitStatus]),
              help=N_("Only portraits with this status."))
@json_option
@click.pass_context
def list_(ctx, status, as_json):
    """List the portraits."""
    from campaign.intake import portrait_actions

    emit(portrait_actions.rows(workspace(ctx), status), as_json, lambda rows: echo_table(
        [{**r, "scopes": r["consent"]["scopes"]} for r in rows],
        ["id", "first_name", "age", "role", "role_category", "status", "scopes"],
        empty=_("No portraits yet. Add one with `campaign portrait add PHOTO ...`.")))


@portrait.command("show")
@click.argument("portrait_id", metavar="ID")
@json_option
@click.pass_context
def show(ctx, portrait_id, as_json):
    """Show one portrait with its consent and photo checks."""
    from campaign.intake import portrait_actions

    emit(portrait_actions.detail(workspace(ctx), portrait_id), as_json, _said_detail)


def _said_detail(row: dict) -> None:
    click.echo(f"{row['id']}: {row['first_name']}, {row['age']}, {row['role']} ({row['role_category']})")
    click.echo(_("  status:   {status}", status=row['status']))
    click.echo(_("  quote:    {quote}  [{lang}]", quote=row['quote'], lang=row['lang']))
    for lang, t in (row.get("translations") or {}).items():
        click.echo(_("  quote {lang}: {quote}", lang=lang, quote=t['quote']))
    click.echo(_("  credit:   {credit}", credit=row.get('credit') or '-'))
    ph = row["photo"]
    click.echo(_("  photo:    {width}x{height} {format}, focus {focus} ({focus_source})", width=ph['width'],
                 height=ph['height'], format=ph.get('format'), focus=ph.get('focus'),
                 focus_source=ph.get('focus_source')))
    c = row["consent"]
    figures = {"scopes": ", ".join(c["scopes"]) or _("none valid"), "signed_on": format_date(c["signed_on"]) or "-"}
    line = (_("  consent:  {scopes}; signed {signed_on}, expires {expires}", expires=format_date(c["expires"]),
              **figures) if c["expires"] else _("  consent:  {scopes}; signed {signed_on}, never expires", **figures))
    if c["withdrawn"]:
        line += _("; withdrawn: {scopes}", scopes=", ".join(c["withdrawn"]))
    if c["needs_guardian"]:
        line += _("; needs a guardian's signature: {scopes}", scopes=", ".join(c["needs_guardian"]))
    click.echo(line)
    for w in from_stored(ph.get("warnings", [])):
        click.echo(_("  warning:  {w}", w=i18n.translate(w)))  # `translate` here is the command


@portrait.command("edit")
@click.argument("portrait_id", metavar="ID")
@click.option("--first-name")
@click.option("--surname", help=N_("Empty string removes it."))
@click.option("--age")
@click.option("--role")
@click.option("--role-category")
@click.option("--quote")
@click.option("--lang")
@click.option("--credit")
@click.option("--focus",
              help=N_("Focal point X,Y as fractions of the photo, e.g. 0.5,0.3 (overrides the face finder)."))
@json_option
@click.pass_context
def edit(ctx, portrait_id, first_name, surname, age, role, role_category, quote, lang, credit, focus, as_json):
    """Change a portrait's fields or focal point."""
    from campaign.intake import portrait_actions
    from portraits import records

    changes = dict(first_name=first_name, surname=surname, age=age, role=role, role_category=role_category,
                   quote=quote, lang=lang, credit=credit)
    done = portrait_actions.edit(workspace(ctx), portrait_id, {k: v for k, v in changes.items() if v is not None},
                                 focus=focus)
    emit(done, as_json, _said_edited,
         lambda d: records.public(d["record"]) | {"approvals_removed": d["approvals_removed"]})


def _said_edited(done: dict) -> None:
    from portraits import consent

    portrait_id = done["record"]["id"]
    click.echo(_("Updated {portrait_id}.", portrait_id=portrait_id))
    _say_approvals_removed(done["approvals_removed"])
    unsigned = done["needs_guardian"]
    if unsigned:
        warn(_("{portrait_id} is under {adult_age} now and no guardian signed the consent for {unsigned}: "
               "nothing of them is published, rendered, planned or picked until a guardian's consent is "
               "recorded (campaign consent grant {portrait_id} --scope ... --guardian NAME).",
               portrait_id=portrait_id, adult_age=consent.ADULT_AGE, unsigned=', '.join(unsigned)))


def _say_approvals_removed(lost: list[dict]) -> None:
    if lost:
        warn(_("This change takes the approvals of {posts} away: they need new approvals before they go out "
               "(campaign schedule approve).", posts=", ".join(p["id"] for p in lost)))


@portrait.command("approve")
@click.argument("portrait_ids", metavar="ID...", nargs=-1, required=True)
@click.pass_context
def approve(ctx, portrait_ids):
    """Approve portraits for publishing (each needs a valid consent)."""
    from campaign.intake import portrait_actions

    portrait_actions.approve(workspace(ctx), portrait_ids)
    click.echo(_("Approved {portrait_ids}.", portrait_ids=', '.join(portrait_ids)))


@portrait.command("translate")
@click.argument("portrait_id", metavar="ID")
@click.option("--lang", required=True, help=N_("Language code, e.g. tr, uk, ar."))
@click.option("--quote", required=True, help=N_("The quote in that language."))
@click.option("--role", help=N_("The role in that language."))
@click.pass_context
def translate(ctx, portrait_id, lang, quote, role):
    """Add the quote in another language."""
    from campaign.intake import portrait_actions

    done = portrait_actions.edit(workspace(ctx), portrait_id, {},
                                 translation={"lang": lang, "quote": quote, "role": role})
    click.echo(_("Saved the {language} quote of {portrait_id}.", language=lang, portrait_id=portrait_id))
    _say_approvals_removed(done["approvals_removed"])
