"""The weekly ops-sync pack and meeting messages (invite DM, scheduled post, reminder, the /ops meeting modal)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.blocks.common import (
    Block,
    actions,
    button,
    chunk_lines,
    context,
    divider,
    escape,
    header,
    mention,
    modal,
    section,
)
from bot.services.reporting.meetings import describe
from bot.services.reporting.sync import PAY_KINDS, Item, Pack
from bot.services.scorecard.definitions import fmt_value
from bot.timefmt import fmt_datetime, fmt_day_time

SYNC_GROUPS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("unassigned",), "Schedule gaps: unassigned slots"),
    (("unconfirmed",), "Unconfirmed shifts"),
    (("below_tier",), "Hosts below the product tier"),
    (("escalation",), "Open escalations"),
    (("recurring",), "Recurring escalations"),
    (("brief",), "Briefs waiting for legal"),
    (("swap",), "Swaps pending"),
    (PAY_KINDS, "Payroll and payments"),
)
WHEN = {"brief": "due ", "invoice": "submitted ", "invoice_queried": "queried ", "invoice_unpaid": "approved ",
        "creator_payment": "posted "}


def _fix(item: Item) -> str:
    if item.fix.startswith("message:"):
        return f"<{item.link}|open the message>" if item.link else "its message in Slack"
    where = escape(item.fix[len("hint:"):]) if item.fix.startswith("hint:") else f"`{escape(item.fix)}`"
    return where + (f" (<{item.link}|open the message>)" if item.link else "")


def _line(item: Item, tz: ZoneInfo) -> str:
    when = ""
    if item.when is not None:
        when = f" · {WHEN.get(item.kind, '')}{fmt_day_time(item.when, tz)}"
    return f"• {escape(item.text)}{when} → fix: {_fix(item)}"


def sync_sections(pack: Pack, tz: ZoneInfo) -> list[tuple[str, list[str]]]:
    out = [(f"Last week ({pack.last_week}, {pack.sessions_last_week} sessions)",
            [f"• {escape(h.label)}: {fmt_value(h.kind, h.value)}" for h in pack.headline])]
    for kinds, title in SYNC_GROUPS:
        items = [i for i in pack.items if i.kind in kinds]
        out.append((f"{title} ({len(items)})", [_line(i, tz) for i in items[:12]]
                    + ([f"• … and {len(items) - 12} more"] if len(items) > 12 else []) or ["• none"]))
    out.append(("Agenda", [f"{i + 1}. {escape(a)}" for i, a in enumerate(pack.agenda)]))
    return out


def sync_message(pack: Pack, tz: ZoneInfo) -> tuple[str, list[Block]]:
    blocks: list[Block] = [header(f"Ops sync {pack.week}")]
    for title, lines in sync_sections(pack, tz):
        for i, part in enumerate(chunk_lines(lines)):
            blocks.append(section((f"*{escape(title)}*\n" if i == 0 else "") + part))
    blocks = blocks[:48]
    blocks += [divider(), context("Built from the calendar, escalations, briefs, swaps, timesheets, invoices and creator "
                                   "payments. `/ops sync` rebuilds it any time.")]
    counts = pack.counts()
    summary = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()) or "no open items"
    return f"Ops sync {pack.week}: {summary}", blocks


def sync_text(pack: Pack, tz: ZoneInfo) -> str:
    parts = [f"Ops sync {pack.week}"]
    for title, lines in sync_sections(pack, tz):
        parts += [f"\n{title}"] + [f"  {ln}" for ln in lines]
    return "\n".join(parts)


# ------------------------------------------------------------------------------ meetings


def meeting_modal() -> dict:
    blocks: list[Block] = [
        {"type": "input", "block_id": "title", "label": {"type": "plain_text", "text": "Title"},
         "element": {"type": "plain_text_input", "action_id": "value", "max_length": 150}},
        {"type": "input", "block_id": "attendees", "label": {"type": "plain_text", "text": "Attendees"},
         "element": {"type": "multi_users_select", "action_id": "value", "max_selected_items": 30}},
        {"type": "input", "block_id": "length", "label": {"type": "plain_text", "text": "Length"},
         "element": {"type": "static_select", "action_id": "value",
                     "initial_option": {"text": {"type": "plain_text", "text": "30 minutes"}, "value": "30"},
                     "options": [{"text": {"type": "plain_text", "text": f"{n} minutes"}, "value": str(n)} for n in (15, 30, 45, 60, 90, 120)]}},
        {"type": "input", "block_id": "first_day", "label": {"type": "plain_text", "text": "From"},
         "element": {"type": "datepicker", "action_id": "value"}},
        {"type": "input", "block_id": "last_day", "label": {"type": "plain_text", "text": "To"},
         "element": {"type": "datepicker", "action_id": "value"}},
        context("opsbot proposes up to three weekday slots (9 AM–6 PM) that clash with nobody's LIVE shift or time off."),
    ]
    return modal("Propose a meeting", blocks, callback_id="meeting_submit", submit="Propose")


def _slot_buttons(m, tz: ZoneInfo, action_id: str) -> Block:  # type: ignore[no-untyped-def]
    return actions(*[button(label, action_id, f"{m.id}:{i}") for i, label in enumerate(describe(m, tz))],
                   block_id=f"meeting_{m.id}_{action_id}")


def meeting_invite(m, tz: ZoneInfo) -> tuple[str, list[Block]]:  # type: ignore[no-untyped-def]
    text = f"{mention(m.organizer)} proposes “{escape(m.title)}” ({m.length_minutes} min): which slots work for you?"
    return f"Meeting proposed: {m.title}", [section(text), _slot_buttons(m, tz, "meeting_accept"),
                                           context("Tap every slot that works. It is booked when everyone has accepted one, "
                                                   "or when the organizer picks it.")]


def meeting_proposed(m, tz: ZoneInfo) -> tuple[str, list[Block]]:  # type: ignore[no-untyped-def]
    who = ", ".join(mention(u) for u in m.attendees)
    return (f"Proposed {m.title}: {', '.join(describe(m, tz))}",
            [section(f"*{escape(m.title)}* proposed to {who}. Free for everyone:\n"
                     + "\n".join(f"• {s}" for s in describe(m, tz))),
             _slot_buttons(m, tz, "meeting_choose"), context("Pick one to book it now, or wait for the attendees' answers.")])


def meeting_scheduled(m, tz: ZoneInfo) -> tuple[str, list[Block]]:  # type: ignore[no-untyped-def]
    end = m.starts_at + timedelta(minutes=m.length_minutes)
    who = ", ".join(mention(u) for u in m.attendees)
    text = f"“{escape(m.title)}” is booked: {fmt_datetime(m.starts_at, tz)} to {fmt_day_time(end, tz).split(', ')[-1]} with {who}."
    return f"Meeting booked: {m.title}, {fmt_datetime(m.starts_at, tz)}", [section(text)]


def meeting_reminder(m, tz: ZoneInfo, now: datetime) -> tuple[str, list[Block]]:  # type: ignore[no-untyped-def]
    minutes = max(0, int((m.starts_at - now).total_seconds() // 60))
    text = f"Reminder: “{escape(m.title)}” starts in {minutes} min ({fmt_datetime(m.starts_at, tz)})."
    return text, [section(text)]

