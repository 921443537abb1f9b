"""`/ops sync` (the ops-sync pack on demand), `/ops meeting` (propose a meeting) and the meeting buttons."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks import reporting as blocks
from bot.blocks.common import section
from bot.handlers import commands
from bot.handlers.common import guarded, input_value
from bot.runtime import Runtime
from bot.services import people, validation
from bot.services.errors import Invalid
from bot.services.payroll.config import PayrollConfig
from bot.services.reporting import meetings, sync
from bot.services.scorecard.model import ScorecardConfig
from bot.timefmt import fmt_datetime, local_date



def _slot(body: dict) -> tuple[int, int]:
    raw = str(body["actions"][0].get("value") or "")
    meeting, _, slot = raw.partition(":")
    return validation.parse_id(meeting, what="meeting"), validation.parse_int(slot, label="The slot", minimum=0, maximum=10)


def ops_command(rt: Runtime, sub: str, words: list[str], body: dict, ack: Any, client: Any) -> None:
    """The `/ops sync [YYYY-Www]` and `/ops meeting` branches of /ops (called from handlers/commands.py)."""
    user_id = body["user_id"]
    with rt.db.transaction() as s:
        people.require_role(people.get_or_create(s, user_id), people.ADMIN,
                            doing="build the ops-sync pack" if sub == "sync" else "propose a meeting")
    if sub == "meeting":
        view = blocks.meeting_modal()
        view["private_metadata"] = json.dumps({"nonce": uuid.uuid4().hex})
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)
        return
    today = local_date(clock.now(), rt.tz)
    monday = validation.parse_week(words[1], today=today) if len(words) > 1 else today - timedelta(days=today.weekday())
    with rt.db.read() as s:
        pack = sync.build(s, monday, ScorecardConfig.from_settings(rt.settings), clock.now(),
                          PayrollConfig.from_settings(rt.settings))
        text, bl = blocks.sync_message(pack, rt.tz)
    ack(text=text, blocks=bl)


def register(app: App, rt: Runtime) -> None:
    @app.view("meeting_submit")
    @guarded("view")
    def meeting_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user"]["id"]
        first, last = input_value(body, "first_day"), input_value(body, "last_day")
        today = local_date(clock.now(), rt.tz)
        first = validation.parse_date(first, field="first_day", label="The first day", today=today) if first else None
        last = validation.parse_date(last, field="last_day", label="The last day", today=today) if last else None
        attendees = input_value(body, "attendees") or []
        if not isinstance(attendees, list):
            raise Invalid("Pick the attendees.", {"attendees": "Pick the attendees."})
        attendees = [validation.slack_user_id(uid, field="attendees") for uid in attendees]
        req = meetings.parse_request(input_value(body, "title"), attendees, input_value(body, "length"), first, last)
        try:
            nonce = json.loads(body["view"].get("private_metadata") or "{}").get("nonce")
        except ValueError:
            nonce = None
        key = f"modal:{nonce}" if nonce else f"view:{body['view']['id']}"
        with rt.db.transaction() as s:
            m = meetings.propose(s, people.get_or_create(s, user_id), req, rt.tz, clock.now(), key)
            text, bl = blocks.meeting_proposed(m, rt.tz)
        ack(response_action="update", view={"type": "modal", "title": {"type": "plain_text", "text": "Meeting proposed"},
                                            "close": {"type": "plain_text", "text": "Done"}, "blocks": bl[:1]})
        rt.after_change(user_id)

    @app.action("meeting_accept")
    @guarded("action")
    def meeting_accept(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        meeting_id, slot = _slot(body)
        with rt.db.transaction() as s:
            m, new = meetings.answer(s, body["user"]["id"], meeting_id, slot, rt.tz, clock.now(), rt.settings.ops_channel)
            label = meetings.describe(m, rt.tz)[slot]
            booked = fmt_datetime(m.starts_at, rt.tz) if m.status == "scheduled" and m.starts_at else None
        text = (f"Booked: {m.title}, {booked}." if booked
                else f"Noted: {label} works for you." if new else f"Already noted: {label}.")
        respond(text=text, blocks=[section(text)], response_type="ephemeral", replace_original=False)
        rt.after_change(body["user"]["id"])

    @app.action("meeting_choose")
    @guarded("action")
    def meeting_choose(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        meeting_id, slot = _slot(body)
        with rt.db.transaction() as s:
            m = meetings.choose(s, body["user"]["id"], meeting_id, slot, rt.tz, rt.settings.ops_channel)
            if m.starts_at is None:
                raise Invalid("That meeting is not proposed any more.")
            text = f"Booked: {m.title}, {fmt_datetime(m.starts_at, rt.tz)}."
        respond(text=text, blocks=[section(text)], response_type="ephemeral", replace_original=False)
        rt.after_change(body["user"]["id"])


def _ops_reporting(rt: Runtime, body: dict, words: list[str], ack: Any, client: Any) -> None:
    ops_command(rt, words[0].lower(), words, body, ack, client)


commands.OPS_SUBCOMMANDS["sync"] = _ops_reporting
commands.OPS_SUBCOMMANDS["meeting"] = _ops_reporting
