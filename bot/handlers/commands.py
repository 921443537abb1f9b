"""Slash commands: parse the payload, call a service, answer with blocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot import ack_handoff, clock
from bot.blocks import people as people_blocks
from bot.blocks import timeclock as tc_blocks
from bot.handlers import targets
from bot.handlers.common import guarded
from bot.runtime import Runtime
from bot.services import people, punch, timeclock
from bot.services.errors import Invalid
from bot.services.payroll import attest
from bot.services.payroll.rules import load_rules

OPS_USAGE = "Try `/ops help`."

#: More `/ops WORD ...` subcommands, one entry per area (e.g. "pay" from bot/handlers/payroll.py):
#: handler(rt, body, words, ack, client), added when that area's handler module is imported.
OPS_SUBCOMMANDS: dict[str, Callable[[Runtime, dict, list[str], Any, Any], None]] = {}


def clock_in_or_out(rt: Runtime, user_id: str, note: str | None, *, out: bool) -> tuple[str, list]:
    """Check the person in (or out) in one transaction and render the answer; shared by the commands and the Home buttons.

    The punch runs as plain SQL on the driver's connection (bot/services/punch.py): the whole crew does this
    at call time."""
    now = clock.now()
    with rt.db.raw_transaction() as tx:
        if out:
            done = punch.check_out(tx, user_id, note, now, rt.policy)
        else:
            started = punch.check_in(tx, user_id, note, now, rt.policy)
    if (done if out else started).profile_filled:
        rt.profile_known(user_id)  # nothing for the after-ack users.info lookup to fill
    if out:
        done.asked = attest.questions(done.worked, load_rules(rt.settings.payroll_rules_file or None))
        return tc_blocks.checkout_reply(done, rt.tz)
    return tc_blocks.checkin_reply(started, rt.tz)


def register(app: App, rt: Runtime) -> None:
    # A whole crew clocks in within the same minute: answered on the HTTP thread, the rest after the answer.
    ack_handoff.answer_inline("/checkin", "/checkout")

    @app.command("/checkin")
    @guarded("command")
    def checkin(ack: Any, body: dict, client: Any, respond: Any) -> None:
        text, blocks = clock_in_or_out(rt, body["user_id"], body.get("text"), out=False)
        ack(text=text, blocks=blocks)
        ack_handoff.after_response(lambda: rt.after_punch(body["user_id"]))

    @app.command("/checkout")
    @guarded("command")
    def checkout(ack: Any, body: dict, client: Any, respond: Any) -> None:
        text, blocks = clock_in_or_out(rt, body["user_id"], body.get("text"), out=True)
        ack(text=text, blocks=blocks)
        ack_handoff.after_response(lambda: rt.after_punch(body["user_id"]))

    @app.command("/ops")
    @guarded("command")
    def ops(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user_id"]
        words = (body.get("text") or "").split()
        sub = words[0].lower() if words else "help"
        if sub == "help":
            with rt.db.transaction() as s:
                text, blocks = people_blocks.help_message(people.get_or_create(s, user_id))
            ack(text=text, blocks=blocks)
        elif sub == "people":
            with rt.db.transaction() as s:
                actor = people.get_or_create(s, user_id)
                people.require_role(actor, people.ADMIN, doing="list people")
                text, blocks = people_blocks.people_message(people.everyone(s))
            ack(text=text, blocks=blocks)
        elif sub == "role":
            if len(words) != 4 or words[1].lower() not in ("add", "remove"):
                raise Invalid("Use `/ops role add @user ROLE` or `/ops role remove @user ROLE`.")
            adding = words[1].lower() == "add"
            with rt.db.transaction() as s:
                people.require_role(people.get_or_create(s, user_id), people.ADMIN, doing="change roles")
                role = people.normalize_role(words[3])
            target_id = targets.resolve(rt, words[2]) if adding else words[2]
            with rt.db.transaction() as s:
                actor = people.get_or_create(s, user_id)
                target_id = people.parse_user_ref(s, target_id)
                change = people.add_role if adding else people.remove_role
                target, changed = change(s, actor, target_id, role)
                text = people_blocks.role_changed_message(target, role, adding, changed)
            ack(text=text)
            rt.after_change(target_id)
        elif sub == "timesheet":
            if len(words) != 2:
                raise Invalid("Use `/ops timesheet @user`.")
            with rt.db.transaction() as s:
                actor = people.get_or_create(s, user_id)
                target_id = people.parse_user_ref(s, words[1])
                target, entries = timeclock.entries_for_review(s, actor, target_id, clock.now())
                view = tc_blocks.timesheet_modal(target, entries, rt.tz, clock.now())
            ack()
            client.views_open(trigger_id=body["trigger_id"], view=view)
        elif sub in OPS_SUBCOMMANDS:
            OPS_SUBCOMMANDS[sub](rt, body, words, ack, client)
        else:
            raise Invalid(f"I don't know `/ops {sub}`. {OPS_USAGE}")
