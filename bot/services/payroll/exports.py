"""Payroll files: a Gusto hours-import CSV, an ADP-style CSV, and a human xlsx (exports_xlsx.py).

All three are written from the same `period_pay` result as `opsbot payroll compute`, so hours and money
agree to the cent. An unapproved period is refused unless `draft` (the file then says DRAFT where it can).
Every text cell goes through `bot.services.cells.safe`, so a name can never become a formula.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from bot.services import cells
from bot.services.errors import Conflict, Invalid
from bot.services.payroll.compute import PeriodPay, PersonPeriod, period_pay
from bot.services.payroll.config import PayrollConfig
from bot.services.payroll.model import hours_text

FORMATS = ("gusto", "adp", "xlsx")
GUSTO_HEADER = ["First Name", "Last Name", "Email", "Slack ID", "Regular Hours", "Overtime Hours", "Double Overtime Hours",
                "Meal Premium Hours", "Rest Premium Hours", "Gross Pay"]
ADP_HEADER = ["Co Code", "Batch ID", "File #", "Employee Name", "Reg Hours", "O/T Hours", "Hours 3 Code", "Hours 3 Amount"]


def split_name(pp: PersonPeriod) -> tuple[str, str]:
    full = (pp.person.real_name or pp.person.name).strip()
    first, _, last = full.rpartition(" ")
    return (first, last) if first else (full, "")


def _h(pp: PersonPeriod, cat: str) -> str:
    return hours_text(pp.pay.hours(cat))


def write_gusto(result: PeriodPay, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(GUSTO_HEADER)
        for pp in result.people:
            first, last = split_name(pp)
            w.writerow([cells.safe(first), cells.safe(last), cells.safe(pp.person.email or ""), pp.person.slack_user_id,
                        _h(pp, "regular"), _h(pp, "overtime"), _h(pp, "double_time"), _h(pp, "meal_premium"),
                        _h(pp, "rest_premium"), f"{pp.pay.gross:.2f}"])


def write_adp(result: PeriodPay, path: Path, cfg: PayrollConfig, *, draft: bool) -> None:
    """One row per person with regular and overtime hours; one more row per Hours 3 code (double time, premiums)."""
    batch = ("DRAFT" if draft else "PR") + f"{result.period.start:%m%d}"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(ADP_HEADER)
        for pp in result.people:
            base = [cells.safe(cfg.adp_company_code), batch, f"{pp.person.id:06d}", cells.safe(pp.person.name)]
            w.writerow([*base, _h(pp, "regular"), _h(pp, "overtime"), "", ""])
            for key, cat in (("DT", "double_time"), ("MEAL", "meal_premium"), ("REST", "rest_premium")):
                if pp.pay.hours(cat):
                    w.writerow([*base, "", "", cfg.adp_code(key), _h(pp, cat)])


def totals(result: PeriodPay) -> dict[str, Decimal]:
    cats = ("regular", "overtime", "double_time", "meal_premium", "rest_premium")
    out = {c: sum((pp.pay.hours(c) for pp in result.people), Decimal("0.00")) for c in cats}
    out["gross_pay"] = sum((pp.pay.gross for pp in result.people), Decimal("0.00"))
    return out


def export_period(session: Session, day, cfg: PayrollConfig, fmt: str, out: Path, *, draft: bool = False) -> str:  # type: ignore[no-untyped-def]
    """Write the period's file; returns the one-line summary the CLI prints."""
    return write(session, period_pay(session, day, cfg), cfg, fmt, out, draft=draft)


def write(session: Session, result: PeriodPay, cfg: PayrollConfig, fmt: str, out: Path, *, draft: bool = False) -> str:
    """Write one file from an already computed period (the bench writes all three from one computation)."""
    if fmt not in FORMATS:
        raise Invalid(f"'{fmt}' is not a payroll format ({', '.join(FORMATS)}).")
    no_rate = [x.detail for pp in result.people for x in pp.pay.exceptions if x.kind == "no_rate"]
    if no_rate:
        raise Conflict(f"{no_rate[0]} Nothing was written.")
    if not result.approved and not draft:
        waiting = [pp.person.name for pp in result.people if not pp.approved]
        who = f" ({len(waiting)} not approved: {', '.join(waiting[:5])}{'...' if len(waiting) > 5 else ''})" if waiting else ""
        raise Conflict(f"The pay period {result.period.start.isoformat()} to {result.period.end.isoformat()} is not approved"
                       f"{who}. Approve it in /timesheets, or add --draft for a file marked DRAFT. Nothing was written.")
    if fmt == "gusto":
        write_gusto(result, out)
    elif fmt == "adp":
        write_adp(result, out, cfg, draft=draft)
    else:
        from bot.services.payroll.exports_xlsx import write_xlsx

        write_xlsx(session, result, out, cfg, draft=draft)
    t = totals(result)
    mark = "DRAFT " if draft and not result.approved else ""
    return (f"Wrote {mark}{fmt} payroll for {result.period.start.isoformat()} to {result.period.end.isoformat()} to {out}: "
            f"{len(result.people)} people, {hours_text(t['regular'])} regular, {hours_text(t['overtime'])} overtime, "
            f"{hours_text(t['double_time'])} double time, {hours_text(t['meal_premium'] + t['rest_premium'])} premium hours, "
            f"gross ${t['gross_pay']:,.2f}.")
