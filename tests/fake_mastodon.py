"""A small fake Mastodon instance on 127.0.0.1 for the tests: it records every request and answers
like Mastodon 4 does.

POST /api/v2/media (multipart: file, description, focus), GET /api/v1/media/{id} (an upload still
processing has no url yet: `processing` polls), POST /api/v1/statuses (status, media_ids[],
language, visibility; the `Idempotency-Key` header: the same key returns the status it made
before, as Mastodon does), GET /api/v1/accounts/verify_credentials, GET
/api/v1/accounts/{id}/statuses (newest first), GET /api/v1/statuses/{id} (with its counts).

`token` is the only access token it takes (401 otherwise, as for an expired or revoked one);
`rate_limited` answers the next requests with 429; `slow_status` makes the status and then waits
that many seconds before answering (a timeout after the server received the post).
"""
from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from fake_graph import FakeServer, multipart

TOKEN = "mastodon-test-token-0123456789abcdef"


class FakeMastodon(FakeServer):
    def __init__(self, token: str = TOKEN, acct: str = "stadt_duisburg"):
        self.token, self.acct = token, acct
        self.account_id = "109000000000000001"
        self.requests: list[dict] = []
        self.media: dict[str, dict] = {}
        self.statuses: list[dict] = []  # newest last
        self.keys: dict[str, dict] = {}  # Idempotency-Key -> the status it made
        self.processing = 0
        self.rate_limited = 0
        self.slow_status = 0.0
        self._ids = 0
        self._listen()

    def _next_id(self) -> str:
        self._ids += 1
        return str(110000000000000000 + self._ids)

    def calls(self, method: str, path: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == method and r["path"] == path]

    @property
    def status_posts(self) -> list[dict]:
        return self.calls("POST", "/api/v1/statuses")

    def _status(self, form: dict, media_ids: list[str]) -> dict:
        sid = self._next_id()
        text = form.get("status", "")
        paragraphs = "".join(f"<p>{p.replace(chr(10), '<br />')}</p>" for p in text.split("\n\n"))
        status = {"id": sid, "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                  "content": paragraphs, "language": form.get("language"), "visibility": form.get("visibility"),
                  "url": f"https://social.example/@{self.acct}/{sid}", "uri": f"https://social.example/users/x/{sid}",
                  "media_attachments": [self.media[m] for m in media_ids], "favourites_count": 0,
                  "reblogs_count": 0, "replies_count": 0, "account": self._account(), "reblog": None,
                  "in_reply_to_id": form.get("in_reply_to_id")}
        self.statuses.append(status)
        return status

    def _account(self) -> dict:
        return {"id": self.account_id, "username": self.acct, "acct": self.acct, "display_name": "Stadt Duisburg",
                "url": f"https://social.example/@{self.acct}"}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _answer(self, status: int, body, headers: dict | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _record(self, method: str) -> dict:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                form, files, lists = {}, {}, {}
                if ctype.startswith("multipart/form-data"):
                    form, files = multipart(ctype, body)
                elif ctype.startswith("application/json") and body:
                    form = json.loads(body)
                elif body:
                    parsed = parse_qs(body.decode("utf-8"))
                    form = {k: v[0] for k, v in parsed.items()}
                    lists = parsed
                req = {"method": method, "path": url.path, "query": {k: v[0] for k, v in parse_qs(url.query).items()},
                       "form": form, "lists": lists, "files": files, "headers": dict(self.headers.items()),
                       "token": (self.headers.get("Authorization") or "").removeprefix("Bearer ")}
                fake.requests.append(req)
                return req

            def do_GET(self):
                self._route(self._record("GET"))

            def do_POST(self):
                self._route(self._record("POST"))

            def _route(self, req: dict) -> None:
                if req["token"] != fake.token:
                    return self._answer(401, {"error": "The access token is invalid"})
                if fake.rate_limited:
                    fake.rate_limited -= 1
                    return self._answer(429, {"error": "Too many requests"},
                                        {"X-RateLimit-Reset": str(int(time.time()) + 900), "X-RateLimit-Remaining": "0",
                                         "X-RateLimit-Limit": "300"})
                path, method = req["path"], req["method"]
                if method == "POST" and path == "/api/v2/media":
                    mid = fake._next_id()
                    focus = req["form"].get("focus")
                    x, y = (float(v) for v in focus.split(",")) if focus else (0.0, 0.0)
                    ready = fake.processing == 0
                    fake.media[mid] = {"id": mid, "type": "image", "description": req["form"].get("description"),
                                       "url": f"https://files.social.example/{mid}.jpg",
                                       "preview_url": f"https://files.social.example/{mid}-small.jpg",
                                       "meta": {"focus": {"x": x, "y": y}}, "bytes": len(req["files"].get("file", b""))}
                    answer = dict(fake.media[mid], url=None) if not ready else fake.media[mid]
                    return self._answer(202 if not ready else 200, answer)
                if method == "GET" and path.startswith("/api/v1/media/"):
                    mid = path.rsplit("/", 1)[1]
                    if fake.processing:
                        fake.processing -= 1
                        return self._answer(206, dict(fake.media[mid], url=None))
                    return self._answer(200, fake.media[mid])
                if method == "POST" and path == "/api/v1/statuses":
                    key = req["headers"].get("Idempotency-Key")
                    if key and key in fake.keys:
                        return self._answer(200, fake.keys[key])
                    media_ids = req["lists"].get("media_ids[]") or req["form"].get("media_ids") or []
                    status = fake._status(req["form"], [str(m) for m in media_ids])
                    if key:
                        fake.keys[key] = status
                    if fake.slow_status:
                        wait, fake.slow_status = fake.slow_status, 0.0
                        time.sleep(wait)
                    return self._answer(200, status)
                if method == "GET" and path == "/api/v1/accounts/verify_credentials":
                    return self._answer(200, fake._account())
                if method == "GET" and path == f"/api/v1/accounts/{fake.account_id}/statuses":
                    limit = int(req["query"].get("limit", 20))
                    return self._answer(200, list(reversed(fake.statuses))[:limit])
                if method == "GET" and path.startswith("/api/v1/statuses/"):
                    sid = path.rsplit("/", 1)[1]
                    for status in fake.statuses:
                        if status["id"] == sid:
                            return self._answer(200, status)
                    return self._answer(404, {"error": "Record not found"})
                return self._answer(404, {"error": "Not found"})

        return Handler
