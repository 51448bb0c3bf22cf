"""campaign serve: the web app for the office, on a production WSGI server (waitress)."""
from __future__ import annotations

import signal

import click

from campaign.cli.common import warn, workspace
from campaign.workspace.i18n import N_, _
from portraits.errors import CampaignError
from portraits.messages import _m

LOCAL = ("127.0.0.1", "localhost", "::1")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help=N_("Address to listen on; another than 127.0.0.1 belongs behind HTTPS."))
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help=N_("Port."))
@click.option("--https-proxy", is_flag=True,
              help=N_("Browsers reach the app only through an HTTPS reverse proxy: cookies go over HTTPS only, "
                      "and the browser's address is taken from X-Forwarded-For."))
@click.pass_context
def serve(ctx, host, port, https_proxy):
    """Serve the workspace to the office's browsers (Ctrl-C stops it)."""
    from campaign.web.server import make_server
    from campaign.workspace import longrun

    ws = workspace(ctx)
    if host not in LOCAL:
        warn(_("Listening on {host}: put the app behind an HTTPS proxy before anyone logs in over the network.",
               host=host))
    longrun.settle()  # before the server's threads start (glibc fixes its pool count at the first one)
    try:
        server = make_server(ws, host, port, secure_cookies=host not in LOCAL,
                             https_proxy=https_proxy)
    except (OSError, ValueError) as e:  # in use, not ours to bind, or no such address (waitress: ValueError)
        raise CampaignError(_m("Cannot listen on {host}:{port} ({reason}).", host=host, port=port,
                               reason=getattr(e, "strerror", None) or str(e)),
                            _m("Choose another --port, or stop the program that uses it.")) from None
    click.echo(_("Serving {name} at http://{host}:{port}/ (Ctrl-C stops it).", name=ws.config.name,
                 host=host if ":" not in host else f"[{host}]", port=server.effective_port))
    signal.signal(signal.SIGTERM, _stop)  # systemd and `kill` stop it as Ctrl-C does
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _stop(_signum, _frame) -> None:
    raise KeyboardInterrupt
