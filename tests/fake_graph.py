"""A small fake Graph API on 127.0.0.1 for the tests: it records every request and answers like Meta.

Routes: POST /vX/{page}/photos (published=false keeps the photo back for a story or a
multi-photo post), POST /vX/{page}/photo_stories (photo_id), POST /vX/{page}/feed (message,
attached_media[i]), GET /vX/{page} (name), GET /vX/{page}/published_posts (paged),
GET /vX/{post} (reactions, comments, shares). `fail_next` makes the next request answer with a
Graph error; `kill_on_upload` kills a process (SIGKILL) once an upload has been stored, before
the answer goes back: the platform has the post, the client never hears of it.
"""
from __future__ import annotations

import json
import os
import signal
import threading
from datetime import datetime, timezone
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeGraph:
    def __init__(self, page_id: str = "1001", page_name: str = "Stadt Duisburg", token: str = "EAAtesttoken1234567890abcdef"):
        self.page_id, self.page_name, self.token = page_id, page_name, token
        self.requests: list[dict] = []
        self.posts: list[dict] = []  # what the Page shows, newest last
        self.unpublished: dict[str, bytes] = {}  # photos uploaded with published=false, by id
        self.stories: list[dict] = []
        self.engagement: dict[str, dict] = {}
        self.fail_next: list[tuple[int, dict]] = []
        self.kill_on_upload: int | None = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def uploads(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"].endswith("/photos")]

    def add_post(self, message: str, created: datetime) -> str:
        n = len(self.posts) + 1
        post_id = f"{self.page_id}_{9000 + n}"
        self.posts.append({"id": post_id, "photo_id": str(5000 + n), "message": message,
                           "created_time": created.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000"),
                           "permalink_url": f"https://www.facebook.com/{post_id}"})
        return post_id

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self, method: str) -> dict:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                form, files = {}, {}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                if ctype.startswith("multipart/form-data"):
                    msg = BytesParser(policy=default).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + body)
                    for part in msg.iter_parts():
                        name = part.get_param("name", header="content-disposition")
                        if part.get_filename() is not None:
                            files[name] = part.get_payload(decode=True)
                        else:
                            form[name] = part.get_payload(decode=True).decode("utf-8")
                elif body:
                    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                parts = url.path.strip("/").split("/")
                req = {"method": method, "path": url.path, "version": parts[0], "parts": parts[1:],
                       "query": query, "form": form, "files": files,
                       "token": form.get("access_token") or query.get("access_token")}
                fake.requests.append(req)
                return req

            def _route(self, req: dict) -> None:
                if fake.fail_next:
                    status, error = fake.fail_next.pop(0)
                    return self._answer(status, {"error": error})
                if req["token"] != fake.token:
                    return self._answer(400, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}})
                parts = req["parts"]
                if req["method"] == "POST" and parts == [fake.page_id, "photos"] \
                        and req["form"].get("published") == "false":
                    photo_id = str(7000 + len(fake.unpublished) + 1)
                    fake.unpublished[photo_id] = req["files"].get("source", b"")
                    return self._answer(200, {"id": photo_id})
                if req["method"] == "POST" and parts == [fake.page_id, "photo_stories"]:
                    photo_id = req["form"].get("photo_id")
                    if photo_id not in fake.unpublished:
                        return self._answer(400, {"error": {"message": "Invalid photo_id", "type": "OAuthException",
                                                            "code": 100}})
                    post_id = f"{fake.page_id}_{8000 + len(fake.stories) + 1}"
                    fake.stories.append({"id": post_id, "photo_id": photo_id})
                    return self._answer(200, {"success": True, "post_id": post_id})
                if req["method"] == "POST" and parts == [fake.page_id, "feed"]:
                    attached = [json.loads(v)["media_fbid"] for k, v in sorted(req["form"].items())
                                if k.startswith("attached_media[")]
                    if not attached or any(a not in fake.unpublished for a in attached):
                        return self._answer(400, {"error": {"message": "Invalid attached_media", "type": "OAuthException",
                                                            "code": 100}})
                    post_id = fake.add_post(req["form"].get("message", ""), datetime.now(timezone.utc))
                    fake.posts[-1]["attached"] = attached
                    return self._answer(200, {"id": post_id})
                if req["method"] == "POST" and parts == [fake.page_id, "photos"]:
                    post_id = fake.add_post(req["form"].get("message", ""), datetime.now(timezone.utc))
                    if fake.kill_on_upload:
                        os.kill(fake.kill_on_upload, signal.SIGKILL)
                    return self._answer(200, {"id": fake.posts[-1]["photo_id"], "post_id": post_id})
                if parts == [fake.page_id]:
                    return self._answer(200, {"id": fake.page_id, "name": fake.page_name})
                if parts == [fake.page_id, "published_posts"]:
                    limit = int(req["query"].get("limit", 25))
                    since = int(req["query"].get("since", 0))
                    newest_first = [p for p in reversed(fake.posts)
                                    if datetime.strptime(p["created_time"], "%Y-%m-%dT%H:%M:%S%z").timestamp() >= since]
                    start = int(req["query"].get("after", 0))
                    page = newest_first[start:start + limit]
                    paging = {"cursors": {"before": str(start), "after": str(start + len(page))}}
                    if start + limit < len(newest_first):
                        paging["next"] = "https://graph.facebook.com/next-page"
                    return self._answer(200, {"data": [{k: p[k] for k in ("id", "message", "created_time", "permalink_url")}
                                                       for p in page], "paging": paging})
                if len(parts) == 1 and parts[0] in fake.engagement:
                    e = fake.engagement[parts[0]]
                    return self._answer(200, {"id": parts[0],
                                              "reactions": {"data": [], "summary": {"total_count": e["likes"]}},
                                              "comments": {"data": [], "summary": {"total_count": e["comments"], "order": "ranked"}},
                                              "shares": {"count": e["shares"]}})
                return self._answer(404, {"error": {"message": "Unsupported request", "type": "GraphMethodException", "code": 100}})

            def do_GET(self):
                self._route(self._record("GET"))

            def do_POST(self):
                self._route(self._record("POST"))

        return Handler
