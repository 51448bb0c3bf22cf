"""The offline publisher: a post "goes out" by landing in outbox/<date>-<post id>-<channel>/.

With it the whole tool works without accounts. It behaves like a platform for the runner and
for `reconcile`: publishing twice is impossible (the folder exists), recent media are the folders.
Every format lands the same way: `image.jpg` and `alt.txt` for one image, `image-1.jpg`, `alt-1.txt`,
`image-2.jpg`, ... for a carousel (in its order), `caption.txt` (empty for a story) and `post.json`
with the format, the languages and the input hash of every image.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from portraits.messages import _m
from schedules.channel import Media, PermanentError
from schedules.channel_settings import PublisherSettings


class OutboxSettings(PublisherSettings):
    """[channels.<name>] with publisher = "outbox": nothing to connect."""
    publisher: Literal["outbox"] = Field("outbox", description='"outbox" writes to outbox/ (offline)')
    simulate_upload_seconds: float = Field(0, ge=0, le=600,
                                           description="drills only: pretend an upload takes this long")


class OutboxPublisher:
    kind = "outbox"

    def __init__(self, channel: str, settings: Any, outbox_dir: Path, private_dir: Path):
        self.channel = channel
        self.outbox = Path(outbox_dir)
        # For drills and tests: pretend an upload takes this long (a slow network).
        self.delay = float(settings.simulate_upload_seconds)

    def folder_for(self, post: dict[str, Any]) -> Path:
        return self.outbox / f"{post['at'][:10]}-{post['id']}-{self.channel}"

    def publish(self, post: dict[str, Any], media: list[Media], caption: str) -> dict[str, Any]:
        fmt = post["format"]
        if not media or (fmt != "carousel" and len(media) != 1):
            raise PermanentError(_m("A {fmt} post takes {value}, not {count}.", fmt=fmt,
                                    value='several images' if fmt == 'carousel' else 'one image',
                                    count=len(media)),
                                 _m("Plan it again with the right --format."))
        target = self.folder_for(post)
        if target.exists():
            raise PermanentError(_m("{id} is already in the outbox ({name}).", id=post['id'], name=target.name),
                                 _m("It went out before; run `campaign reconcile` to settle it."))
        if self.delay:
            time.sleep(self.delay)
        self.outbox.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=self.outbox))
        published_at = datetime.now(UTC).astimezone()
        images = []
        for n, item in enumerate(media, 1):
            suffix = f"-{n}" if fmt == "carousel" else ""
            name = f"image{suffix}{Path(item.path).suffix.lower()}"
            shutil.copyfile(item.path, tmp / name)
            (tmp / f"alt{suffix}.txt").write_text(item.alt_text + "\n", encoding="utf-8")
            images.append({"file": name, "lang": item.lang, "input_hash": item.input_hash})
        (tmp / "caption.txt").write_text(caption + "\n" if caption else "", encoding="utf-8")
        meta = {"post_id": post["id"], "portrait_id": post["portrait_id"], "channel": self.channel,
                "format": fmt, "lang": post.get("lang"), "images": images,
                "planned_at": post["at"], "published_at": published_at.isoformat(timespec="seconds")}
        (tmp / "post.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        os.rename(tmp, target)
        return {"remote_id": f"outbox:{target.name}", "permalink": str(target)}

    def comment(self, post: dict[str, Any], result: dict[str, Any], text: str) -> str:
        """The first comment, next to the post in its folder (comment.txt)."""
        from portraits.files import atomic_write_bytes

        atomic_write_bytes(self.folder_for(post) / "comment.txt", (text + "\n").encode("utf-8"))
        return f"{result['remote_id']}/comment"

    def check(self) -> dict[str, Any]:
        return {"ok": True, "account": f"offline outbox {self.outbox}", "message": "offline outbox, always ok"}

    def recent_media(self, since: datetime) -> list[dict[str, Any]]:
        out = []
        for folder in sorted(self.outbox.glob(f"*-{self.channel}")):
            meta_file = folder / "post.json"
            if not meta_file.is_file():
                continue
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            at = datetime.fromisoformat(meta["published_at"])
            if at >= since:
                out.append({"remote_id": f"outbox:{folder.name}", "permalink": str(folder), "at": meta["published_at"],
                            "caption": (folder / "caption.txt").read_text(encoding="utf-8").rstrip("\n"),
                            "post_id": meta["post_id"]})
        return out

    def fetch_engagement(self, post: dict[str, Any]) -> dict[str, Any]:
        return {}

    @staticmethod
    def readiness(settings: Any, private_dir: Path) -> tuple[bool, str]:
        return True, _m("offline outbox (no account needed)")
