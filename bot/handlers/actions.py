"""Button clicks and other block actions."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.blocks import timeclock as tc_blocks
from bot.handlers.commands import clock_in_or_out
from bot.handlers.common import guarded
from bot.handlers.events import publish_home
from bot.runtime import Runtime
from bot.services import people, timeclock, validation


def register(app: App, rt: Runtime) -> None:
    @app.action("timesheet_edit")
    @guarded("action")
    def timesheet_edit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        entry_id = validation.parse_id(body["actions"][0]["value"])
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            people.require_role(actor, people.ADMIN, doing="edit time entries")
            entry = timeclock.get_entry(s, entry_id)
            view = tc_blocks.edit_entry_modal(entry, rt.tz, timeclock.entry_version(entry))
        ack()
        client.views_push(trigger_id=body["trigger_id"], view=view)

    @app.action("home_checkin")
    @guarded("action")
    def home_checkin(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        _home_clock(rt, client, body["user"]["id"], out=False)

    @app.action("home_checkout")
    @guarded("action")
    def home_checkout(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        _home_clock(rt, client, body["user"]["id"], out=True)


def _home_clock(rt: Runtime, client: Any, user_id: str, *, out: bool) -> None:
    """A Home-tab tap: clock in or out, refresh the Home tab, confirm in the app's DM (the tab has no reply area)."""
    text, blocks = clock_in_or_out(rt, user_id, None, out=out)
    rt.after_change(user_id)
    publish_home(rt, client, user_id)
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
