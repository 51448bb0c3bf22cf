"""A small fake WhatsApp Business Cloud API on 127.0.0.1: it records every request and answers like Meta.

Routes: POST /vX/{phone_id}/media (multipart upload -> {"id"}), POST /vX/{phone_id}/messages
(a template message -> {"messages": [{"id": "wamid..."}]}), GET /vX/{phone_id} (the number).
`fail_next` answers the next requests with a Cloud API error (a dict), or with a body that is not the
Cloud API's JSON at all (a str: a proxy's HTML page, a cut-off answer); `on_message` runs a function after a
message is accepted, before the answer goes back (to change the store between two sends).
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from fake_graph import multipart


class FakeWhatsApp:
    def __init__(self, phone_id: str = "109876543210", token: str = "EAAwhatsapptoken1234567890xyz"):
        self.phone_id, self.token = phone_id, token
        self.requests: list[dict] = []
        self.media: dict[str, bytes] = {}
        self.fail_next: list[tuple[int, dict | str]] = []
        self.fail_messages: list[tuple[int, dict | str]] = []  # the same, for the next template messages only
        self.on_message = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.lock = threading.Lock()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def messages(self) -> list[dict]:
        """The template messages accepted, in order: {"to", "lang", "template", "image", "texts"}."""
        out = []
        for r in self.requests:
            if r.get("accepted") and r["parts"][-1:] == ["messages"]:
                t = r["json"]["template"]
                header = next(c for c in t["components"] if c["type"].lower() == "header")
                body = next(c for c in t["components"] if c["type"].lower() == "body")
                out.append({"to": r["json"]["to"], "lang": t["language"]["code"], "template": t["name"],
                            "image": header["parameters"][0]["image"]["id"],
                            "texts": [p["text"] for p in body["parameters"]]})
        return out

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _raw(self, status: int, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self, method: str) -> dict:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                form, files, data = {}, {}, None
                if ctype.startswith("multipart/form-data"):
                    form, files = multipart(ctype, body)
                elif body:
                    data = json.loads(body)
                parts = url.path.strip("/").split("/")
                req = {"method": method, "path": url.path, "version": parts[0], "parts": parts[1:], "form": form,
                       "files": files, "json": data, "auth": self.headers.get("Authorization", "")}
                with fake.lock:
                    fake.requests.append(req)
                return req

            def _route(self, req: dict) -> None:
                if fake.fail_next:
                    status, error = fake.fail_next.pop(0)
                    if isinstance(error, str):  # not the Cloud API's JSON: a proxy's page, a cut answer
                        return self._raw(status, error.encode())
                    return self._answer(status, {"error": error})
                if req["auth"] != f"Bearer {fake.token}":
                    return self._answer(401, {"error": {"message": "Invalid OAuth access token.",
                                                        "type": "OAuthException", "code": 190}})
                parts = req["parts"]
                if req["method"] == "POST" and parts == [fake.phone_id, "media"]:
                    media_id = str(770000 + len(fake.media))
                    fake.media[media_id] = req["files"].get("file", b"")
                    return self._answer(200, {"id": media_id})
                if req["method"] == "POST" and parts == [fake.phone_id, "messages"] and fake.fail_messages:
                    status, error = fake.fail_messages.pop(0)
                    return self._raw(status, error.encode()) if isinstance(error, str) else \
                        self._answer(status, {"error": error})
                if req["method"] == "POST" and parts == [fake.phone_id, "messages"]:
                    to = req["json"]["to"]
                    req["accepted"] = True
                    if fake.on_message:
                        fake.on_message(to)
                    n = sum(1 for r in fake.requests if r.get("accepted"))
                    return self._answer(200, {"messaging_product": "whatsapp",
                                              "contacts": [{"input": to, "wa_id": to.lstrip("+")}],
                                              "messages": [{"id": f"wamid.HBgM{n:08d}"}]})
                if req["method"] == "GET" and parts == [fake.phone_id]:
                    return self._answer(200, {"id": fake.phone_id, "verified_name": "Stadt Duisburg",
                                              "display_phone_number": "+49 203 000000",
                                              "quality_rating": "GREEN"})
                return self._answer(404, {"error": {"message": "Unsupported request", "type": "GraphMethodException",
                                                    "code": 100}})

            def do_GET(self):
                self._route(self._record("GET"))

            def do_POST(self):
                self._route(self._record("POST"))

        return Handler
