"""What the Facebook and Instagram (official API) publishers share: the Graph API version, the client,
the local test server, the Page token's health, insights that survive retired metrics, and what
Meta's error codes mean.

facebook-sdk 3.1.0 only accepts Graph API versions up to 3.1, which Meta now answers with error
2635. The version we speak is pinned here, once, and set on the client after constructing it; every
call puts it in its path. The Page access token comes from CAMPAIGN_FACEBOOK_TOKEN and never leaves
this package in a message.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from portraits.messages import _m
from schedules.channel import PermanentError, TransientError, UnknownOutcome
from schedules.secrets import local_test_url, platform_text, secret

GRAPH_API_VERSION = "25.0"  # the one place the Graph API version is set
# When Meta stops serving each version: "Available Until" on
# https://developers.facebook.com/docs/graph-api/changelog/versions/ (read when v26.0 had come out;
# a version's date is announced when the next one is released, so the newest has none yet).
VERSION_ENDS = {
    "26.0": None,
    "25.0": date(2028, 7, 29),
    "24.0": date(2028, 2, 18),
    "23.0": date(2027, 10, 8),
    "22.0": date(2027, 5, 20),
    "21.0": date(2027, 1, 21),
    "20.0": date(2026, 9, 24),
    "19.0": date(2026, 5, 21),
}
VERSION_WARN_DAYS = 90

TOKEN_ENV = "CAMPAIGN_FACEBOOK_TOKEN"
APP_TOKEN_ENV = "CAMPAIGN_FACEBOOK_APP_TOKEN"  # "app-id|app-secret": lets `channel check` read the token
TOKEN_WARN_DAYS = 14

RATE_LIMIT_CODES = {4, 17, 32, 613}
RATE_LIMIT_WAIT = 3600.0  # Meta's rate limits last about an hour: never a tight loop
RETRY_WAIT = 300.0
TIMEOUT = (10, 120)  # connect, read (an upload may take a while)
GRAPH_URL_ENV = "CAMPAIGN_GRAPH_URL"

# Instagram's container and publishing subcodes (https://developers.facebook.com/docs/instagram-platform/
# instagram-graph-api/reference/error-codes): Meta says to try again, or the image was refused and
# needs a person (with what to change).
IG_TRY_AGAIN = {2207001: "Instagram server error", 2207003: "Instagram took too long to download the image",
                2207020: "the container expired", 2207027: "the container was not ready yet",
                2207032: "Instagram could not create the media", 2207053: "unknown upload error"}
IG_REFUSED = {
    2207004: "Keep the image under 8 MB (render it again: campaign render ID).",
    2207005: "Use a JPEG (render it again: campaign render ID).",
    2207009: "Use an aspect ratio between 4:5 and 1.91:1 (a story 9:16): campaign render ID.",
    2207010: "Shorten the caption (2,200 characters, 30 hashtags at most).",
    2207023: "Instagram did not recognise the media type; plan it as a feed post.",
    2207028: "A carousel takes 2 to 10 images of the same aspect ratio.",
    2207052: "Instagram could not fetch the image: check public_base_url answers from the internet, "
             'or set image_host = "page-photo".',
}
IG_DAILY_LIMIT = 2207042
IG_SPAM_BLOCK = 2207051
IG_ACCOUNT_RESTRICTED = 2207050
SPAM_BLOCK_WAIT = 6 * 3600.0


def graph_client(token: str, graph_url: str | None = None, timeout: tuple[float, float] = TIMEOUT) -> Any:
    """A facebook-sdk GraphAPI speaking GRAPH_API_VERSION (optionally at a local test server), on this
    thread's kept session for that server."""
    import facebook

    graph = facebook.GraphAPI(access_token=token, version="3.1", timeout=timeout,
                              session=kept_session(graph_url or ""))
    graph.version = "v" + GRAPH_API_VERSION  # after construction: the SDK's check stops at 3.1
    return graph


