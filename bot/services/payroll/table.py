"""The readable table `opsbot payroll compute` prints without --json."""

from __future__ import annotations

from decimal import Decimal

from bot.services.payroll.compute import PeriodPay
from bot.services.payroll.model import hours_text

KIND_LABEL = {
    "missing_clock_out": "missing clock-out", "auto_closed": "auto-closed, needs review", "unscheduled_work": "unscheduled work",
    "late_arrival": "late arrival", "early_departure": "early departure", "missed_meal": "missed meal", "late_meal": "late meal",
    "short_rest": "short rest gap", "no_rate": "no pay rate", "missed_rest": "rest breaks not taken", "edited_after_approval": "edited after approval",
}


def period_table(pp: PeriodPay) -> str:
    head = f"Pay period {pp.period.start.isoformat()} to {pp.period.end.isoformat()}: " + (
        "approved" if pp.approved else "NOT approved")
    cols = ("Person", "Regular", "OT", "Double", "Meal prem", "Rest prem", "Gross")
    rows = []
    total = Decimal("0.00")
    for p in pp.people:
        pay = p.pay
        rows.append((p.person.name[:30] + (" (approved)" if p.approved else ""),
                     *(hours_text(pay.hours(c)) for c in ("regular", "overtime", "double_time", "meal_premium", "rest_premium")),
                     f"{pay.gross:,.2f}"))
        total += pay.gross
    widths = [max(len(str(r[i])) for r in [cols, *rows]) for i in range(len(cols))]
    lines = [head, "", "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cols))]
    lines += ["  ".join(str(v).ljust(widths[i]) if i == 0 else str(v).rjust(widths[i]) for i, v in enumerate(r)) for r in rows]
    lines.append(f"Total gross: ${total:,.2f} for {len(rows)} people")
    problems = [(p.person.name, x) for p in pp.people for x in p.pay.exceptions]
    if problems:
        lines += ["", "Exceptions:"] + [f"  {x.day.isoformat()}  {name}: {KIND_LABEL.get(x.kind, x.kind)} ({x.detail})"
                                        for name, x in problems]
    if not rows:
        lines.append("Nobody clocked any hours in this period.")
    return "\n".join(lines)
