"""HTTP serving: POST /slack/events (Bolt, signature-checked) and GET /healthz, as a WSGI app."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import slack_bolt.request.request as _bolt_request
from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import parse_body as _bolt_parse_body

from bot.db.session import Database

log = logging.getLogger("opsbot.http")


def _parse_body(body: str, content_type: str | None) -> dict[str, Any]:
    """Bolt 1.30 reads any form body containing the word 'payload' as an interaction and loses a
    slash command such as `/checkin fixing the payload cable`. Fall back to the plain form then."""
    parsed = _bolt_parse_body(body, content_type)
    if not parsed and body and not body.startswith("{") and "payload=" not in body:
        from urllib.parse import parse_qsl

        return dict(parse_qsl(body, keep_blank_values=True))
    return parsed


_bolt_request.parse_body = _parse_body  # type: ignore[assignment]


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

    def __init__(self, app: App, db: Database) -> None:
        super().__init__(app, path="/slack/events")
        self.db = db

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        started = time.monotonic()
        headers = request.get_headers()
        req = BoltRequest(body=request.get_body(), query=request.query_string, headers=headers)
        what, who = describe(req.body if isinstance(req.body, dict) else {})
        retry = (headers.get("x-slack-retry-num") or [None])[0]
        resp = self.app.dispatch(req)
        log.info("%s user=%s status=%s ms=%.1f%s", what, who, resp.status, (time.monotonic() - started) * 1000,
                 f" retry={retry}" if retry else "")
        return resp

    def _get_http_response(self, request: WsgiHttpRequest) -> WsgiHttpResponse:
        if request.method == "GET" and request.path in ("/healthz", "/health"):
            db = self.db.ping()
            status = 200 if db == "ok" else 503
            body = json.dumps({"status": "ok" if status == 200 else "degraded", "database": db, "backend": self.db.backend})
            return WsgiHttpResponse(status=status, headers={"content-type": ["application/json"]}, body=body)
        return super()._get_http_response(request)