_kept = threading.local()


def kept_session(local_url: str = "") -> Any:
    """This thread's HTTP session for a server, kept for the process: a post to Instagram makes six
    calls and the daemon many posts, and each new connection to Meta costs a TCP and TLS handshake.
    `local_url` (a test server) takes the calls meant for graph.facebook.com. The token travels in
    each call, never in the session, and cookies are refused, so nothing but the connection carries
    over from one call to the next. One per thread: requests does not promise a session is safe to
    share between threads."""
    sessions: dict[str, Any] = _kept.__dict__.setdefault("sessions", {})
    if local_url not in sessions:
        sessions[local_url] = _new_session(local_url)
    return sessions[local_url]


def _new_session(local_url: str) -> Any:
    import http.cookiejar

    import facebook
    import requests

    class LocalSession(requests.Session):
        def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
            if isinstance(url, str):
                url = url.replace(facebook.FACEBOOK_GRAPH_URL, local_url, 1)
            return super().request(method, url, *args, **kwargs)

    session = LocalSession() if local_url else requests.Session()
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return session


def path(graph: Any, *parts: str) -> str:
    """A Graph API path with the version in front, for `graph.request(...)`."""
    return "/".join((graph.version, *map(str, parts)))


def local_graph_url() -> str | None:
    """CAMPAIGN_GRAPH_URL: a fake Graph API for tests and drills, honoured only on this machine so
    that a token can never be sent elsewhere."""
    return local_test_url(GRAPH_URL_ENV)


def page_token() -> str:
    token = secret(TOKEN_ENV)
    if not token:
        raise PermanentError(_m("No Facebook Page token: {token_env} is not set.", token_env=TOKEN_ENV),
                             _m("Set {token_env} to the Page access token in the daemon's environment.",
                                token_env=TOKEN_ENV))
    return token


def error_fields(error: Exception) -> tuple[int | None, int | None, bool, str]:
    """(code, subcode, is_transient, message) of a facebook-sdk GraphAPIError."""
    result = getattr(error, "result", None)
    body = result.get("error", {}) if isinstance(result, dict) else {}
    body = body if isinstance(body, dict) else {}
    code = getattr(error, "code", None)
    code = code if isinstance(code, int) else None
    subcode = body.get("error_subcode") if isinstance(body.get("error_subcode"), int) else None
    message = body.get("error_user_msg") or str(getattr(error, "message", error))
    return code, subcode, bool(body.get("is_transient")), platform_text(message)


