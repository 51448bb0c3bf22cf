"""A small fake Threads API (graph.threads.net) on 127.0.0.1, every request recorded.

GET /v1.0/me (id, username); POST /v1.0/{user}/threads (a container: media_type IMAGE with image_url,
text, alt_text, is_carousel_item, or CAROUSEL with children; the image is fetched as Meta does when
it is on this machine); GET /v1.0/{container}?fields=status,error_message; POST
/v1.0/{user}/threads_publish (creation_id); GET /v1.0/{user}/threads_publishing_limit; GET
/v1.0/{user}/threads (the account's posts, newest first); GET /v1.0/{media} (permalink); GET
/v1.0/{media}/insights?metric=views,likes,replies,reposts,quotes.

`token` is the only access token it takes (error 190 otherwise); `slow_publish` publishes and then
waits that many seconds before answering (a timeout after the post went out).
"""
from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from fake_graph import FakeServer

TOKEN = "THAAtesttoken0123456789abcdef"
USER = "27000000000000001"


class FakeThreads(FakeServer):
    def __init__(self, token: str = TOKEN, username: str = "stadt.duisburg"):
        self.token, self.username = token, username
        self.requests: list[dict] = []
        self.containers: dict[str, dict] = {}
        self.threads: list[dict] = []  # newest last
        self.insights: dict[str, dict[str, int]] = {}
        self.quota_usage, self.quota_total = 0, 250
        self.slow_publish = 0.0
        self._ids = 0
        self._listen()

    def _next_id(self, base: int) -> str:
        self._ids += 1
        return str(base + self._ids)

    def calls(self, method: str, *parts: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == method and r["parts"] == list(parts)]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, code: int, message: str, status: int = 400) -> None:
                self._answer(status, {"error": {"message": message, "type": "OAuthException", "code": code}})

            def do_GET(self):
                self._route("GET")

            def do_POST(self):
                self._route("POST")

            def _route(self, method: str) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                form = {k: v[0] for k, v in parse_qs(body).items()}
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                parts = url.path.strip("/").split("/")
                req = {"method": method, "version": parts[0], "parts": parts[1:], "form": form, "query": query,
                       "token": form.get("access_token") or query.get("access_token")}
                fake.requests.append(req)
                if req["token"] != fake.token:
                    return self._error(190, "Error validating access token: Session has expired.")
                parts = req["parts"]
                if parts == ["me"]:
                    return self._answer(200, {"id": USER, "username": fake.username})
                if method == "POST" and parts == [USER, "threads"]:
                    cid = fake._next_id(17800000000000000)
                    status, error = "FINISHED", ""
                    image = form.get("image_url")
                    if image:
                        try:
                            with urllib.request.urlopen(image, timeout=10) as answer:
                                answer.read()
                        except OSError:
                            status, error = "ERROR", "FAILED_DOWNLOADING_VIDEO: the image could not be fetched"
                    fake.containers[cid] = {"fields": form, "status": status, "error_message": error}
                    return self._answer(200, {"id": cid})
                if method == "POST" and parts == [USER, "threads_publish"]:
                    c = fake.containers.get(form.get("creation_id"))
                    if c is None or c["status"] != "FINISHED":
                        return self._error(24, "The requested resource does not exist")
                    c["status"] = "PUBLISHED"
                    fake.quota_usage += 1
                    mid = fake._next_id(18100000000000000)
                    fake.threads.append({"id": mid, "text": c["fields"].get("text", ""), "container": form["creation_id"],
                                         "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
                                         "permalink": f"https://www.threads.net/@{fake.username}/post/C{mid[-6:]}"})
                    if fake.slow_publish:
                        wait, fake.slow_publish = fake.slow_publish, 0.0
                        time.sleep(wait)
                    return self._answer(200, {"id": mid})
                if parts == [USER, "threads_publishing_limit"]:
                    return self._answer(200, {"data": [{"quota_usage": fake.quota_usage,
                                                        "config": {"quota_total": fake.quota_total,
                                                                   "quota_duration": 86400}}]})
                if parts == [USER, "threads"]:
                    fields = ("id", "text", "timestamp", "permalink")
                    return self._answer(200, {"data": [{k: t[k] for k in fields} for t in reversed(fake.threads)]})
                if len(parts) == 1 and parts[0] in fake.containers:
                    c = fake.containers[parts[0]]
                    return self._answer(200, {"id": parts[0], "status": c["status"], "error_message": c["error_message"]})
                if len(parts) == 2 and parts[1] == "insights":
                    known = fake.insights.get(parts[0], {})
                    metrics = query.get("metric", "").split(",")
                    return self._answer(200, {"data": [{"name": m, "period": "lifetime",
                                                        "values": [{"value": known.get(m, 0)}]} for m in metrics]})
                media = next((t for t in fake.threads if t["id"] == parts[0]), None) if len(parts) == 1 else None
                if media is not None:
                    return self._answer(200, {"id": media["id"], "permalink": media["permalink"]})
                return self._error(100, "Unsupported request", 404)

        return Handler
