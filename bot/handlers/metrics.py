"""/metrics, the Log metrics button and modal, and /scorecard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks import metrics as blocks
from bot.blocks.scorecard import help_message, scorecard_message, targets_message
from bot.blocks.scorecard_period import period_message
from bot.handlers.common import guarded, input_value
from bot.runtime import Runtime
from bot.services import edits, people, validation
from bot.services.metrics import store as metrics
from bot.services.errors import Invalid
from bot.services.metrics.store import FORM_FIELDS
from bot.services.people import ADMIN
from bot.services.scorecard import compute, monthly, targets
from bot.services.scorecard.model import ScorecardConfig
from bot.timefmt import local_date


def register(app: App, rt: Runtime) -> None:
    def open_modal(body: dict, client: Any, ack: Any, session_id: int | None) -> None:
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"] if "user" in body else body["user_id"])
            metrics.require_associate(actor, "log LIVE metrics")
            selected = metrics.live_session(s, session_id) if session_id else None
            view = blocks.metrics_modal(metrics.recent_sessions(s, clock.now()), selected,
                                        metrics.form_defaults(s, session_id) if session_id else {}, rt.tz,
                                        metrics.form_version(s, session_id) if session_id else None)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.command("/metrics")
    @guarded("command")
    def metrics_command(ack: Any, body: dict, client: Any, respond: Any) -> None:
        text = (body.get("text") or "").strip().lstrip("#")
        if text and not validation.is_ascii_digits(text):
            raise Invalid("Use `/metrics` to pick a recent session, or `/metrics 42` for session #42.")
        open_modal(body, client, ack, validation.parse_id(text, what="session") if text else None)

    @app.action("metrics_log")
    @guarded("action")
    def log_button(ack: Any, body: dict, client: Any, respond: Any) -> None:
        open_modal(body, client, ack, validation.parse_id(body["actions"][0]["value"], what="session"))

    @app.view(blocks.MODAL_CALLBACK)
    @guarded("view")
    def submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user"]["id"]
        picked = input_value(body, "session")
        raw = {name: input_value(body, name) for name, _, _ in FORM_FIELDS}
        raw["skus"] = input_value(body, "skus")
        with rt.db.transaction() as s:
            ref, seen, _ = edits.parse_form_ref(body["view"].get("private_metadata"))
            live, created = metrics.submit_form(s, people.get_or_create(s, user_id),
                                                validation.parse_id(picked, field="session", what="session") if picked else None,
                                                raw, clock.now(),
                                                seen if str(ref) == picked else None)  # another session picked: no version
            view = blocks.saved_modal(live, created, rt.tz)
        ack(response_action="update", view=view)
        rt.after_change(user_id)

    @app.command("/scorecard")
    @guarded("command")
    def scorecard_command(ack: Any, body: dict, client: Any, respond: Any) -> None:
        text = (body.get("text") or "").strip()
        word = text.split()[0].lower() if text else ""
        if word == "help":
            help_text, help_blocks = help_message()
            ack(text=help_text, blocks=help_blocks)
            return
        if word == "targets":
            with rt.db.transaction() as s:
                actor = people.get_or_create(s, body["user_id"])
                people.require_role(actor, ADMIN, "leadership", doing="see the scorecard targets")
                changed = targets.set_targets(s, actor, text[len(word):]) if text[len(word):].strip() else None
                msg_text, msg_blocks = targets_message(targets.current(s, rt.settings.scorecard_targets_file).lines(), changed)
            ack(text=msg_text, blocks=msg_blocks)
            return
        period = monthly.parse_period(text) if text else None
        monday = validation.parse_week(text, today=local_date(clock.now(), rt.tz)) if text and period is None else None
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user_id"])
            people.require_role(actor, ADMIN, "leadership", doing="see the scorecard")
        ack()
        now = clock.now()
        if period is not None:
            with rt.db.read() as s:
                msg_text, msg_blocks = period_message(monthly.build_period(s, period, ScorecardConfig.from_settings(rt.settings), now))
            respond(text=msg_text, blocks=msg_blocks, response_type="ephemeral")
            return
        if monday is None:
            today = local_date(now, rt.tz) - timedelta(days=7)
            monday = today - timedelta(days=today.weekday())
        with rt.db.read() as s:
            card = compute.build(s, monday, ScorecardConfig.from_settings(rt.settings), now)
        msg_text, msg_blocks = scorecard_message(card, rt.tz)
        respond(text=msg_text, blocks=msg_blocks, response_type="ephemeral")

