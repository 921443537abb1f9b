"""Block Kit for payroll: the /timesheets modal (everyone for the approver, one's own for anyone else), the unlock form."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.common import (
    Block,
    actions,
    button,
    clip,
    context,
    divider,
    escape,
    modal,
    section,
)
from bot.services.payroll.compute import PeriodPay, PersonPeriod
from bot.services.payroll.model import hours_text
from bot.services.payroll.table import KIND_LABEL
from bot.timefmt import fmt_span

MAX_PEOPLE = 40  # 2 blocks each keeps the modal under Slack's 100 blocks


def _figures(pp: PersonPeriod) -> str:
    pay = pp.pay
    parts = [f"reg {hours_text(pay.hours('regular'))}", f"OT {hours_text(pay.hours('overtime'))}",
             f"DT {hours_text(pay.hours('double_time'))}"]
    for cat, label in (("meal_premium", "meal prem"), ("rest_premium", "rest prem")):
        if pay.hours(cat):
            parts.append(f"{label} {hours_text(pay.hours(cat))}")
    return " · ".join(parts) + f" · *${pay.gross:,.2f}*"


def _exceptions(pp: PersonPeriod, limit: int = 6) -> str:
    items = [f"{x.day:%a %b} {x.day.day}: {KIND_LABEL.get(x.kind, x.kind)} ({escape(clip(x.detail, 90))})" for x in pp.pay.exceptions]
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return ":warning: " + "; ".join(items[:limit]) + more if items else ":white_check_mark: no exceptions"


def _status(pp: PersonPeriod) -> str:
    if pp.approved:
        return ":lock: approved"
    if pp.approval is not None and pp.approval.status == "unlocked":
        return ":unlock: unlocked: " + escape(clip(pp.approval.unlock_reason or "", 80))
    return ":hourglass: waiting"


def _meta(result: PeriodPay) -> str:
    return result.period.start.isoformat()


def approver_modal(result: PeriodPay, *, can_approve: bool, can_unlock: bool) -> dict[str, Any]:
    period = result.period
    waiting = [p for p in result.people if not p.approved]
    clean = [p for p in waiting if not p.pay.exceptions]
    total = sum((p.pay.gross for p in result.people), start=0)
    blocks: list[Block] = [
        section(f"*Pay period {period.label}*\n{len(result.people)} people · {len(result.people) - len(waiting)} approved · "
                f"gross ${total:,.2f}" + (" · :lock: *locked*" if result.approved else "")),
    ]
    if can_approve and clean:
        blocks.append(actions(button(f"Approve all without exceptions ({len(clean)})", "payroll_approve_all", _meta(result),
                                     style="primary"), block_id="approve_all"))
    blocks.append(divider())
    if not result.people:
        blocks.append(section("Nobody clocked any hours in this pay period."))
    for pp in result.people[:MAX_PEOPLE]:
        value = f"{pp.person.slack_user_id}|{_meta(result)}"
        accessory = None
        if pp.approved and can_unlock:
            accessory = button("Unlock", "payroll_unlock", value)
        elif not pp.approved and can_approve:
            accessory = button("Approve", "payroll_approve", value, style="primary")
        blocks.append(section(f"*{escape(pp.person.name)}* · {_status(pp)}\n{_figures(pp)}", accessory=accessory,
                              block_id=f"ts_{pp.person.slack_user_id}"))
        blocks.append(context(clip(_exceptions(pp), 2900)))
    if len(result.people) > MAX_PEOPLE:
        blocks.append(context(f"{len(result.people) - MAX_PEOPLE} more people: see `opsbot payroll compute --period "
                              f"{period.start.isoformat()}`."))
    return modal("Timesheets", blocks, callback_id="payroll_timesheets", private_metadata=_meta(result))


def own_modal(result: PeriodPay, user_id: str, tz: ZoneInfo, now: datetime) -> dict[str, Any]:
    pp = result.of(user_id)
    blocks: list[Block] = [section(f"*Your hours · pay period {result.period.label}*")]
    if pp is None:
        blocks.append(section("You have no clocked hours in this pay period."))
        return modal("My timesheet", blocks)
    blocks += [section(f"{_status(pp)}\n{_figures(pp)}"), context(clip(_exceptions(pp), 2900)), divider()]
    for e in pp.entries[:90]:
        blocks.append(section(fmt_span(e.clock_in_at, e.clock_out_at, tz) + (" · edited" if e.edited else "")))
    return modal("My timesheet", blocks)


def unlock_modal(user_id: str, name: str, period_start: str) -> dict[str, Any]:
    return modal("Unlock timesheet", [
        section(f"Unlock *{escape(name)}*'s approved timesheet so it can be corrected? It will need approving again."),
        {"type": "input", "block_id": "reason", "label": {"type": "plain_text", "text": "Why (goes in the audit log)"},
         "element": {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 500}},
    ], callback_id="payroll_unlock_submit", submit="Unlock", close="Cancel", private_metadata=f"{user_id}|{period_start}")


def done_modal(text: str) -> dict[str, Any]:
    return modal("Timesheets", [section(text)])


# -- /checkout attestation and the auto-close notices -------------------------------------------

def attestation_blocks(entry_id: int, asked: list[str]) -> list[Block]:
    """Yes / No buttons per question; "No" records a premium hour and an exception for the associate."""
    from bot.services.payroll.attest import LABEL

    out: list[Block] = []
    for kind in asked:
        question = {"meal": "Did your 30-minute meal start before the end of your 5th hour?",
                    "second_meal": "Did a second 30-minute meal start before the end of your 10th hour?",
                    "rest": "Did you get your rest breaks (10 minutes per 4 hours)?"}[kind]
        out.append(section(f"*{question}*", block_id=f"attest_q_{kind}"))
        out.append(actions(button("Yes", "payroll_attest", f"{entry_id}|{kind}|yes"),
                           button("No", "payroll_attest_no", f"{entry_id}|{kind}|no", style="danger"),
                           block_id=f"attest_{kind}_{entry_id}"))
    if out:
        out.append(context(f"Your answers go on your timesheet ({', '.join(LABEL[k] for k in asked)}). "
                           "California law pays an extra hour when a meal or rest break was missed."))
    return out


def auto_closed_dm(entry: Any, tz: ZoneInfo) -> tuple[str, list[Block]]:
    from bot.timefmt import fmt_time

    span = fmt_span(entry.clock_in_at, entry.clock_out_at, tz)
    text = (f":hourglass: You didn't check out, so your entry was closed at the scheduled end "
            f"({fmt_time(entry.clock_out_at, tz)}): {span}. It is marked *auto-closed, needs review*; "
            "if you worked longer, tell the associate so they can correct it.")
    return f"Your entry was auto-closed at {fmt_time(entry.clock_out_at, tz)} (needs review).", [section(text)]


def auto_closed_flag(entry: Any, associates: list[str], tz: ZoneInfo) -> tuple[str, list[Block]]:
    from bot.blocks.common import mention

    text = (f":triangular_flag_on_post: {mention(entry.person.slack_user_id)} never checked out; the entry was closed at "
            f"the scheduled end ({fmt_span(entry.clock_in_at, entry.clock_out_at, tz)}) and needs review in /timesheets. "
            + " ".join(mention(a) for a in associates))
    return f"{entry.person.name}'s entry was auto-closed (needs review)", [section(text)]
