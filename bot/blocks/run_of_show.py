"""Block Kit for the run-of-show: the daily and weekly posts, shift reminders, attendance nudges, the editing modals.

The daily post is split into parts (the overview on top, one reply per session and the warnings in its thread) so that the
largest realistic day (8 sessions of 12 segments with talking points) stays inside Slack's limits:
50 blocks per message and 3,000 characters per section.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.blocks.common import (
    MAX_MESSAGE_BLOCKS, Block, actions, button, chunk_lines, clip, context, divider, escape, header, mention, modal, plain, section,
)
from bot.blocks.creators_notes import campaign_line
from bot.blocks.schedule import session_line
from bot.db.briefs import Brief, BriefVersion
from bot.db.models import LiveSession, Shift, TimeEntry
from bot.db.run_of_show import RosSegment
from bot.services.schedule.rules import ROLE_LABEL
from bot.services.run_of_show.segments import KIND_LABEL, label, length_min
from bot.services.run_of_show.plan import SessionPlan
from bot.timefmt import fmt_datetime, fmt_day, fmt_duration, fmt_span, fmt_time, to_local

SECTION_BUDGET = 2900
MODAL_SEGMENT_LIMIT = 40


def pack(lines: list[str], budget: int = SECTION_BUDGET) -> list[str]:
    """As few section texts as fit the budget (a single over-long line is clipped)."""
    return chunk_lines(lines, max_chars=budget, max_lines=None)


def _who(sh: Shift | None) -> str:
    if sh is None or sh.person is None:
        return "_open_"
    badge = {"confirmed": " :white_check_mark:", "declined": " :x: needs cover", "pending": " (not confirmed)"}[sh.state]
    return mention(sh.person.slack_user_id) + badge


def _brief_link(b: Brief, v: BriefVersion) -> str:
    name = f"{escape(b.title)} (v{v.number})"
    return f"<{v.link}|{name}>" if v.link and "|" not in v.link and ">" not in v.link else name


def _segment_line(seg: RosSegment, live: LiveSession, tz: ZoneInfo) -> str:
    start = live.starts_at + timedelta(minutes=seg.offset_min)
    bits = [f"*{fmt_time(start, tz)}* (+{seg.offset_min}′, {seg.duration_min} min) · *{escape(label(seg))}*"]
    if seg.sku:
        bits.append(f"SKU `{escape(seg.sku)}`" + (f" {escape(seg.product.name)}" if seg.product is not None else ""))
    if seg.offer:
        bits.append(f"offer: {escape(seg.offer)}")
    if seg.lead_role:
        sh = next((s for s in live.shifts if s.role == seg.lead_role and not s.cancelled), None)
        who = mention(sh.person.slack_user_id) if sh is not None and sh.person is not None else ROLE_LABEL[seg.lead_role]
        bits.append(f"lead {who}")
    line = " · ".join(bits)
    if seg.talking_points:
        line += "\n" + "\n".join(f">{escape(p)}" for p in seg.talking_points.splitlines() if p.strip())
    return line


def session_message(plan: SessionPlan, tz: ZoneInfo) -> tuple[str, list[Block]]:
    live = plan.live
    people = [f"Host {_who(plan.slot('host'))}"]
    if plan.slot("cohost") is not None:
        people.append(f"Co-host {_who(plan.slot('cohost'))}")
    people.append(f"PA {_who(plan.slot('pa'))}")
    info = [f"*{fmt_span(live.starts_at, live.ends_at, tz)}*", f"Room {escape(live.room) if live.room else '_not set_'}",
            f"Product tier {escape(live.product_tier) if live.product_tier else '_not set_'}"]
    blocks: list[Block] = [header(f"{fmt_time(live.starts_at, tz)} · {live.title}"),
                           section(" · ".join(info) + "\n" + " · ".join(people))]
    featured = [f"`{escape(p.sku)}`" + (f" {escape(p.name)}" if p.name else "") for p in plan.skus]
    offers = [f"{escape(label(s))}: {escape(s.offer)}" for s in plan.segments if s.offer]
    if featured or offers:
        text = ("*Featured SKUs:* " + ", ".join(featured) if featured else "*Featured SKUs:* _none listed_")
        if offers:
            text += "\n*Offers:* " + "; ".join(offers)
        blocks.append(section(text))
    if plan.segments:
        for chunk in pack([_segment_line(s, live, tz) for s in plan.segments]):
            blocks.append(section(chunk))
    else:
        blocks.append(section("_No run-of-show yet: add segments from the session's menu in /schedule._"))
    if plan.approved:
        blocks.append(section("*Approved talk tracks and bundle sheets:* " + ", ".join(_brief_link(b, v) for b, v in plan.approved)))
    for note in plan.campaigns:
        blocks.append(section(campaign_line(note)))
    if plan.warnings:
        blocks.append(context(clip(":warning: " + "; ".join(escape(w) for w in plan.warnings), 2900)))
    text = f"{fmt_span(live.starts_at, live.ends_at, tz)} · {escape(live.title)}: {len(plan.segments)} segment(s)"
    return text, blocks[:MAX_MESSAGE_BLOCKS]


def day_messages(day: date, plans: list[SessionPlan], tz: ZoneInfo) -> list[tuple[str, str, list[Block]]]:
    """(part, fallback text, blocks) for the day's run-of-show: overview, each session, warnings last."""
    head_blocks: list[Block] = [header(f"Run of show · {fmt_day(day)}")]
    if plans:
        lines = [session_line(p.live, tz) for p in plans]
        head_blocks.extend(section(c) for c in pack(lines))
        head_blocks.append(context(f"{len(plans)} LIVE session(s) · times in {tz.key} · each session's plan is in the thread"))
    else:
        head_blocks.append(section("No LIVE sessions today."))
    parts: list[tuple[str, str, list[Block]]] = [
        ("head", f"Run of show for {fmt_day(day)}: {len(plans)} LIVE session(s)", head_blocks[:MAX_MESSAGE_BLOCKS])]
    for plan in plans:
        text, bl = session_message(plan, tz)
        parts.append((f"s{plan.live.id}", text, bl))
    if plans:
        warnings = [f"• *{fmt_time(p.live.starts_at, tz)} {escape(p.live.title)}*: {escape(w)}"
                    for p in plans for w in p.warnings]
        w_blocks: list[Block] = [section(f"*Needs action today* ({len(warnings)})")]
        chunks = pack(warnings) if warnings else [":white_check_mark: Nothing needs action: every slot is filled and confirmed."]
        w_blocks.extend(section(c) for c in chunks[:MAX_MESSAGE_BLOCKS - 2])
        if len(chunks) > MAX_MESSAGE_BLOCKS - 2:
            w_blocks.append(context("More warnings did not fit; see the sessions above."))
        parts.append(("warnings", f"Run of show for {fmt_day(day)}: {len(warnings)} thing(s) need action", w_blocks))
    return parts


