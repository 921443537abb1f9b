"""Legal's feedback buttons on claim findings: read the payload, call bot.services.claims.feedback, render bot.blocks.claims."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks import claims as views
from bot.db.briefs import Brief
from bot.handlers.common import guarded, input_value
from bot.runtime import Runtime
from bot.services import people
from bot.services.claims import feedback
from bot.services.errors import Invalid


def _ints(value: str, parts: int) -> list[int]:
    try:
        numbers = [int(p) for p in value.split(":")]
    except ValueError:
        raise Invalid("That button is out of date; use /brief list.") from None
    if len(numbers) != parts:
        raise Invalid("That button is out of date; use /brief list.")
    return numbers


def register(app: App, rt: Runtime) -> None:
    @app.action("claim_not_a_problem")
    @guarded("action")
    def claim_not_a_problem(ack: Any, body: dict, client: Any, respond: Any) -> None:
        version_id, index = _ints(body["actions"][0]["value"], 2)
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            version, finding = feedback.finding_at(s, actor, version_id, index)
            brief = s.get(Brief, version.brief_id)
            view = views.allow_modal(version_id, index, finding, bool(feedback.product_key(brief.skus if brief else None)))
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view("claim_allow")
    @guarded("view")
    def claim_allow(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user"]["id"]
        version_id, index = _ints(body["view"].get("private_metadata") or "", 2)
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            done = feedback.allow_phrase(s, actor, version_id, index, input_value(body, "scope") or "",
                                         input_value(body, "why"), clock.now())
            text = views.allowed_text(done.entry.phrase, done.entry.category, done.entry.product, done.repeated)
        ack(response_action="update", view=views.done_modal("Not a problem", text))
        rt.after_change(user_id)

    @app.action("claim_missed")
    @guarded("action")
    def claim_missed_button(ack: Any, body: dict, client: Any, respond: Any) -> None:
        (version_id,) = _ints(body["actions"][0]["value"], 1)
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            feedback.can_mark_missed(s, actor, version_id)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=views.missed_modal(version_id))

    @app.view("claim_missed")
    @guarded("view")
    def claim_missed(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user"]["id"]
        (version_id,) = _ints(body["view"].get("private_metadata") or "", 1)
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            done = feedback.record_miss(s, actor, version_id, input_value(body, "text"), input_value(body, "category"),
                                        input_value(body, "why"), clock.now())
            text = views.missed_text(done.miss.text, done.miss.category, done.repeated)
        ack(response_action="update", view=views.done_modal("Missed one", text))
        rt.after_change(user_id)
