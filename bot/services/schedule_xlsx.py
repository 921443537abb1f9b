"""The calendar as a spreadsheet: template, export and all-or-nothing import (openpyxl).

Columns, in order: Date (YYYY-MM-DD), Start (HH:MM), End (HH:MM), Session, Product tier, Host, PA,
Notes. People are matched by Slack user ID, email, or exact display/real name (case-insensitive).
An End at or before Start is an error ("end before start"): the sheet has one Date column, so a LIVE
past midnight is planned in the Slack form ("ends after midnight") instead of guessed here.
A row whose Session and start match an existing session updates it (so export -> edit -> import
round-trips); other rows add sessions as drafts. Sessions not in the file are left alone.

The companion sheet `Run of show` (columns Session, Offset (min), Duration (min), Segment, SKU, Offer,
Talking points, and an optional Lead: host/co-host) holds the segments. Its Session cell names a session
as `YYYY-MM-DD HH:MM Title` (what export writes: date and start in the team time zone), or just the
Title when exactly one row of the schedule sheet has it. A session is looked up among the schedule
sheet's rows first, then among existing sessions. Every session named in the sheet gets exactly the
segments listed for it (its old ones are replaced); sessions not named keep theirs. Both sheets are
checked before anything is written: one bad row in either and nothing is imported.
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
from bot.services import run_of_show, schedule
from bot.services.errors import Invalid
from bot.services.rules import Busy, Rules, assess, load_facts
from bot.timefmt import local_to_utc, to_local

HEADER = ["Date", "Start", "End", "Session", "Product tier", "Host", "PA", "Notes"]
ROS_SHEET = "Run of show"
ROS_HEADER = ["Session", "Offset (min)", "Duration (min)", "Segment", "SKU", "Offer", "Talking points", "Lead"]
ROS_REQUIRED = 7  # the Lead column may be left out
_SESSION_REF_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s+(.+)$")
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


def _ros_sheet(wb: Workbook):  # type: ignore[no-untyped-def]
    ws = wb.create_sheet(ROS_SHEET)
    ws.append(ROS_HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGH", (44, 12, 14, 30, 14, 30, 60, 10)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    leads = DataValidation(type="list", formula1='"Host,Co-host"', allow_blank=True, showErrorMessage=True,
                           errorTitle="Lead", error="Host or Co-host (or leave empty).")
    ws.add_data_validation(leads)
    leads.add(f"H2:H{MAX_ROWS}")
    return ws


def session_ref(day: date, start: time, title: str) -> str:
    return f"{day.isoformat()} {start:%H:%M} {title}"


def _write_ros_row(ws, ref: str, seg: run_of_show.SegmentInput | run_of_show.RosSegment) -> None:  # type: ignore[no-untyped-def]
    sku = seg.sku
    lead = {"host": "Host", "cohost": "Co-host"}.get(seg.lead_role or "", "")
    ws.append([safe_text(ref), seg.offset_min, seg.duration_min, safe_text(run_of_show.label(seg)), safe_text(sku),
               safe_text(seg.offer), safe_text(seg.talking_points), lead])
    for col in (1, 4, 5, 6, 7, 8):
        ws.cell(ws.max_row, col).data_type = "s"


def write_template(session: Session, path: Path) -> None:
    wb, ws = _sheet("Schedule")
    title = "Glow serum LIVE (example: delete this row)"
    _write_row(ws, date(2026, 11, 2), time(10, 0), time(12, 0),
               [title, "A", "hana@studio.example", "U0123PA", "Bundle: serum + toner"])
    _validations(ws, [t.code for t in schedule.product_tiers(session)])
    ros = _ros_sheet(wb)
    ref = session_ref(date(2026, 11, 2), time(10, 0), title)
    for seg in (run_of_show.SegmentInput("hook", 0, 5, "welcome and today's deal", lead_role="host"),
                run_of_show.SegmentInput("product", 5, 20, "Glow serum", sku="GLOW-30", offer="2 for $40",
                                         talking_points="Texture on camera\nWho it's for", lead_role="host"),
                run_of_show.SegmentInput("flash_deal", 25, 10, sku="GLOW-30", offer="$15 for 10 minutes")):
        _write_ros_row(ros, ref, seg)
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
    ros = _ros_sheet(wb)
    for live in sessions:
        ls = to_local(live.starts_at, rules.tz)
        ref = session_ref(ls.date(), ls.time(), live.title)
        for seg in run_of_show.segments(session, live.id):
            _write_ros_row(ros, ref, seg)
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
    live: LiveSession | None = None  # set when applied


@dataclass
class RosPlan:
    """The segments the Run of show sheet gives one session (a schedule-sheet row or an existing session)."""

    row: Row | None
    live: LiveSession | None
    length: int
    first_row: int
    segments: list[run_of_show.SegmentInput] = field(default_factory=list)


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    ros_sessions: int = 0  # sessions whose run-of-show the Run of show sheet replaced

    @property
    def ok(self) -> bool:
        return not self.errors

    def warning_lines(self) -> list[str]:
        return [f"row {number}: warning: {reason}" for number, reason in self.warnings]

    def error_lines(self) -> list[str]:
        return [f"row {number}: {reason}" for number, reason in self.errors]

    def summary(self) -> str:
        if not self.ok:
            return f"Nothing was imported: {len({n for n, _ in self.errors})} row(s) need fixing."
        return (f"Imported: {self.created} session(s) added, {self.updated} updated (drafts until the week is published); "
                f"run-of-show replaced for {self.ros_sessions} session(s).")

    def lines(self) -> list[str]:
        """The report as plain sentences, for the CLI and the bot: the outcome first, then each row."""
        return [self.summary(), *self.error_lines(), *self.warning_lines()]


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


def _open(path: Path):  # type: ignore[no-untyped-def]
    try:
        return load_workbook(path, data_only=True, read_only=True)
    except Exception:
        raise Invalid(f"{path.name} isn't an .xlsx workbook opsbot can read.") from None


def _sheets(wb):  # type: ignore[no-untyped-def]
    """(schedule sheet, Run of show sheet): the schedule sheet is the first one that isn't the run-of-show."""
    ros_ws = next((w for w in wb.worksheets if w.title.strip().lower() == ROS_SHEET.lower()), None)
    ws = next(w for w in wb.worksheets if w is not ros_ws) if len(wb.worksheets) > 1 or ros_ws is None else None
    return ws, ros_ws


