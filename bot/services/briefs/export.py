"""The approvals record legal keeps, as an xlsx workbook: every version's text hash, every decision, every finding.

Written for people (bold frozen header, widths, dates in the team's time zone) and safe to open:
user text never starts a formula, so a title like "=HYPERLINK(...)" stays text (cells.safe, shared by every export).
Each row shows its own version's outcome; the brief's status now is the last column, named as such.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.db.briefs import KIND_LABEL
from bot.services.briefs.records import ExportRow, findings_of
from bot.services.cells import safe
from bot.services.claims.finding import summarize
from bot.timefmt import to_local

DATE_FORMAT = "yyyy-mm-dd hh:mm"
DECISION_LABEL = {"approve": "Approved", "request_changes": "Changes requested", "reject": "Rejected"}


def version_outcome(b: Any, v: Any, who: Callable[[str | None], str | None],
                    local: Callable[[datetime | None], datetime | None]) -> str:
    """What became of this one version (not of the brief): the decision that settled it, by whom, when and why.

    Version 1 sent back by legal reads "Changes requested ..." even after version 2 was approved."""
    approvals = 0
    for d in v.decisions:
        if d.decision == "approve":
            approvals += 1
            if approvals >= b.approvals_required:
                return f"Approved by {who(d.decider)} on {local(d.at):%Y-%m-%d %H:%M}"
            continue
        reason = f": {d.reason}" if d.reason else ""
        return f"{DECISION_LABEL[d.decision]} by {who(d.decider)} on {local(d.at):%Y-%m-%d %H:%M}{reason}"
    if v.number < b.current_version:
        return f"Not decided: replaced by version {b.current_version}"
    if b.status == "draft":
        return "Not decided: withdrawn to a draft"
    return f"Waiting for legal ({approvals} of {b.approvals_required} approvals)"


def _sheet(ws: Worksheet, columns: list[tuple[str, int]], rows: list[list[Any]]) -> None:
    ws.append([title for title, _ in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1D1C1D")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        ws.append([safe(v) for v in row])
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(cell.value, str) and len(cell.value) > 40)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions


def write_workbook(rows: list[ExportRow], names: dict[str, str], tz: ZoneInfo, path: Path) -> int:
    """Write the workbook; returns the number of decision rows."""

    def local(instant: datetime | None) -> datetime | None:
        return to_local(instant, tz).replace(tzinfo=None) if instant else None

    def who(user_id: str | None) -> str | None:
        return f"{names.get(user_id, user_id)} ({user_id})" if user_id else None

    zone = tz.key
    approvals, findings, texts, seen = [], [], [], set()
    for r in rows:
        b, v, d = r.brief, r.version, r.decision
        found = v.findings or []
        summary = ", ".join(f"{cat} {n}" for cat, n in summarize(findings_of(v)).items())
        target = b.session.title if b.session is not None else b.campaign
        approvals.append([b.id, b.title, KIND_LABEL.get(b.kind, b.kind), b.skus, target, who(b.submitter),
                          v.number, version_outcome(b, v, who, local), local(v.submitted_at), local(v.due_at), v.text_sha256, len(v.text), v.link,
                          len(found), summary or "none", DECISION_LABEL[d.decision] if d else "(no decision yet)",
                          who(d.decider) if d else None, local(d.at) if d else None, d.reason if d else None,
                          f"{b.status.replace('_', ' ')} (version {b.current_version})"])
        if v.id in seen:
            continue
        seen.add(v.id)
        texts.append([b.id, v.number, v.text_sha256, local(v.submitted_at), who(v.submitted_by), v.text])
        findings += [[b.id, v.number, v.text_sha256, f.line, f.column, f.category, f.text, f.severity, f.reason,
                      f.rule, f.suggestion] for f in findings_of(v)]
    wb = Workbook()
    ws = wb.active
    ws.title = "Approvals"
    _sheet(ws, [("Brief #", 9), ("Title", 32), ("Kind", 14), ("SKUs", 20), ("Session / campaign", 26),
                ("Submitted by", 26), ("Version", 9), ("This version's outcome", 44), (f"Submitted ({zone})", 18),
                (f"Due ({zone})", 18), ("Text SHA-256", 66), ("Text characters", 10), ("Link", 30),
                ("Claim findings", 10), ("Findings by category", 28), ("Decision", 18), ("Decided by", 26),
                (f"Decided at ({zone})", 18), ("Reason", 44), ("Brief now (latest version)", 24)], approvals)
    _sheet(wb.create_sheet("Claim findings"), [("Brief #", 9), ("Version", 9), ("Text SHA-256", 66), ("Line", 7),
                                                ("Column", 8), ("Category", 16), ("Phrase", 26), ("Severity", 9),
                                                ("Reason", 60), ("Rule", 40), ("Suggestion", 60)], findings)
    _sheet(wb.create_sheet("Texts"), [("Brief #", 9), ("Version", 9), ("Text SHA-256", 66), (f"Submitted ({zone})", 18),
                                      ("Submitted by", 26), ("Full text", 100)], texts)
    wb.save(path)
    return len(approvals)

