"""What every request passes: the session secret, log-in, roles, CSRF, and the headers a browser obeys."""
from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from flask import Flask, abort, current_app, g, redirect, request, session, url_for

from campaign.workspace import CONFIG_NAME, Workspace, users
from portraits import audit
from portraits.errors import NotFound
from portraits.files import atomic_write_bytes

SECRET_NAME = "web-session-secret"
# No inline script or style anywhere: HTMX and our two scripts are files under /static.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
OPEN = {"auth.login", "static", "today.health", "signoff.view", "signoff.decide", "signoff.image",
        "signoff.preview"}


def session_secret(ws: Workspace) -> bytes:
    """The key that signs session cookies: made at first start in .private/ (mode 0600), kept after."""
    path: Path = ws.private / SECRET_NAME
    if not path.exists():
        atomic_write_bytes(path, secrets.token_bytes(32), mode=0o600)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return path.read_bytes()


def workspace() -> Workspace:
    return current_app.extensions["campaign.workspace"]


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def safe_next(target: str | None) -> str:
    """Where to go after log-in: only a path on this site, never another host (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return url_for("today.today")
    return target


def _fresh_settings() -> None:
    """campaign.toml changed since the last request (someone edited it): read it again."""
    ws = workspace()
    try:
        stamp = (ws.root / CONFIG_NAME).stat().st_mtime_ns
    except OSError:
        return
    if current_app.extensions.get("campaign.config_stamp") != stamp:
        ws.reread_settings()
        current_app.extensions["campaign.config_stamp"] = stamp


def _load_user() -> None:
    g.user = None
    name = session.get("user")
    if name:
        try:
            found = users.get(workspace().store.read(), name)
        except NotFound:
            session.clear()
            return
        if found.get("hash", "")[-16:] != session.get("stamp"):  # a new password ends older sessions
            session.clear()
            return
        g.user = users.User(found["name"], found["role"])


def install(app: Flask) -> None:
    @app.before_request
    def _every_request():
        _fresh_settings()
        _load_user()
        g.acting = audit.acting_as(g.user.name if g.user else "web")
        g.acting.__enter__()
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
            if not session.get("csrf") or not hmac.compare_digest(sent, session["csrf"]):
                abort(400, description="csrf")
        if request.endpoint not in OPEN and g.user is None:
            if request.headers.get("HX-Request"):
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return None

    @app.teardown_request
    def _done(_exc):
        acting = g.pop("acting", None)
        if acting is not None:
            acting.__exit__(None, None, None)

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def _globals():
        return {"csrf_token": csrf_token, "user": g.get("user"), "lang": app.extensions["campaign.lang"],
                "campaign_name": workspace().config.name}


def needs(action: str) -> Callable:
    """A view that changes data: the logged-in user's role must allow `action` (checked on the server)."""
    def wrap(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            users.require(g.user, action)
            return view(*args, **kwargs)
        return checked
    return wrap
