"""HTTP serving: POST /slack/events (size, signature and shape checked at the edge, then Bolt) and GET /healthz, as a WSGI app."""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot import ack_handoff, edge
from bot.db.session import Database

log = logging.getLogger("opsbot.http")


class VerifiedRequest(BoltRequest):
    """A BoltRequest whose body the edge already verified and parsed.

    Bolt's own parser reads any form body containing the word 'payload' as an interaction and
    loses a slash command such as `/checkin fixing the payload cable`; handing Bolt the parsed
    dict avoids it. The raw body is kept, so Bolt's signature check still runs on it as well.
    """

    def __init__(self, *, raw_body: str, body: dict[str, Any], query: Any, headers: Any) -> None:
        super().__init__(body=body, query=query, headers=headers, mode="socket_mode")  # "take this dict as is"
        self.raw_body = raw_body
        self.mode = "http"

    def to_copyable(self) -> BoltRequest:
        return VerifiedRequest(raw_body=self.raw_body, body=self.body, query=self.query, headers=self.headers)


def describe(body: dict[str, Any]) -> tuple[str, str]:
    """(what ran, for whom) for the request log line."""
    if "command" in body:
        return f"command {body['command']}", body.get("user_id", "?")
    kind = body.get("type", "")
    user = (body.get("user") or {}).get("id", "?") if isinstance(body.get("user"), dict) else "?"
    if kind == "block_actions":
        ids = ",".join(a.get("action_id", "?") for a in body.get("actions", []))
        return f"action {ids}", user
    if kind in ("view_submission", "view_closed"):
        return f"{kind} {(body.get('view') or {}).get('callback_id', '?')}", user
    if kind == "event_callback":
        event = body.get("event") or {}
        return f"event {event.get('type', '?')}", event.get("user", "?") if isinstance(event.get("user"), str) else "?"
    return kind or "unknown", user


class OpsbotWSGI(SlackRequestHandler):
    """Bolt's WSGI adapter plus a health check and one log line per request."""

    def __init__(self, app: App, db: Database, signing_secret: str | None,
                 max_body_bytes: int = edge.MAX_BODY_BYTES) -> None:
        super().__init__(app, path="/slack/events")
        self.db = db
        # Without a secret nothing can verify, so every POST is refused (as Bolt would).
        self.verifier = SignatureVerifier(signing_secret or secrets.token_hex(16))
        self.max_body_bytes = max_body_bytes

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        started = time.monotonic()
        headers = request.get_headers()
        try:
            raw = edge.read_body(request.environ, self.max_body_bytes)
            edge.verify(self.verifier, raw, {k.lower(): v for k, v in headers.items()})
            signed = edge.parse(raw, str(headers.get("content-type") or ""))
        except edge.Refused as refused:
            log.warning("refused status=%s reason=%s bytes=%s", refused.status, refused.reason,
                        request.environ.get("CONTENT_LENGTH") or 0)
            return BoltResponse(status=refused.status, body="", headers={"content-type": "text/plain;charset=utf-8"})
        req = VerifiedRequest(raw_body=signed.raw_body, body=signed.body, query=request.query_string, headers=headers)
        try:
            resp = self.app.dispatch(req)
        finally:
            ack_handoff.forget()
        if log.isEnabledFor(logging.INFO):
            what, who = describe(req.body)
            retry = (req.headers.get("x-slack-retry-num") or [None])[0]
            log.info("%s user=%s status=%s ms=%.1f%s", what, who, resp.status, (time.monotonic() - started) * 1000,
                     f" retry={retry}" if retry else "")
        return resp

    def __call__(self, environ: Any, start_response: Any) -> Any:
        ack_handoff.collecting()
        try:
            body = super().__call__(environ, start_response)
        finally:
            work = ack_handoff.collected()
        return ack_handoff.AfterResponse(body, work) if work else body

    def _get_http_response(self, request: WsgiHttpRequest) -> WsgiHttpResponse:
        if request.method == "GET" and request.path in ("/healthz", "/health"):
            db = self.db.ping()
            status = 200 if db == "ok" else 503
            body = json.dumps({"status": "ok" if status == 200 else "degraded", "database": db, "backend": self.db.backend})
            return WsgiHttpResponse(status=status, headers={"content-type": ["application/json"]}, body=body)
        return super()._get_http_response(request)
