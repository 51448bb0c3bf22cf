"""campaign user add|list|remove|passwd: the accounts of the web app."""
from __future__ import annotations

import sys

import click

from campaign.cli.common import echo_table, emit, json_option, workspace
from campaign.workspace.i18n import N_, _
from portraits.errors import CampaignError
from portraits.messages import _m


@click.group()
def user() -> None:
    """Accounts for the web app (`campaign serve`) and their roles."""


def _password(from_stdin: bool) -> str:
    """Typed twice (hidden) at a terminal, or one line on standard input for scripts."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CampaignError(_m("No password on standard input."), _m("Send it as one line, e.g. from a file."))
        return password
    return click.prompt(_("Password"), hide_input=True, confirmation_prompt=_("Repeat the password"))


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["redaktion", "freigabe", "admin"]),
              help=N_("redaktion edits portraits, consent and plans; freigabe approves; admin manages users."))
@click.option("--password-stdin", is_flag=True, help=N_("Read the password from standard input."))
@click.pass_context
def add(ctx, name, role, password_stdin):
    """Add an account."""
    from campaign.workspace import users

    ws = workspace(ctx)
    hashed = users.hash_password(_password(password_stdin))  # slow: before the store's lock
    with ws.store.transaction() as db:
        made = users.add_user(db, name, role, hashed, ws.now())
    click.echo(_("Added the user {name} ({role}).", name=made["name"], role=made["role"]))


@user.command("list")
@json_option
@click.pass_context
def list_(ctx, as_json):
    """List the accounts and their roles."""
    from campaign.workspace import users

    emit(users.list_users(workspace(ctx).store.read()), as_json, lambda rows: echo_table(
        rows, ["name", "role", "created_at"],
        empty=_("No users yet. Add one with `campaign user add NAME --role admin`.")))


@user.command("remove")
@click.argument("name")
@click.pass_context
def remove(ctx, name):
    """Remove an account (its entries in the audit log stay)."""
    from campaign.workspace import users

    ws = workspace(ctx)
    with ws.store.transaction() as db:
        users.remove_user(db, name, ws.now())
    click.echo(_("Removed the user {name}.", name=name))


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help=N_("Read the password from standard input."))
@click.pass_context
def passwd(ctx, name, password_stdin):
    """Set a new password for an account."""
    from campaign.workspace import users

    ws = workspace(ctx)
    users.get(ws.store.read(), name)
    hashed = users.hash_password(_password(password_stdin))
    with ws.store.transaction() as db:
        users.set_password(db, name, hashed, ws.now())
    click.echo(_("Changed the password of {name}.", name=name))
