"""/brief and its buttons and modals: read the payload, call bot.services.briefs, render bot.blocks.briefs."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks import briefs as views
from bot.handlers.common import guarded, input_value
from bot.runtime import Runtime
from bot.services import people, validation
from bot.services.briefs import decisions as briefs_decisions, drafting, records
from bot.services.briefs.records import BriefInput, BriefPolicy
from bot.services.claims.feedback import check_brief
from bot.services.errors import Conflict, Invalid
from bot.timefmt import local_date

USAGE = "Use `/brief` to start a brief for legal, `/brief list` to see yours, or `/brief check TEXT` to check a script."


def _ref(value: str) -> tuple[int, int]:
    """'12:3' (brief 12, version 3) from a button value."""
    try:
        brief_id, number = value.split(":")
        return int(brief_id), int(number)
    except ValueError:
        raise Invalid("That button is out of date; use /brief list.") from None


def _form(body: dict, tz: Any) -> tuple[BriefInput, bool]:
    """The /brief modal's values. Continued text boxes are joined with line breaks."""
    parts = [input_value(body, b) or "" for b in ("text", "text_2", "text_3")]
    session = input_value(body, "session")
    due = input_value(body, "due")
    data = BriefInput(
        title=input_value(body, "title") or "", kind=input_value(body, "kind") or "", skus=input_value(body, "skus"),
        text="\n".join(p for p in parts if p.strip()), link=input_value(body, "link"),
        session_id=validation.parse_id(session, field="session", what="session") if session else None,
        campaign=input_value(body, "campaign"),
        due_on=validation.parse_date(due, field="due", label="The due date", today=local_date(clock.now(), tz)) if due else None,
        note=input_value(body, "note"),
    )
    return data, "draft" in (input_value(body, "draft") or [])


def register(app: App, rt: Runtime) -> None:
    policy = BriefPolicy.from_settings(rt.settings)

    @app.command("/brief")
    @guarded("command")
    def brief_command(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user_id"]
        text = (body.get("text") or "").strip()
        sub, _, rest = text.partition(" ")
        sub = sub.lower()
        if not sub:
            with rt.db.transaction() as s:
                people.get_or_create(s, user_id)
                view = views.brief_modal(records.upcoming_sessions(s, clock.now()), rt.tz)
            ack()
            client.views_open(trigger_id=body["trigger_id"], view=view)
            rt.after_change(user_id)
        elif sub == "check":
            if not rest.strip():
                raise Invalid("Paste the text after `/brief check`, e.g. `/brief check This serum cures acne`.")
            with rt.db.read() as s:  # what legal cleared for all products is skipped here too
                found = check_brief(s, rest, None)
            reply, blocks = views.check_reply(found, rest)
            ack(text=reply, blocks=blocks)
        elif sub == "list":
            with rt.db.transaction() as s:
                actor = people.get_or_create(s, user_id)
                reply, blocks = views.list_message(records.list_for(s, actor), user_id, rt.tz)
            ack(text=reply, blocks=blocks)
        elif sub == "help":
            ack(text=USAGE)
        else:
            raise Invalid(f"I don't know `/brief {sub}`. {USAGE}")

    @app.view("brief_submit")
    @guarded("view")
    def brief_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user"]["id"]
        data, draft = _form(body, rt.tz)
        meta = body["view"].get("private_metadata") or ""
        brief_id, based_on = _ref(meta) if meta else (None, None)
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            saved = drafting.save(s, actor, data, brief_id=brief_id, based_on=based_on, draft=draft, now=clock.now(),
                                policy=policy, request_key=f"brief-view:{body['view']['id']}")
            view = views.saved_view(saved.brief, saved.version, saved.findings, rt.tz, policy.legal_channel)
        ack(response_action="update", view=view)
        rt.after_change(user_id)

    @app.action("brief_approve")
    @guarded("action")
    def brief_approve(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        user_id = body["user"]["id"]
        brief_id, number = _ref(body["actions"][0]["value"])
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            done = briefs_decisions.decide(s, actor, brief_id, number, "approve", None, clock.now(), policy)
            left = done.brief.approvals_required - sum(1 for d in done.version.decisions if d.decision == "approve")
        rt.after_change(user_id)
        more = "" if done.final else f" It needs {left} more approval{'s' if left != 1 else ''}."
        respond(text=f"You approved version {number} of brief #{brief_id}.{more}", response_type="ephemeral",
                replace_original=False)

    def open_reason(body: dict, client: Any, ack: Any, decision: str) -> None:
        brief_id, number = _ref(body["actions"][0]["value"])
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            brief, version = briefs_decisions.check_can_decide(s, actor, brief_id, number, decision)
            view = views.reason_modal(brief, version, decision)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action("brief_request_changes")
    @guarded("action")
    def brief_request_changes(ack: Any, body: dict, client: Any, respond: Any) -> None:
        open_reason(body, client, ack, "request_changes")

    @app.action("brief_reject")
    @guarded("action")
    def brief_reject(ack: Any, body: dict, client: Any, respond: Any) -> None:
        open_reason(body, client, ack, "reject")

    @app.view("brief_decision")
    @guarded("view")
    def brief_decision(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user"]["id"]
        brief_id, number, decision = (body["view"].get("private_metadata") or "::").split(":")
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            briefs_decisions.decide(s, actor, int(brief_id), int(number), decision, input_value(body, "reason"), clock.now(), policy)
        ack()
        rt.after_change(user_id)

    @app.action("brief_view_full")
    @guarded("action")
    def brief_view_full(ack: Any, body: dict, client: Any, respond: Any) -> None:
        brief_id, number = _ref(body["actions"][0]["value"])
        with rt.db.read() as s:
            view = views.full_text_modal(records.get_brief(s, brief_id), records.get_version(s, brief_id, number))
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action("brief_edit")
    @guarded("action")
    def brief_edit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user"]["id"]
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            brief = drafting.editable(s, actor, int(body["actions"][0]["value"]))
            if len(views.split_text(brief.draft_text, views.INPUT_LIMIT)) > views.TEXT_BOXES:
                raise Conflict("This text is longer than the form's three boxes hold; start a new brief with a link and the key claims.")
            view = views.brief_modal(records.upcoming_sessions(s, clock.now()), rt.tz, brief)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action("brief_send")
    @guarded("action")
    def brief_send(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        user_id = body["user"]["id"]
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            saved = drafting.submit_draft(s, actor, int(body["actions"][0]["value"]), clock.now(), policy)
            view = views.saved_view(saved.brief, saved.version, saved.findings, rt.tz, policy.legal_channel)
        rt.after_change(user_id)
        respond(text=f"Brief #{saved.brief.id} version {saved.version.number if saved.version else 0} is with legal.",
                blocks=view["blocks"][:50], response_type="ephemeral", replace_original=False)
