"""Sign and build the HTTP requests Slack sends to the bot, for end-to-end tests.

``sign`` produces Slack's v0 request signature; the ``*_body`` builders produce
payloads shaped like Slack's own (slash commands, block_actions, view_submission,
Events API envelopes); :class:`SlackClient` POSTs them to a running bot server.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

TEAM_ID = "T0001"
TEAM_DOMAIN = "studio"
APP_ID = "A0OPSBOT"
BOT_USER_ID = "UBOT"
VERIFICATION_TOKEN = "legacy-verification-token"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_seq = itertools.count(1)

# Where response_url points; tests set it to the Web API stand-in so respond() calls are recorded.
RESPONSE_URL_BASE = "https://hooks.slack.com/"


def _trigger_id() -> str:
    return f"{next(_seq)}.{int(time.time())}.{hashlib.sha1(str(time.time_ns()).encode()).hexdigest()[:32]}"


def _action_ts() -> str:
    return f"{time.time():.6f}"


def sign(body: str, secret: str, timestamp: int | None = None, content_type: str | None = None) -> dict[str, str]:
    """Headers Slack sends with ``body``: timestamp, v0 HMAC-SHA256 signature and content type."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    if content_type is None:
        content_type = JSON if body.lstrip().startswith("{") else FORM
    return {
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": content_type,
    }


def _user(user_id: str, user_name: str | None = None) -> dict[str, str]:
    name = user_name or user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": TEAM_ID}


def _team() -> dict[str, str]:
    return {"id": TEAM_ID, "domain": TEAM_DOMAIN}


def command_body(
    command: str,
    text: str,
    user_id: str,
    user_name: str | None = None,
    channel_id: str = "C0OPS",
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    channel_name: str = "ops",
) -> str:
    """Form-encoded slash command body, as Slack posts it."""
    return urlencode(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": f"{RESPONSE_URL_BASE}commands/{team_id}/{next(_seq)}",
            "trigger_id": trigger_id or _trigger_id(),
        }
    )


def block_action_body(
    action_id: str,
    value: str | None,
    user_id: str,
    *,
    block_id: str = "block",
    message: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
    channel_id: str | None = None,
    view: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    action_type: str = "button",
    action: dict[str, Any] | None = None,
    state_values: dict[str, Any] | None = None,
    user_name: str | None = None,
) -> str:
    """Form-encoded ``payload=`` body of a ``block_actions`` interaction.

    Clicked in a message when ``message``/``channel_id`` is given, in a modal/Home tab when
    ``view`` is given. ``action`` overrides the generated action object (e.g. for selects).
    """
    act: dict[str, Any] = action or {
        "type": action_type,
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": action_id, "emoji": True},
        "action_ts": _action_ts(),
    }
    if action is None and value is not None:
        act["value"] = value
    act.setdefault("action_id", action_id)
    act.setdefault("block_id", block_id)
    act.setdefault("action_ts", _action_ts())
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, user_name),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or _trigger_id(),
        "team": _team(),
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [act],
    }
    if view is not None:
        full_view = {
            "id": "V0000000001",
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "bot_id": "BBOT",
            "hash": "1700000000.abcdef",
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": state_values or {}},
            **view,
        }
        payload["view"] = full_view
        payload["container"] = container or {"type": "view", "view_id": full_view["id"]}
        payload["state"] = full_view["state"]
    else:
        channel = channel_id or "C0OPS"
        msg = message or {"type": "message", "user": BOT_USER_ID, "bot_id": "BBOT", "ts": "1700000000.000100", "text": ""}
        payload["container"] = container or {
            "type": "message",
            "message_ts": msg.get("ts"),
            "channel_id": channel,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel, "name": channel.lower()}
        payload["message"] = msg
        payload["state"] = {"values": state_values or {}}
        payload["response_url"] = f"{RESPONSE_URL_BASE}actions/{TEAM_ID}/{next(_seq)}"
    return urlencode({"payload": json.dumps(payload)})


def view_submission_body(
    callback_id: str,
    user_id: str,
    state_values: dict[str, Any],
    private_metadata: str = "",
    view_id: str = "V0000000001",
    hash: str = "1700000000.abcdef",  # noqa: A002 - Slack's field name
    *,
    blocks: list[dict[str, Any]] | None = None,
    title: str = "Form",
    user_name: str | None = None,
) -> str:
    """Form-encoded ``payload=`` body of a ``view_submission``.

    ``state_values`` is ``{block_id: {action_id: {"type": ..., "value": ...}}}`` as Slack sends it.
    """
    payload = {
        "type": "view_submission",
        "team": _team(),
        "user": _user(user_id, user_name),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": _trigger_id(),
        "view": {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": state_values},
            "hash": hash,
            "title": {"type": "plain_text", "text": title, "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": APP_ID,
            "external_id": "",
            "app_installed_team_id": TEAM_ID,
            "bot_id": "BBOT",
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return urlencode({"payload": json.dumps(payload)})


def event_body(event: dict[str, Any], event_id: str | None = None, *, event_time: int | None = None) -> str:
    """JSON Events API envelope (``type: event_callback``) around ``event``."""
    return json.dumps(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_seq):010d}",
            "event_time": event_time or int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{next(_seq):08d}",
        }
    )


def url_verification_body(challenge: str) -> str:
    """JSON body of the Events API ``url_verification`` handshake."""
    return json.dumps({"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"})


class SlackClient:
    """Posts signed Slack requests to a bot's HTTP endpoint (e.g. ``http://127.0.0.1:PORT/slack/events``)."""

    def __init__(self, url: str, signing_secret: str, timeout: float = 10.0) -> None:
        self.url = url
        self.signing_secret = signing_secret
        self.timeout = timeout

    def post(
        self,
        body: str,
        *,
        content_type: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """POST ``body`` signed now (or at ``timestamp``); ``signature`` overrides the computed one.

        Returns ``(status, headers, body_text)``; HTTP errors are returned, not raised.
        """
        headers = sign(body, self.signing_secret, timestamp, content_type)
        if signature is not None:
            headers["X-Slack-Signature"] = signature
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        req = urllib.request.Request(self.url, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - local test server
                return resp.status, dict(resp.headers.items()), resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers.items()), err.read().decode()

    def _parsed(self, body: str, **kwargs: Any) -> tuple[int, Any]:
        status, _, text = self.post(body, **kwargs)
        try:
            return status, json.loads(text) if text else text
        except json.JSONDecodeError:
            return status, text

    def command(self, command: str, text: str, user_id: str, **kwargs: Any) -> tuple[int, Any]:
        """Send a slash command; kwargs go to :func:`command_body`."""
        return self._parsed(command_body(command, text, user_id, **kwargs))

    def action(self, action_id: str, value: str | None, user_id: str, **kwargs: Any) -> tuple[int, Any]:
        """Send a ``block_actions`` click; kwargs go to :func:`block_action_body`."""
        return self._parsed(block_action_body(action_id, value, user_id, **kwargs))

    def submit(self, callback_id: str, user_id: str, state_values: dict[str, Any], **kwargs: Any) -> tuple[int, Any]:
        """Send a ``view_submission``; kwargs go to :func:`view_submission_body`."""
        return self._parsed(view_submission_body(callback_id, user_id, state_values, **kwargs))

    def event(self, event: dict[str, Any], event_id: str | None = None, *, retry_num: int | None = None) -> tuple[int, Any]:
        """Send an Events API ``event_callback`` (optionally as Slack's retry ``retry_num``)."""
        return self._parsed(event_body(event, event_id), retry_num=retry_num)
