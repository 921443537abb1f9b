"""The human payroll workbook: a Summary sheet, then one sheet per person with every entry (original vs approved
times, breaks, who edited what and why), the pay lines and the exceptions. Values only: no live formulas, and
every text cell through `cells.safe`."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditRecord
from bot.db.payroll import EntryBreak
from bot.services import cells
from bot.services.payroll.compute import PeriodPay
from bot.services.payroll.config import PayrollConfig
from bot.services.payroll.table import KIND_LABEL
from bot.timefmt import ensure_utc, to_local

SUMMARY_HEADER = ["Person", "Slack ID", "Regular Hours", "Overtime Hours", "Double Time Hours", "Meal Premium Hours",
                  "Rest Premium Hours", "Gross Pay", "Approved", "Exceptions"]
CATS = ("regular", "overtime", "double_time", "meal_premium", "rest_premium")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\']")


def _title(name: str, used: set[str]) -> str:
    base = _BAD_TITLE.sub("", cells.clean(name)).strip()[:28] or "Person"
    title, n = base, 2
    while title.lower() in used or title.lower() == "summary":
        title, n = f"{base[:25]} ({n})", n + 1
    used.add(title.lower())
    return title


def _local(instant, cfg: PayrollConfig) -> str:  # type: ignore[no-untyped-def]
    return to_local(ensure_utc(instant), cfg.cal.tz).strftime("%Y-%m-%d %H:%M") if instant else ""


def _history(session: Session, entry_ids: list[int]) -> dict[int, list[AuditRecord]]:
    out: dict[int, list[AuditRecord]] = defaultdict(list)
    if entry_ids:
        for rec in session.scalars(select(AuditRecord).where(
                AuditRecord.entity_type == "time_entry", AuditRecord.entity_id.in_([str(i) for i in entry_ids]))
                .order_by(AuditRecord.id)):
            out[int(rec.entity_id)].append(rec)
    return out


def write_xlsx(session: Session, result: PeriodPay, path: Path, cfg: PayrollConfig, *, draft: bool) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    status = "APPROVED" if result.approved else ("DRAFT: not approved" if draft else "not approved")
    ws.append([cells.safe(f"Payroll {result.period.start.isoformat()} to {result.period.end.isoformat()}: {status}")])
    ws["A1"].font = Font(bold=True)
    ws.append(SUMMARY_HEADER)
    for pp in result.people:
        ws.append([cells.safe(pp.person.name), pp.person.slack_user_id, *(pp.pay.hours(c) for c in CATS), pp.pay.gross,
                   "yes" if pp.approved else "no", len(pp.pay.exceptions)])
    ws.append(["Total", "", *(sum((pp.pay.hours(c) for pp in result.people), start=0) for c in CATS),
               sum((pp.pay.gross for pp in result.people), start=0), "", ""])
    for row in ws.iter_rows(min_row=3, min_col=3, max_col=8):
        for c in row:
            c.number_format = "0.00"
    ids = [e.id for pp in result.people for e in pp.entries]
    history = _history(session, ids)
    breaks: dict[int, list[EntryBreak]] = defaultdict(list)
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for b in session.scalars(select(EntryBreak).where(EntryBreak.entry_id.in_(chunk))):
            breaks[b.entry_id].append(b)
    used: set[str] = set()
    for pp in result.people:
        sh = wb.create_sheet(_title(pp.person.name, used))
        sh.append([cells.safe(f"{pp.person.name} ({pp.person.slack_user_id}): {result.period.start} to {result.period.end}")])
        sh.append(["Entry", "Original In", "Original Out", "Approved In", "Approved Out", "Unpaid Breaks", "Source",
                   "Edited By", "Why"])
        for e in pp.entries:
            recs = history.get(e.id, [])
            edits = [r for r in recs if r.action == "timeclock.entry_edited"]
            first = (edits[0].before or {}) if edits else {}
            orig_in = first.get("clock_in_at") or _local(e.clock_in_at, cfg)
            orig_out = first.get("clock_out_at") or _local(e.clock_out_at, cfg)
            if edits:
                orig_in = _local(datetime.fromisoformat(orig_in), cfg) if first.get("clock_in_at") else orig_in
                orig_out = _local(datetime.fromisoformat(orig_out), cfg) if first.get("clock_out_at") else orig_out
            brk = ", ".join(f"{_local(b.starts_at, cfg)[-5:]}-{_local(b.ends_at, cfg)[-5:]}" for b in sorted(breaks[e.id], key=lambda b: b.starts_at))
            sh.append([e.id, orig_in, orig_out, _local(e.clock_in_at, cfg), _local(e.clock_out_at, cfg), brk,
                       cells.safe(e.source), cells.safe(", ".join(r.actor for r in edits)),
                       cells.safe(" | ".join(r.reason or "" for r in edits))])
        sh.append([])
        sh.append(["Pay line", "Rate", "Multiplier", "Hours", "Amount"])
        for ln in pp.pay.lines:
            sh.append([ln.category.replace("_", " "), ln.rate, ln.multiplier, ln.hours, ln.amount])
        sh.append(["Gross pay", "", "", "", pp.pay.gross])
        sh.append([])
        sh.append(["Exception date", "Kind", "Detail"])
        for x in pp.pay.exceptions:
            sh.append([x.day.isoformat(), KIND_LABEL.get(x.kind, x.kind), cells.safe(x.detail)])
    wb.save(path)
