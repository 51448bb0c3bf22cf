"""Never a traceback page: our message for a user error, and for anything else a page with an id
that the workspace log also has (with the traceback there, not in the browser)."""
from __future__ import annotations

import logging
import secrets
import traceback

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from campaign.workspace import i18n
from campaign.workspace.users import Forbidden
from portraits.errors import CampaignError, NotFound

log = logging.getLogger("campaign.web")


def message_of(e: CampaignError, lang: str) -> tuple[str, str | None]:
    return i18n.translate(e.message, lang), (i18n.translate(e.hint, lang) if e.hint else None)


def install(app: Flask) -> None:
    lang = app.extensions["campaign.lang"]

    @app.errorhandler(CampaignError)
    def _ours(e: CampaignError):
        status = 403 if isinstance(e, Forbidden) else 404 if isinstance(e, NotFound) else 400
        message, hint = message_of(e, lang)
        return render_template("error.html", status=status, message=message, hint=hint, error_id=None), status

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        status = e.code or 500
        return render_template("error.html", status=status, message=None, hint=None, error_id=None,
                               kind=("csrf" if e.description == "csrf" else status)), status

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        error_id = secrets.token_hex(4)
        # The type and where, not the exception's text: it could hold a value a person typed.
        where = "".join(traceback.format_tb(e.__traceback__)[-3:])
        log.error("web error %s: %s on %s %s\n%s", error_id, type(e).__name__, request.method, request.path, where)
        return render_template("error.html", status=500, message=None, hint=None, error_id=error_id), 500
