"""Builds the Bolt app: signature checks on, listeners registered in one place (bot/handlers)."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult

from bot.handlers import register_all
from bot.logs import SLACK
from bot.runtime import Runtime, make_client
from bot.services.claims import load_rules

log = logging.getLogger("opsbot.app")


class SingleWorkspaceAuthorize:
    """Authorize every request with our one bot token, learning the bot's identity from auth.test once.

    Bolt's default authorizer calls auth.test before handling a request and refuses the request when
    Slack is unreachable; a check-in or an escalation must still be recorded then (the outbox sends
    the messages later), so a failed auth.test falls back to the token alone and is retried next time.
    """

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._result: AuthorizeResult | None = None
        self._lock = threading.Lock()

    def authorize(self, enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        if self._result is not None:
            return self._result
        token = self.rt.settings.slack_bot_token
        with self._lock:
            if self._result is None:
                try:
                    resp = self.rt.client.auth_test()
                    self._result = AuthorizeResult.from_auth_test_response(auth_test_response=resp, bot_token=token)
                except Exception as exc:  # Slack down: serve the request anyway
                    SLACK.down(f"auth.test: {type(exc).__name__}; serving with the configured token")
                    return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)
            return self._result


def _as_function(auth: SingleWorkspaceAuthorize) -> Any:
    # Bolt passes arguments by parameter name, so it needs a plain function, not a bound method.
    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        return auth.authorize(enterprise_id, team_id)

    return authorize


def create_app(rt: Runtime) -> App:
    load_rules()  # compile the claim rules once at start; a malformed file fails here, not on the first brief
    app = App(
        signing_secret=rt.settings.slack_signing_secret or "socket-mode-has-no-signatures",
        # Bolt builds each request's client from this one (base URL, retries) with the token `authorize` returns.
        client=make_client(rt.settings, token=None),
        authorize=_as_function(SingleWorkspaceAuthorize(rt)),
        # Start even if Slack is briefly unreachable.
        token_verification_enabled=False,
        process_before_response=False,
        # Bolt's default pool has 5 threads: with more concurrent requests than that, acks queue behind
        # slow after-ack work. Match the HTTP server's threads so every request gets a listener thread.
        listener_executor=ThreadPoolExecutor(max_workers=rt.settings.web_threads * 2, thread_name_prefix="opsbot-listener"),
        logger=logging.getLogger("opsbot.bolt"),
    )
    register_all(app, rt)
    return app
