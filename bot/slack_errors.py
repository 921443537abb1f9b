"""What a failed Slack Web API call means: wait and try again, or never.

One reading for the notifier (retry or fail an outbox message) and the handlers (what to tell the
person), plus retry handlers that never retry calls bound to a 3-second trigger_id.
"""

from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass
from typing import Any
from urllib.error import URLError

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

# Errors that retrying cannot fix: the message fails at once and a person is told.
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "invalid_blocks_format",
    "msg_too_long", "no_text", "user_not_found", "cannot_dm_bot", "invalid_auth", "not_authed",
    "account_inactive", "token_revoked", "token_expired", "missing_scope", "message_not_found",
    "cant_update_message", "edit_window_closed", "unknown_method", "method_deprecated", "invalid_arguments",
    "restricted_action", "user_is_bot", "user_disabled", "channel_is_archived", "too_many_attachments",
    "invalid_attachments", "invalid_metadata_format", "team_access_not_granted", "ekm_access_denied",
})
# A trigger_id lives 3 seconds and can be used once: past that, only a new click helps.
TRIGGER_ERRORS = frozenset({"expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id", "trigger_exchanged"})
# Methods whose trigger_id would expire while a retry handler waits for Retry-After.
TRIGGER_METHODS = ("views.open", "views.push")
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    URLError, ConnectionError, TimeoutError, socket.timeout, http.client.HTTPException, OSError,
)


@dataclass(frozen=True)
class Failure:
    """One failed call, read: its error code, and whether waiting can help."""

    error: str
    permanent: bool = False
    unreachable: bool = False  # Slack is down or out of reach (5xx, network): not this message's fault
    retry_after: float | None = None  # Slack asked us to wait this long (429)

    @property
    def rate_limited(self) -> bool:
        return self.retry_after is not None


def classify(exc: BaseException) -> Failure | None:
    """Read a Web API exception; None when it is not a Slack or network failure (a bug)."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = getattr(response, "status_code", 0) or 0
        error = _error_code(response)
        if status == 429 or error == "ratelimited":
            return Failure(error="ratelimited", retry_after=retry_after(exc))
        if status >= 500 or error in ("service_unavailable", "internal_error", "fatal_error", "request_timeout"):
            return Failure(error=error if error != "unknown" else f"http_{status}", unreachable=True)
        return Failure(error=error, permanent=error in PERMANENT_ERRORS or error in TRIGGER_ERRORS)
    if isinstance(exc, NETWORK_ERRORS):
        return Failure(error=type(exc).__name__, unreachable=True)
    return None


def retry_after(exc: SlackApiError, default: float = 1.0) -> float:
    """Slack's Retry-After (seconds) from the response slack_sdk kept on the exception."""
    headers = getattr(exc.response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) and value else value
            try:
                return max(float(raw), 0.0)
            except (TypeError, ValueError):
                return default
    return default


def _error_code(response: Any) -> str:
    try:
        return str(response.get("error") or "unknown")
    except Exception:  # a non-JSON body (an HTML error page from a proxy)
        return "unknown"


def _trigger_bound(url: str) -> bool:
    return url.rstrip("/").endswith(TRIGGER_METHODS)


class TriggerSafeRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Honours Retry-After, except for views.open/push: their trigger expires before any wait ends."""

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        return not _trigger_bound(request.url) and super()._can_retry(
            state=state, request=request, response=response, error=error)


class TriggerSafeConnectionRetryHandler(ConnectionErrorRetryHandler):
    """Retries connection errors, except for views.open/push (answer the person at once instead)."""

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        return not _trigger_bound(request.url) and super()._can_retry(
            state=state, request=request, response=response, error=error)
