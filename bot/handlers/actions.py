"""Button clicks and other block actions."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks import timeclock as tc_blocks
from bot.handlers.common import guarded, tell
from bot.handlers.events import publish_home
from bot.runtime import Runtime
from bot.services import people, timeclock


def register(app: App, rt: Runtime) -> None:
    @app.action("timesheet_edit")
    @guarded("action")
    def timesheet_edit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        entry_id = int(body["actions"][0]["value"])
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            people.require_role(actor, people.ADMIN, doing="edit time entries")
            view = tc_blocks.edit_entry_modal(timeclock.get_entry(s, entry_id), rt.tz)
        ack()
        client.views_push(trigger_id=body["trigger_id"], view=view)

    @app.action("home_checkin")
    @guarded("action")
    def home_checkin(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        user_id = body["user"]["id"]
        with rt.db.transaction() as s:
            person = people.get_or_create(s, user_id)
            result = timeclock.check_in(s, person, None, clock.now(), rt.policy)
            text, blocks = tc_blocks.checkin_reply(result, rt.tz)
        rt.after_change(user_id)
        publish_home(rt, client, user_id)
        tell_ok(client, user_id, text, blocks)

    @app.action("home_checkout")
    @guarded("action")
    def home_checkout(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        user_id = body["user"]["id"]
        with rt.db.transaction() as s:
            person = people.get_or_create(s, user_id)
            result = timeclock.check_out(s, person, None, clock.now(), rt.policy)
            text, blocks = tc_blocks.checkout_reply(result, rt.tz)
        rt.after_change(user_id)
        publish_home(rt, client, user_id)
        tell_ok(client, user_id, text, blocks)


def tell_ok(client: Any, user_id: str, text: str, blocks: list) -> None:
    """Confirm a Home-tab action in the app's DM (the Home tab has no place for a reply)."""
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


__all__ = ["register", "tell"]