def gone_messages(day: date, session: Session, session_ids: list[int], tz: ZoneInfo) -> list[tuple[str, str, list[Block]]]:
    """Replacement text for posted session parts whose session was cancelled or moved off this day."""
    out = []
    for sid in session_ids:
        live = session.get(LiveSession, sid)
        if live is None or live.status == "cancelled":
            title = escape(live.title) if live else "This session"
            note = f":wastebasket: ~{title}~ was cancelled."
        else:
            note = f":arrow_right: {escape(live.title)} moved to {fmt_datetime(live.starts_at, tz)}."
        out.append((f"s{sid}", note, [section(note)]))
    return out


def week_message(monday: date, lives: list[LiveSession], hours: list[tuple[str, str, timedelta]],
                 tz: ZoneInfo) -> tuple[str, list[Block]]:
    """Next week's sessions per day with their people, and each person's scheduled hours."""
    blocks: list[Block] = [header(f"Next week's run of show · week of {fmt_day(monday)}")]
    by_day: dict[date, list[LiveSession]] = {}
    for live in lives:
        by_day.setdefault(to_local(live.starts_at, tz).date(), []).append(live)
    for i in range(7):
        day = monday + timedelta(days=i)
        if day in by_day:
            for j, chunk in enumerate(pack([session_line(live, tz) for live in by_day[day]], 2800)):
                blocks.append(section((f"*{fmt_day(day)}*\n" if j == 0 else "") + chunk))
    if not lives:
        blocks.append(section("No LIVE sessions are planned for next week yet."))
    if hours:
        blocks.append(divider())
        lines = [f"{mention(uid)} {fmt_duration(total)}" for uid, _, total in hours]
        for j, chunk in enumerate(pack(lines)):
            blocks.append(section(("*Scheduled hours*\n" if j == 0 else "") + chunk))
    blocks = blocks[:MAX_MESSAGE_BLOCKS - 1]
    blocks.append(context(f"{len(lives)} session(s) · times in {tz.key} · the daily run-of-show has each session's plan"))
    return f"Next week's run of show (week of {fmt_day(monday)}): {len(lives)} session(s)", blocks


# -- reminders and attendance ------------------------------------------------------------------

