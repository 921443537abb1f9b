"""/escalate, the escalation message's buttons, and the raise/update/resolve modals."""

from __future__ import annotations

import json
import uuid
from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks import escalations as esc_blocks
from bot.handlers.common import guarded, input_value
from bot.handlers.listeners import buttons, openers
from bot.logs import SLACK
from bot.runtime import Runtime
from bot.services import edits, people, validation
from bot.services.escalations import guard as escalation_guard
from bot.services.escalations import core, lifecycle
from bot.services.escalations.core import EscalationConfig, RaiseForm


def _esc_id(body: dict) -> int:
    return validation.parse_id(body["actions"][0]["value"], what="escalation")


def _nonce(body: dict) -> str:
    """The idempotency key of a submission: the nonce drawn when the modal opened (else the view id)."""
    view = body["view"]
    try:
        nonce = json.loads(view.get("private_metadata") or "{}").get("nonce")
    except (ValueError, AttributeError):
        nonce = None
    return f"modal:{nonce}" if nonce else f"view:{view['id']}"


def register(app: App, rt: Runtime) -> None:
    def cfg() -> EscalationConfig:
        return EscalationConfig.from_settings(rt.settings)

    @app.command("/escalate")
    @guarded("command")
    def escalate(ack: Any, body: dict, client: Any, respond: Any) -> None:
        now = clock.now()
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user_id"])
            core.require_member(actor, "raise escalations")
            sessions = core.sessions_today(s, now, rt.tz)
            view = esc_blocks.raise_modal((body.get("text") or "").strip(), sessions,
                                          core.on_air(sessions, now), rt.tz, uuid.uuid4().hex)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view("escalation_raise")
    @guarded("view")
    def raise_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user"]["id"]
        form = RaiseForm(
            summary=input_value(body, "summary"), severity=input_value(body, "severity"),
            session=input_value(body, "session"), affected=input_value(body, "affected"),
            details=input_value(body, "details"), needs_legal="yes" in (input_value(body, "legal") or []),
        )
        c = cfg()
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            esc, created = lifecycle.raise_escalation(s, actor, form, _nonce(body), clock.now(), c)
            view = esc_blocks.raised_modal(esc, created, c.channel, slack_down=SLACK.down_since is not None)
        ack(response_action="update", view=view)
        rt.after_change(user_id)

    def acknowledged(s: Any, actor: Any, body: dict) -> str:
        esc = lifecycle.acknowledge(s, actor, _esc_id(body), clock.now(), cfg())
        return f"You own escalation #{esc.id} now. Post progress with Update; Resolve when it's fixed."

    def snoozed(s: Any, actor: Any, body: dict) -> str:
        c = cfg()
        esc = lifecycle.snooze(s, actor, _esc_id(body), clock.now(), c)
        return f"Reminders for escalation #{esc.id} are snoozed for {int(c.snooze.total_seconds() // 60)} min."

    def reopened(s: Any, actor: Any, body: dict) -> str:
        esc = lifecycle.reopen(s, actor, _esc_id(body), clock.now(), cfg())
        return f"Escalation #{esc.id} is open again and needs an owner."

    def update_modal(s: Any, actor: Any, body: dict) -> dict:
        esc = lifecycle.check_updatable(s, actor, _esc_id(body), cfg())
        return esc_blocks.update_modal(esc, escalation_guard.version(esc))

    def resolve_modal(s: Any, actor: Any, body: dict) -> dict:
        return esc_blocks.resolve_modal(lifecycle.check_resolvable(s, actor, _esc_id(body), cfg()))

    def timeline_modal(s: Any, actor: Any, body: dict) -> dict:
        core.require_member(actor, "see escalation timelines")
        esc = core.get(s, _esc_id(body))
        return esc_blocks.timeline_modal(esc, core.events(s, esc.id), rt.tz)

    buttons(app, rt, {"esc_ack": acknowledged, "esc_snooze": snoozed, "esc_reopen": reopened}, learn_clicker=True)
    openers(app, rt, {"esc_update": update_modal, "esc_resolve": resolve_modal, "esc_timeline": timeline_modal})

    @app.view("escalation_update")
    @guarded("view")
    def update_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user"]["id"]
        with rt.db.transaction() as s:
            ref, seen, _ = edits.parse_form_ref(body["view"]["private_metadata"])
            lifecycle.add_update(s, people.get_or_create(s, user_id), validation.parse_id(ref, what="escalation"),
                                   input_value(body, "note"), input_value(body, "severity"), clock.now(), cfg(), seen)
        ack(response_action="clear")
        rt.after_change(user_id)

    @app.view("escalation_resolve")
    @guarded("view")
    def resolve_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user"]["id"]
        with rt.db.transaction() as s:
            lifecycle.resolve(s, people.get_or_create(s, user_id), validation.parse_id(body["view"]["private_metadata"], what="escalation"),
                                input_value(body, "note"), input_value(body, "cause"), clock.now(), cfg())
        ack(response_action="clear")
        rt.after_change(user_id)

