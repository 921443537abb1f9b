"""Block Kit for the calendar: the planning modal and its forms, shift DMs, the week calendar, /myshifts."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.common import (
    Block, actions, button, clip, context, divider, escape, header, mention, modal, plain, section,
)
from bot.db.models import LiveSession, Person, Shift
from bot.db.schedule import Product, ProductTier, TimeOff
from bot.services.schedule.rules import ROLE_LABEL, WEEKDAYS
from bot.timefmt import fmt_day, fmt_duration, fmt_span, to_local

STATE_BADGE = {"pending": ":hourglass_flowing_sand: awaiting your answer", "confirmed": ":white_check_mark: confirmed",
               "declined": ":x: can't make it"}
PLAN_SESSION_LIMIT = 90


def _week_title(monday: date) -> str:
    return f"week of {fmt_day(monday)}"


def meta(**values: Any) -> str:
    return json.dumps(values, separators=(",", ":"))


def _who(sh: Shift | None) -> str:
    if sh is None or sh.person is None:
        return "_open_"
    badge = {"confirmed": " :white_check_mark:", "declined": " :x: needs cover"}.get(sh.state, "")
    return f"{mention(sh.person.slack_user_id)}{badge}"


def _slot(live: LiveSession, role: str) -> Shift | None:
    return next((sh for sh in sorted(live.shifts, key=lambda x: x.id) if sh.role == role and not sh.cancelled), None)


def session_line(live: LiveSession, tz: ZoneInfo, *, with_people: bool = True) -> str:
    parts = [f"*{fmt_span(live.starts_at, live.ends_at, tz)}* · {escape(live.title)}"]
    if live.product_tier:
        parts.append(f"tier {escape(live.product_tier)}")
    if live.room:
        parts.append(escape(live.room))
    line = " · ".join(parts)
    if with_people:
        people = [f"Host {_who(_slot(live, 'host'))}"]
        if _slot(live, "cohost"):
            people.append(f"Co-host {_who(_slot(live, 'cohost'))}")
        people.append(f"PA {_who(_slot(live, 'pa'))}")
        line += "\n" + " · ".join(people)
    if live.status == "draft":
        line += "  `draft`"
    return line


def shift_line(sh: Shift, tz: ZoneInfo) -> str:
    title = escape(sh.session.title) if sh.session is not None else "shift"
    room = f" · {escape(sh.session.room)}" if sh.session is not None and sh.session.room else ""
    return f"*{fmt_span(sh.starts_at, sh.ends_at, tz)}*\n{ROLE_LABEL.get(sh.role, sh.role)} · {title}{room}"


def _answer_buttons(sh: Shift) -> Block:
    return actions(button("Confirm", "shift_confirm", str(sh.id), style="primary"),
                   button("Can't make it", "shift_decline", str(sh.id)), block_id=f"shift_{sh.id}")


def shift_blocks(sh: Shift, tz: ZoneInfo, *, buttons: bool = True) -> list[Block]:
    out = [section(f"{shift_line(sh, tz)}\n{STATE_BADGE.get(sh.state, sh.state)}")]
    if buttons and sh.state == "pending":
        out.append(_answer_buttons(sh))
    return out


# -- messages ----------------------------------------------------------------------------------

def week_dm(monday: date, shifts: list[Shift], tz: ZoneInfo, version: int) -> tuple[str, list[Block]]:
    """A person's shifts for a published week, each with Confirm / Can't make it."""
    total = sum((sh.ends_at - sh.starts_at for sh in shifts), timedelta())
    blocks: list[Block] = [header(f"Your shifts · {_week_title(monday)}"),
                           context(f"{len(shifts)} shift(s), {fmt_duration(total)} · times in {tz.key}")]
    for sh in shifts[:23]:
        blocks.extend(shift_blocks(sh, tz))
    if len(shifts) > 23:
        blocks.append(context(f"…and {len(shifts) - 23} more: see /myshifts."))
    text = f"Your shifts for the {_week_title(monday)}: " + "; ".join(
        f"{fmt_span(sh.starts_at, sh.ends_at, tz)} {ROLE_LABEL.get(sh.role)}" for sh in shifts[:10])
    return clip(text, 3000), blocks[:50]


def answered_dm(person_shifts: list[Shift], tz: ZoneInfo, note: str) -> tuple[str, list[Block]]:
    """The DM re-rendered after an answer, so its buttons match the shifts' state."""
    blocks: list[Block] = [section(note)]
    for sh in person_shifts[:23]:
        blocks.extend(shift_blocks(sh, tz))
    return note, blocks[:50]


