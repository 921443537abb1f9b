"""The calendar as a spreadsheet: template, export and all-or-nothing import (openpyxl).

Columns, in order: Date (YYYY-MM-DD), Start (HH:MM), End (HH:MM), Session, Product tier, Host, PA,
Notes. People are matched by Slack user ID, email, or exact display/real name (case-insensitive).
An End at or before Start is an error ("end before start"): the sheet has one Date column, so a LIVE
past midnight is planned in the Slack form ("ends after midnight") instead of guessed here.
A row whose Session and start match an existing session updates it (so export -> edit -> import
round-trips); other rows add sessions as drafts. Sessions not in the file are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import LiveSession, Person
from bot.services import schedule
from bot.services.errors import Invalid
from bot.services.rules import Busy, Rules, assess, load_facts
from bot.timefmt import local_to_utc, to_local

HEADER = ["Date", "Start", "End", "Session", "Product tier", "Host", "PA", "Notes"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 2000
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


def safe_text(value: str | None) -> str | None:
    """Text the bot writes never starts a formula: a leading = + - @ is quoted with an apostrophe."""
    if value and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _unquote(value: str) -> str:
    return value[1:] if len(value) > 1 and value[0] == "'" and value[1] in "=+-@" else value


def _person_ref(p: Person | None) -> str:
    if p is None:
        return ""
    return p.email or p.slack_user_id


def _sheet(title: str) -> tuple[Workbook, object]:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGH", (12, 8, 8, 32, 12, 26, 26, 40)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    return wb, ws


def _validations(ws, tier_codes: list[str]) -> None:  # type: ignore[no-untyped-def]
    tiers = DataValidation(type="list", formula1='"' + ",".join(tier_codes) + '"', allow_blank=True,
                           showErrorMessage=True, errorTitle="Product tier", error="Pick one of: " + ", ".join(tier_codes))
    dates = DataValidation(type="date", operator="between", formula1="DATE(2020,1,1)", formula2="DATE(2100,12,31)",
                           allow_blank=True, showErrorMessage=True, errorTitle="Date", error="Enter a date as YYYY-MM-DD.")
    times = DataValidation(type="time", operator="between", formula1="0", formula2="0.999988426", allow_blank=True,
                           showErrorMessage=True, errorTitle="Time", error="Enter a time as HH:MM (24-hour).")
    for dv, ref in ((tiers, f"E2:E{MAX_ROWS}"), (dates, f"A2:A{MAX_ROWS}"), (times, f"B2:C{MAX_ROWS}")):
        ws.add_data_validation(dv)
        dv.add(ref)


def _write_row(ws, day: date, start: time, end: time, values: list[str | None]) -> None:  # type: ignore[no-untyped-def]
    ws.append([day, start, end, *[safe_text(v) for v in values]])
    row = ws.max_row
    ws.cell(row, 1).number_format = "yyyy-mm-dd"
    ws.cell(row, 2).number_format = "hh:mm"
    ws.cell(row, 3).number_format = "hh:mm"
    for col in range(4, 9):
        ws.cell(row, col).data_type = "s"


def write_template(session: Session, path: Path) -> None:
    wb, ws = _sheet("Schedule")
    _write_row(ws, date(2026, 11, 2), time(10, 0), time(12, 0),
               ["Glow serum LIVE (example: delete this row)", "A", "hana@studio.example", "U0123PA", "Bundle: serum + toner"])
    _validations(ws, [t.code for t in schedule.product_tiers(session)])
    wb.save(path)


def export_week(session: Session, monday: date, rules: Rules, path: Path) -> int:
    """Write a week's sessions; returns how many rows."""
    wb, ws = _sheet(schedule.week_label(monday))
    sessions = schedule.week_sessions(session, monday, rules)
    for live in sessions:
        ls, le = to_local(live.starts_at, rules.tz), to_local(live.ends_at, rules.tz)
        host, pa = schedule.slot(live, "host"), schedule.slot(live, "pa")
        _write_row(ws, ls.date(), ls.time().replace(second=0, microsecond=0), le.time().replace(second=0, microsecond=0),
                   [live.title, live.product_tier, _person_ref(host.person if host else None),
                    _person_ref(pa.person if pa else None), live.notes])
    _validations(ws, [t.code for t in schedule.product_tiers(session)])
    wb.save(path)
    return len(sessions)


