"""The calendar as a spreadsheet people edit: the template and a week's export (the import is xlsx.py).

Hosts and PAs appear by name, with their Slack IDs and the session key in trailing columns for the round trip
(see sheet.py). A LIVE past midnight shows its End as '01:00 (next day)'. Every text cell goes through the
shared sanitiser (cells.safe), so a title or note never breaks the file or starts a formula.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from bot import clock
from bot.services.run_of_show import segments as run_of_show_segments
from bot.services import validation
from bot.services.schedule import calendar as schedule_calendar, catalog
from bot.services.cells import safe
from bot.services.schedule.rules import Rules
from bot.services.schedule.sheet import HEADER, MAX_ROWS, NEXT_DAY_FORMAT, ROS_HEADER, ROS_SHEET, TRAILING, person_name, session_ref
from bot.timefmt import local_date, to_local

GREY = Font(color="808080")


def _sheet(title: str, trailing: bool = True) -> tuple[Workbook, object]:
    """A workbook with the header; the export adds the round-trip columns, the template (typed by hand) doesn't."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(HEADER + TRAILING if trailing else HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for cell in ws[1][len(HEADER):]:
        cell.font = Font(bold=True, color="808080")
    for col, width in zip("ABCDEFGHIJK", (12, 16, 18, 32, 12, 22, 22, 40, 12, 14, 14)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    return wb, ws


def _validations(ws, tier_codes: list[str]) -> None:  # type: ignore[no-untyped-def]
    tiers = DataValidation(type="list", formula1='"' + ",".join(tier_codes) + '"', allow_blank=True,
                           showErrorMessage=True, errorTitle="Product tier", error="Pick one of: " + ", ".join(tier_codes))
    dates = DataValidation(type="date", operator="between", formula1="DATE(2020,1,1)", formula2="DATE(2100,12,31)",
                           allow_blank=True, showErrorMessage=True, errorTitle="Date", error="Enter a date as YYYY-MM-DD.")
    times = DataValidation(type="time", operator="between", formula1="0", formula2="0.999988426", allow_blank=True,
                           showErrorMessage=True, errorTitle="Time",
                           error="Enter a time as HH:MM (24-hour); an End before the Start ends the next day.")
    for dv, ref in ((tiers, f"E2:E{MAX_ROWS}"), (dates, f"A2:A{MAX_ROWS}"), (times, f"B2:C{MAX_ROWS}")):
        ws.add_data_validation(dv)
        dv.add(ref)


def _write_row(ws, day: date, start: time, end: time, values: list[object], next_day: bool = False) -> None:  # type: ignore[no-untyped-def]
    ws.append([day, start, end, *[safe(v) for v in values]])
    row = ws.max_row
    ws.cell(row, 1).number_format = "yyyy-mm-dd"
    ws.cell(row, 2).number_format = "hh:mm"
    ws.cell(row, 3).number_format = NEXT_DAY_FORMAT if next_day else "hh:mm"
    for col in range(4, 4 + len(values)):
        cell = ws.cell(row, col)
        if isinstance(cell.value, str):
            cell.data_type = "s"
        if col > len(HEADER):
            cell.font = GREY


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


def _write_ros_row(ws, ref: str, seg: run_of_show_segments.SegmentInput | run_of_show_segments.RosSegment) -> None:  # type: ignore[no-untyped-def]
    lead = {"host": "Host", "cohost": "Co-host"}.get(seg.lead_role or "", "")
    ws.append([safe(ref), seg.offset_min, seg.duration_min, safe(run_of_show_segments.label(seg)), safe(seg.sku),
               safe(seg.offer), safe(seg.talking_points), lead])
    for col in (1, 4, 5, 6, 7, 8):
        ws.cell(ws.max_row, col).data_type = "s"


def example_day(now: datetime, tz: ZoneInfo) -> date:
    """The template's example row: the Monday of the week after next, so it is never in the past."""
    today = local_date(now, tz)
    return today - timedelta(days=today.weekday()) + timedelta(weeks=2)


def write_template(session: Session, path: Path, tz: ZoneInfo | None = None) -> None:
    wb, ws = _sheet("Schedule", trailing=False)
    day = example_day(clock.now(), tz or ZoneInfo("America/Los_Angeles"))
    title = "Glow serum LIVE (example: delete this row)"
    _write_row(ws, day, time(10, 0), time(12, 0), [title, "A", "hana@studio.example", "U0123PA", "Bundle: serum + toner"])
    _validations(ws, [t.code for t in catalog.product_tiers(session)])
    ros = _ros_sheet(wb)
    ref = session_ref(day, time(10, 0), title)
    for seg in (run_of_show_segments.SegmentInput("hook", 0, 5, "welcome and today's deal", lead_role="host"),
                run_of_show_segments.SegmentInput("product", 5, 20, "Glow serum", sku="GLOW-30", offer="2 for $40",
                                         talking_points="Texture on camera\nWho it's for", lead_role="host"),
                run_of_show_segments.SegmentInput("flash_deal", 25, 10, sku="GLOW-30", offer="$15 for 10 minutes")):
        _write_ros_row(ros, ref, seg)
    wb.save(path)


def export_week(session: Session, monday: date, rules: Rules, path: Path) -> int:
    """Write a week's sessions; returns how many rows."""
    wb, ws = _sheet(validation.week_label(monday))
    sessions = schedule_calendar.week_sessions(session, monday, rules)
    for live in sessions:
        ls, le = to_local(live.starts_at, rules.tz), to_local(live.ends_at, rules.tz)
        host, pa = schedule_calendar.slot(live, "host"), schedule_calendar.slot(live, "pa")
        hp, pp = (host.person if host else None), (pa.person if pa else None)
        _write_row(ws, ls.date(), ls.time().replace(second=0, microsecond=0), le.time().replace(second=0, microsecond=0),
                   [live.title, live.product_tier, person_name(hp), person_name(pp), live.notes, live.id,
                    hp.slack_user_id if hp else None, pp.slack_user_id if pp else None],
                   next_day=le.date() > ls.date())
    _validations(ws, [t.code for t in catalog.product_tiers(session)])
    ros = _ros_sheet(wb)
    for live in sessions:
        ls = to_local(live.starts_at, rules.tz)
        ref = session_ref(ls.date(), ls.time(), live.title)
        for seg in run_of_show_segments.segments(session, live.id):
            _write_ros_row(ros, ref, seg)
    wb.save(path)
    return len(sessions)