# long: one table of the Graph API's error codes and what each means for a post; reworked with graph.py (issue 22)
def channel_error(error: Exception, during_upload: bool = False, platform: str = "Facebook") -> Exception:
    """facebook-sdk and requests errors -> ours (permanent, transient or unknown), each saying what to do,
    with any token removed from the message. `during_upload`: the call that makes a post public."""
    import facebook
    import requests

    if isinstance(error, facebook.GraphAPIError):
        code, subcode, transient, msg = error_fields(error)
        said = f"{msg} (code {code}" + (f", subcode {subcode})" if subcode else ")") if code is not None else msg
        if code == 190:
            return PermanentError(_m("Meta refused the Page token (expired or revoked): {msg}", msg=msg),
                                  _m("Reconnect the Page: make a new never-expiring Page token (README: "
                                     "connecting real accounts) and set {token_env}.", token_env=TOKEN_ENV))
        if code == 10 or code is not None and 200 <= code <= 299:
            return PermanentError(_m("The Page token lacks a permission {platform} needs: {said}",
                                     platform=platform, said=said),
                                  _m("Grant the permission Meta names to the app, make a new Page token; "
                                     "`campaign channel check` lists the scopes the token has."))
        if subcode == IG_DAILY_LIMIT or code == 9:
            return TransientError(_m("Instagram's 24-hour publishing limit is reached: {said}", said=said),
                                  _m("It is retried in an hour; `campaign channel check instagram` says how "
                                     "many are left."),
                                  retry_after=RATE_LIMIT_WAIT)
        if subcode == IG_SPAM_BLOCK:
            return TransientError(_m("Instagram restricted publishing for now: {said}", said=said),
                                  _m("Open the Instagram app and read the notice; it is retried in six hours."),
                                  retry_after=SPAM_BLOCK_WAIT)
        if code in RATE_LIMIT_CODES:
            return TransientError(_m("{platform} rate limit (code {code}): {msg}", platform=platform,
                                     code=code, msg=msg),
                                  _m("It is retried in an hour."), retry_after=RATE_LIMIT_WAIT)
        if subcode == IG_ACCOUNT_RESTRICTED:
            return PermanentError(_m("The Instagram account is inactive or restricted: {said}", said=said),
                                  _m("Sign in to the Instagram app and do what it asks, then: campaign "
                                     "schedule retry POST."))
        if subcode in IG_REFUSED:
            return PermanentError(_m("Instagram refused the image: {said}", said=said),
                                  IG_REFUSED[subcode] + " Then: campaign schedule retry POST.")
        unclear = transient or code in (1, 2) or subcode in IG_TRY_AGAIN
        if unclear and during_upload:
            return UnknownOutcome(_m("{platform} answered the publish call with an error that may not be "
                                     "final: {said}", platform=platform, said=said),
                                  _m("It may have gone out: campaign reconcile settles it."))
        if unclear:
            reason = IG_TRY_AGAIN.get(subcode or 0, f"{platform} had a passing problem")
            return TransientError(f"{reason}: {said}", _m("It is retried in a few minutes."),
                                  retry_after=RETRY_WAIT)
        return PermanentError(_m("{platform} said: {said}", platform=platform, said=said),
                              _m("Fix what Meta names, then: campaign schedule retry POST."))
    if isinstance(error, requests.ConnectTimeout) or (
            isinstance(error, requests.ConnectionError) and "NewConnectionError" in repr(error)):
        return TransientError(_m("{platform} could not be reached: {error}", platform=platform,
                                 error=platform_text(error)),
                              retry_after=RETRY_WAIT)
    if during_upload and isinstance(error, (requests.Timeout, requests.ConnectionError)):
        return UnknownOutcome(_m("The call to {platform} was cut off: {error}", platform=platform,
                                 error=platform_text(error)),
                              _m("It may have gone out: campaign reconcile settles it."))
    if isinstance(error, requests.RequestException):
        return TransientError(_m("{platform} did not answer: {error}", platform=platform, error=platform_text(error)),
                              retry_after=RETRY_WAIT)
    return error


def call(fn: Callable[[], Any], during_upload: bool = False, platform: str = "Facebook") -> Any:
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - translated or re-raised as it was
        raise channel_error(e, during_upload, platform) from None


def settle_container(platform: str, container: str, code: Any, status: str, post_id: str) -> dict[str, str]:
    """What became of a post, from its container's status (Instagram's and Threads' containers answer
    alike): the `settle` answer of the Publisher protocol. `status` is the platform's reason, already
    scrubbed of secrets."""
    if code == "PUBLISHED":
        return {"state": "published", "reason": _m("{platform} says container {container} is published",
                                                   platform=platform, container=container)}
    if code == "FINISHED":
        return {"state": "not_published", "reason": _m("container {container} is ready but was never "
                                                       "published", container=container)}
    if code == "IN_PROGRESS":
        return {"state": "pending", "reason": _m("{platform} is still preparing container {container}",
                                                 platform=platform, container=container)}
    return {"state": "failed", "reason": _m("container {container} was not published ({code}: {status}); "
                                            "it did not go out - campaign schedule retry {id}",
                                            container=container, code=code, status=status or "no reason",
                                            id=post_id)}