def _is_header(values: tuple | list) -> bool:  # type: ignore[type-arg]
    header = [_cell_text(v) for v in values][: len(HEADER)]
    return [h.lower() for h in header] == [h.lower() for h in HEADER]


def looks_like_schedule(path: Path) -> bool:
    """True when the workbook's schedule sheet starts with the template's header (what import_file reads)."""
    try:
        wb = load_workbook(path, data_only=True, read_only=True)
    except Exception:
        return False
    try:
        ws, _ = _sheets(wb)
        return ws is not None and _is_header(next(ws.iter_rows(values_only=True, max_row=1), ()))
    finally:
        wb.close()


def read_rows(session: Session, path: Path, rules: Rules) -> tuple[list[Row], list[RosPlan], ImportReport]:
    """Parse and validate every row; nothing is written."""
    report = ImportReport()
    wb = _open(path)
    ws, ros_ws = _sheets(wb)
    if ws is None:
        raise Invalid(f"{path.name} has only a {ROS_SHEET} sheet; the schedule sheet must come first.")
    rows_iter = ws.iter_rows(values_only=True)
    if not _is_header(next(rows_iter, ())):
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
    if rows:
        _check_people(session, rows, tiers, rules, report)
    plans = _read_ros(session, ros_ws, rows, rules, report) if ros_ws is not None else []
    wb.close()
    return rows, plans, report


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
    rows, plans, report = read_rows(session, path, rules)
    if not report.ok:
        return report
    if not rows and not plans:
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
        r.live = live
    for plan in plans:
        live = plan.row.live if plan.row is not None else plan.live
        assert live is not None
        run_of_show.replace_plan(session, actor, live, plan.segments)
        report.ros_sessions += 1
    run_of_show.refresh_posted(session, rules.tz, [r.live.id for r in rows if r.live is not None] +
                               [(p.live.id if p.live else None) for p in plans])
    return report



def _int_cell(value: object, column: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{column} '{value}' is not a whole number of minutes")
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    text = _cell_text(value)
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"{column} '{text}' is not a whole number of minutes")
    return int(text)


