"""A small fake Bluesky PDS on 127.0.0.1: the XRPC endpoints the atproto SDK calls for us, answered
as the reference PDS does, every request recorded.

com.atproto.server.createSession (identifier, app password) and refreshSession (the refresh JWT),
getSession; com.atproto.repo.uploadBlob (refused over 1,000,000 bytes, "BlobTooLarge"),
createRecord (a record key already taken is refused), getRecord ("RecordNotFound");
app.bsky.feed.getAuthorFeed and getPosts (with like, repost, reply and quote counts).

Sessions are JWT-shaped (the SDK reads their expiry) and valid `session_seconds`; `expire_sessions()`
makes every access token stale at once. `rate_limited` answers the next requests with 429;
`slow_create` makes the record and then waits before answering (a timeout after the server has it).
"""
from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from fake_graph import FakeServer

APP_PASSWORD = "abcd-efgh-ijkl-mnop"
HANDLE = "stadt-duisburg.bsky.social"
DID = "did:plc:stadtduisburg0000000000"
BLOB_LIMIT = 1_000_000


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class FakeBluesky(FakeServer):
    def __init__(self, handle: str = HANDLE, password: str = APP_PASSWORD, session_seconds: int = 7200):
        self.handle, self.password, self.session_seconds = handle, password, session_seconds
        self.requests: list[dict] = []
        self.blobs: dict[str, bytes] = {}
        self.records: dict[str, dict] = {}  # rkey -> {"uri", "cid", "value", "indexedAt"}
        self.counts: dict[str, dict] = {}   # uri -> likeCount, repostCount, ...
        self.valid_access: set[str] = set()
        self.valid_refresh: set[str] = set()
        self.blob_limit = BLOB_LIMIT
        self.rate_limited = 0
        self.slow_create = 0.0
        self._n = 0
        self._listen()

    def calls(self, nsid: str) -> list[dict]:
        return [r for r in self.requests if r["nsid"] == nsid]

    def expire_sessions(self) -> None:
        self.valid_access.clear()

    def _jwt(self, kind: str, seconds: int) -> str:
        self._n += 1
        now = int(time.time())
        payload = {"scope": kind, "sub": DID, "iat": now, "exp": now + seconds, "jti": f"{kind}-{self._n}"}
        return f"{_b64({'typ': 'JWT', 'alg': 'ES256K'})}.{_b64(payload)}.c2lnbmF0dXJl"

    def _session(self) -> dict:
        access, refresh = self._jwt("com.atproto.appPass", self.session_seconds), self._jwt("refresh", 90 * 86400)
        self.valid_access.add(access)
        self.valid_refresh.add(refresh)
        return {"did": DID, "handle": self.handle, "accessJwt": access, "refreshJwt": refresh, "active": True}

    def _post_view(self, record: dict) -> dict:
        counts = self.counts.get(record["uri"], {})
        return {"uri": record["uri"], "cid": record["cid"], "record": record["value"], "indexedAt": record["indexedAt"],
                "author": {"did": DID, "handle": self.handle}, "likeCount": counts.get("likeCount", 0),
                "repostCount": counts.get("repostCount", 0), "replyCount": counts.get("replyCount", 0),
                "quoteCount": counts.get("quoteCount", 0)}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: dict, headers: dict | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, error: str, message: str) -> None:
                self._answer(status, {"error": error, "message": message})

            def do_GET(self):
                self._route("GET")

            def do_POST(self):
                self._route("POST")

            def _route(self, method: str) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                nsid = url.path.removeprefix("/xrpc/")
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                is_json = self.headers.get("Content-Type", "").startswith("application/json")
                req = {"method": method, "nsid": nsid, "query": parse_qs(url.query), "token": token,
                       "json": json.loads(body) if body and is_json else None, "body": body,
                       "content_type": self.headers.get("Content-Type")}
                fake.requests.append(req)
                if fake.rate_limited:
                    fake.rate_limited -= 1
                    return self._answer(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                                        {"ratelimit-reset": str(int(time.time()) + 900), "ratelimit-remaining": "0"})
                if nsid == "com.atproto.server.createSession":
                    data = req["json"] or {}
                    if data.get("identifier") != fake.handle or data.get("password") != fake.password:
                        return self._error(401, "AuthenticationRequired", "Invalid identifier or password")
                    return self._answer(200, fake._session())
                if nsid == "com.atproto.server.refreshSession":
                    if token not in fake.valid_refresh:
                        return self._error(400, "ExpiredToken", "Token has expired")
                    fake.valid_refresh.discard(token)
                    return self._answer(200, fake._session())
                if token not in fake.valid_access:
                    return self._error(400, "ExpiredToken", "Token has expired")
                if nsid == "com.atproto.server.getSession":
                    return self._answer(200, {"did": DID, "handle": fake.handle, "active": True})
                if nsid == "com.atproto.repo.uploadBlob":
                    if len(body) > fake.blob_limit:
                        return self._error(400, "BlobTooLarge", f"This file is too large. It is {len(body)} bytes "
                                                                f"but the maximum size is {fake.blob_limit} bytes.")
                    cid = "bafkrei" + hashlib.sha256(body).hexdigest()[:52]
                    fake.blobs[cid] = body
                    return self._answer(200, {"blob": {"$type": "blob", "ref": {"$link": cid},
                                                       "mimeType": req["content_type"], "size": len(body)}})
                if nsid == "com.atproto.repo.createRecord":
                    data = req["json"]
                    rkey = data["rkey"]
                    if rkey in fake.records:
                        return self._error(400, "InvalidRequest", f"Record already exists: {rkey}")
                    uri = f"at://{data['repo']}/{data['collection']}/{rkey}"
                    cid = "bafyrei" + hashlib.sha256(json.dumps(data["record"]).encode()).hexdigest()[:52]
                    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
                    fake.records[rkey] = {"uri": uri, "cid": cid, "value": data["record"], "indexedAt": stamp}
                    if fake.slow_create:
                        wait, fake.slow_create = fake.slow_create, 0.0
                        time.sleep(wait)
                    return self._answer(200, {"uri": uri, "cid": cid})
                if nsid == "com.atproto.repo.getRecord":
                    rkey = req["query"]["rkey"][0]
                    if rkey not in fake.records:
                        return self._error(400, "RecordNotFound", f"Could not locate record: {rkey}")
                    r = fake.records[rkey]
                    return self._answer(200, {"uri": r["uri"], "cid": r["cid"], "value": r["value"]})
                if nsid == "app.bsky.feed.getAuthorFeed":
                    newest = sorted(fake.records.values(), key=lambda r: r["indexedAt"], reverse=True)
                    return self._answer(200, {"feed": [{"post": fake._post_view(r)} for r in newest]})
                if nsid == "app.bsky.feed.getPosts":
                    uris = req["query"].get("uris", [])
                    views = [fake._post_view(r) for r in fake.records.values() if r["uri"] in uris]
                    return self._answer(200, {"posts": views})
                return self._error(501, "MethodNotImplemented", nsid)

        return Handler