def reminder_dm(sh: Shift, led: list[RosSegment], approved: list[tuple[Brief, BriefVersion]],
                tz: ZoneInfo) -> tuple[str, list[Block]]:
    live = sh.session
    assert live is not None
    lines = [f":alarm_clock: *Your {ROLE_LABEL[sh.role]} shift starts at {fmt_time(sh.starts_at, tz)}*",
             f"{escape(live.title)} · LIVE {fmt_span(live.starts_at, live.ends_at, tz)}",
             f"Call time {fmt_time(sh.starts_at, tz)} · Room {escape(live.room) if live.room else '_not set_'}"]
    blocks: list[Block] = [section("\n".join(lines))]
    if led:
        seg_lines = [f"• {fmt_time(live.starts_at + timedelta(minutes=s.offset_min), tz)} {escape(label(s))}"
                     + (f" (`{escape(s.sku)}`)" if s.sku else "") for s in led]
        blocks.extend(section(c) for c in pack(["*Segments you lead*", *seg_lines]))
    if approved:
        blocks.append(section("*Approved talk track:* " + ", ".join(_brief_link(b, v) for b, v in approved)))
    blocks.append(context("Use /checkin when you arrive: it starts your clock."))
    text = f"Reminder: {ROLE_LABEL[sh.role]} on {live.title} at {fmt_time(sh.starts_at, tz)}. /checkin starts your clock."
    return clip(text, 3000), blocks[:MAX_MESSAGE_BLOCKS]


def missed_checkin(sh: Shift, associates: list[str], tz: ZoneInfo) -> tuple[str, list[Block], str, list[Block]]:
    live = sh.session
    assert live is not None and sh.person is not None
    who = mention(sh.person.slack_user_id)
    alert = (f":warning: {who} has not checked in for their {ROLE_LABEL[sh.role]} shift on *{escape(live.title)}* "
             f"(call time {fmt_time(sh.starts_at, tz)}, room {escape(live.room) if live.room else '_not set_'}). "
             + " ".join(mention(a) for a in associates))
    dm = (f":wave: Your {ROLE_LABEL[sh.role]} shift on *{escape(live.title)}* started at {fmt_time(sh.starts_at, tz)} "
          "and you haven't checked in. If you're here, use /checkin now; if you can't make it, tell the associate.")
    return (f"{sh.person.name} has not checked in for {live.title}", [section(alert)],
            f"You haven't checked in for {live.title}", [section(dm)])


def forgotten_checkout_dm(entry: TimeEntry, tz: ZoneInfo) -> tuple[str, list[Block]]:
    sh = entry.shift
    assert sh is not None
    title = escape(sh.session.title) if sh.session is not None else "your shift"
    text = (f":hourglass: You're still clocked in since {fmt_datetime(entry.clock_in_at, tz)}, but {title} "
            f"was scheduled to end at {fmt_time(sh.ends_at, tz)}. Did you forget to check out?")
    return (f"Still clocked in? {title} ended at {fmt_time(sh.ends_at, tz)}.",
            [section(text),
             actions(button("Clock out at scheduled end", "checkout_at_end", str(entry.id), style="primary"),
                     button("I'm still working", "checkout_still_working", str(entry.id)), block_id=f"checkout_{entry.id}")])


def forgotten_checkout_flag(entry: TimeEntry, associates: list[str], tz: ZoneInfo) -> tuple[str, list[Block]]:
    sh = entry.shift
    assert sh is not None
    title = escape(sh.session.title) if sh.session is not None else "a shift"
    text = (f":triangular_flag_on_post: {mention(entry.person.slack_user_id)} is still clocked in since "
            f"{fmt_datetime(entry.clock_in_at, tz)}; {title} ended at {fmt_time(sh.ends_at, tz)}. "
            f"They were asked to clock out; check the entry in their timesheet. " + " ".join(mention(a) for a in associates))
    return f"{entry.person.name} is still clocked in after {title} ended", [section(text)]


# -- editing the run-of-show -------------------------------------------------------------------

