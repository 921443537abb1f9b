"""Builds the Bolt app: signature checks on, listeners registered in one place (bot/handlers)."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

from bot.handlers import register_all
from bot.runtime import Runtime, make_client

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
                    log.warning("auth.test failed (%s); serving with the configured token", type(exc).__name__)
                    return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)
            return self._result


def _as_function(auth: SingleWorkspaceAuthorize) -> Any:
    # Bolt passes arguments by parameter name, so it needs a plain function, not a bound method.
    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        return auth.authorize(enterprise_id, team_id)

    return authorize


class _NoTokenSkippedWarning(logging.Filter):
    """Bolt falls back to $SLACK_BOT_TOKEN when given no token, then warns that the client wins over it. Here the
    client carries no token on purpose (`authorize` supplies it per request), so that warning misleads: drop it."""

    MESSAGE = warning_client_prioritized_and_token_skipped()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != self.MESSAGE


_BOLT_LOG = logging.getLogger("opsbot.bolt")
_BOLT_LOG.addFilter(_NoTokenSkippedWarning())


def create_app(rt: Runtime) -> App:
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
        logger=_BOLT_LOG,
    )
    register_all(app, rt)
    return app
