"""What every command shares: finding the workspace, JSON output, turning our errors into messages."""
from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, TypeVar

import click

from campaign.workspace import i18n
from campaign.workspace.i18n import N_, _, translate
from portraits.errors import CampaignError, NotFound

T = TypeVar("T")

# Table headers a person reads; the column names (and `--json` keys) stay English.
HEADERS = {
    "action": N_("action"), "age": N_("age"), "at": N_("at"), "channel": N_("channel"),
    "comments": N_("comments"), "expires": N_("expires"), "failed": N_("failed"),
    "first_name": N_("first name"), "format": N_("format"), "guardians_signed": N_("guardians signed"),
    "id": N_("id"), "lang": N_("lang"), "likes": N_("likes"), "next": N_("next"), "number": N_("number"),
    "opted_in": N_("opted in"), "portrait_id": N_("portrait"), "rank": N_("rank"), "reason": N_("reason"),
    "role": N_("role"), "role_category": N_("role category"), "scopes": N_("scopes"), "score": N_("score"),
    "shares": N_("shares"), "signed_on": N_("signed on"), "source": N_("source"), "status": N_("status"),
    "subject": N_("subject"), "who": N_("who"), "withdrawn": N_("withdrawn"),
}

# What an option's help shows for its value when the option names none (click's type names).
TYPE_METAVARS = {"text": N_("TEXT"), "integer": N_("INTEGER"), "float": N_("NUMBER")}


def _skip_last_collection() -> None:
    """At exit Python runs a last garbage collection over every object the imports made (reportlab,
    pikepdf, Pillow, click: ~40 ms after a billboard export) just before the operating system frees
    them all. Freezing them skips that walk. Files and the store are closed by then (with-blocks),
    and logging flushes its handlers in its own exit hook, which runs after this one."""
    import atexit
    import gc

    atexit.register(gc.freeze)


def keep_freed_memory() -> None:
    """For a command that decodes photos one after another and then exits: glibc keeps the memory
    each photo's buffers free for the next one, instead of handing every block of more than a few
    megabytes back to the system and faulting it in again (zeroed page by page) for the next photo.
    A billboard export at 1:10: ~40,000 page faults -> ~25,000, ~50 ms less system time, peak +20 MB.
    Never for `serve` or `run`, which live on, nor for the import, which hands memory back on purpose."""
    from portraits.malloc import M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, mallopt

    mallopt(M_MMAP_THRESHOLD, 32 << 20)  # blocks up to 32 MB from the heap, not mmap
    mallopt(M_TRIM_THRESHOLD, 64 << 20)  # and up to 64 MB free at its top kept


