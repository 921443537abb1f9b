"""/swap and the swap buttons (Take shift, Accept, Decline, Cancel offer, Approve, Deny) and their forms."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks import swaps as blocks
from bot.blocks.common import escape, modal, section
from bot.db.models import Shift
from bot.handlers.common import guarded, input_value
from bot.handlers.listeners import buttons, openers
from bot.runtime import Runtime
from bot.services import people, validation
from bot.services.swaps import eligibility, lifecycle
from bot.services.errors import Invalid
from bot.services.swaps.eligibility import SwapConfig


def _value(body: dict[str, Any]) -> int:
    return validation.parse_id(body["actions"][0]["value"], what="swap or shift")


def register(app: App, rt: Runtime) -> None:
    def cfg() -> SwapConfig:
        return SwapConfig.from_settings(rt.settings)

    @app.command("/swap")
    @guarded("command")
    def swap_cmd(ack: Any, body: dict, client: Any, respond: Any) -> None:
        c = cfg()
        with rt.db.transaction() as s:
            person = people.get_or_create(s, body["user_id"])
            view = blocks.swap_modal(eligibility.swappable_shifts(s, person, clock.now(), c), c.rules.tz)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)
        rt.after_change(body["user_id"])

    @app.view("swap_submit")
    @guarded("view")
    def swap_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        c = cfg()
        user_id = body["user"]["id"]
        raw_shift, mode, target = input_value(body, "shift"), input_value(body, "mode"), input_value(body, "target")
        note = input_value(body, "note")
        if not raw_shift:
            raise Invalid("Pick a shift.", {"shift": "Pick one of your shifts."})
        if mode in ("direct", "trade") and not target:
            raise Invalid("Pick a person.", {"target": "Pick who to offer it to (or choose 'open to anyone eligible')."})
        target = validation.slack_user_id(target, field="target") if target else None
        shift_id = validation.parse_id(raw_shift, field="shift", what="shift")
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            if mode == "trade":
                mine = s.get(Shift, shift_id)
                if mine is None or mine.person_id != actor.id:
                    raise Invalid("Pick your own shift.", {"shift": "That shift isn't yours."})
                if target == user_id:
                    raise Invalid("That's you.", {"target": "Pick someone else: you can't swap with yourself."})
                other = people.get_or_create(s, target)
                theirs = eligibility.swappable_shifts(s, other, clock.now(), c)
                view = blocks.trade_modal(mine, other.name, theirs, c.rules.tz,
                                          {"shift": mine.id, "target": target, "note": note})
                ack(response_action="update", view=view)
                return
            swap = lifecycle.offer(s, actor, shift_id, mode or "open", c, target_user_id=target, note=note)
            done = _offered_text(swap)
        ack(response_action="update", view=_done_view(done))
        rt.after_change(user_id)

    @app.view("swap_trade_submit")
    @guarded("view")
    def swap_trade_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        m = json.loads(body["view"].get("private_metadata") or "{}")
        back = input_value(body, "return")
        if not back:
            raise Invalid("Pick one of their shifts.", {"return": "Pick the shift you take in return."})
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            swap = lifecycle.offer(s, actor, int(m["shift"]), "trade", cfg(), target_user_id=m["target"],
                               return_shift_id=validation.parse_id(back, field="return", what="shift"), note=m.get("note"))
            done = _offered_text(swap)
        ack(response_action="update", view=_done_view(done))
        rt.after_change(body["user"]["id"])

    def cover_opened(s: Any, actor: Any, body: dict) -> str:
        shift = s.get(Shift, _value(body))
        on_behalf = shift is None or shift.person_id != actor.id
        return _offered_text(lifecycle.offer(s, actor, _value(body), "open", cfg(), on_behalf=on_behalf))

    def taken(s: Any, actor: Any, body: dict) -> str:
        swap = lifecycle.take(s, actor, _value(body), cfg())
        return ("Done: the swap was approved automatically and the shift is yours." if swap.status == "approved" else
                "You've got it, pending the associate's approval. Until then the shift stays with "
                f"{escape(swap.requester.name)}; you'll get a DM when it's decided.")

    def declined(s: Any, actor: Any, body: dict) -> str:
        lifecycle.decline(s, actor, _value(body), cfg())
        return "Declined; they've been told. Nothing changed in the schedule."

    def cancelled(s: Any, actor: Any, body: dict) -> str:
        lifecycle.cancel(s, actor, _value(body), cfg())
        return "Offer cancelled. The shift is still yours."

    def approved(s: Any, actor: Any, body: dict) -> str:
        swap = lifecycle.approve(s, actor, _value(body), cfg())
        return f"Approved: {escape(swap.taker.name if swap.taker else '')} now has the shift; both have been told."

    def deny_modal(s: Any, actor: Any, body: dict) -> dict:
        people.require_role(actor, people.ADMIN, doing="deny swaps")
        swap = lifecycle.get(s, _value(body))
        lifecycle.require_status(swap, ("accepted",))
        return blocks.deny_modal(swap, cfg().rules.tz)

    buttons(app, rt, {"swap_take": taken}, learn_clicker=True)
    buttons(app, rt, {"swap_cover_open": cover_opened, "swap_decline": declined, "swap_cancel": cancelled,
                      "swap_approve": approved})
    openers(app, rt, {"swap_deny": deny_modal})

    @app.view("swap_deny_submit")
    @guarded("view")
    def deny_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        m = json.loads(body["view"].get("private_metadata") or "{}")
        with rt.db.transaction() as s:
            lifecycle.deny(s, people.get_or_create(s, body["user"]["id"]), int(m["swap"]), input_value(body, "reason"), cfg())
        ack()
        rt.after_change()


def _offered_text(swap: eligibility.Swap) -> str:
    if swap.kind == "open":
        n = sum(1 for k in swap.posts or [] if ":to:" in k)
        return (f":mega: Your shift is open to anyone eligible: {n} eligible people were messaged and it's posted "
                "in the ops channel. It stays yours until someone takes it and the associate approves.")
    who = escape(swap.target.name) if swap.target else "them"
    what = "trade" if swap.kind == "trade" else "offer"
    return f":incoming_envelope: Your {what} went to {who}. It stays yours until they accept and the associate approves."


def _done_view(text: str) -> dict[str, Any]:
    return modal("Swap a shift", [section(text)])

