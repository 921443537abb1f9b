"""Builds the Bolt app: signature checks on, listeners registered in one place (bot/handlers)."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.handlers import register_all
from bot.runtime import Runtime

log = logging.getLogger("opsbot.app")


def create_app(rt: Runtime) -> App:
    app = App(
        signing_secret=rt.settings.slack_signing_secret or "socket-mode-has-no-signatures",
        client=rt.client,
        # Start even if Slack is briefly unreachable; each request is still authorized by a cached auth.test.
        token_verification_enabled=False,
        process_before_response=False,
        logger=logging.getLogger("opsbot.bolt"),
    )
    register_all(app, rt)
    return app
