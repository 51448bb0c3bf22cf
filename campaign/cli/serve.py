"""campaign serve: the web app for the office, on a production WSGI server (waitress)."""
from __future__ import annotations

import click

from campaign.cli.common import warn, workspace
from campaign.i18n import N_, _


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help=N_("Address to listen on; another than 127.0.0.1 belongs behind HTTPS."))
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help=N_("Port."))
@click.pass_context
def serve(ctx, host, port):
    """Serve the workspace to the office's browsers (Ctrl-C stops it)."""
    from campaign.web.server import make_server

    ws = workspace(ctx)
    server = make_server(ws, host, port)
    if host not in ("127.0.0.1", "localhost", "::1"):
        warn(_("Listening on {host}: put the app behind an HTTPS proxy before anyone logs in over the network.",
               host=host))
    click.echo(_("Serving {name} at http://{host}:{port}/ (Ctrl-C stops it).", name=ws.config.name,
                 host=host if ":" not in host else f"[{host}]", port=server.effective_port))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
