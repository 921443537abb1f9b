"""Builds the Bolt app: signature checks on, listeners registered in one place (bot/handlers)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.middleware import Middleware

from bot import edge
from bot.ack_handoff import AckWaitingExecutor, SignallingAckMiddleware
from bot.handlers import register_all
from bot.logs import SLACK
from bot.runtime import Runtime, make_client
from bot.services import installation
from bot.services.claims.rules import load_rules
from bot.services.installation import Workspace

log = logging.getLogger("opsbot.app")


OTHER_WORKSPACE = "opsbot is installed in another workspace, so it can't act here. Nothing was changed."


class SingleWorkspaceAuthorize(Authorize):
    """Authorize every request with our one bot token, and only requests from our one workspace.

    Bolt's default authorizer calls auth.test before handling a request and refuses the request when
    Slack is unreachable; a check-in or an escalation must still be recorded then (the outbox sends
    the messages later), so a failed auth.test falls back to the token alone and is retried next time.
    The workspace auth.test names is remembered (SLACK_TEAM_ID pins it), so a request from any other
    team or Enterprise Grid org is refused even while Slack is down; Bolt then answers OTHER_WORKSPACE.
    """

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._result: AuthorizeResult | None = None
        pinned = rt.settings.slack_team_id
        self._pinned = pinned
        self._workspace: Workspace | None = Workspace(pinned, enterprise_known=False) if pinned else None
        self._lock = threading.Lock()

    def __call__(self, *, context: Any = None, enterprise_id: str | None, team_id: str | None,  # type: ignore[override]
                 user_id: str | None = None, **_actor: Any) -> AuthorizeResult | None:
        """Bolt calls an Authorize instance as is (a plain function it would wrap and inspect on every request)."""
        return self.authorize(enterprise_id, team_id)

    def authorize(self, enterprise_id: str | None, team_id: str | None) -> AuthorizeResult | None:
        result = self._result or self._auth_test(enterprise_id, team_id)
        workspace = self._workspace or self._remembered()
        if workspace is not None and not workspace.admits(team_id, enterprise_id):
            log.warning("refused a request from team=%s enterprise=%s: installed in team=%s",
                        team_id, enterprise_id, workspace.team_id)
            return None
        return result

    def _auth_test(self, enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        token = self.rt.settings.slack_bot_token
        with self._lock:
            if self._result is not None:
                return self._result
            try:
                resp = self.rt.client.auth_test()
                result = AuthorizeResult.from_auth_test_response(auth_test_response=resp, bot_token=token)
            except Exception as exc:  # Slack down: serve the request anyway
                SLACK.down(f"auth.test: {type(exc).__name__}; serving with the configured token")
                return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)
            self._learn(Workspace(result.team_id or "", result.enterprise_id))
            self._result = result
            return result

    def _learn(self, found: Workspace) -> None:
        if not found.team_id:
            return
        if self._pinned:
            if found.team_id != self._pinned:
                log.error("SLACK_TEAM_ID is %s but the bot token belongs to team %s", self._pinned, found.team_id)
            else:
                self._workspace = found
            return
        self._workspace = found
        try:
            with self.rt.db.transaction() as s:
                installation.remember(s, found)
        except Exception as exc:  # the database being down must not stop the check itself
            log.warning("could not record the workspace (%s)", type(exc).__name__)

    def _remembered(self) -> Workspace | None:
        """Before auth.test has answered in this process: the workspace an earlier one recorded."""
        try:
            with self.rt.db.read() as s:
                found = installation.remembered(s)
        except Exception:
            return None
        if found is not None:
            self._workspace = found
        return found


class _NoTokenSkippedWarning(logging.Filter):
    """Bolt falls back to $SLACK_BOT_TOKEN when given no token, then warns that the client wins over it. Here the
    client carries no token on purpose (`authorize` supplies it per request), so that warning misleads: drop it."""

    MESSAGE = warning_client_prioritized_and_token_skipped()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != self.MESSAGE


_BOLT_LOG = logging.getLogger("opsbot.bolt")
_BOLT_LOG.addFilter(_NoTokenSkippedWarning())


def create_app(rt: Runtime) -> App:
    load_rules()  # compile the claim rules once at start; a malformed file fails here, not on the first brief
    app = App(
        signing_secret=rt.settings.slack_signing_secret or "socket-mode-has-no-signatures",
        # Bolt builds each request's client from this one (base URL, retries) with the token `authorize` returns.
        client=make_client(rt.settings, token=None),
        authorize=SingleWorkspaceAuthorize(rt),
        user_facing_authorize_error_message=OTHER_WORKSPACE,
        # Start even if Slack is briefly unreachable.
        token_verification_enabled=False,
        process_before_response=False,
        # Bolt's default pool has 5 threads: with more concurrent requests than that, acks queue behind
        # slow after-ack work. Match the HTTP server's threads so every request gets a listener thread.
        # The HTTP thread is woken by the ack itself instead of polling for it (bot/ack_handoff.py).
        listener_executor=AckWaitingExecutor(max_workers=rt.settings.web_threads * 2, thread_name_prefix="opsbot-listener"),
        logger=_BOLT_LOG,
    )
    app.middleware(SignallingAckMiddleware())
    app.middleware(_CleanSocketModeBody())
    register_all(app, rt)
    return app


class _CleanSocketModeBody(Middleware):
    """Socket Mode requests skip the HTTP edge (bot/edge.py): strip NUL bytes from them here.

    A Middleware subclass, not a function: Bolt calls it directly instead of building its keyword
    arguments by inspection on every request (a function middleware cost every HTTP request that too)."""

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Any) -> BoltResponse:  # noqa: A002
        if req.mode == "socket_mode":
            req.body = edge.clean(req.body)
        return next()
