"""The production WSGI server (waitress) around the app; never Flask's development server."""
from __future__ import annotations

from campaign.workspace import Workspace

THREADS = 8


def make_server(ws: Workspace, host: str = "127.0.0.1", port: int = 8080, lang: str | None = None,
                secure_cookies: bool = False, https_proxy: bool = False):
    """A waitress server bound to host:port (port 0: a free one; `.effective_port` tells which).
    `secure_cookies` for a server reached through an HTTPS proxy: the browser then sends the
    session cookie over HTTPS only. `https_proxy`: every request comes through the office's HTTPS
    reverse proxy (the app listens where only the proxy reaches it), so the browser's address is the
    one the proxy puts in X-Forwarded-For: the log-in lock then counts per browser, not per proxy."""
    from waitress import create_server

    from campaign.web import MAX_UPLOAD, create_app

    app = create_app(ws, lang=lang, secure_cookies=secure_cookies or https_proxy)
    proxy = {"trusted_proxy": "*", "trusted_proxy_count": 1,
             "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}} if https_proxy else {}
    return create_server(app, host=host, port=port, threads=THREADS, ident="campaign",
                         max_request_body_size=MAX_UPLOAD + 1024 * 1024, clear_untrusted_proxy_headers=True,
                         **proxy)
