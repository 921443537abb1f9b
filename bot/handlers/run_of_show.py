"""Slack listeners for the run-of-show editor (from a session's menu in /schedule) and the forgotten check-out buttons."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks import run_of_show as blocks
from bot.blocks.common import context, escape
from bot.blocks.schedule import meta
from bot.handlers.common import guarded, input_value, view_meta
from bot.handlers.listeners import buttons
from bot.db.run_of_show import RosSegment
from bot.runtime import Runtime
from bot.services import attendance, edits, people, validation
from bot.services.run_of_show import plan, segments as run_of_show_segments
from bot.services.schedule import calendar, planner
from bot.services.errors import Invalid
from bot.timefmt import fmt_time

log = logging.getLogger("opsbot.run_of_show")
MAX_MINUTES = 24 * 60  # a segment's offset or length; the session-length check names the real limit



def _int(body: dict[str, Any], block_id: str, errors: dict[str, str], name: str) -> int:
    raw = input_value(body, block_id)
    try:
        return validation.parse_int(raw, field=block_id, label=f"The {name} (whole minutes)", maximum=MAX_MINUTES)
    except validation.InputError as exc:
        errors[block_id] = exc.message
        return 0


def register(app: App, rt: Runtime) -> None:
    tz = rt.tz

    def editor(s: Any, session_id: int, metadata: str, notice: str | None = None) -> dict[str, Any]:
        live = calendar.get_session(s, session_id)
        return blocks.ros_modal(live, run_of_show_segments.segments(s, session_id), tz, metadata, notice)

    def associate(s: Any, user_id: str) -> Any:
        actor = people.get_or_create(s, user_id)
        planner.actor_id(actor, "edit the run-of-show")
        return actor

    @app.action("ros_add")
    @guarded("action")
    def ros_add(ack: Any, body: dict, client: Any, respond: Any) -> None:
        session_id = validation.parse_id(body["actions"][0]["value"])
        with rt.db.read() as s:
            associate(s, body["user"]["id"])
            view = blocks.segment_modal(calendar.get_session(s, session_id), None,
                                        meta(session=session_id, ros_view=body["view"]["id"]))
        ack()
        client.views_push(trigger_id=body["trigger_id"], view=view)

    @app.action("ros_menu")
    @guarded("action")
    def ros_menu(ack: Any, body: dict, client: Any, respond: Any) -> None:
        verb, _, raw_id = body["actions"][0]["selected_option"]["value"].partition(":")
        m = view_meta(body)
        session_id = validation.parse_id(m.get("session"), what="session")
        with rt.db.transaction() as s:
            actor = associate(s, body["user"]["id"])
            if verb == "delete":
                run_of_show_segments.delete_segment(s, actor, int(raw_id))
                plan.refresh_posted(s, tz, [session_id])
                view = editor(s, session_id, body["view"]["private_metadata"], ":wastebasket: Segment deleted.")
            else:
                seg = s.get(RosSegment, int(raw_id))
                if seg is None:
                    raise Invalid("That segment was deleted; reopen the run-of-show.")
                view = blocks.segment_modal(calendar.get_session(s, session_id), seg,
                                            meta(session=session_id, segment=seg.id, ros_view=body["view"]["id"],
                                                 v=edits.version(seg, run_of_show_segments.SEGMENT_FIELDS)))
        ack()
        if verb == "delete":
            rt.after_change()
            client.views_update(view_id=body["view"]["id"], view=view)
        else:
            client.views_push(trigger_id=body["trigger_id"], view=view)

    @app.view("ros_segment_submit")
    @guarded("view")
    def ros_segment_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        m = view_meta(body)
        errors: dict[str, str] = {}
        offset, duration = _int(body, "offset", errors, "start"), _int(body, "duration", errors, "length")
        if errors:
            raise Invalid("Some fields need fixing.", errors)
        lead = input_value(body, "lead")
        data = run_of_show_segments.SegmentInput(kind=input_value(body, "kind") or "", offset_min=offset, duration_min=duration,
                                        title=input_value(body, "title"), sku=input_value(body, "sku"),
                                        offer=input_value(body, "offer"), talking_points=input_value(body, "points"),
                                        lead_role=None if lead in (None, "none") else lead)
        session_id = validation.parse_id(m.get("session"), what="session")
        with rt.db.transaction() as s:
            actor = associate(s, body["user"]["id"])
            seg = run_of_show_segments.save_segment(s, actor, session_id, m.get("segment"), data, m.get("v"))
            plan.refresh_posted(s, tz, [session_id])
            notice = f":white_check_mark: Saved *{escape(run_of_show_segments.label(seg))}*."
            ros_meta = meta(session=session_id)
            view = editor(s, session_id, ros_meta, notice)
        ack()
        rt.after_change()
        if m.get("ros_view"):
            client.views_update(view_id=m["ros_view"], view=view)

    # -- forgotten check-out -------------------------------------------------------------------
    def clocked_out_at_end(s: Any, person: Any, body: dict) -> str:
        entry, changed = attendance.clock_out_at_shift_end(s, person, validation.parse_id(body["actions"][0]["value"]), tz)
        assert entry.clock_out_at is not None
        return (f":white_check_mark: Clocked out at {fmt_time(entry.clock_out_at, tz)}, the scheduled end."
                if changed else f"You're already clocked out ({fmt_time(entry.clock_out_at, tz)}).")

    def still_working(s: Any, person: Any, body: dict) -> str:
        until, _ = attendance.still_working(s, person, validation.parse_id(body["actions"][0]["value"]), clock.now())
        when = fmt_time(until, tz) if until else "later"
        return f":muscle: Got it, you're still working. I'll ask again around {when}; use /checkout when you finish."

    buttons(app, rt, {"checkout_at_end": clocked_out_at_end, "checkout_still_working": still_working}, answer=_answer)


def _answer(body: dict, client: Any, respond: Any, note: str) -> None:
    """Replace the buttons with the answer, so they can't be pressed again by mistake."""
    try:
        respond(text=note, blocks=[context(note)], replace_original=True)
    except Exception:  # the answer is saved; a stale button only leads to a polite reply
        log.warning("could not update the check-out message")
