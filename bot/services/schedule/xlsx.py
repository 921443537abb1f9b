"""The calendar spreadsheet's all-or-nothing import (the template and export are in export.py).

Columns, in order: Date (YYYY-MM-DD), Start (HH:MM), End (HH:MM), Session, Product tier, Host, PA, Notes, and the
export's optional trailing Session key, Host ID, PA ID (see sheet.py). People are matched by Slack user ID,
email, or exact display/real name (case-insensitive); a Host/PA ID column settles who a name meant. An End before
the Start ends the next day (a LIVE past midnight, as the Slack form's "ends after midnight").
A row with a Session key edits that session, wherever it moved; a row without one whose Session and start match an
existing session updates it; other rows add sessions as drafts. Sessions not in the file are left alone, and
sessions that already started are left as they are and reported as skipped (they never block the other rows).
Both sheets (the `Run of show` one: schedule_ros_import) are checked before anything is written: one bad row in
either and nothing is imported. The file is opened once, through the safe opener (workbooks.open_workbook).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import LiveSession, Person
from bot.services import workbooks
from bot.services.run_of_show import plan as run_of_show_plan, segments as run_of_show_segments
from bot.services.schedule import calendar as schedule_calendar, catalog, planner
from bot.services.cells import unquote
from bot.services.errors import Invalid
from bot.services.schedule.rules import Busy, Rules, assess, load_facts
from bot.services.schedule.export import export_week, write_template
from bot.services.schedule.ros_import import RosPlan, read_ros
from bot.services.schedule.sheet import HEADER, HOST_ID, KEY, MAX_ROWS, PA_ID, ROS_HEADER, ROS_SHEET, TRAILING, session_day_problem
from bot.services.validation import INT32_MAX
from bot.timefmt import fmt_datetime, local_date, local_to_utc

__all__ = ["HEADER", "ROS_HEADER", "ROS_SHEET", "ImportReport", "PersonIndex", "RosPlan", "Row", "export_week",
           "import_file", "import_workbook", "is_schedule", "looks_like_schedule", "read_rows", "write_template"]
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


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
    key: int | None = None
    existing: LiveSession | None = None
    live: LiveSession | None = None  # set when applied


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # rows left as they are (the session already started)
    created: int = 0
    updated: int = 0
    moved: int = 0  # of the updated, how many got a new start or end
    ros_sessions: int = 0  # sessions whose run-of-show the Run of show sheet replaced

    @property
    def ok(self) -> bool:
        return not self.errors

    def warning_lines(self) -> list[str]:
        return [f"row {number}: warning: {reason}" for number, reason in self.warnings] + \
               [f"row {number}: skipped: {reason}" for number, reason in self.skipped]

    def error_lines(self) -> list[str]:
        return [f"row {number}: {reason}" for number, reason in self.errors]

    def summary(self) -> str:
        if not self.ok:
            return f"Nothing was imported: {len({n for n, _ in self.errors})} row(s) need fixing."
        moved = f" ({self.moved} moved)" if self.moved else ""
        n = sum(1 for _, reason in self.skipped if not reason.startswith(f"({ROS_SHEET} sheet)"))
        skipped = f"; {n} skipped (already started, left as they are)" if n else ""
        return (f"Imported: {self.created} session(s) added, {self.updated} updated{moved} (drafts until the week is "
                f"published){skipped}; run-of-show replaced for {self.ros_sessions} session(s).")

    def lines(self) -> list[str]:
        """The report as plain sentences, for the CLI and the bot: the outcome first, then each row."""
        return [self.summary(), *self.error_lines(), *self.warning_lines()]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    return unquote(str(value).strip())


def _parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_cell_text(value))
    except ValueError:
        raise ValueError(f"bad date '{_cell_text(value)[:40]}' (use YYYY-MM-DD)") from None


def _parse_time(value: object, column: str) -> time:
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    m = _TIME_RE.match(_cell_text(value))
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError(f"bad {column} time '{_cell_text(value)[:40]}' (use HH:MM, 24-hour)")
    return time(int(m.group(1)), int(m.group(2)))


def _parse_key(value: object) -> int | None:
    if value is None or _cell_text(value) == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer() and 0 < value <= INT32_MAX:
        return int(value)
    text = _cell_text(value)
    if re.fullmatch(r"\d{1,10}", text) and 0 < int(text) <= INT32_MAX:
        return int(text)
    raise ValueError(f"Session key '{text[:40]}' is not one opsbot wrote; clear it to add the row as a new session")


class PersonIndex:
    """Slack user ID, email, or exact display/real name -> person (ambiguous names are refused)."""

    def __init__(self, session: Session) -> None:
        self.by_key: dict[str, list[Person]] = {}
        self.by_id: dict[str, Person] = {}
        for p in session.scalars(select(Person).where(Person.active.is_(True))):
            self.by_id[p.slack_user_id.lower()] = p
            for key in {p.slack_user_id.lower(), (p.email or "").lower(), (p.display_name or "").lower(),
                        (p.real_name or "").lower()} - {""}:
                self.by_key.setdefault(key, []).append(p)

    def find(self, ref: str, slack_id: str = "") -> Person:
        """The person a cell names; `slack_id` (the export's ID column) wins while the name still fits it."""
        key = ref.strip().lstrip("@").lower()
        by_id = self.by_id.get(slack_id.strip().lower()) if slack_id else None
        if by_id is not None and key in {by_id.slack_user_id.lower(), by_id.name.lower(), (by_id.email or "").lower(),
                                         (by_id.real_name or "").lower()}:
            return by_id
        found = self.by_key.get(key, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValueError(f"'{ref}' matches {len(found)} people; use their email or Slack user ID")
        raise ValueError(f"unknown person '{ref[:80]}'")


def _sheets(wb):  # type: ignore[no-untyped-def]
    """(schedule sheet, Run of show sheet): the schedule sheet is the first one that isn't the run-of-show."""
    ros_ws = next((w for w in wb.worksheets if w.title.strip().lower() == ROS_SHEET.lower()), None)
    ws = next(w for w in wb.worksheets if w is not ros_ws) if len(wb.worksheets) > 1 or ros_ws is None else None
    return ws, ros_ws


def _is_header(values: tuple | list) -> bool:  # type: ignore[type-arg]
    header = [_cell_text(v) for v in values][: len(HEADER)]
    return [h.lower() for h in header] == [h.lower() for h in HEADER]


def is_schedule(wb: Any, name: str = "the file") -> bool:
    """True when an opened workbook's schedule sheet starts with the template's header (what the import reads)."""
    ws, _ = _sheets(wb)
    return ws is not None and _is_header(next(workbooks.rows(ws, name, max_row=1), ()))


def looks_like_schedule(path: Path, limits: workbooks.Limits | None = None) -> bool:
    try:
        with workbooks.open_workbook(path, limits=limits) as wb:
            return is_schedule(wb, path.name)
    except Invalid:
        return False


def _started(live: LiveSession, now: datetime) -> bool:
    return live.status in ("live", "done") or live.starts_at <= now


def read_rows(session: Session, path: Path, rules: Rules,
              limits: workbooks.Limits | None = None) -> tuple[list[Row], list[RosPlan], ImportReport]:
    """Parse and validate every row of a file; nothing is written."""
    with workbooks.open_workbook(path, limits=limits) as wb:
        return read_workbook(session, wb, path.name, rules)


def read_workbook(session: Session, wb: Any, name: str, rules: Rules) -> tuple[list[Row], list[RosPlan], ImportReport]:
    """Parse and validate every row of an opened workbook; nothing is written."""
    report = ImportReport()
    ws, ros_ws = _sheets(wb)
    if ws is None:
        raise Invalid(f"{name} has only a {ROS_SHEET} sheet; the schedule sheet must come first.")
    rows_iter = workbooks.rows(ws, name)
    header = tuple(next(rows_iter, ()))
    if not _is_header(header):
        raise Invalid(f"The first row must be the header {', '.join(HEADER)} (in that order); "
                      f"`opsbot template schedule FILE.xlsx` writes one.")
    trailing = {t.lower(): t for t in TRAILING}
    extra = {trailing[_cell_text(v).lower()]: i for i, v in enumerate(header)
             if i >= len(HEADER) and _cell_text(v).lower() in trailing}
    width = max([len(HEADER), *[i + 1 for i in extra.values()]])
    tiers = {t.code: t for t in catalog.product_tiers(session)}
    index = PersonIndex(session)
    today = local_date(clock.now(), rules.tz)
    rows: list[Row] = []
    for number, values in enumerate(rows_iter, start=2):
        values = tuple(values) + (None,) * (width - len(values))
        if all(_cell_text(v) == "" for v in values[:width]):
            continue
        if number > MAX_ROWS:
            report.errors.append((number, f"more than {MAX_ROWS - 1} rows; split the file"))
            break
        problems: list[str] = []
        row = _parse_row(values, extra, tiers, index, today, rules, problems)
        if problems or row is None:
            report.errors.extend((number, p) for p in problems)
            continue
        row.number = number
        rows.append(row)
    now = clock.now()
    _resolve_existing(session, rows, report, now, rules)
    rows = [r for r in rows if r.number not in {n for n, _ in report.skipped}]
    if rows:
        _check_people(session, rows, tiers, rules, report)
    plans = (read_ros(session, workbooks.rows(ros_ws, name), rows, rules, report, text=_cell_text,
                      parse_time=_parse_time, started=lambda live: _started(live, now))
             if ros_ws is not None else [])
    return rows, plans, report


def _parse_row(values: tuple[Any, ...], extra: dict[str, int], tiers: dict, index: PersonIndex, today: date,  # type: ignore[type-arg]
               rules: Rules, problems: list[str]) -> Row | None:
    """One schedule row -> Row (number filled in by the caller); each problem is appended to `problems`."""
    day = start = end = None
    try:
        day = _parse_date(values[0])
        if (why := session_day_problem(day, today)) is not None:
            problems.append(why)
            day = None
    except ValueError as exc:
        problems.append(str(exc))
    for col, name in ((1, "Start"), (2, "End")):
        try:
            parsed = _parse_time(values[col], name)
            start, end = (parsed, end) if col == 1 else (start, parsed)
        except ValueError as exc:
            problems.append(str(exc))
    if start is not None and end is not None and end == start:
        problems.append(f"End is the same as Start ({start:%H:%M}); a LIVE needs a length")
    title = _cell_text(values[3])
    if not title:
        problems.append("Session is empty")
    elif len(title) > planner.MAX_TITLE:
        problems.append(f"Session is longer than {planner.MAX_TITLE} characters")
    tier_code = _cell_text(values[4]).upper() or None
    if tier_code and tier_code not in tiers:
        problems.append(f"unknown product tier '{tier_code[:20]}' (tiers: {', '.join(tiers)})")
    who: dict[str, Person | None] = {"host": None, "pa": None}
    for col, role, id_col in ((5, "host", HOST_ID), (6, "pa", PA_ID)):
        ref = _cell_text(values[col])
        if ref:
            try:
                who[role] = index.find(ref, _cell_text(values[extra[id_col]]) if id_col in extra else "")
            except ValueError as exc:
                problems.append(str(exc))
    notes = _cell_text(values[7]) or None
    if notes and len(notes) > planner.MAX_NOTES:
        problems.append(f"Notes are longer than {planner.MAX_NOTES:,} characters")
    key = None
    try:
        key = _parse_key(values[extra[KEY]]) if KEY in extra else None
    except ValueError as exc:
        problems.append(str(exc))
    if problems or day is None or start is None or end is None:
        return None
    starts_at = local_to_utc(day, start, rules.tz)
    ends_at = local_to_utc(day + timedelta(days=1) if end < start else day, end, rules.tz)  # past midnight: next day
    if ends_at - starts_at > planner.MAX_SESSION:
        hours, limit = (ends_at - starts_at) / timedelta(hours=1), planner.MAX_SESSION / timedelta(hours=1)
        problems.append(f"end before start ({end:%H:%M} is before {start:%H:%M}): as a LIVE ending the next day it "
                        f"would last {hours:g} hours, more than {limit:g}; check the times" if end < start else
                        f"{start:%H:%M}-{end:%H:%M} is longer than {limit:g} hours; check the times")
        return None
    return Row(0, starts_at, ends_at, title, tier_code, who["host"], who["pa"], notes, key)


def _resolve_existing(session: Session, rows: list[Row], report: ImportReport, now: datetime, rules: Rules) -> None:
    """Each row's existing session (by key, else by title and start); rows of started sessions become skipped."""
    keyed = {r.key for r in rows if r.key is not None}
    by_id = {lv.id: lv for lv in session.scalars(select(LiveSession).where(LiveSession.id.in_(keyed)))} if keyed else {}
    seen_keys: dict[int, int] = {}
    for r in rows:
        if r.key is None:
            continue
        live = by_id.get(r.key)
        if r.key in seen_keys:
            report.errors.append((r.number, f"same Session key ({r.key}) as row {seen_keys[r.key]}"))
        elif live is None or live.status == "cancelled":
            report.errors.append((r.number, f"Session key {r.key} belongs to no session in the calendar (cancelled or "
                                            "deleted since the export?); clear it to add the row as a new session"))
        else:
            r.existing = live
        seen_keys.setdefault(r.key, r.number)
    claimed = {r.existing.id for r in rows if r.existing is not None}
    loose = [r for r in rows if r.key is None]
    if loose:
        start, end = min(r.starts_at for r in loose), max(r.starts_at for r in loose)
        existing = {(s.title, s.starts_at): s for s in session.scalars(
            select(LiveSession).where(LiveSession.status != "cancelled", LiveSession.starts_at >= start,
                                      LiveSession.starts_at <= end)) if s.id not in claimed}
        for r in loose:
            r.existing = existing.get((r.title, r.starts_at))
    for r in rows:
        live = r.existing
        if live is None or not _started(live, now):
            continue
        when = fmt_datetime(live.starts_at, rules.tz)
        if (r.starts_at, r.ends_at) != (live.starts_at, live.ends_at):
            report.errors.append((r.number, f"{live.title} already started ({when}), so it can't be moved; clear its "
                                            "Session key to add this row as a new session"))
        else:
            report.skipped.append((r.number, f"{live.title} already started ({when}); left as it is"))


def _check_people(session: Session, rows: list[Row], tiers: dict, rules: Rules, report: ImportReport) -> None:  # type: ignore[type-arg]
    """Tier, time off and overlaps against the database and against earlier rows of the same file."""
    start = min(r.starts_at for r in rows)
    end = max(r.ends_at for r in rows)
    people_ids = list({p.id for r in rows for p in (r.host, r.pa) if p is not None})
    facts = load_facts(session, start, end, people_ids)
    replaced = {sh.id for r in rows if r.existing is not None for sh in r.existing.shifts}
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


def import_file(session: Session, actor: planner.Actor, path: Path, rules: Rules,
                limits: workbooks.Limits | None = None) -> ImportReport:
    """Validate every row, then apply all of them, or nothing when any row is bad."""
    planner.actor_id(actor)
    with workbooks.open_workbook(path, limits=limits) as wb:
        return import_workbook(session, actor, wb, path.name, rules)


def import_workbook(session: Session, actor: planner.Actor, wb: Any, name: str, rules: Rules) -> ImportReport:
    """import_file for a workbook the caller opened (a DMed file is opened once, to tell what it is and read it)."""
    planner.actor_id(actor)
    rows, plans, report = read_workbook(session, wb, name, rules)
    if not report.ok:
        return report
    if not rows and not plans and not report.skipped:
        raise Invalid(f"{name} has no rows under the header.")
    for r in rows:
        data = schedule_calendar.SessionInput(r.title, r.starts_at, r.ends_at, r.existing.room if r.existing else None, r.tier,
                                     [p.id for p in schedule_calendar.session_skus(session, r.existing.id)] if r.existing else [],
                                     r.notes)
        if r.existing is None:
            live = schedule_calendar.create_session(session, actor, data)
            report.created += 1
        else:
            moved = (r.existing.starts_at, r.existing.ends_at) != (r.starts_at, r.ends_at)
            live, _ = schedule_calendar.edit_session(session, actor, r.existing.id, data, rules, override=True)
            report.updated += 1
            report.moved += moved
        schedule_calendar.assign(session, actor, live.id, {"host": r.host.slack_user_id if r.host else None,
                                                  "pa": r.pa.slack_user_id if r.pa else None}, rules, override=True)
        r.live = live
    for plan in plans:
        live = plan.row.live if plan.row is not None else plan.live
        assert live is not None
        run_of_show_segments.replace_plan(session, actor, live, plan.segments)
        report.ros_sessions += 1
    run_of_show_plan.refresh_posted(session, rules.tz, [r.live.id for r in rows if r.live is not None] +
                               [(p.live.id if p.live else None) for p in plans])
    return report
