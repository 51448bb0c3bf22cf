"""WhatsApp Business Cloud API, through pywa: the day's portrait to subscribers who opted in.

WhatsApp is not a feed of planned posts: what goes out is one approved template message per
subscriber, in their language, with the day's image in its header (campaign/outputs/whatsapp_day.py decides
who gets what and records every send). This module only speaks to the platform: upload an image,
send one template, check the number. The token comes from CAMPAIGN_WHATSAPP_TOKEN.

Phone numbers are personal data: no message, log line or error this module produces holds one
(Meta's error texts are scrubbed of anything that looks like a number), and pywa's own debug log,
which prints request bodies, is kept off.

An answer that is not the Cloud API's JSON (a proxy's 502 page, an error without its code, a cut-off
body) is never handed to pywa, which would fail on it with a KeyError: it means WhatsApp cannot be
reached properly now, so try later. Only when the answer to a message itself cannot be read may the
message have gone out, and then it is not sent again.

Tests point the client at a fake Cloud API through CAMPAIGN_GRAPH_URL (loopback only, as for the
Graph API): pywa takes an httpx client, whose transport we give the test server's address.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import Field

from portraits.messages import _m
from schedules.channel import Media, PermanentError, TransientError, UnknownOutcome
from schedules.channel_settings import PublisherSettings, check, fail
from schedules.graph import GRAPH_API_VERSION, local_graph_url
from schedules.secrets import cut, redact, secret

if TYPE_CHECKING:  # imported when a message is sent, not when the channel is described
    import httpx
    from pywa.client import WhatsApp

T = TypeVar("T")

TOKEN_ENV = "CAMPAIGN_WHATSAPP_TOKEN"
TIMEOUT = 30.0
# Cloud API codes worth another try later: rate limits, spam-rate and pair-rate limits, service down.
TRANSIENT_CODES = {4, 80007, 130429, 131016, 131048, 131056, 133016}
NUMBER = re.compile(r"\+?\d[\d \-/().]{6,}\d")

logging.getLogger("pywa").setLevel(logging.WARNING)  # its DEBUG lines print message bodies with numbers


def scrub(text: str) -> str:
    """A platform's message without tokens and without anything shaped like a phone number, cut to
    a sane length after both (a cut never leaves half a token or number behind)."""
    return cut(NUMBER.sub("[number]", redact(text or "")))


class Unreadable(Exception):
    """The Cloud API, or a proxy in front of it, answered with something that is not its JSON."""

    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


def _readable(response: httpx.Response) -> None:
    """httpx response hook: an answer pywa could not read stops here, as `Unreadable`."""
    response.read()
    try:
        body = response.json()
    except ValueError:  # HTML, text, a cut-off body, not UTF-8
        raise Unreadable(response.status_code) from None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(body, dict) or response.status_code >= 400 and not (
            isinstance(error, dict) and isinstance(error.get("code"), int) and isinstance(error.get("message"), str)):
        raise Unreadable(response.status_code)


# What pywa raises when an answer lacks the fields it expects (a success without its ids).
MALFORMED = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def _client(phone_id: str, token: str) -> WhatsApp:
    """A pywa client speaking the Graph API version the other Meta publishers use (to the loopback test
    server when CAMPAIGN_GRAPH_URL is set)."""
    import httpx
    from pywa.client import WhatsApp

    local = local_graph_url()
    transport = None
    if local:
        target = httpx.URL(local)

        class LoopbackTransport(httpx.HTTPTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                request.url = request.url.copy_with(scheme=target.scheme, host=target.host, port=target.port)
                return super().handle_request(request)

        transport = LoopbackTransport()
    session = httpx.Client(timeout=TIMEOUT, transport=transport, event_hooks={"response": [_readable]})
    return WhatsApp(phone_id=phone_id, token=token, session=session, api_version=GRAPH_API_VERSION)


def channel_error(error: Exception, sending: bool = False) -> Exception:
    """pywa and httpx errors -> ours, with no number and no token in the message. `sending`: the
    call that sends a message, whose unreadable success may mean it went out."""
    import httpx
    from pywa.errors import WhatsAppError

    unreadable = isinstance(error, Unreadable) or isinstance(error, MALFORMED)
    status = error.status if isinstance(error, Unreadable) else None
    if unreadable and sending and (status is None or status < 400):
        return UnknownOutcome(_m("WhatsApp's answer to the message could not be read."),
                              _m("The message may have gone out; it is not sent again to this subscriber."))
    if unreadable:
        return TransientError(_m("WhatsApp is unavailable at the moment: its answer could not be read{status}.",
                                 status=f" (HTTP {status})" if status else ""),
                              _m("Try again later; who got the message is kept."))

    if isinstance(error, WhatsAppError):
        msg = scrub(f"{error.message}" + (f": {error.details}" if error.details else ""))
        if error.code == 190:
            return PermanentError(_m("WhatsApp refused the token (expired or revoked): {msg}", msg=msg),
                                  _m("Make a new system-user token and set {token_env}.", token_env=TOKEN_ENV))
        if error.code in TRANSIENT_CODES or error.is_transient:
            return TransientError(_m("WhatsApp asks to slow down or is unavailable (code {code}): {msg}",
                                     code=error.code, msg=msg),
                                  _m("Run `campaign whatsapp send` again later; who got the message is kept."))
        return PermanentError(_m("WhatsApp said: {msg} (code {code})", msg=msg, code=error.code),
                              _m("Fix what Meta names (template name, language, the number's opt-in), then "
                                 "send again."))
    if isinstance(error, httpx.ConnectError):
        return TransientError(_m("WhatsApp could not be reached: {error}", error=scrub(str(error))))
    if isinstance(error, (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError)):
        return UnknownOutcome(_m("WhatsApp did not answer in time: {error}", error=scrub(str(error))),
                              _m("The message may have gone out; it is not sent again to this subscriber."))
    if isinstance(error, httpx.HTTPError):
        return TransientError(_m("WhatsApp did not answer: {error}", error=scrub(str(error))))
    return error


class WhatsAppCloudSettings(PublisherSettings):
    """[channels.whatsapp] with publisher = "whatsapp-cloud" (broadcast to subscribers)."""
    publisher: Literal["whatsapp-cloud"] = "whatsapp-cloud"
    phone_number_id: Annotated[str, check(lambda v: v if re.fullmatch(r"\d{0,30}", v) else
                                          fail(f"{v!r} is not a phone number id: the number's id in Meta's "
                                               "WhatsApp Manager, digits only"))] = Field(
        "", description="whatsapp-cloud: the id of the sending number (WhatsApp Manager)")
    template: Annotated[str, check(lambda v: v if re.fullmatch(r"[a-z0-9_]{0,512}", v) else
                                   fail(f"{v!r} is not a template name: lowercase letters, digits and _"))] = Field(
        "", description="whatsapp-cloud: the approved message template (image header, body {{1}} {{2}} {{3}})")


class WhatsAppCloudPublisher:
    """The `whatsapp-cloud` publisher kind: check and readiness like every publisher, plus the two
    calls a broadcast is made of (`upload_image`, `send_template`)."""
    kind = "whatsapp-cloud"

    def __init__(self, channel: str, settings: Any, outbox_dir: Path, private_dir: Path):
        self.channel = channel
        self.phone_id = settings.phone_number_id
        self.template = settings.template
        self._wa: WhatsApp | None = None

    @staticmethod
    def readiness(settings: Any, private_dir: Path) -> tuple[bool, str]:
        if not settings.phone_number_id:
            return False, _m("NOT READY: no phone_number_id in campaign.toml")
        if not settings.template:
            return False, _m("NOT READY: no approved template named in campaign.toml")
        if not secret(TOKEN_ENV):
            return False, _m("NOT READY: {token_env} is not set", token_env=TOKEN_ENV)
        return True, _m("number {phone_number_id}, template {template}, token set",
                        phone_number_id=settings.phone_number_id, template=settings.template)

    def _client(self) -> WhatsApp:
        if self._wa is None:
            token = secret(TOKEN_ENV)
            if not token:
                raise PermanentError(_m("No WhatsApp token: {token_env} is not set.", token_env=TOKEN_ENV),
                                     _m("Set {token_env} to a system-user token of the WhatsApp Business "
                                        "account.", token_env=TOKEN_ENV))
            if not self.phone_id or not self.template:
                raise PermanentError(_m("No WhatsApp number id or template in campaign.toml."),
                                     _m("Set phone_number_id and template under [channels.whatsapp]."))
            self._wa = _client(self.phone_id, token)
        return self._wa

    def _call(self, fn: Callable[[], T], sending: bool = False) -> T:
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - translated, or re-raised as it was
            raise channel_error(e, sending) from None

    def upload_image(self, path: Path) -> str:
        """Upload a JPEG once; the media id is used in every message of the broadcast."""
        wa = self._client()
        media = self._call(lambda: wa.upload_media(Path(path), mime_type="image/jpeg", filename="portrait.jpg"))
        return str(media.id)

    def send_template(self, to: str, lang: str, media_id: str, texts: list[str]) -> str:
        """One template message (image header, body {{1}}..{{n}}) to one number; the message id."""
        from pywa.types.templates import BodyText, HeaderImage, TemplateLanguage

        try:
            language = TemplateLanguage(lang)
        except ValueError:
            raise PermanentError(_m("WhatsApp has no template language {lang!r}.", lang=lang),
                                 _m("Use a language code WhatsApp templates support (de, en, tr, ar, uk, ru, "
                                    "...).")) from None
        wa = self._client()
        sent = self._call(lambda: wa.send_template(
            to=to, name=self.template, language=language,
            params=[HeaderImage.params(image=media_id), BodyText.params(*texts)]),  # type: ignore[arg-type]  # pywa types the first of *params as self
            sending=True)
        return str(sent.id)

    def check(self) -> dict[str, Any]:
        wa = self._client()
        number = self._call(lambda: wa.get_business_phone_number())
        return {"ok": True, "account": f"WhatsApp {number.verified_name} ({number.id})",
                "message": f"the token reaches the WhatsApp number of {number.verified_name}"}

    def publish(self, post: dict[str, Any], media: list[Media], caption: str) -> dict[str, Any]:
        raise PermanentError(_m("WhatsApp is not planned post by post."),
                             _m("Broadcast the day's portrait with `campaign whatsapp send`."))

    def recent_media(self, since: datetime) -> list[dict[str, Any]]:
        return []  # messages to people, not posts on an account: nothing to reconcile

    def fetch_engagement(self, post: dict[str, Any]) -> dict[str, Any]:
        return {}
