"""The Messages tab: whatever a person types to the bot is answered with short help, once.

Only plain messages from people in a DM are answered: bot messages (our own included) and every subtype
(edits, deletions, file shares, which `file_shared` handles) are ignored, so the bot can never answer itself.
The answer is keyed on the message's ts in the outbox, so Slack's retries of the event change nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.blocks.people import dm_help_message
from bot.runtime import Runtime
from bot.services import outbox, people

log = logging.getLogger("opsbot.messages")


def is_person_dm(event: dict[str, Any], bot_user_id: str | None) -> bool:
    return (event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id")
            and bool(event.get("user")) and event.get("user") != bot_user_id and bool(event.get("ts")))


def register(app: App, rt: Runtime) -> None:
    @app.event("message")
    def message(ack: Any, event: dict, context: Any) -> None:
        ack()
        if not is_person_dm(event, context.get("bot_user_id")):
            return
        user_id = str(event["user"])
        try:
            with rt.db.transaction() as s:
                text, blocks = dm_help_message(people.get_or_create(s, user_id))
                outbox.dm(s, user_id, text, blocks, key=f"dm-help:{event['channel']}:{event['ts']}")
            rt.after_change(user_id)
        except Exception:
            log.exception("could not answer a DM from %s", user_id)