def version_note(today: date) -> tuple[str, str | None]:
    """(what to say about the Graph API version we speak, a warning or None)."""
    end = VERSION_ENDS.get(GRAPH_API_VERSION)
    if end is None:
        return f"Graph API v{GRAPH_API_VERSION} (no end date announced yet)", None
    note = f"Graph API v{GRAPH_API_VERSION}, served until {end:%Y-%m-%d}"
    if end <= today:
        return note, f"Meta no longer serves Graph API v{GRAPH_API_VERSION}: update the campaign tool."
    if end - today <= timedelta(days=VERSION_WARN_DAYS):
        return note, f"Graph API v{GRAPH_API_VERSION} stops on {end:%Y-%m-%d}: update the campaign tool before then."
    return note, None


def _when(timestamp: Any) -> datetime | None:
    return datetime.fromtimestamp(int(timestamp), UTC) if timestamp else None


def token_health(graph: Any, token: str, page_id: str, needs: tuple[str, ...],
                 platform: str = "Facebook") -> dict[str, Any]:
    """What the Page token is, what it may do and how long it lasts.

    With an app token (CAMPAIGN_FACEBOOK_APP_TOKEN) Meta's `debug_token` tells the type, the scopes and
    the expiry; without one, `/me` still tells whether it is the Page's own token.
    Returns {"ok", "facts": [...], "warnings": [...], "problems": [...]} in words a person can act on."""
    health: dict[str, Any] = {"facts": [], "warnings": [], "problems": []}
    data = _debug_token(graph, token, health["warnings"], platform)
    if data is None:
        _whose_token(graph, page_id, health, platform)
    else:
        _judge_token(data, page_id, needs, health)
    return {"ok": not health["problems"], **health}


def _debug_token(graph: Any, token: str, warnings: list[str], platform: str) -> dict[str, Any] | None:
    """Meta's `debug_token` answer, or None without a (working) app token."""
    import facebook

    app_token = secret(APP_TOKEN_ENV)
    if not app_token:
        return None
    try:
        answer = graph.request(path(graph, "debug_token"), {"input_token": token, "access_token": app_token})
        data: dict[str, Any] = answer["data"]
        return data
    except facebook.GraphAPIError as e:  # the app token is wrong, which says nothing about the Page token
        warnings.append(_m("Meta refused {app_token_env} ({e}): give it as app-id|app-secret of the app that "
                           "made the Page token, or unset it", app_token_env=APP_TOKEN_ENV, e=error_fields(e)[3]))
        return None
    except Exception as e:  # noqa: BLE001
        raise channel_error(e, platform=platform) from None


def _whose_token(graph: Any, page_id: str, health: dict[str, Any], platform: str) -> None:
    me = call(lambda: graph.request(path(graph, "me"), {"fields": "id"}), platform=platform)
    if not page_id:
        health["facts"].append(f"the token of {me.get('id')} (no page_id to compare it with)")
    elif str(me.get("id")) == str(page_id):
        health["facts"].append("a Page token")
    else:
        health["problems"].append(f"the token is not the Page's own token (it belongs to {me.get('id')})")
    health["facts"].append(f"scopes and expiry not read: set {APP_TOKEN_ENV} (app id|app secret) to see them")