class CampaignGroup(click.Group):
    """A click group that turns `CampaignError` into a clean message with exit code 1, and that
    speaks the interface language from the start (help and click's own messages included).

    `lazy` names commands by the module that holds each (the command object has the same name):
    a module is imported only when its command is looked up, so one command does not pay for all."""
    lazy: dict[str, str] = {}

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        if args is None:  # the command's own process (tests hand their arguments in)
            _skip_last_collection()
        argv = list(sys.argv[1:] if args is None else args)
        lang = i18n.choose(*_ui_language_hints(argv))
        with i18n.use(lang):
            install_click_translations()
            localize_help(self)
            return super().main(argv, *rest, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            import importlib

            command = getattr(importlib.import_module(self.lazy[cmd_name]), cmd_name)
            localize_help(command)
            self.add_command(command)
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # A terminal or script in another encoding hands Python bytes it keeps as lone surrogates;
        # stored or printed they would fail later, so such an argument is refused here, before anything.
        for arg in args:
            if any("\udc80" <= ch <= "\udcff" for ch in arg):
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                raise click.ClickException(_("The argument '{shown}' is not UTF-8 text.\nType it again in a "
                                             "UTF-8 terminal; rename a file whose name is not UTF-8.", shown=shown))
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CampaignError as e:
            _log_error(ctx, e)
            raise click.ClickException(shown(e)) from None
        except BrokenPipeError:  # output piped into `head`: not an error
            sys.stderr.close()
            ctx.exit(0)
        except OSError as e:  # disk full, permissions, a file vanished: say which, no traceback
            where = f" ({e.filename})" if e.filename else ""
            raise click.ClickException(_("{strerror}{where}.\nCheck the disk space and permissions of the "
                                         "workspace, then try again.", strerror=e.strerror or e, where=where)) from None


def shown(e: CampaignError) -> str:
    """The error and its hint as a person reads them: in the interface language."""
    message = translate(e.message)
    return f"{message}\n{translate(e.hint)}" if e.hint else message


def _ui_language_hints(argv: list[str]) -> tuple[str | None, str | None, str | None]:
    """--ui-lang, and `ui_language` and `language` from campaign.toml, read before click parses
    anything (help and usage errors are printed while parsing). The workspace's file is read with
    tomllib alone: a broken one is reported by the command itself, in the language chosen without it."""
    option = explicit = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if name in ("--ui-lang", "-w", "--workspace", "--user"):
            if not eq:
                i += 1
                value = argv[i] if i < len(argv) else ""
            if name == "--ui-lang":
                option = value
            elif name != "--user":
                explicit = value
        elif not arg.startswith("-") or arg == "--":
            break
        i += 1
    if i18n.normalise(option) or i18n.normalise(os.environ.get("CAMPAIGN_UI_LANG")):
        return option, None, None
    from campaign.workspace import settings_file

    settings = settings_file(explicit)
    if settings is None:
        return option, None, None
    try:
        import tomllib

        data = tomllib.loads(settings.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return option, None, None
    configured, language = data.get("ui_language"), data.get("language", "de")
    return (option, configured if isinstance(configured, str) else None,
            language if isinstance(language, str) else None)


def install_click_translations() -> None:
    """Click's own texts ("Usage:", "Missing option", "No such command") through our catalogs: click's
    modules call their module-level `_`/`ngettext` at the time they print, so they are pointed at ours."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.termui
    import click.types
    import click.utils

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser,
                   click.termui, click.types, click.utils):
        if hasattr(module, "_"):
            module._ = i18n.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def localize_help(command: click.Command) -> None:
    """Help texts are English msgids in the code (docstrings, `help=N_(...)`); put the interface
    language's text in their place, keeping the English to come back to (tests switch languages)."""
    import inspect

    english = command.__dict__.setdefault("_english_help", (command.help, command.short_help))
    text, short = english
    command.help = i18n.help_text(inspect.cleandoc(text)) if text else text
    command.short_help = i18n.help_text(short) if short else short
    command._help_option = None  # click caches it with its help text: made again in this language
    for param in command.params:
        original = param.__dict__.setdefault("_english_help", getattr(param, "help", None))
        if original:
            param.help = i18n.help_text(original)
        if isinstance(param, click.Option) and param.__dict__.setdefault("_type_metavar", param.metavar is None) \
                and not param.is_flag and param.nargs == 1 and param.type.name in TYPE_METAVARS:
            param.metavar = i18n.gettext(TYPE_METAVARS[param.type.name])  # "--age INTEGER" -> "--age ZAHL"
    for sub in getattr(command, "commands", {}).values():
        localize_help(sub)


def _log_error(ctx: click.Context, e: CampaignError) -> None:
    # An id that is not in the store may be that of someone erased: the log must not name them again.
    message = "an id that is not in the store" if isinstance(e, NotFound) else e.message
    logging.getLogger("campaign").warning("%s failed: %s", ctx.invoked_subcommand or "command", message)


def workspace(ctx: click.Context):
    """The workspace for this command (found once, then cached on the context)."""
    from campaign.workspace import find_workspace
    from campaign.workspace.log import setup_logging

    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    root.obj = obj
    if "ws" not in obj:
        ws = find_workspace(obj.get("workspace"))
        ws.check_settings()  # now, so a broken campaign.toml is reported before anything else
        setup_logging(ws.log_path)
        obj["ws"] = ws
    return obj["ws"]


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "__fspath__"):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_default))