def ros_modal(live: LiveSession, segs: list[RosSegment], tz: ZoneInfo, metadata: str, notice: str | None = None) -> dict[str, Any]:
    blocks: list[Block] = [
        section(f"{session_line(live, tz, with_people=False)}\n{length_min(live)} minutes · segments must fit inside and not overlap.",
                accessory=button("Add segment", "ros_add", str(live.id), style="primary"), block_id="ros_head")]
    if notice:
        blocks.append(context(clip(notice, 2900)))
    blocks.append(divider())
    for seg in segs[:MODAL_SEGMENT_LIMIT]:
        menu = {"type": "overflow", "action_id": "ros_menu", "options": [
            {"text": plain("Edit"), "value": f"edit:{seg.id}"}, {"text": plain("Delete"), "value": f"delete:{seg.id}"}]}
        blocks.append(section(clip(_segment_line(seg, live, tz), 2900), accessory=menu, block_id=f"seg_{seg.id}"))
    if not segs:
        blocks.append(section("No segments yet. *Add segment* to plan the LIVE minute by minute, or use the "
                              "`Run of show` sheet of the schedule spreadsheet."))
    return modal("Run of show", blocks, callback_id="ros_view", close="Done", private_metadata=metadata)


def _number_input(block_id: str, label_: str, value: int | None, hint: str) -> Block:
    el: dict[str, Any] = {"type": "number_input", "action_id": "value", "is_decimal_allowed": False, "min_value": "0"}
    if value is not None:
        el["initial_value"] = str(value)
    return {"type": "input", "block_id": block_id, "label": plain(label_), "element": el, "hint": plain(hint)}


def _text(block_id: str, label_: str, value: str | None, max_length: int, *, multiline: bool = False) -> Block:
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": multiline, "max_length": max_length}
    if value:
        el["initial_value"] = value
    return {"type": "input", "block_id": block_id, "optional": True, "label": plain(label_), "element": el}


def segment_modal(live: LiveSession, seg: RosSegment | None, metadata: str) -> dict[str, Any]:
    kinds = [{"text": plain(name), "value": kind} for kind, name in KIND_LABEL.items()]
    kind_el: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": kinds}
    kind_el["initial_option"] = next(o for o in kinds if o["value"] == (seg.kind if seg else "product"))
    leads = [{"text": plain("Anyone"), "value": "none"}, {"text": plain("Host"), "value": "host"},
             {"text": plain("Co-host"), "value": "cohost"}]
    lead_el: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": leads}
    lead_el["initial_option"] = next(o for o in leads if o["value"] == ((seg.lead_role if seg else None) or "none"))
    blocks: list[Block] = [
        {"type": "input", "block_id": "kind", "label": plain("Segment"), "element": kind_el},
        _text("title", "Name (optional)", seg.title if seg else None, 200),
        _number_input("offset", "Starts at minute", seg.offset_min if seg else None, "Minutes after the LIVE starts (0 = at the start)."),
        _number_input("duration", "Length in minutes", seg.duration_min if seg else None,
                      f"The LIVE is {length_min(live)} minutes long."),
        _text("sku", "SKU", seg.sku if seg else None, 64),
        _text("offer", "Offer", seg.offer if seg else None, 300),
        _text("points", "Talking points", seg.talking_points if seg else None, 1000, multiline=True),
        {"type": "input", "block_id": "lead", "optional": True, "label": plain("Led by"), "element": lead_el},
    ]
    return modal("Edit segment" if seg else "Add segment", blocks, callback_id="ros_segment_submit", submit="Save",
                 close="Back", private_metadata=metadata)


def day_text(day: date, plans: list[SessionPlan], tz: ZoneInfo) -> str:
    """The day's run-of-show as plain text, for the terminal (`opsbot demo`)."""
    lines = [f"Run of show · {fmt_day(day)} ({tz.key})"]
    if not plans:
        lines.append("  No LIVE sessions today.")
    for plan in plans:
        live = plan.live
        crew = ", ".join(f"{ROLE_LABEL[r]} {sh.person.name}" for r in ("host", "cohost", "pa")
                         if (sh := plan.slot(r)) is not None and sh.person is not None)
        lines.append(f"\n{fmt_span(live.starts_at, live.ends_at, tz)}  {live.title}  ({live.room or 'no room'}, tier "
                     f"{live.product_tier or '-'})  {crew or 'nobody assigned'}")
        for seg in plan.segments:
            start = live.starts_at + timedelta(minutes=seg.offset_min)
            bits = [f"  {fmt_time(start, tz):>8}  {seg.duration_min:>3} min  {label(seg)}"]
            if seg.sku:
                bits.append(f"SKU {seg.sku}")
            if seg.offer:
                bits.append(f"offer: {seg.offer}")
            lines.append(" · ".join(bits))
            lines.extend(f"{'':>20}> {p}" for p in (seg.talking_points or "").splitlines() if p.strip())
        for b, v in plan.approved:
            lines.append(f"  approved {b.kind.replace('_', ' ')}: {b.title} (v{v.number})")
        lines.extend(f"  ! {w}" for w in plan.warnings)
    return "\n".join(lines)
