"""Slack listeners for the calendar: /schedule planning, /availability, /myshifts, shift answers."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from typing import Any

from slack_bolt import App
from slack_sdk.webhook import WebhookClient

from bot import clock
from bot.blocks import run_of_show as ros_blocks
from bot.blocks import schedule as blocks
from bot.blocks.common import context, escape
from bot.handlers import targets
from bot.handlers.common import guarded, input_value, view_meta
from bot.handlers.listeners import buttons
from bot.runtime import Runtime
from bot.services import edits, people, validation
from bot.services.run_of_show import plan as run_of_show_plan, segments as run_of_show_segments
from bot.services.schedule import availability
from bot.services.schedule import answers as schedule_answers, calendar as schedule_calendar, catalog, planner, publishing
from bot.services.schedule import suggest
from bot.services.errors import Invalid
from bot.services.schedule.rules import Rules, describe_windows, week_bounds, week_start
from bot.timefmt import local_date, local_to_utc, to_local

log = logging.getLogger("opsbot.schedule")
SCHEDULE_USAGE = "Use `/schedule [YYYY-Www]` to plan a week, or `/schedule tier @user TIER` to set a host's tier."



def register(app: App, rt: Runtime) -> None:
    rules = Rules.from_settings(rt.settings)

    def planning(monday: date, notice: str | None = None) -> dict[str, Any]:
        with rt.db.read() as s:
            sessions = schedule_calendar.week_sessions(s, monday, rules)
            return blocks.planning_modal(monday, validation.week_label(monday), sessions, rules.tz,
                                         publishing.unpublished_changes(s, monday, rules), notice)

    def associate(s: Any, user_id: str) -> Any:
        actor = people.get_or_create(s, user_id)
        planner.actor_id(actor)
        return actor

    def today() -> date:
        return local_date(clock.now(), rules.tz)

    def week_of(value: Any) -> date:
        """The Monday a planning button or form carries, refused in plain words if forged or out of range."""
        return validation.parse_week_or_monday(value, today=today())

    def refresh_plan(client: Any, view_id: str | None, monday: date, notice: str | None = None) -> None:
        if view_id:
            client.views_update(view_id=view_id, view=planning(monday, notice))

    # -- commands --------------------------------------------------------------------------
    @app.command("/schedule")
    @guarded("command")
    def schedule_cmd(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user_id"]
        words = (body.get("text") or "").split()
        if words and words[0].lower() == "tier":
            if len(words) != 3:
                raise Invalid(SCHEDULE_USAGE)
            with rt.db.transaction() as s:
                associate(s, user_id)
            target_id = targets.resolve(rt, words[1])
            with rt.db.transaction() as s:
                actor = associate(s, user_id)
                target = people.get_or_create(s, target_id)
                tier = catalog.set_host_tier(s, actor, target, words[2])
                text = f"<@{target.slack_user_id}> is now a {escape(tier.name)} host."
            ack(text=text)
            rt.after_change(target.slack_user_id)
            return
        if len(words) > 1:
            raise Invalid(SCHEDULE_USAGE)
        with rt.db.transaction() as s:
            associate(s, user_id)
        monday = validation.parse_week(words[0], today=today()) if words else planner.current_week(rules)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=planning(monday))

    @app.command("/myshifts")
    @guarded("command")
    def myshifts(ack: Any, body: dict, client: Any, respond: Any) -> None:
        with rt.db.transaction() as s:
            person = people.get_or_create(s, body["user_id"])
            text, bl = blocks.myshifts_message(schedule_calendar.my_shifts(s, person, clock.now()), rules.tz)
        ack(text=text, blocks=bl)
        rt.after_change(body["user_id"])

    @app.command("/availability")
    @guarded("command")
    def availability_cmd(ack: Any, body: dict, client: Any, respond: Any) -> None:
        user_id = body["user_id"]
        text = (body.get("text") or "").strip()
        target_id = targets.resolve(rt, text) if text else None
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            target = people.get_or_create(s, target_id) if target_id else actor
            view = _availability_view(s, actor, target)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def _availability_view(s: Any, actor: Any, target: Any) -> dict[str, Any]:
        if actor.id != target.id:
            people.require_role(actor, people.ADMIN, doing="change someone else's availability")
        return blocks.availability_modal(target, availability.weekly(s, target),
                                         availability.upcoming_time_off(s, target, clock.now()), rules.tz,
                                         actor.id == target.id, availability.version(s, target))

    # -- planning modal buttons ------------------------------------------------------------
    @app.action("sched_week")
    @guarded("action")
    def sched_week(ack: Any, body: dict, client: Any, respond: Any) -> None:
        with rt.db.transaction() as s:
            associate(s, body["user"]["id"])
        ack()
        refresh_plan(client, body["view"]["id"], week_of(body["actions"][0]["value"]))

    @app.action("sched_add")
    @guarded("action")
    def sched_add(ack: Any, body: dict, client: Any, respond: Any) -> None:
        monday = week_of(body["actions"][0]["value"])
        with rt.db.transaction() as s:
            associate(s, body["user"]["id"])
            day = max(monday, to_local(clock.now(), rules.tz).date())
            view = blocks.session_modal(None, [], catalog.product_tiers(s), catalog.products(s),
                                        day if day < monday + timedelta(days=7) else monday, rules.tz,
                                        blocks.meta(week=monday.isoformat(), plan=body["view"]["id"]))
        ack()
        client.views_push(trigger_id=body["trigger_id"], view=view)

    @app.action("sched_menu")
    @guarded("action")
    def sched_menu(ack: Any, body: dict, client: Any, respond: Any) -> None:
        verb, _, raw_id = body["actions"][0]["selected_option"]["value"].partition(":")
        session_id = validation.parse_id(raw_id, what="session")
        monday = week_of(view_meta(body).get("week"))
        plan_id = body["view"]["id"]
        metadata = blocks.meta(week=monday.isoformat(), plan=plan_id, session=session_id)
        with rt.db.transaction() as s:
            actor = associate(s, body["user"]["id"])
            if verb == "cancel":
                live = schedule_calendar.cancel_session(s, actor, session_id)
                run_of_show_plan.refresh_posted(s, rules.tz, [session_id])
                notice = f":wastebasket: Cancelled *{escape(live.title)}*. Publish the week to tell the people on it."
                view = None
            else:
                live = schedule_calendar.get_session(s, session_id)
                if verb == "ros":
                    view = ros_blocks.ros_modal(live, run_of_show_segments.segments(s, live.id), rules.tz,
                                                blocks.meta(session=session_id))
                elif verb == "edit":
                    metadata = blocks.meta(**json.loads(metadata), v=edits.version(live, planner.SESSION_FIELDS))
                    view = blocks.session_modal(live, schedule_calendar.session_skus(s, live.id), catalog.product_tiers(s),
                                                catalog.products(s), monday, rules.tz, metadata)
                else:
                    view = blocks.assign_modal(live, rules.tz, metadata, _availability_notes(s))
        ack()
        if view is None:
            rt.after_change()
            refresh_plan(client, plan_id, monday, notice)
        else:
            client.views_push(trigger_id=body["trigger_id"], view=view)

    def _availability_notes(s: Any) -> list[str]:
        notes = []
        for p in people.with_role(s, "host")[:10]:
            tier = catalog.host_tier_of(s, p)
            notes.append(f"{p.name} ({tier.name if tier else 'no tier'}): {describe_windows(availability.weekly(s, p))}")
        return notes

    def copied(s: Any, actor: Any, body: dict) -> str:
        report = publishing.copy_week(s, associate(s, actor.slack_user_id), week_of(body["actions"][0]["value"]), rules)
        lines = [*report.skipped, *(f"warning: {w}" for w in report.warnings)]
        return blocks.result_text(lines, f":repeat: Copied {len(report.created)} session(s) from last week as drafts.")

    def suggested(s: Any, actor: Any, body: dict) -> str:
        picks = suggest.suggest(s, associate(s, actor.slack_user_id), week_of(body["actions"][0]["value"]), rules, apply=True)
        run_of_show_plan.refresh_posted(s, rules.tz, [p.session.id for p in picks if p.person_slack_id])
        lines = [f"{p.session.title}: {p.person_name or 'no pick'} ({p.why})" for p in picks]
        return blocks.result_text(lines, f":bulb: Suggested hosts for {sum(1 for p in picks if p.person_slack_id)} "
                                         f"of {len(picks)} open slot(s); change any with Assign people.")

    def published(s: Any, actor: Any, body: dict) -> str:
        monday = week_of(body["actions"][0]["value"])
        result = publishing.publish_week(s, associate(s, actor.slack_user_id), monday, rules, rt.settings.ops_channel)
        what = "shifts" if result.version == 1 else f"{result.changes} change(s)"
        return f":mega: Published version {result.version}: {len(result.notified)} people were sent their {what}."

    def show_in_plan(body: dict, client: Any, respond: Any, notice: str) -> None:
        refresh_plan(client, body["view"]["id"], week_of(body["actions"][0]["value"]), notice)

    buttons(app, rt, {"sched_copy": copied, "sched_suggest": suggested, "sched_publish": published}, answer=show_in_plan)

    # -- planning forms --------------------------------------------------------------------
    @app.view("sched_session_submit")
    @guarded("view")
    def sched_session_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        m = view_meta(body)
        start_t, end_t = input_value(body, "start"), input_value(body, "end")
        errors = {}
        if not start_t:
            errors["start"] = "Pick a start time."
        if not end_t:
            errors["end"] = "Pick an end time."
        if errors:
            raise Invalid("Pick times.", errors)
        day = validation.parse_date(input_value(body, "date"), field="date", label="The date", today=today())
        start = validation.parse_time(start_t, field="start", label="The start")
        end = validation.parse_time(end_t, field="end", label="The end")
        overnight = bool(input_value(body, "overnight"))
        starts = local_to_utc(day, start, rules.tz)
        ends = local_to_utc(day + timedelta(days=1 if overnight else 0), end, rules.tz)
        skus = [validation.parse_id(v, field="skus", what="product") for v in (input_value(body, "skus") or [])]
        data = schedule_calendar.SessionInput(input_value(body, "title") or "", starts, ends, input_value(body, "room"),
                                     input_value(body, "tier"), skus, input_value(body, "notes"))
        with rt.db.transaction() as s:
            actor = associate(s, body["user"]["id"])
            if m.get("session"):
                live, _ = schedule_calendar.edit_session(s, actor, validation.parse_id(m.get("session"), what="session"), data, rules,
                                                override=bool(input_value(body, "override")), seen=m.get("v"))
                notice = f":pencil2: Saved *{escape(live.title)}*."
                run_of_show_plan.refresh_posted(s, rules.tz, [live.id])
            else:
                live = schedule_calendar.create_session(s, actor, data)
                notice = f":heavy_plus_sign: Added *{escape(live.title)}*; assign people from its menu."
                run_of_show_plan.refresh_posted(s, rules.tz, [live.id])
        ack()
        rt.after_change()
        refresh_plan(client, m.get("plan"), week_of(m.get("week")), notice)

    @app.view("sched_assign_submit")
    @guarded("view")
    def sched_assign_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        m = view_meta(body)
        wanted = {role: validation.slack_user_id(v, field=role) if (v := input_value(body, role)) else None
                  for role in ("host", "cohost", "pa")}
        with rt.db.transaction() as s:
            actor = associate(s, body["user"]["id"])
            result = schedule_calendar.assign(s, actor, validation.parse_id(m.get("session"), what="session"), wanted, rules, override=bool(input_value(body, "override")))
            live = schedule_calendar.get_session(s, validation.parse_id(m.get("session"), what="session"))
            run_of_show_plan.refresh_posted(s, rules.tz, [live.id])
            notice = f":busts_in_silhouette: Updated *{escape(live.title)}*" + (
                " (assigned anyway: " + "; ".join(escape(w.message) for w in result.warnings) + ")" if result.warnings else ".")
        ack()
        rt.after_change()
        refresh_plan(client, m.get("plan"), week_of(m.get("week")), notice)

    # -- answers to a published shift -----------------------------------------------------
    @app.action("shift_confirm")
    @guarded("action")
    def shift_confirm(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        shift_id = validation.parse_id(body["actions"][0]["value"])
        with rt.db.transaction() as s:
            _, changed = schedule_answers.confirm_shift(s, people.get_or_create(s, body["user"]["id"]), shift_id)
            if changed:
                run_of_show_plan.refresh_for_shift(s, rules.tz, shift_id)
        _mark_answered(body, shift_id, ":white_check_mark: Confirmed, thanks!", respond=respond)
        rt.after_change()

    @app.action("shift_decline")
    @guarded("action")
    def shift_decline(ack: Any, body: dict, client: Any, respond: Any) -> None:
        shift_id = validation.parse_id(body["actions"][0]["value"])
        with rt.db.transaction() as s:
            person = people.get_or_create(s, body["user"]["id"])
            sh = schedule_answers.own_shift(s, person, shift_id)
            view = blocks.decline_modal(sh, rules.tz, blocks.meta(
                shift=shift_id, response_url=body.get("response_url")))
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view("shift_decline_submit")
    @guarded("view")
    def shift_decline_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        m = view_meta(body)
        with rt.db.transaction() as s:
            person = people.get_or_create(s, body["user"]["id"])
            sh = schedule_answers.decline_shift(s, person, validation.parse_id(m.get("shift"), what="shift"), input_value(body, "reason"), rules, rt.settings.ops_channel)
            run_of_show_plan.refresh_posted(s, rules.tz, [sh.session_id])
            week = week_bounds(week_start(local_date(sh.starts_at, rules.tz)), rules.tz)
            text, bl = blocks.answered_dm(schedule_calendar.shifts_for(s, person, *week), rules.tz,
                                          ":x: Got it: you can't make that shift, and the associate has been told.")
        ack()
        rt.after_change()
        if m.get("response_url"):
            try:
                WebhookClient(m["response_url"]).send(text=text, blocks=bl, replace_original=True)
            except Exception:  # the answer is saved; a stale button only leads to a polite refusal
                log.warning("could not update the shift message after a decline")

    # -- availability ----------------------------------------------------------------------
    @app.view("avail_submit")
    @guarded("view")
    def avail_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        m = view_meta(body)
        windows: dict[int, list[tuple[int, int]]] = {}
        errors: dict[str, str] = {}
        for wd in range(7):
            try:
                windows[wd] = availability.parse_day(input_value(body, f"day_{wd}"))
            except ValueError as exc:
                errors[f"day_{wd}"] = str(exc)
        if errors:
            raise Invalid("Some days need fixing.", errors)
        first, last = input_value(body, "off_first"), input_value(body, "off_last")
        if last and not first:
            raise Invalid("Pick the first day too.", {"off_first": "Pick the first day of your time off."})
        first_day = validation.parse_date(first, field="off_first", label="The first day", today=today()) if first else None
        last_day = validation.parse_date(last, field="off_last", label="The last day", today=today()) if last else first_day
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            target = people.get_or_create(s, m["user"])
            availability.lock_for_edit(s, target, m.get("v"))
            availability.set_weekly(s, actor, target, windows)
            lines = [f"Weekly availability: {describe_windows(availability.weekly(s, target))}."]
            if first_day and last_day:
                added = availability.add_time_off(s, actor, target, first_day, last_day, input_value(body, "off_reason"), rules)
                lines.append(f"Time off saved: {added.time_off.starts_at:%b %d} for {(last_day - first_day).days + 1} day(s).")
                if added.clashes:
                    lines.append(f":warning: That overlaps {len(added.clashes)} shift(s) already assigned; tell the associate.")
        ack()
        client.chat_postMessage(channel=body["user"]["id"], text=" ".join(lines), blocks=[context(escape(" ".join(lines)))])
        rt.after_change()

    @app.action("avail_remove_off")
    @guarded("action")
    def avail_remove_off(ack: Any, body: dict, client: Any, respond: Any) -> None:
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            availability.remove_time_off(s, actor, validation.parse_id(body["actions"][0]["value"]))
            target = people.get_or_create(s, view_meta(body)["user"])
            view = _availability_view(s, actor, target)
        ack()
        client.views_update(view_id=body["view"]["id"], view=view)


def _message_blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list((body.get("message") or {}).get("blocks") or [])


def _mark_answered(body: dict[str, Any], shift_id: int, note: str, *, respond: Any) -> None:
    """Replace the answered shift's buttons in the message with the answer (the rest of the message is kept)."""
    kept = []
    for block in _message_blocks(body):
        if block.get("block_id") == f"shift_{shift_id}":
            kept.append(context(note))
        else:
            kept.append(block)
    if not kept:
        kept = [context(note)]
    text = note
    try:
        respond(text=text, blocks=kept[:50], replace_original=True)
    except Exception:  # the answer is saved; an outdated button is cosmetic
        log.warning("could not update the shift message for shift %s", shift_id)

