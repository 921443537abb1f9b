"""`opsbot timesheets import FILE.xlsx`: punches from elsewhere, into the time clock, every row or none.

Columns `Person, Date, In, Out, Unpaid breaks, Notes` (header = row 1). Date is the day of In; an Out earlier than
In is the next day; `Unpaid breaks` is a comma-separated list of HH:MM-HH:MM inside the shift (possibly after
midnight). Every bad row is reported by its row number and reason, like the schedule import; an identical
re-import changes nothing. Imported entries are audited as `timeclock.entry_imported`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.db.models import Person, Shift, TimeEntry
from bot.db.payroll import EntryBreak
from bot.services import audit, workbooks
from bot.services.cells import unquote
from bot.services.errors import Invalid
from bot.services.payroll import locks
from bot.services.payroll.config import PayrollConfig
from bot.services.payroll.rates import Actor, actor_id
from bot.services.schedule.xlsx import PersonIndex
from bot.services.validation import InputError, parse_date, parse_time
from bot.timefmt import ensure_utc, local_to_utc

HEADER = ("Person", "Date", "In", "Out", "Unpaid breaks", "Notes")
MAX_ROWS = 5001
MAX_SHIFT = timedelta(hours=24)
FIELDS = ["clock_in_at", "clock_out_at", "shift_id", "unscheduled", "note_in", "source"]


@dataclass
class Row:
    number: int
    person: Person
    start: datetime
    end: datetime
    breaks: list[tuple[datetime, datetime]]
    note: str | None


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[str]:
        return [f"row {number}: {reason}" for number, reason in self.errors]

    def summary(self) -> str:
        if not self.ok:
            return f"Nothing was imported: {len({n for n, _ in self.errors})} row(s) need fixing."
        same = f"; {self.unchanged} already recorded exactly so (unchanged)" if self.unchanged else ""
        return f"Imported: {self.created} time entr{'y' if self.created == 1 else 'ies'} added{same}."


def _text(value: Any) -> str:
    return "" if value is None else unquote(str(value).strip())


def _time(value: Any, label: str) -> time:
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    return parse_time(value if isinstance(value, time) else _text(value), label=label)


def _parse(values: tuple, index: PersonIndex, cfg: PayrollConfig, problems: list[str]) -> Row | None:
    ref, day_v, in_v, out_v, breaks_v, notes_v = (tuple(values) + (None,) * 6)[:6]
    person = day = t_in = t_out = None
    try:
        person = index.find(_text(ref)) if _text(ref) else None
        if person is None:
            problems.append("Person is empty")
    except ValueError as exc:
        problems.append(str(exc))
    for label, fn in (("Date", lambda: parse_date(day_v.date() if isinstance(day_v, datetime) else day_v if isinstance(day_v, date) else _text(day_v), label="Date")),
                      ("In", lambda: _time(in_v, "In")), ("Out", lambda: _time(out_v, "Out"))):
        try:
            value = fn()
        except InputError as exc:
            problems.append(exc.message.rstrip("."))
            continue
        if label == "Date":
            day = value
        elif label == "In":
            t_in = value
        else:
            t_out = value
    if problems or day is None or t_in is None or t_out is None or person is None:
        return None
    if t_out == t_in:
        problems.append("Out is the same as In")
        return None
    start = local_to_utc(day, t_in, cfg.cal.tz)
    end = local_to_utc(day + timedelta(days=1) if t_out < t_in else day, t_out, cfg.cal.tz)

    def inside(t: time) -> datetime:
        at = local_to_utc(day, t, cfg.cal.tz)
        return at if at >= start else local_to_utc(day + timedelta(days=1), t, cfg.cal.tz)

    breaks: list[tuple[datetime, datetime]] = []
    for part in [p.strip() for p in _text(breaks_v).split(",") if p.strip()]:
        m = re.fullmatch(r"(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})", part)
        if not m:
            problems.append(f"Unpaid breaks: '{part[:20]}' is not HH:MM-HH:MM")
            continue
        try:
            b0, b1 = inside(parse_time(m.group(1))), inside(parse_time(m.group(2)))
        except InputError as exc:
            problems.append(f"Unpaid breaks: {exc.message.rstrip('.')}")
            continue
        if b1 <= b0 or b1 > end:
            problems.append(f"the break {part} is outside the shift ({t_in:%H:%M}-{t_out:%H:%M})")
        elif any(b0 < e and s < b1 for s, e in breaks):
            problems.append(f"the break {part} overlaps another break")
        else:
            breaks.append((b0, b1))
    note = _text(notes_v)[:2000] or None
    return None if problems else Row(0, person, start, end, sorted(breaks), note)


def read_rows(session: Session, wb: Any, name: str, cfg: PayrollConfig) -> tuple[list[Row], ImportReport]:
    report = ImportReport()
    it = workbooks.rows(wb.worksheets[0], name)
    header = tuple(_text(v).lower() for v in next(it, ()))[:6]
    if header != tuple(h.lower() for h in HEADER):
        raise Invalid(f"The first row must be the header {', '.join(HEADER)} (in that order). Nothing was imported.")
    index = PersonIndex(session)
    rows: list[Row] = []
    for number, values in enumerate(it, start=2):
        if all(_text(v) == "" for v in tuple(values)[:6]):
            continue
        if number > MAX_ROWS:
            report.errors.append((number, f"more than {MAX_ROWS - 1} rows; split the file"))
            break
        problems: list[str] = []
        row = _parse(tuple(values), index, cfg, problems)
        if row is not None and row.end - row.start > MAX_SHIFT:
            problems.append("the shift is longer than 24 hours")
        if problems or row is None:
            report.errors.extend((number, p) for p in problems)
            continue
        row.number = number
        rows.append(row)
    return rows, report


def _check(session: Session, rows: list[Row], report: ImportReport) -> list[Row]:
    """Locks, overlaps (with the file and with the time clock) and exact repeats; returns the rows to add."""
    new: list[Row] = []
    for r in rows:
        lock = locks.lock_over(session, r.person.id, r.start, r.end)
        if lock is not None:
            report.errors.append((r.number, f"{locks.describe(lock)} (an admin can unlock it in /timesheets)"))
            continue
        clash = next((o for o in new if o.person.id == r.person.id and o.start < r.end and r.start < o.end), None)
        if clash is not None:
            report.errors.append((r.number, f"overlaps row {clash.number} for {r.person.name}"))
            continue
        existing = session.scalars(select(TimeEntry).where(
            TimeEntry.person_id == r.person.id, TimeEntry.clock_in_at < r.end,
            or_(TimeEntry.clock_out_at.is_(None), TimeEntry.clock_out_at > r.start))).all()
        same = [e for e in existing if ensure_utc(e.clock_in_at) == r.start and e.clock_out_at is not None
                and ensure_utc(e.clock_out_at) == r.end]
        if same and len(existing) == 1:
            report.unchanged += 1
            continue
        if existing:
            e = existing[0]
            report.errors.append((r.number, f"overlaps a punch already recorded for {r.person.name} "
                                            f"(clocked in {ensure_utc(e.clock_in_at):%Y-%m-%d %H:%M} UTC)"))
            continue
        new.append(r)
    return new


def import_file(session: Session, actor: Actor, path: Path, cfg: PayrollConfig, now: datetime,
                limits: workbooks.Limits | None = None) -> ImportReport:
    """Validate every row, then add all of them, or nothing when any row is bad."""
    who = actor_id(actor, "import timesheets")
    with workbooks.open_workbook(path, limits=limits) as wb:
        rows, report = read_rows(session, wb, path.name, cfg)
    new = _check(session, rows, report)  # every row is checked, so one run reports every problem
    if not report.ok:
        report.errors.sort()
        return report
    if not rows:
        raise Invalid(f"{path.name} has no rows under the header.")
    for r in new:
        shift = session.scalars(select(Shift).where(Shift.person_id == r.person.id, Shift.cancelled.is_(False),
                                                    Shift.starts_at < r.end, Shift.ends_at > r.start).limit(1)).first()
        entry = TimeEntry(person_id=r.person.id, shift_id=shift.id if shift else None, clock_in_at=r.start, clock_out_at=r.end,
                          note_in=r.note, unscheduled=shift is None, edited=False, source="import", created_at=now)
        session.add(entry)
        session.flush()
        for b0, b1 in r.breaks:
            session.add(EntryBreak(entry_id=entry.id, starts_at=b0, ends_at=b1))
        audit.record(session, actor=who, action="timeclock.entry_imported", entity_type="time_entry", entity_id=entry.id,
                     after={**audit.snapshot(entry, FIELDS), "breaks": [[b0.isoformat(), b1.isoformat()] for b0, b1 in r.breaks]},
                     reason=f"imported from {path.name[:200]} row {r.number}")
        report.created += 1
    session.flush()
    return report
