"""A small fake Graph API on 127.0.0.1 for the tests: it records every request and answers like Meta.

Facebook: POST /vX/{page}/photos (published, or unpublished for image hosting, a story or a
multi-photo post: then GET /vX/{photo}?fields=images gives its addresses, served under /cdn/, and
DELETE /vX/{photo} removes it), POST /vX/{page}/photo_stories (photo_id of an unpublished photo),
POST /vX/{page}/feed (message, attached_media[i] of unpublished photos),
GET /vX/{page} (name, instagram_business_account), GET /vX/{page}/published_posts (paged),
GET /vX/{post} (reactions, comments, shares), POST /vX/{post or media}/comments (a first comment), GET /vX/me, GET /vX/debug_token (with the app token).
Instagram: POST /vX/{ig}/media (a container; its image_url is fetched as Meta does when it is on
this machine), GET /vX/{container}?fields=status_code, POST /vX/{ig}/media_publish,
GET /vX/{ig}/content_publishing_limit, GET /vX/{ig}/media (paged), GET /vX/{ig} (username),
GET /vX/{media} (permalink, counts). Insights: GET /vX/{object}/insights?metric=a,b answers with
error 100 for the whole request when one metric is in `retired_metrics`, as Meta does.

`fail_next` makes the next request answer with a Graph error, `fail_on[label]` the next request of
one kind ("photo", "page_photo", "container", "status", "publish", "limit", "insights", ...).
`kill_on_upload` / `kill_on_status` / `kill_on_publish` kill a process (SIGKILL) once Meta has
stored the upload / been asked about a container / published the media, before the answer goes back.
"""
from __future__ import annotations

import json
import os
import signal
import threading
import urllib.request
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

IG_USER = "17841400000000001"


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def multipart(ctype: str, body: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    """The fields and the files of a multipart/form-data body (an upload, as Meta receives it)."""
    form, files = {}, {}
    msg = BytesParser(policy=default).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + body)
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename() is not None:
            files[name] = part.get_payload(decode=True)
        else:
            form[name] = part.get_payload(decode=True).decode("utf-8")
    return form, files

class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client killed mid-call (the crash tests do it on purpose) is not the server's problem."""
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)

