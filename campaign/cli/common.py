"""What every command shares: finding the workspace, JSON output, turning our errors into messages."""
from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime
from typing import Any, Callable

import click

from portraits.errors import CampaignError, NotFound


class CampaignGroup(click.Group):
    """A click group that turns `CampaignError` into a clean message with exit code 1.

    `lazy` names commands by the module that holds each (the command object has the same name):
    a module is imported only when its command is looked up, so one command does not pay for all."""
    lazy: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            import importlib

            self.add_command(getattr(importlib.import_module(self.lazy[cmd_name]), cmd_name))
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # A terminal or script in another encoding hands Python bytes it keeps as lone surrogates;
        # stored or printed they would fail later, so such an argument is refused here, before anything.
        for arg in args:
            if any("\udc80" <= ch <= "\udcff" for ch in arg):
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                raise click.ClickException(f"The argument '{shown}' is not UTF-8 text.\n"
                                           "Type it again in a UTF-8 terminal; rename a file whose name is not UTF-8.")
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CampaignError as e:
            _log_error(ctx, e)
            raise click.ClickException(str(e)) from None
        except BrokenPipeError:  # output piped into `head`: not an error
            sys.stderr.close()
            ctx.exit(0)
        except OSError as e:  # disk full, permissions, a file vanished: say which, no traceback
            where = f" ({e.filename})" if e.filename else ""
            raise click.ClickException(f"{e.strerror or e}{where}.\n"
                                       "Check the disk space and permissions of the workspace, then try again.") from None


def _log_error(ctx: click.Context, e: CampaignError) -> None:
    # An id that is not in the store may be that of someone erased: the log must not name them again.
    message = "an id that is not in the store" if isinstance(e, NotFound) else e.message
    logging.getLogger("campaign").warning("%s failed: %s", ctx.invoked_subcommand or "command", message)


def workspace(ctx: click.Context):
    """The workspace for this command (found once, then cached on the context)."""
    from campaign.log import setup_logging
    from campaign.workspace import find_workspace

    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    root.obj = obj
    if "ws" not in obj:
        ws = find_workspace(obj.get("workspace"))
        ws.config  # read now, so a broken campaign.toml is reported before anything else
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


def json_option(f: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(f)


def echo_table(rows: list[dict], columns: list[str], empty: str = "Nothing to show.") -> None:
    """A plain aligned table; long cells are cut so that a row fits a terminal."""
    if not rows:
        click.echo(empty)
        return
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [min(40, max(len(c), *(len(row[i]) for row in cells))) for i, c in enumerate(columns)]
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip())
    for row in cells:
        click.echo("  ".join(v[:w].ljust(w) for v, w in zip(row, widths)).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(v) for v in value) or "-"
    return str(value).replace("\n", " ")


def warn(message: str) -> None:
    click.echo(f"Warning: {message}", err=True)


def parse_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def stdin_is_tty() -> bool:
    return sys.stdin.isatty()