def emit(result: T, as_json: bool, as_text: Callable[[T], object], shape: Callable[[T], Any] | None = None) -> T:
    """Print a command's result one of two ways: `--json` for scripts (the result, or `shape(result)`
    where scripts get less than a person reads: the shapes tests/test_json_shapes.py holds), or
    `as_text(result)`, sentences in the interface language. Every command prints through here, so a
    new one cannot give scripts a different shape by accident; the result comes back for the exit code."""
    if as_json:
        echo_json(result if shape is None else shape(result))
    else:
        as_text(result)
    return result


@contextmanager
def progress_bar(label: str, shown: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """A progress reporter `(done, total)` for a long job: the bar (on stderr) appears at the first
    report, when the total is known, and is closed however the job ends. None when not `shown` (--json)."""
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    try:
        yield progress if shown else None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def json_option(f: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help=N_("Print JSON instead of a table."))(f)


def echo_table(rows: list[dict], columns: list[str], empty: str | None = None) -> None:
    """A plain aligned table that fits the terminal: a long cell wraps onto more lines between
    words (a value is never cut). Headers are in the interface language, the cells as the data has
    them (statuses in the interface language)."""
    if not rows:
        click.echo(_("Nothing to show.") if empty is None else translate(empty))
        return
    cells = [[_cell(i18n.value(c, r.get(c))) for c in columns] for r in rows]
    titles = [_(HEADERS[c]).upper() if c in HEADERS else c.upper() for c in columns]
    widths = _column_widths(titles, cells, shutil.get_terminal_size((100, 24)).columns)
    for row in [titles, *cells]:
        wrapped = [_wrap(v, w) for v, w in zip(row, widths)]
        for n in range(max(map(len, wrapped))):
            click.echo("  ".join((lines[n] if n < len(lines) else "").ljust(w)
                                 for lines, w in zip(wrapped, widths)).rstrip())


def _column_widths(titles: list[str], cells: list[list[str]], total: int) -> list[int]:
    """Each column as wide as its longest value; while the row is wider than `total`, the widest
    column that still has room narrows, never below its longest word."""
    natural = [max(len(t), *(len(row[i]) for row in cells)) for i, t in enumerate(titles)]
    longest_word = [max([len(t)] + [len(w) for row in cells for w in row[i].split()]) for i, t in enumerate(titles)]
    widths = list(natural)
    room = max(total - 1, 20) - 2 * (len(widths) - 1)
    while sum(widths) > room:
        narrowable = [i for i, w in enumerate(widths) if w > longest_word[i]]
        if not narrowable:
            break
        widest = max(narrowable, key=lambda i: widths[i])
        widths[widest] -= max(1, min(widths[widest] - longest_word[widest], sum(widths) - room) // 2)
    return widths


def _wrap(value: str, width: int) -> list[str]:
    return textwrap.wrap(value, width, break_long_words=False, break_on_hyphens=False) or [""]


def _cell(value: Any) -> str:
    value = translate(value)
    if value is None:
        return "-"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value) or "-"  # a space to wrap at
    return str(value).replace("\n", " ")


def warn(message: str) -> None:
    click.echo(_("Warning: {message_}", message_=translate(message)), err=True)


def when(value: str | datetime | None) -> str:
    """A stored instant (ISO text) as a person reads it: 24.12.2026, 18:30 Uhr / Dec 24, 2026, 6:30 PM."""
    if not value:
        return "-"
    return i18n.format_datetime(datetime.fromisoformat(value) if isinstance(value, str) else value)


def table_day(value: str | date | None) -> str:
    """A stored day in a table: 01.05.2026 in German (Babel, as German dates are written everywhere
    else), the ISO date as stored in English."""
    if not value:
        return "-"
    if i18n.language() == "de":
        return i18n.format_date(value)
    return value if isinstance(value, str) else value.isoformat()


def typed_date(day: date) -> str:
    """A day the way a person would type it back into a command: 24.12.2026 in German, 2026-12-24
    otherwise (both are read by portraits.dates)."""
    return day.strftime("%d.%m.%Y") if i18n.language() == "de" else day.isoformat()