def changes_dm(monday: date, changes: list[Any], by_id: dict[int, Shift], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """Only what changed for one person since the last publish."""
    blocks: list[Block] = [header(f"Schedule changes · {_week_title(monday)}")]
    words: list[str] = []
    for ch in changes[:20]:
        if ch.kind == "removed":
            o = ch.old
            when = fmt_span(datetime.fromisoformat(o["starts_at"]), datetime.fromisoformat(o["ends_at"]), tz)
            blocks.append(section(f":heavy_minus_sign: *Removed:* {when}\n{ROLE_LABEL.get(o['role'])} · {escape(o['title'])}"))
            words.append(f"removed {when}")
            continue
        sh = by_id[ch.shift_id]
        if ch.kind == "moved":
            o = ch.old
            was = fmt_span(datetime.fromisoformat(o["starts_at"]), datetime.fromisoformat(o["ends_at"]), tz)
            blocks.append(section(f":arrows_counterclockwise: *Moved* from {was}\nto {shift_line(sh, tz)}"))
            words.append(f"{escape(o['title'])} moved from {was} to {fmt_span(sh.starts_at, sh.ends_at, tz)}")
        elif ch.kind == "added":
            blocks.append(section(f":heavy_plus_sign: *Added:* {shift_line(sh, tz)}"))
            words.append(f"added {fmt_span(sh.starts_at, sh.ends_at, tz)}")
        else:
            blocks.append(section(f":pencil2: *Changed:* {shift_line(sh, tz)}"))
            words.append(f"changed {fmt_span(sh.starts_at, sh.ends_at, tz)}")
        if sh.state == "pending":
            blocks.append(_answer_buttons(sh))
    text = f"Schedule changes for the {_week_title(monday)}: " + "; ".join(words)
    return clip(text, 3000), blocks[:50]


def week_calendar(monday: date, sessions: list[LiveSession], tz: ZoneInfo, version: int) -> tuple[str, list[Block]]:
    """The week's calendar for the ops channel, one section per day."""
    by_day: dict[date, list[LiveSession]] = defaultdict(list)
    for live in sessions:
        by_day[to_local(live.starts_at, tz).date()].append(live)
    blocks: list[Block] = [header(f"LIVE calendar · {_week_title(monday)}")]
    for i in range(7):
        day = monday + timedelta(days=i)
        lives = by_day.get(day, [])
        if not lives:
            continue
        lines = [session_line(live, tz) for live in lives]
        blocks.append(section(f"*{fmt_day(day)}*\n" + "\n".join(lines)))
    if len(blocks) == 1:
        blocks.append(section("No sessions this week."))
    blocks.append(context(f"Version {version} · {len(sessions)} session(s) · /myshifts shows your own"))
    return f"LIVE calendar for the {_week_title(monday)}: {len(sessions)} session(s)", blocks


def cover_alert(sh: Shift, person: Person, associates: list[str], tz: ZoneInfo) -> tuple[str, list[Block]]:
    who = " ".join(mention(a) for a in associates)
    reason = f"\n>{escape(clip(sh.decline_reason, 300))}" if sh.decline_reason else ""
    text = f"{person.name} can't make {fmt_span(sh.starts_at, sh.ends_at, tz)}; the slot needs cover."
    line = (f":rotating_light: {mention(person.slack_user_id)} can't make their shift: "
            f"{shift_line(sh, tz)}{reason}\nThe {ROLE_LABEL.get(sh.role)} slot is open for a swap. {who}")
    offer = actions(button("Open to anyone eligible", "swap_cover_open", str(sh.id)), block_id=f"cover_{sh.id}")
    return text, [section(line), offer, context("The associate (or the host) can offer it to everyone eligible; "
                                                "until someone takes it and it's approved, the slot stays at risk.")]


def myshifts_message(shifts: list[Shift], tz: ZoneInfo) -> tuple[str, list[Block]]:
    if not shifts:
        return "No published shifts in the next 14 days.", [section("You have no published shifts in the next 14 days.")]
    total = sum((sh.ends_at - sh.starts_at for sh in shifts if sh.state != "declined"), timedelta())
    blocks: list[Block] = [section(f"*Your next 14 days* · {len(shifts)} shift(s), {fmt_duration(total)}")]
    for sh in shifts[:23]:
        blocks.extend(shift_blocks(sh, tz))
    text = "Your shifts: " + "; ".join(f"{fmt_span(sh.starts_at, sh.ends_at, tz)} ({sh.state})" for sh in shifts[:10])
    return clip(text, 3000), blocks[:50]


def home_blocks(shifts: list[Shift], scheduled_week: timedelta, tz: ZoneInfo) -> list[Block]:
    """The App Home's calendar part: upcoming shifts and hours scheduled this week."""
    blocks: list[Block] = [section(f"*Upcoming shifts* · {fmt_duration(scheduled_week)} scheduled this week")]
    if not shifts:
        blocks.append(context("No published shifts in the next 14 days."))
    for sh in shifts[:10]:
        blocks.extend(shift_blocks(sh, tz))
    return blocks


# -- the planning modal and its forms ----------------------------------------------------------

def planning_modal(monday: date, label: str, sessions: list[LiveSession], tz: ZoneInfo, unpublished: int | None,
                   notice: str | None = None) -> dict[str, Any]:
    prev_w, next_w = monday - timedelta(days=7), monday + timedelta(days=7)
    status = ("never published" if unpublished is None else
              "published, up to date" if unpublished == 0 else f"published · {unpublished} change(s) not yet sent")
    blocks: list[Block] = [
        section(f"*{label}* · {_week_title(monday)} · {len(sessions)} session(s) · {status}"),
        actions(button("◀ Previous", "sched_week", prev_w.isoformat()), button("Next ▶", "sched_week", next_w.isoformat()),
                button("Add session", "sched_add", monday.isoformat(), style="primary"), block_id="plan_nav"),
        actions(button("Copy last week", "sched_copy", monday.isoformat()),
                button("Suggest hosts", "sched_suggest", monday.isoformat()),
                button("Publish week", "sched_publish", monday.isoformat(), style="primary",
                       confirm={"title": plain("Publish this week?"),
                                "text": {"type": "mrkdwn", "text": "Everyone with a shift gets a DM (or only their changes, "
                                                                   "if it was published before)."},
                                "confirm": plain("Publish"), "deny": plain("Not yet")}), block_id="plan_do"),
    ]
    if notice:
        blocks.append(section(clip(notice, 2900)))
    blocks.append(divider())
    for live in sessions[:PLAN_SESSION_LIMIT]:
        menu = {"type": "overflow", "action_id": "sched_menu", "options": [
            {"text": plain("Assign people"), "value": f"assign:{live.id}"},
            {"text": plain("Edit session"), "value": f"edit:{live.id}"},
            {"text": plain("Run of show"), "value": f"ros:{live.id}"},
            {"text": plain("Cancel session"), "value": f"cancel:{live.id}"}]}
        blocks.append(section(session_line(live, tz), accessory=menu, block_id=f"session_{live.id}"))
    if len(sessions) > PLAN_SESSION_LIMIT:
        blocks.append(context(f"{len(sessions) - PLAN_SESSION_LIMIT} more: use `opsbot export schedule` for the full week."))
    if not sessions:
        blocks.append(section("No sessions this week yet. *Add session* or *Copy last week* to start."))
    return modal("LIVE calendar", blocks, callback_id="sched_plan", private_metadata=meta(week=monday.isoformat()))


def _text_input(block_id: str, label: str, value: str | None, *, optional: bool = False, multiline: bool = False,
                max_length: int = 200, hint: str | None = None) -> Block:
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": multiline, "max_length": max_length}
    if value:
        el["initial_value"] = value
    block: Block = {"type": "input", "block_id": block_id, "optional": optional, "label": plain(label), "element": el}
    if hint:
        block["hint"] = plain(hint)
    return block


def _override_input(label: str) -> Block:
    return {"type": "input", "block_id": "override", "optional": True, "label": plain("Warnings"),
            "element": {"type": "checkboxes", "action_id": "value",
                        "options": [{"text": plain(label), "value": "yes"}]},
            "hint": plain("Rest gap, overtime and availability are warnings; tick to go ahead. Overlaps, time off and tier are refused.")}


def session_modal(live: LiveSession | None, skus: list[Product], tiers: list[ProductTier], all_products: list[Product],
                  day: date, tz: ZoneInfo, metadata: str) -> dict[str, Any]:
    local_s = to_local(live.starts_at, tz) if live else None
    local_e = to_local(live.ends_at, tz) if live else None
    date_el: dict[str, Any] = {"type": "datepicker", "action_id": "value", "initial_date": (local_s.date() if local_s else day).isoformat()}
    start_el: dict[str, Any] = {"type": "timepicker", "action_id": "value"}
    end_el: dict[str, Any] = {"type": "timepicker", "action_id": "value"}
    if local_s and local_e:
        start_el["initial_time"], end_el["initial_time"] = local_s.strftime("%H:%M"), local_e.strftime("%H:%M")
    tier_opts = [{"text": plain(f"{t.code} · {t.name} (host {t.min_host_tier.name}+)"), "value": t.code} for t in tiers][:100]
    tier_el: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": tier_opts}
    current_tier = next((o for o in tier_opts if live and o["value"] == live.product_tier), None)
    if current_tier:
        tier_el["initial_option"] = current_tier
    overnight_el: dict[str, Any] = {"type": "checkboxes", "action_id": "value",
                                    "options": [{"text": plain("Ends after midnight (next day)"), "value": "yes"}]}
    if local_s and local_e and local_e.date() > local_s.date():
        overnight_el["initial_options"] = overnight_el["options"]
    blocks: list[Block] = [
        _text_input("title", "Title", live.title if live else None),
        {"type": "input", "block_id": "date", "label": plain("Date"), "element": date_el},
        {"type": "input", "block_id": "start", "label": plain(f"Start ({tz.key})"), "element": start_el},
        {"type": "input", "block_id": "end", "label": plain("End"), "element": end_el},
        {"type": "input", "block_id": "overnight", "optional": True, "label": plain("Late night"), "element": overnight_el},
        _text_input("room", "Room / set", live.room if live else None, optional=True, max_length=100),
        {"type": "input", "block_id": "tier", "optional": True, "label": plain("Product tier"), "element": tier_el},
    ]
    if all_products:
        opts = [{"text": plain(clip(f"{p.sku} · {p.name} ({p.tier.code})", 75)), "value": str(p.id)} for p in all_products[:100]]
        sku_el: dict[str, Any] = {"type": "multi_static_select", "action_id": "value", "options": opts}
        chosen = [o for o in opts if int(o["value"]) in {p.id for p in skus}]
        if chosen:
            sku_el["initial_options"] = chosen
        blocks.append({"type": "input", "block_id": "skus", "optional": True, "label": plain("Featured SKUs"), "element": sku_el})
    blocks.append(_text_input("notes", "Notes", live.notes if live else None, optional=True, multiline=True, max_length=2000))
    if live:
        blocks.append(_override_input("Save even if it gives someone a warning"))
    return modal("Edit session" if live else "Add session", blocks, callback_id="sched_session_submit",
                 submit="Save", close="Back", private_metadata=metadata)


def assign_modal(live: LiveSession, tz: ZoneInfo, metadata: str, availability_notes: list[str]) -> dict[str, Any]:
    blocks: list[Block] = [section(session_line(live, tz, with_people=False))]
    for role, label in (("host", "Host"), ("cohost", "Co-host (optional)"), ("pa", "PA")):
        sh = _slot(live, role)
        el: dict[str, Any] = {"type": "users_select", "action_id": "value", "placeholder": plain("Nobody yet")}
        if sh is not None and sh.person is not None:
            el["initial_user"] = sh.person.slack_user_id
        hint = None
        if sh is not None and sh.state == "declined" and sh.person is not None:
            hint = f"{sh.person.name} can't make it; pick someone else to cover."
        block: Block = {"type": "input", "block_id": role, "optional": True, "label": plain(label), "element": el}
        if hint:
            block["hint"] = plain(clip(hint, 150))
        blocks.append(block)
    blocks.append(_override_input("Assign anyway"))
    if availability_notes:
        blocks.append(context(*[clip(n, 300) for n in availability_notes[:10]]))
    return modal("Assign people", blocks, callback_id="sched_assign_submit", submit="Assign", close="Back",
                 private_metadata=metadata)


def decline_modal(sh: Shift, tz: ZoneInfo, metadata: str) -> dict[str, Any]:
    blocks: list[Block] = [
        section(f"You can't make:\n{shift_line(sh, tz)}"),
        _text_input("reason", "Reason (optional)", None, optional=True, multiline=True, max_length=500,
                    hint="The associate sees this in the ops channel."),
    ]
    return modal("Can't make it", blocks, callback_id="shift_decline_submit", submit="Tell the associate", close="Back",
                 private_metadata=metadata)


def availability_modal(target: Person, windows: dict[int, list[tuple[int, int]]], time_off: list[TimeOff], tz: ZoneInfo,
                       is_self: bool, version: str | None = None) -> dict[str, Any]:
    from bot.services.schedule.availability import format_day

    whose = "your" if is_self else f"{escape(target.name)}'s"
    blocks: list[Block] = [section(f"Set {whose} usual weekly availability ({tz.key}). Leave a day empty if not available. "
                                   "Write ranges like `9:00-17:00, 19:00-23:00`.")]
    for wd, name in enumerate(WEEKDAYS):
        blocks.append(_text_input(f"day_{wd}", name, format_day(windows.get(wd, [])), optional=True, max_length=100))
    blocks.append(divider())
    blocks.append(section("*Time off* (whole days; the associate can't assign you then)"))
    for off in time_off[:20]:
        label = f"{fmt_span(off.starts_at, off.ends_at, tz)}" + (f" · {escape(clip(off.reason, 100))}" if off.reason else "")
        blocks.append(section(label, accessory=button("Remove", "avail_remove_off", str(off.id)), block_id=f"off_{off.id}"))
    blocks.extend([
        {"type": "input", "block_id": "off_first", "optional": True, "label": plain("Add time off: first day"),
         "element": {"type": "datepicker", "action_id": "value"}},
        {"type": "input", "block_id": "off_last", "optional": True, "label": plain("Last day (empty = same day)"),
         "element": {"type": "datepicker", "action_id": "value"}},
        _text_input("off_reason", "Reason (optional)", None, optional=True, max_length=500),
    ])
    return modal("Availability", blocks, callback_id="avail_submit", submit="Save", close="Cancel",
                 private_metadata=meta(user=target.slack_user_id, v=version) if version else meta(user=target.slack_user_id))


def result_text(lines: list[str], title: str) -> str:
    shown = "\n".join(f"• {escape(line)}" for line in lines[:15])
    more = f"\n…and {len(lines) - 15} more" if len(lines) > 15 else ""
    return f"*{title}*\n{shown}{more}" if lines else f"*{title}*"

