"""Log in and out. The lock after repeated failures is the library's (campaign.workspace.users)."""
from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from campaign.web.security import csrf_token, safe_next, workspace
from campaign.workspace import i18n, users

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.user is not None:
            return redirect(target)
        csrf_token()
        return render_template("login.html", next=target, error=None, name="")
    ws = workspace()
    name = request.form.get("name", "").strip()[:60]
    password = request.form.get("password", "")[:1024]
    address = request.remote_addr or "?"
    now = ws.now()
    locked = users.locked_until(ws.store.read(), name, address, now)
    if locked is not None:
        minutes = max(1, round((locked - now).total_seconds() / 60))
        error = i18n.translations(_lang()).ngettext(
            "Too many failed attempts. Try again in %(num)d minute.",
            "Too many failed attempts. Try again in %(num)d minutes.", minutes) % {"num": minutes}
        return render_template("login.html", next=target, error=error, name=name), 429
    found = users.verify(ws.store.read(), name, password)  # slow on purpose: outside the store's lock
    with ws.store.transaction() as db:
        users.record_login(db, found.name if found else name, address, found is not None, now)
    if found is None:
        error = i18n.translations(_lang()).gettext("The name or the password is wrong.")
        return render_template("login.html", next=target, error=error, name=name), 401
    session.clear()
    session["user"] = found.name
    session["stamp"] = users.get(ws.store.read(), found.name)["hash"][-16:]
    session.permanent = True
    csrf_token()
    return redirect(target, 303)


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login"), 303)


def _lang() -> str:
    from flask import current_app

    return current_app.extensions["campaign.lang"]