def _judge_token(data: dict[str, Any], page_id: str, needs: tuple[str, ...], health: dict[str, Any]) -> None:
    facts, warnings, problems = health["facts"], health["warnings"], health["problems"]
    now = datetime.now(UTC)
    if not data.get("is_valid"):
        reason = platform_text(str((data.get("error") or {}).get("message") or "Meta says it is not valid"))
        problems.append(f"the token is not valid: {reason}")
        return
    if data.get("type") == "PAGE" and (not page_id or str(data.get("profile_id", page_id)) == str(page_id)):
        facts.append("a Page token")
    elif data.get("type") == "PAGE":
        problems.append(f"the token belongs to another Page ({data.get('profile_id')})")
    else:
        problems.append(f"a {str(data.get('type') or 'unknown').lower()} token, not a Page token")
    scopes = set(data.get("scopes") or [])
    facts.append("scopes: " + (", ".join(sorted(scopes)) or "none"))
    missing = [s for s in needs if s not in scopes]
    if missing:
        problems.append("missing scope(s): " + ", ".join(missing))
    expires = _when(data.get("expires_at"))
    if expires is None:
        facts.append("never expires")
    elif expires <= now:
        problems.append(f"expired on {expires:%Y-%m-%d}")
    else:
        facts.append(f"expires {expires:%Y-%m-%d}")
        if expires - now <= timedelta(days=TOKEN_WARN_DAYS):
            warnings.append(_m("the Page token expires on {expires:%Y-%m-%d %H:%M} UTC: make a "
                               "never-expiring one (README: connecting real accounts)", expires=expires))
    data_access = _when(data.get("data_access_expires_at"))
    if data_access is not None and data_access - now <= timedelta(days=TOKEN_WARN_DAYS):
        warnings.append(_m("the app's data access ends on {data_access:%Y-%m-%d}: open the app once in "
                           "Facebook to renew it, then make a new Page token", data_access=data_access))


def health_report(account: str, health: dict[str, Any], extra: tuple[str, ...] | list[str] = (),
                  today: date | None = None) -> dict[str, Any]:
    """The `check()` answer of a Graph API publisher: the account, the token, the API version."""
    version, version_warning = version_note(today or datetime.now(UTC).date())
    warnings = list(health["warnings"]) + ([version_warning] if version_warning else [])
    words = [*health["problems"], *health["facts"], *extra, version]
    message = f"the token reaches {account}" if health["ok"] else "; ".join(health["problems"])
    return {"ok": health["ok"], "account": account, "message": message, "details": "; ".join(words),
            "warnings": warnings}


def _metric_value(item: dict[str, Any]) -> int | None:
    total = item.get("total_value")
    if isinstance(total, dict) and total.get("value") is not None:
        return int(total["value"])
    values = item.get("values") or []
    if values and isinstance(values[-1].get("value"), (int, float)):
        return int(values[-1]["value"])
    return None


def _refused_metric(error: Exception) -> bool:
    import facebook

    return isinstance(error, facebook.GraphAPIError) and error.code == 100


def insights(graph: Any, object_id: str, metrics: tuple[str, ...], retired: set[str],
             platform: str = "Facebook") -> tuple[dict[str, int | None], list[str]]:
    """Insights of one post or media, one bad metric unable to take the others down.

    Meta rejects the whole request when one metric is retired, so when a request is refused as an
    invalid metric the metrics are asked one by one: those refused alone are skipped with a
    warning (and remembered in `retired`, so the next post asks without them)."""
    wanted = [m for m in metrics if m not in retired]
    warnings: list[str] = []
    values: dict[str, int | None] = {m: None for m in metrics}

    def ask(names: list[str]) -> None:
        answer = graph.request(path(graph, object_id, "insights"), {"metric": ",".join(names)})
        for item in answer.get("data", []):
            if item.get("name") in values:
                values[item["name"]] = _metric_value(item)

    if not wanted:
        return values, warnings
    try:
        ask(wanted)
        return values, warnings
    except Exception as e:  # noqa: BLE001 - a refused metric is sorted out below, anything else translated
        if not _refused_metric(e):
            raise channel_error(e, platform=platform) from None
    for metric in wanted:
        try:
            ask([metric])
        except Exception as e:  # noqa: BLE001
            if not _refused_metric(e):
                raise channel_error(e, platform=platform) from None
            retired.add(metric)
            warnings.append(_m("{platform} no longer serves the metric {metric!r}; skipped ({e})",
                               platform=platform, metric=metric, e=error_fields(e)[3]))
    return values, warnings
