"""/feedback, the Give feedback message shortcut and the Acknowledge button; tier decisions (Approve /
Decline with a note); the host ticking their onboarding items in App Home; linking a hired candidate when
they join the workspace (team_join)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks import talent as blocks
from bot.blocks.common import section
from bot.db.models import Person
from bot.handlers.common import guarded, input_value, view_meta
from bot.handlers.home import publish_home, refresh_talent_homes
from bot.runtime import Runtime
from bot.services import people, validation
from bot.services.errors import Invalid
from bot.services.talent import casting, feedback, onboarding, tiers
from bot.services.talent.access import require_talent
from bot.timefmt import local_date

SHORTCUT = "talent_feedback_shortcut"
log = logging.getLogger("opsbot.talent")



def register(app: App, rt: Runtime) -> None:
    def feedback_view(s: Any, host_uid: str | None, session_id: int | None) -> dict[str, Any]:
        return blocks.feedback_modal(host_uid, feedback.recent_sessions(s), session_id, rt.tz, uuid.uuid4().hex)

    @app.command("/feedback")
    @guarded("command")
    def feedback_cmd(ack: Any, body: dict, client: Any, respond: Any) -> None:
        text = (body.get("text") or "").replace("\x00", "").strip()
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user_id"])
            host_uid = people.parse_user_ref(s, text) if text else None
            own = host_uid in (None, actor.slack_user_id) and "host" in actor.role_names
            if own and not people.has_role(actor, "associate", "leadership"):
                view = blocks.feedback_history_modal(actor.name, feedback.history(s, actor, actor))
            else:
                require_talent(actor, "give coaching feedback")
                view = feedback_view(s, host_uid, None)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)
        rt.after_change(body["user_id"])

    @app.shortcut(SHORTCUT)
    @guarded("action")
    def feedback_shortcut(ack: Any, body: dict, client: Any, respond: Any) -> None:
        message = body.get("message") or {}
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            require_talent(actor, "give coaching feedback")
            session_id = feedback.session_of_message(s, (body.get("channel") or {}).get("id"), message.get("ts"),
                                                     message.get("blocks"))
            host = feedback.host_of_session(s, session_id) if session_id else None
            view = feedback_view(s, host.slack_user_id if host else None, session_id)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view("talent_feedback_submit")
    @guarded("view")
    def feedback_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        host = input_value(body, "host")
        if not host:
            raise Invalid("Pick the host.", {"host": "Pick the host."})
        raw_session = input_value(body, "session")
        data = feedback.FeedbackInput(
            host_user_id=validation.slack_user_id(host, field="host"), went_well=input_value(body, "well"),
            improve=input_value(body, "improve"), clip_at=input_value(body, "clip"),
            session_id=validation.parse_id(raw_session, field="session", what="session") if raw_session else None)
        nonce = str(view_meta(body).get("nonce") or "")[:64]
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            feedback.add(s, actor, data, request_key=f"fb:{actor.slack_user_id}:{nonce}" if nonce else None)
        ack(response_action="update", view=blocks.done_modal("Coaching feedback",
                                                             f":white_check_mark: Sent to <@{data.host_user_id}> privately."))
        refresh_talent_homes(rt, [data.host_user_id])

    @app.action("talent_feedback_ack")
    @guarded("action")
    def feedback_ack(ack: Any, body: dict, client: Any, respond: Any) -> None:
        fb_id = validation.parse_id(body["actions"][0]["value"], what="feedback")
        with rt.db.transaction() as s:
            feedback.acknowledge(s, people.get_or_create(s, body["user"]["id"]), fb_id)
        ack()
        refresh_talent_homes(rt, [body["user"]["id"]])

    @app.action("talent_feedback_history")
    @guarded("action")
    def feedback_history(ack: Any, body: dict, client: Any, respond: Any) -> None:
        with rt.db.transaction() as s:
            viewer = people.get_or_create(s, body["user"]["id"])
            view = blocks.feedback_history_modal(viewer.name, feedback.history(s, viewer, viewer))
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def open_decision(body: dict, client: Any, approve: bool) -> None:
        prop_id = validation.parse_id(body["actions"][0]["value"], what="tier proposal")
        with rt.db.transaction() as s:
            people.require_role(people.get_or_create(s, body["user"]["id"]), "leadership",
                                doing="approve or decline tier changes")
        client.views_open(trigger_id=body["trigger_id"], view=blocks.decide_modal(prop_id, approve))

    @app.action("talent_tier_approve")
    @guarded("action")
    def tier_approve(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        open_decision(body, client, True)

    @app.action("talent_tier_decline")
    @guarded("action")
    def tier_decline(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        open_decision(body, client, False)

    @app.view("talent_tier_decide_submit")
    @guarded("view")
    def tier_decide(ack: Any, body: dict, client: Any, respond: Any) -> None:
        m = view_meta(body)
        prop_id = validation.parse_id(m.get("proposal"), what="tier proposal")
        approve = m.get("approve") is True
        note = input_value(body, "note")
        if not approve and not (note or "").strip():
            raise Invalid("Say why, for the host's tier history.", {"note": "Give a short reason."})
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            prop = tiers.decide(s, actor, prop_id, approve, note, local_date(clock.now(), rt.tz))
            host_uid, status = prop.person.slack_user_id, prop.status
        ack(response_action="update", view=blocks.done_modal("Tier proposal", f":white_check_mark: {status.capitalize()}."))
        refresh_talent_homes(rt, [host_uid])

    @app.action("talent_onb_tick")
    @guarded("action")
    def onb_tick(ack: Any, body: dict, client: Any, respond: Any) -> None:
        item_id = validation.parse_id(body["actions"][0]["value"], what="checklist item")
        user_id = body["user"]["id"]
        in_modal = (body.get("view") or {}).get("type") == "modal"
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            item = onboarding.tick(s, actor, item_id)
            title, owner_uid = item.title, item.person.slack_user_id
            view = _checklist(s, actor, item.person) if in_modal else None
        ack()
        if view is not None:
            client.views_update(view_id=body["view"]["id"], view=view)
            refresh_talent_homes(rt, [owner_uid])
            return
        publish_home(rt, client, user_id)
        refresh_talent_homes(rt)
        client.chat_postMessage(channel=user_id, text=f"Ticked: {title}", blocks=[section(f":white_check_mark: Ticked: {title}")])

    def _checklist(s: Any, actor: Any, person: Any) -> dict[str, Any]:
        today = local_date(clock.now(), rt.tz)
        return blocks.checklist_modal(person.name, person.id, onboarding.checklist(s, actor, person), today)

    @app.action("talent_onb_person")
    @guarded("action")
    def onb_person(ack: Any, body: dict, client: Any, respond: Any) -> None:
        person_id = validation.parse_id(body["actions"][0]["value"], what="person")
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            person = s.get(Person, person_id)
            if person is None:
                raise Invalid("That person no longer exists.")
            view = _checklist(s, actor, person)
        ack()
        client.views_push(trigger_id=body["trigger_id"], view=view)

    @app.event("team_join")
    def team_join(ack: Any, event: dict, client: Any) -> None:
        ack()
        user = event.get("user") or {}
        uid = user.get("id") if isinstance(user, dict) else None
        if not uid:
            return
        try:
            with rt.db.transaction() as s:
                person = people.get_or_create(s, uid, actor="system:team_join")
                people.apply_profile(s, person, user)
                linked = casting.link_person(s, person)
        except Exception:
            log.exception("team_join for %s: could not link a hired candidate", uid)
            return
        if linked is not None:
            refresh_talent_homes(rt, [uid])
