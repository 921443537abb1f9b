"""Events API listeners (App Home)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.handlers.home import publish_home, refresh_after_change
from bot.runtime import Runtime

log = logging.getLogger("opsbot.events")


def register(app: App, rt: Runtime) -> None:
    rt.change_hooks.append(lambda user_id: refresh_after_change(rt, user_id))

    @app.event("app_home_opened")
    def app_home_opened(ack: Any, event: dict, client: Any) -> None:
        ack()
        if event.get("tab", "home") != "home":
            return
        try:
            publish_home(rt, client, event["user"])
            rt.sync_profile(event["user"])
        except Exception:
            log.exception("could not publish the Home tab for %s", event.get("user"))