def _find_session(ref: str, rows: list[Row], session: Session, rules: Rules) -> tuple[Row | None, LiveSession | None]:
    """A Session cell -> its schedule-sheet row, or an existing session; ValueError saying why not."""
    m = _SESSION_REF_RE.match(ref)
    if m:
        try:
            start = local_to_utc(date.fromisoformat(m.group(1)), _parse_time(m.group(2), "Session"), rules.tz)
        except ValueError:
            raise ValueError(f"Session '{ref}': bad date or time (write it as YYYY-MM-DD HH:MM Title)") from None
        title = m.group(3).strip()
        for r in rows:
            if (r.title, r.starts_at) == (title, start):
                return r, None
        live = session.scalar(select(LiveSession).where(LiveSession.title == title, LiveSession.starts_at == start,
                                                        LiveSession.status != "cancelled"))
        if live is not None:
            return None, live
        raise ValueError(f"no session '{title}' starting {m.group(1)} {m.group(2)} in the schedule sheet or the calendar")
    matches = [r for r in rows if r.title == ref]
    if len(matches) == 1:
        return matches[0], None
    if len(matches) > 1:
        raise ValueError(f"{len(matches)} schedule rows are called '{ref}'; write the Session as YYYY-MM-DD HH:MM {ref}")
    raise ValueError(f"no session called '{ref}' in the schedule sheet (for other sessions write YYYY-MM-DD HH:MM Title)")


def _read_ros(session: Session, ws, rows: list[Row], rules: Rules, report: ImportReport) -> list[RosPlan]:  # type: ignore[no-untyped-def]
    """Parse and check the Run of show sheet, grouped per session; problems go to the report."""
    where = f"({ROS_SHEET} sheet)"
    it = ws.iter_rows(values_only=True)
    header = [_cell_text(v).lower() for v in next(it, ())]
    if header[:ROS_REQUIRED] != [h.lower() for h in ROS_HEADER[:ROS_REQUIRED]]:
        report.errors.append((1, f"{where} the first row must be the header {', '.join(ROS_HEADER[:ROS_REQUIRED])} "
                                 f"(and optionally {ROS_HEADER[-1]})"))
        return []
    plans: dict[int, RosPlan] = {}
    for number, values in enumerate(it, start=2):
        values = tuple(values) + (None,) * (len(ROS_HEADER) - len(values))
        if all(_cell_text(v) == "" for v in values[: len(ROS_HEADER)]):
            continue
        if number > MAX_ROWS:
            report.errors.append((number, f"{where} more than {MAX_ROWS - 1} rows; split the file"))
            break
        problems: list[str] = []
        plan = None
        ref = _cell_text(values[0])
        if not ref:
            problems.append("Session is empty")
        else:
            try:
                row, live = _find_session(ref, rows, session, rules)
                key = id(row) if row is not None else -live.id  # type: ignore[union-attr]
                length = (int((row.ends_at - row.starts_at).total_seconds() // 60) if row is not None
                          else run_of_show.length_min(live))  # type: ignore[arg-type]
                plan = plans.setdefault(key, RosPlan(row, live, length, number))
            except ValueError as exc:
                problems.append(str(exc))
        nums = []
        for col, name in ((1, "Offset (min)"), (2, "Duration (min)")):
            try:
                nums.append(_int_cell(values[col], name))
            except ValueError as exc:
                problems.append(str(exc))
        kind, title = run_of_show.parse_label(_cell_text(values[3]))
        if not _cell_text(values[3]):
            problems.append("Segment is empty (e.g. Hook, Product block: serum, Flash deal, Giveaway, Q&A, Close)")
        lead_text = _cell_text(values[7]).lower().replace("-", "").replace(" ", "")
        lead = {"": None, "host": "host", "cohost": "cohost"}.get(lead_text, "?")
        if lead == "?":
            problems.append(f"Lead '{_cell_text(values[7])}' is not Host or Co-host")
            lead = None
        if plan is not None and len(nums) == 2:
            data = run_of_show.SegmentInput(kind, nums[0], nums[1], title, _cell_text(values[4]) or None,
                                            _cell_text(values[5]) or None, _cell_text(values[6]) or None, lead)
            problems.extend(run_of_show.check_segment(data, plan.length).values())
            if not problems:
                plan.segments.append(data)
        report.errors.extend((number, f"{where} {p}") for p in problems)
    for plan in plans.values():
        for problem in run_of_show.plan_problems(plan.segments, plan.length):
            report.errors.append((plan.first_row, f"{where} {problem}"))
    return list(plans.values())