@dataclass
class Row:
    number: int
    starts_at: datetime
    ends_at: datetime
    title: str
    tier: str | None
    host: Person | None
    pa: Person | None
    notes: str | None
    existing: LiveSession | None = None


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    return _unquote(str(value).strip())


def _parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_cell_text(value))
    except ValueError:
        raise ValueError(f"bad date '{_cell_text(value)}' (use YYYY-MM-DD)") from None


def _parse_time(value: object, column: str) -> time:
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    m = _TIME_RE.match(_cell_text(value))
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError(f"bad {column} time '{_cell_text(value)}' (use HH:MM, 24-hour)")
    return time(int(m.group(1)), int(m.group(2)))


class PersonIndex:
    """Slack user ID, email, or exact display/real name -> person (ambiguous names are refused)."""

    def __init__(self, session: Session) -> None:
        self.by_key: dict[str, list[Person]] = {}
        for p in session.scalars(select(Person).where(Person.active.is_(True))):
            for key in {p.slack_user_id.lower(), (p.email or "").lower(), (p.display_name or "").lower(),
                        (p.real_name or "").lower()} - {""}:
                self.by_key.setdefault(key, []).append(p)

    def find(self, ref: str) -> Person:
        found = self.by_key.get(ref.strip().lstrip("@").lower(), [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValueError(f"'{ref}' matches {len(found)} people; use their email or Slack user ID")
        raise ValueError(f"unknown person '{ref}'")


def read_rows(session: Session, path: Path, rules: Rules) -> tuple[list[Row], ImportReport]:
    """Parse and validate every row; nothing is written."""
    report = ImportReport()
    try:
        wb = load_workbook(path, data_only=True, read_only=True)
    except Exception:
        raise Invalid(f"{path.name} isn't an .xlsx workbook opsbot can read.") from None
    ws = wb.worksheets[0]
    rows_iter = ws.iter_rows(values_only=True)
    header = [_cell_text(v) for v in next(rows_iter, ())][: len(HEADER)]
    if [h.lower() for h in header] != [h.lower() for h in HEADER]:
        raise Invalid(f"The first row must be the header {', '.join(HEADER)} (in that order); "
                      f"`opsbot template schedule FILE.xlsx` writes one.")
    tiers = {t.code: t for t in schedule.product_tiers(session)}
    index = PersonIndex(session)
    rows: list[Row] = []
    for number, values in enumerate(rows_iter, start=2):
        values = tuple(values) + (None,) * (len(HEADER) - len(values))
        if all(_cell_text(v) == "" for v in values[: len(HEADER)]):
            continue
        if number > MAX_ROWS:
            report.errors.append((number, f"more than {MAX_ROWS - 1} rows; split the file"))
            break
        problems: list[str] = []
        try:
            day = _parse_date(values[0])
        except ValueError as exc:
            problems.append(str(exc))
            day = None
        start = end = None
        for col, name in ((1, "Start"), (2, "End")):
            try:
                parsed = _parse_time(values[col], name)
                start, end = (parsed, end) if col == 1 else (start, parsed)
            except ValueError as exc:
                problems.append(str(exc))
        if start is not None and end is not None and end <= start:
            problems.append(f"end before start ({end:%H:%M} is not after {start:%H:%M}; a LIVE past midnight "
                            "must be added in Slack)")
        title = _cell_text(values[3])
        if not title:
            problems.append("Session is empty")
        elif len(title) > schedule.MAX_TITLE:
            problems.append(f"Session is longer than {schedule.MAX_TITLE} characters")
        tier_code = _cell_text(values[4]).upper() or None
        if tier_code and tier_code not in tiers:
            problems.append(f"unknown product tier '{tier_code}' (tiers: {', '.join(tiers)})")
        who: dict[str, Person | None] = {"host": None, "pa": None}
        for col, role in ((5, "host"), (6, "pa")):
            ref = _cell_text(values[col])
            if ref:
                try:
                    who[role] = index.find(ref)
                except ValueError as exc:
                    problems.append(str(exc))
        notes = _cell_text(values[7]) or None
        if problems:
            report.errors.extend((number, p) for p in problems)
            continue
        assert day is not None and start is not None and end is not None
        rows.append(Row(number, local_to_utc(day, start, rules.tz), local_to_utc(day, end, rules.tz), title, tier_code,
                        who["host"], who["pa"], notes))
    wb.close()
    if rows:
        _check_people(session, rows, tiers, rules, report)
    return rows, report


def _check_people(session: Session, rows: list[Row], tiers: dict, rules: Rules, report: ImportReport) -> None:  # type: ignore[type-arg]
    """Tier, time off and overlaps against the database and against earlier rows of the same file."""
    start = min(r.starts_at for r in rows)
    end = max(r.ends_at for r in rows)
    people_ids = list({p.id for r in rows for p in (r.host, r.pa) if p is not None})
    facts = load_facts(session, start, end, people_ids)
    existing = {(s.title, s.starts_at): s for s in session.scalars(
        select(LiveSession).where(LiveSession.status != "cancelled", LiveSession.starts_at >= start,
                                  LiveSession.starts_at <= end))}
    replaced: set[int] = set()
    for r in rows:
        r.existing = existing.get((r.title, r.starts_at))
        if r.existing is not None:
            replaced.update(sh.id for sh in r.existing.shifts)
    seen: dict[tuple[str, datetime], int] = {}
    for r in rows:
        if (r.title, r.starts_at) in seen:
            report.errors.append((r.number, f"same session and start as row {seen[(r.title, r.starts_at)]}"))
            continue
        seen[(r.title, r.starts_at)] = r.number
        min_tier = tiers[r.tier].min_host_tier if r.tier else None
        for role, p in (("host", r.host), ("pa", r.pa)):
            if p is None:
                continue
            f = facts[p.id]
            for issue in assess(f, role, r.starts_at, r.ends_at, min_tier, rules, replaced):
                label = {"overlap": "overlap: ", "tier": "tier too low: ", "time_off": "unavailable: "}.get(issue.code, "")
                reason = label + issue.message
                (report.errors if issue.hard else report.warnings).append((r.number, reason))
            f.add(Busy(-r.number, r.starts_at, r.ends_at, f"{role.upper() if role == 'pa' else 'Host'} on row {r.number}"))


def import_file(session: Session, actor: schedule.Actor, path: Path, rules: Rules) -> ImportReport:
    """Validate every row, then apply all of them, or nothing when any row is bad."""
    schedule.actor_id(actor)
    rows, report = read_rows(session, path, rules)
    if not report.ok:
        return report
    if not rows:
        raise Invalid(f"{path.name} has no rows under the header.")
    for r in rows:
        data = schedule.SessionInput(r.title, r.starts_at, r.ends_at, r.existing.room if r.existing else None, r.tier,
                                     [p.id for p in schedule.session_skus(session, r.existing.id)] if r.existing else [],
                                     r.notes)
        if r.existing is None:
            live = schedule.create_session(session, actor, data)
            report.created += 1
        else:
            live, _ = schedule.edit_session(session, actor, r.existing.id, data, rules, override=True)
            report.updated += 1
        schedule.assign(session, actor, live.id, {"host": r.host.slack_user_id if r.host else None,
                                                  "pa": r.pa.slack_user_id if r.pa else None}, rules, override=True)
    return report

