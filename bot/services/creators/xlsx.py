"""The creator roster as a spreadsheet: export every creator, import a sheet all or nothing (row errors named).

A row whose handle is on the roster edits that creator; any other row adds one. One bad row and nothing is written.
Cells written go through bot/services/cells.py; workbooks are opened through bot/services/workbooks.py.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import Person
from bot.services import cells, workbooks
from bot.services.creators import roster
from bot.services.creators.common import dollars, require_associate
from bot.services.errors import Invalid

HEADER = ["Name", "Handle", "Contact", "Agency", "Commission %", "Flat fee ($)", "Audience notes", "Status"]
SHEET = "Creators"
MAX_ROWS = 2000


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        if self.errors:
            return [f"Nothing was imported: {len(self.errors)} row problem(s).", *self.errors[:30]] + (
                [f"... and {len(self.errors) - 30} more."] if len(self.errors) > 30 else [])
        return [f"Imported the creator roster: {self.added} added, {self.updated} updated, {self.unchanged} unchanged."]


def build(session: Session) -> bytes:
    """The roster as .xlsx bytes (the import reads this same layout back)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(HEADER)
    for c in roster.listing(session):
        fee = dollars(c.flat_fee_cents).lstrip("$").replace(",", "") if c.flat_fee_cents is not None else None
        ws.append([cells.safe(v) for v in (c.name, c.handle, c.contact, c.agency,
                                           float(c.commission_pct) if c.commission_pct is not None else None,
                                           fee, c.audience_notes, c.status)])
    for col, width in zip("ABCDEFGH", (24, 20, 28, 20, 14, 14, 40, 10)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export(session: Session, path: Path) -> int:
    path.write_bytes(build(session))
    return len(roster.listing(session))


def is_roster(wb: Any, name: str = "the file") -> bool:
    """True when the first sheet starts with the roster header (so an upload can be told apart).

    Read through workbooks.rows, so a damaged sheet is a plain UnreadableWorkbook, never a parser traceback."""
    ws = wb.worksheets[0] if wb.worksheets else None
    if ws is None:
        return False
    first = next(workbooks.rows(ws, name, max_row=1), ())
    return [str(v).strip() if v is not None else "" for v in first[:len(HEADER)]] == HEADER


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return cells.unquote(value.strip())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None if value is None else str(value)


def import_workbook(session: Session, actor: Person | str, wb: Any, name: str, now: datetime) -> ImportReport:
    """Check every row, then write them all; with any problem nothing is written (the report names the rows)."""
    if not isinstance(actor, str):
        require_associate(actor, "import the creator roster")
    if not is_roster(wb, name):
        raise Invalid(f"{name} is not a creator roster: its first row must be {', '.join(HEADER)} "
                      "(export the roster with /creators export to get the layout).")
    ws = wb.worksheets[0]
    report = ImportReport()
    parsed: list[tuple[int, roster.CreatorInput, roster.CleanCreator]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(workbooks.rows(ws, name, min_row=2), start=2):
        values = [_text(v) for v in (list(row) + [None] * len(HEADER))[:len(HEADER)]]
        if all(v in (None, "") for v in values):
            continue
        if len(parsed) + len(report.errors) >= MAX_ROWS:
            report.errors.append(f"More than {MAX_ROWS:,} rows; split the file.")
            break
        data = roster.CreatorInput(*values[:7], status=values[7] or "prospect")
        clean, errors = roster.parse(data)
        if errors:
            report.errors.append(f"Row {number}: " + " ".join(errors.values()))
            continue
        assert clean is not None
        if clean.handle in seen:
            report.errors.append(f"Row {number}: @{clean.handle} is also on row {seen[clean.handle]}; keep one row per handle.")
            continue
        seen[clean.handle] = number
        parsed.append((number, data, clean))
    if report.errors:
        return report
    for _number, data, clean in parsed:
        existing = roster.by_handle(session, clean.handle)
        if existing is not None and roster.parse(_as_input(existing))[0] == clean:
            report.unchanged += 1
            continue
        roster.save(session, actor, data, now, creator_id=existing.id if existing else None)
        if existing is None:
            report.added += 1
        else:
            report.updated += 1
    return report


def _as_input(c: Any) -> roster.CreatorInput:
    fee = f"{c.flat_fee_cents / 100:.2f}" if c.flat_fee_cents is not None else None
    return roster.CreatorInput(c.name, c.handle, c.contact, c.agency,
                               str(c.commission_pct) if c.commission_pct is not None else None, fee, c.audience_notes, c.status)


def import_file(session: Session, actor: Person | str, path: Path, now: datetime,
                limits: workbooks.Limits | None = None, name: str | None = None) -> ImportReport:
    name = name or path.name
    with workbooks.open_workbook(path, name=name, limits=limits) as wb:
        return import_workbook(session, actor, wb, name, now)
