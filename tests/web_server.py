"""The web app on a real waitress server in a thread, on a free port of 127.0.0.1, for the tests."""
from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator

import requests

PASSWORD = "correct horse battery"
USERS = {"anna": "redaktion", "ben": "freigabe", "cara": "freigabe", "dora": "admin"}


def add_users(ws, users=USERS) -> None:
    from campaign.workspace import users as accounts

    hashed = accounts.hash_password(PASSWORD)
    with ws.store.transaction() as db:
        for name, role in users.items():
            accounts.add_user(db, name, role, hashed, ws.now())


@contextlib.contextmanager
def running(ws, lang: str = "en") -> Iterator[str]:
    """Serve `ws` until the block ends; yields the base URL."""
    from campaign.web.server import make_server

    server = make_server(ws, "127.0.0.1", 0, lang=lang)
    # Tests move the clock by minutes or days (time_machine moves time.time() too): waitress would then
    # close the client's kept-alive connection as idle in the middle of a test (connection reset).
    server.adj.channel_timeout = 10 * 365 * 24 * 3600

    def serve() -> None:
        try:
            server.run()
        except OSError:  # the socket closed under select() at the end of the test
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=5)


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(base: str, name: str, password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login")
    answer = session.post(f"{base}/login", data={"name": name, "password": password, "csrf_token": token(page.text)})
    assert answer.status_code == 200 and "/login" not in answer.url, answer.text[:500]
    return session


def post_form(session: requests.Session, url: str, data: dict | None = None, files=None, page: str | None = None):
    """POST a form the way the browser does: with the CSRF token of a page it read first."""
    html = session.get(page or url.rsplit("/", 1)[0]).text
    return session.post(url, data={**(data or {}), "csrf_token": token(html)}, files=files)


def wait_for_job(session: requests.Session, base: str, kind: str, timeout: float = 120.0) -> str:
    """Poll a long job's panel as the page does until it no longer runs; its last answer."""
    import time

    end = time.monotonic() + timeout
    while True:
        panel = session.get(f"{base}/jobs/{kind}", headers={"HX-Request": "true"}).text
        if 'hx-trigger="every 1s"' not in panel or time.monotonic() > end:
            return panel
        time.sleep(0.05)
