"""The office's web app (`campaign serve`): Flask on waitress, one blueprint per area.

A view is as thin as a click command: it parses the form, checks the role (`users.require`), calls
the library function the CLI also calls, and shows the result or our message. Every page is a
template extending `base.html`; every action is a plain POST form that works without JavaScript,
which HTMX and two small scripts (static files, no inline code) only make quicker.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask

from campaign.workspace import Workspace, i18n

MAX_UPLOAD = 60 * 1024 * 1024  # a photo or an evidence scan; refused before anything is read


def _remove_stopped_uploads(ws: Workspace) -> None:
    """An upload is kept in .private/upload-* only while the intake reads it; a server killed then
    leaves it behind (a photo of a person): the next start removes those folders, which only we make."""
    import shutil

    for left in ws.private.glob("upload-*"):
        if left.is_dir() and not left.is_symlink():
            shutil.rmtree(left, ignore_errors=True)


def create_app(ws: Workspace, lang: str | None = None, secure_cookies: bool = False) -> Flask:
    """The app for one workspace. `lang` is the interface language (default: as the CLI chooses it)."""
    from campaign.web import (
        auth,
        billboard,
        calendar,
        channels,
        common,
        consent,
        errors,
        handouts,
        jobs,
        portraits,
        posts,
        privacy,
        security,
        signoff,
        today,
    )
    from campaign.workspace.log import setup_logging

    app = Flask(__name__)
    ws.config  # a broken campaign.toml is reported at start, not on the first page
    setup_logging(ws.log_path)
    app.config.update(
        SECRET_KEY=security.session_secret(ws),
        SESSION_COOKIE_NAME="campaign_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=10),
        MAX_CONTENT_LENGTH=MAX_UPLOAD,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
    )
    _remove_stopped_uploads(ws)
    ws.store.share_reads()  # every request reads the store; each version of it is parsed once
    app.extensions["campaign.workspace"] = ws
    app.extensions["campaign.lang"] = lang or i18n.choose(None, ws.config.ui_language, ws.config.language)
    chosen = app.extensions["campaign.lang"]
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        lambda m: i18n.translations(chosen).gettext(m), lambda s, p, n: i18n.translations(chosen).ngettext(s, p, n),
        newstyle=True)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    security.install(app)
    common.install_filters(app)
    errors.install(app)
    for module in (auth, today, portraits, consent, calendar, posts, billboard, handouts, jobs, signoff,
                   privacy, channels):
        app.register_blueprint(module.bp)
    return app