class FakeServer:
    """A fake platform on 127.0.0.1 on a free port: `_listen()` at the end of `__init__`, then `with`."""

    def _listen(self) -> None:
        self.server = QuietServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class FakeGraph(FakeServer):
    def __init__(self, page_id: str = "1001", page_name: str = "Stadt Duisburg", token: str = "EAAtesttoken1234567890abcdef",
                 ig_user_id: str = IG_USER, ig_username: str = "stadt.duisburg", app_token: str = "4321|appsecret0000"):
        self.page_id, self.page_name, self.token = page_id, page_name, token
        self.ig_user_id, self.ig_username, self.app_token = ig_user_id, ig_username, app_token
        self.linked_ig = True
        self.requests: list[dict] = []
        self.posts: list[dict] = []  # what the Page shows, newest last
        self.stories: list[dict] = []  # the Page's photo stories
        self.engagement: dict[str, dict] = {}
        self.photos: dict[str, dict] = {}  # unpublished Page photos (image hosting)
        self.containers: dict[str, dict] = {}
        self.container_states: list[str] = []  # status_code answers for the next container's polls
        self.ig_media: list[dict] = []  # what the Instagram account shows, newest last
        self.quota_usage, self.quota_total = 0, 50
        self.insights: dict[str, dict[str, int]] = {}
        self.retired_metrics: set[str] = set()
        self.token_info: dict | None = None  # debug_token's "data"
        self.debug_token_error: str | None = None  # what debug_token says to a wrong app token (Meta echoes input)
        self.comments: list[dict] = []  # first comments: {"on", "message", "id"}
        self.me: dict | None = None  # who /me is (default: the Page, as for a Page token)
        self.fail_next: list[tuple[int, dict]] = []
        self.fail_on: dict[str, list[tuple[int, dict]]] = {}
        self.kill_on_upload: int | None = None
        self.kill_on_status: int | None = None
        self.kill_on_publish: int | None = None
        self.hold_upload: threading.Event | None = None  # set: the timeline upload hangs until it is set
        self.upload_arrived = threading.Event()  # the timeline upload reached the server
        self._ids = 0
        self._listen()

    def _next_id(self, base: int) -> str:
        self._ids += 1
        return str(base + self._ids)

    @property
    def uploads(self) -> list[dict]:
        """Photos posted to the Page's timeline (not the unpublished ones used for image hosting)."""
        return [r for r in self.requests if r["method"] == "POST" and r["path"].endswith("/photos")
                and r["form"].get("published") != "false"]

    def kill(self, which: str) -> None:
        """SIGKILL the process named by `which` (once: a crash happens one time)."""
        pid = getattr(self, which)
        if pid:
            setattr(self, which, None)
            os.kill(pid, signal.SIGKILL)

    def calls(self, label: str) -> list[dict]:
        return [r for r in self.requests if r.get("label") == label]

    def add_post(self, message: str, created: datetime) -> str:
        n = len(self.posts) + 1
        post_id = f"{self.page_id}_{9000 + n}"
        self.posts.append({"id": post_id, "photo_id": str(5000 + n), "message": message, "created_time": _stamp(created),
                           "permalink_url": f"https://www.facebook.com/{post_id}"})
        return post_id

    def add_ig_media(self, caption: str, created: datetime, container: str | None = None) -> str:
        media_id = self._next_id(17900000000000000)
        self.ig_media.append({"id": media_id, "caption": caption, "timestamp": _stamp(created), "container": container,
                              "permalink": f"https://www.instagram.com/p/C{media_id[-6:]}/"})
        return media_id

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as graph.facebook.com does
            disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: dict | bytes, ctype: str = "application/json; charset=UTF-8") -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
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
                    form, files = multipart(ctype, body)
                elif body:
                    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                parts = url.path.strip("/").split("/")
                req = {"method": method, "path": url.path, "version": parts[0], "parts": parts[1:],
                       "query": query, "form": form, "files": files, "label": None,
                       "token": form.get("access_token") or query.get("access_token"),
                       "connection": self.client_address}  # which TCP connection the call came over
                if parts[0] != "cdn":
                    fake.requests.append(req)
                return req

            def _error(self, code: int, message: str, subcode: int | None = None, status: int = 400) -> None:
                error = {"message": message, "type": "OAuthException", "code": code}
                if subcode:
                    error["error_subcode"] = subcode
                self._answer(status, {"error": error})

            def _label(self, req: dict) -> str | None:
                m, parts, q = req["method"], req["parts"], req["query"]
                if m == "POST" and parts == [fake.page_id, "photos"]:
                    return "page_photo" if req["form"].get("published") == "false" else "photo"
                if m == "POST" and parts == [fake.page_id, "photo_stories"]:
                    return "photo_story"
                if m == "POST" and parts == [fake.page_id, "feed"]:
                    return "feed_post"
                if m == "DELETE":
                    return "delete"
                if m == "POST" and len(parts) == 2 and parts[1] == "comments":
                    return "comment"
                if parts[-1:] == ["insights"]:
                    return "insights"
                if parts == [fake.ig_user_id, "media"]:
                    return "container" if m == "POST" else "ig_media"
                if parts == [fake.ig_user_id, "media_publish"]:
                    return "publish"
                if parts == [fake.ig_user_id, "content_publishing_limit"]:
                    return "limit"
                if len(parts) == 1 and parts[0] in fake.containers and "status_code" in q.get("fields", ""):
                    return "status"
                if len(parts) == 1 and parts[0] in fake.photos:
                    return "photo_images"
                return None

            def _route(self, req: dict) -> None:
                parts = req["parts"]
                if req["version"] == "cdn":  # where Meta serves the photos it hosts: no token
                    photo = fake.photos.get(parts[0].removesuffix(".jpg"))
                    if photo is None or photo["deleted"]:
                        return self._answer(404, b"not found", "text/plain")
                    return self._answer(200, photo["bytes"], "image/jpeg")
                req["label"] = self._label(req)
                if fake.fail_next:
                    status, error = fake.fail_next.pop(0)
                    return self._answer(status, {"error": error})
                if fake.fail_on.get(req["label"]):
                    status, error = fake.fail_on[req["label"]].pop(0)
                    return self._answer(status, {"error": error})
                if parts == ["debug_token"]:
                    if req["token"] != fake.app_token:
                        return self._error(190, fake.debug_token_error or "Invalid OAuth access token - Cannot parse "
                                                                          "access token")
                    info = fake.token_info or {"type": "PAGE", "is_valid": True, "expires_at": 0,
                                               "profile_id": fake.page_id, "scopes": ["pages_manage_posts"]}
                    return self._answer(200, {"data": {"app_id": "4321", "application": "Stadt Kampagne", **info}})
                if req["token"] != fake.token:
                    return self._error(190, "Invalid OAuth access token.")
                return getattr(self, "_" + (req["label"] or "other"))(req)

            def _photo(self, req):
                fake.upload_arrived.set()
                if fake.hold_upload is not None:
                    fake.hold_upload.wait(30)
                post_id = fake.add_post(req["form"].get("message", ""), datetime.now(UTC))
                fake.kill("kill_on_upload")
                return self._answer(200, {"id": fake.posts[-1]["photo_id"], "post_id": post_id})

            def _comment(self, req):
                comment_id = fake._next_id(19000)
                fake.comments.append({"on": req["parts"][0], "message": req["form"].get("message"), "id": comment_id})
                return self._answer(200, {"id": comment_id})

            def _page_photo(self, req):
                photo_id = fake._next_id(6000)
                fake.photos[photo_id] = {"bytes": req["files"].get("source", b""), "deleted": False, "form": req["form"]}
                return self._answer(200, {"id": photo_id})

            def _photo_story(self, req):
                photo_id = req["form"].get("photo_id")
                if photo_id not in fake.photos:
                    return self._error(100, "Invalid parameter: photo_id")
                post_id = f"{fake.page_id}_{fake._next_id(8000)}"
                fake.stories.append({"id": post_id, "photo_id": photo_id})
                return self._answer(200, {"success": True, "post_id": post_id})

            def _feed_post(self, req):
                attached = [json.loads(req["form"][key])["media_fbid"] for key in sorted(
                    (k for k in req["form"] if k.startswith("attached_media[")), key=lambda k: int(k[15:-1]))]
                if not attached or any(a not in fake.photos for a in attached):
                    return self._error(100, "Invalid parameter: attached_media")
                post_id = fake.add_post(req["form"].get("message", ""), datetime.now(UTC))
                fake.posts[-1]["attached"] = attached
                return self._answer(200, {"id": post_id})

            def _photo_images(self, req):
                photo_id = req["parts"][0]
                source = f"{fake.url}cdn/{photo_id}.jpg"
                return self._answer(200, {"id": photo_id, "images": [
                    {"height": 540, "width": 432, "source": source + "?small"},
                    {"height": 1350, "width": 1080, "source": source},
                    {"height": 225, "width": 180, "source": source + "?thumb"}]})

            def _delete(self, req):
                photo = fake.photos.get(req["parts"][0])
                if photo is None:
                    return self._error(100, "Unsupported delete request")
                photo["deleted"] = True
                return self._answer(200, {"success": True})

            def _container(self, req):
                container_id = fake._next_id(18000000000000000)
                states = fake.container_states or ["FINISHED"]
                fake.container_states = []
                image = req["form"].get("image_url")
                status = ""
                if image and image.startswith("http://127.0.0.1"):  # Meta cURLs the image at creation
                    try:
                        with urllib.request.urlopen(image, timeout=10) as answer:
                            answer.read()
                    except OSError:
                        states, status = ["ERROR"], "ERROR: 2207052 Media could not be fetched from URI"
                fake.containers[container_id] = {"fields": dict(req["form"]), "states": list(states), "status": status}
                return self._answer(200, {"id": container_id})

            def _status(self, req):
                c = fake.containers[req["parts"][0]]
                code = c["states"].pop(0) if len(c["states"]) > 1 else c["states"][0]
                status = c["status"] or ("ERROR: 2207004 The image is too large" if code == "ERROR" else f"{code}")
                fake.kill("kill_on_status")
                return self._answer(200, {"id": req["parts"][0], "status_code": code, "status": status})

            def _publish(self, req):
                c = fake.containers.get(req["form"].get("creation_id"))
                if c is None or c["states"][0] != "FINISHED":
                    return self._error(9007, "Media ID is not available", 2207027)
                c["states"] = ["PUBLISHED"]
                fake.quota_usage += 1
                caption = c["fields"].get("caption", "")
                media_id = fake.add_ig_media(caption, datetime.now(UTC), req["form"]["creation_id"])
                fake.kill("kill_on_publish")
                return self._answer(200, {"id": media_id})

            def _limit(self, req):
                return self._answer(200, {"data": [{"quota_usage": fake.quota_usage,
                                                    "config": {"quota_total": fake.quota_total, "quota_duration": 86400}}]})

            def _paged(self, req, newest_first: list[dict], keys: tuple[str, ...]) -> None:
                """One page of a listing, with Meta's cursor paging."""
                limit = int(req["query"].get("limit", 25))
                start = int(req["query"].get("after", 0))
                page = newest_first[start:start + limit]
                paging = {"cursors": {"before": str(start), "after": str(start + len(page))}}
                if start + limit < len(newest_first):
                    paging["next"] = "https://graph.facebook.com/next-page"
                return self._answer(200, {"data": [{k: item[k] for k in keys} for item in page], "paging": paging})

            def _ig_media(self, req):
                return self._paged(req, list(reversed(fake.ig_media)), ("id", "caption", "timestamp", "permalink"))

            def _insights(self, req):
                metrics = req["query"].get("metric", "").split(",")
                retired = [m for m in metrics if m in fake.retired_metrics]
                if retired:
                    return self._error(100, f"(#100) metric[{metrics.index(retired[0])}] must be one of the following "
                                            f"values: likes, comments, shares, saved, reach, views")
                known = fake.insights.get(req["parts"][0], {})
                return self._answer(200, {"data": [{"name": m, "period": "lifetime", "values": [{"value": known.get(m, 0)}],
                                                    "id": f"{req['parts'][0]}/insights/{m}/lifetime"} for m in metrics]})

            def _other(self, req):
                parts, fields = req["parts"], req["query"].get("fields", "")
                if parts == ["me"]:
                    return self._answer(200, fake.me or {"id": fake.page_id, "name": fake.page_name})
                if parts == [fake.page_id] and "instagram_business_account" in fields:
                    linked = {"instagram_business_account": {"id": fake.ig_user_id}} if fake.linked_ig else {}
                    return self._answer(200, {"id": fake.page_id, **linked})
                if parts == [fake.page_id]:
                    return self._answer(200, {"id": fake.page_id, "name": fake.page_name})
                if parts == [fake.ig_user_id]:
                    return self._answer(200, {"id": fake.ig_user_id, "username": fake.ig_username})
                if parts == [fake.page_id, "published_posts"]:
                    since = int(req["query"].get("since", 0))
                    newest_first = [p for p in reversed(fake.posts)
                                    if datetime.strptime(p["created_time"], "%Y-%m-%dT%H:%M:%S%z").timestamp() >= since]
                    return self._paged(req, newest_first, ("id", "message", "created_time", "permalink_url"))
                media = next((m for m in fake.ig_media if m["id"] == parts[0]), None) if len(parts) == 1 else None
                if media is not None:
                    counts = fake.engagement.get(media["id"], {})
                    return self._answer(200, {"id": media["id"], "permalink": media["permalink"],
                                              "like_count": counts.get("likes", 0),
                                              "comments_count": counts.get("comments", 0)})
                if len(parts) == 1 and parts[0] in fake.engagement:
                    e = fake.engagement[parts[0]]
                    return self._answer(200, {"id": parts[0],
                                              "reactions": {"data": [], "summary": {"total_count": e["likes"]}},
                                              "comments": {"data": [], "summary": {"total_count": e["comments"], "order": "ranked"}},
                                              "shares": {"count": e["shares"]}})
                return self._error(100, "Unsupported request", status=404)

            def do_GET(self):
                self._route(self._record("GET"))

            def do_POST(self):
                self._route(self._record("POST"))

            def do_DELETE(self):
                self._route(self._record("DELETE"))

        return Handler
