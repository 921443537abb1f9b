"""The full scorecard as an xlsx workbook: Summary (with native Excel charts), Sessions, Hosts, SKUs, Operations, Slots, Clips.

Money is written as dollars with a currency format, rates as fractions with a percent format; unknown
values are left empty (never 0). User text goes through `safe`, so no cell starts a formula.
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.db.creators import CLIP_LABEL
from bot.services.cells import safe
from bot.services.scorecard.compute import by_severity
from bot.services.scorecard.definitions import help_lines
from bot.services.scorecard.model import Scorecard
from bot.services.scorecard.slots import DAYS
from bot.timefmt import to_local

MONEY = '"$"#,##0.00'
PCT = "0.00%"
NUM = "#,##0"
DEC = "#,##0.0"
DURATION = "[m]:ss"  # minutes:seconds, from a fraction of a day
FORMATS = {"money": MONEY, "pct": PCT, "count": NUM, "hours": DEC, "dec": DEC, "text": "General", "date": "yyyy-mm-dd hh:mm",
           "duration": DURATION}


def _d(cents: int | Decimal | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01"))


def _f(value: Decimal | None, places: int = 6) -> float | None:
    """Rates and hours as numbers Excel can format (display values; the exact counts are in other columns)."""
    return None if value is None else round(float(value), places)


def _cell(kind: str, value: Decimal | int | None) -> Any:
    """A headline value as Excel stores it: dollars, fractions, days (for m:ss) or plain counts."""
    if value is None:
        return None
    if kind == "money":
        return _d(value)
    if kind == "duration":
        return _f(Decimal(value) / 86400, 9)
    if kind in ("pct", "hours", "dec"):
        return _f(Decimal(value), 6)
    return value


def _table(ws: Worksheet, columns: list[tuple[str, str, int]], rows: list[list[Any]], first_row: int = 1) -> None:
    """A header row (bold, frozen), the rows, and a number format per column."""
    for i, (title, _, width) in enumerate(columns, start=1):
        cell = ws.cell(row=first_row, column=i, value=title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1D1C1D")
        ws.column_dimensions[get_column_letter(i)].width = width
    for r, row in enumerate(rows, start=first_row + 1):
        for i, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=i, value=value.replace(tzinfo=None) if isinstance(value, datetime) else safe(value))
            cell.number_format = FORMATS[columns[i - 1][1]]
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)


def build_workbook(card: Scorecard, tz: ZoneInfo) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    _summary(summary, card)
    t = lambda dt: to_local(dt, tz)  # noqa: E731
    _table(wb.create_sheet("Sessions"), [
        ("Session", "count", 9), ("Title", "text", 30), ("Start", "date", 17), ("Hosts", "text", 24), ("Metrics", "text", 10),
        ("Hours on air", "hours", 12), ("GMV", "money", 13), ("Orders", "count", 9), ("Units", "count", 9),
        ("Unique viewers", "count", 14), ("Views", "count", 10), ("Avg. viewing (s)", "dec", 14),
        ("Product impressions", "count", 18), ("Product clicks", "count", 14), ("Conversion", "pct", 12), ("CTR", "pct", 10),
        ("CTOR", "pct", 10), ("Retention", "pct", 11), ("GMV per live hour", "money", 16), ("Watch GPM", "money", 12),
    ], [[r.id, r.title, t(r.starts_at), ", ".join(r.hosts), "yes" if r.has_metrics else "MISSING", _f(r.hours, 2),
         _d(r.gmv_cents), r.orders, r.units_sold, r.unique_viewers, r.views, _f(r.avg_view_duration_seconds, 2),
         r.product_impressions, r.product_clicks, _f(r.conversion), _f(r.ctr), _f(r.ctor), _f(r.retention),
         _d(r.gmv_per_hour_cents), _d(r.watch_gpm_cents)] for r in card.sessions])
    _table(wb.create_sheet("Hosts"), [
        ("Host", "text", 22), ("Tier", "text", 10), ("Sessions", "count", 10), ("Hours on air", "hours", 12),
        ("Time-clock hours", "hours", 15), ("GMV of sessions hosted", "money", 20), ("GMV per host hour", "money", 16),
        ("Conversion", "pct", 12), ("Late check-ins", "count", 14), ("Missed check-ins", "count", 15),
    ], [[h.name, h.tier, h.sessions, _f(h.on_air_seconds / 3600, 2), _f(h.clock_hours, 2), _d(h.gmv_cents),
         _d(h.gmv_per_host_hour_cents), _f(h.conversion), h.late, h.missed] for h in card.hosts])
    _table(wb.create_sheet("SKUs"), [
        ("SKU", "text", 16), ("Product", "text", 28), ("Sessions", "count", 10), ("Units", "count", 10), ("GMV", "money", 13),
        ("Hours on air", "hours", 12), ("Velocity (units/h)", "dec", 17), ("Stock left", "count", 11), ("Days of stock", "dec", 13),
    ], [[k.sku, k.name, k.sessions, k.units, _d(k.gmv_cents), _f(k.on_air_seconds / 3600, 2), _f(k.velocity, 2),
         k.stock_after, _f(k.days_of_stock, 1)] for k in sorted(card.skus, key=lambda k: -(k.velocity or 0))])
    _operations(wb.create_sheet("Operations"), card)
    _slots(wb.create_sheet("Slots"), card)
    _clips(wb.create_sheet("Clips"), card, tz)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _summary(ws: Worksheet, card: Scorecard) -> None:
    _table(ws, [("Metric", "text", 26), ("This week", "text", 16), ("Last week", "text", 16), ("Change", "pct", 12)], [])
    ws.cell(row=1, column=1, value=f"Scorecard {card.week}: metric")
    r = 2
    for h in card.headline:
        value, prev = _cell(h.kind, h.value), _cell(h.kind, h.previous)
        ws.cell(row=r, column=1, value=h.label)
        for col, v in ((2, value), (3, prev)):
            ws.cell(row=r, column=col, value=v).number_format = FORMATS[h.kind]
        ws.cell(row=r, column=4, value=_f(h.change)).number_format = PCT
        r += 1
    r += 1
    ws.cell(row=r, column=1, value="Insights and recommendations").font = Font(bold=True)
    found = card.insights + card.recommendations
    for i, ins in enumerate(found, start=1):
        ws.cell(row=r + i, column=1, value=safe(f"{i}. {ins.text}"))
    r += len(found) + 2
    ws.cell(row=r, column=1, value="Definitions").font = Font(bold=True)
    for i, text in enumerate(help_lines(), start=1):
        ws.cell(row=r + i, column=1, value=text)
    # Day table for the charts, to the right of the headline.
    ws.cell(row=1, column=6, value="Day").font = Font(bold=True)
    ws.cell(row=1, column=7, value="GMV").font = Font(bold=True)
    ws.cell(row=1, column=8, value="Conversion").font = Font(bold=True)
    for i, d in enumerate(card.days, start=2):
        ws.cell(row=i, column=6, value=d.day.strftime("%a %m-%d"))
        ws.cell(row=i, column=7, value=_d(d.gmv_cents)).number_format = MONEY
        ws.cell(row=i, column=8, value=_f(d.conversion)).number_format = PCT
    last = len(card.days) + 1
    bars = BarChart()
    bars.title, bars.y_axis.title = "GMV by day", "GMV ($)"
    bars.add_data(Reference(ws, min_col=7, min_row=1, max_row=last), titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=6, min_row=2, max_row=last))
    ws.add_chart(bars, "J2")
    line = LineChart()
    line.title, line.y_axis.title = "Conversion by day (orders / unique viewers)", "Conversion"
    line.y_axis.number_format = PCT
    line.add_data(Reference(ws, min_col=8, min_row=1, max_row=last), titles_from_data=True)
    line.set_categories(Reference(ws, min_col=6, min_row=2, max_row=last))
    ws.add_chart(line, "J18")


def _operations(ws: Worksheet, card: Scorecard) -> None:
    o = card.operations
    rows: list[list[Any]] = [
        ["Late check-ins", o.late_checkins, None, None], ["Missed check-ins", o.missed_checkins, None, None],
        ["Shift swaps", o.swaps, None, None], ["Brief approvals", o.approvals, None, None],
        ["Brief approval median turnaround (h)", _f(o.approval_median_hours, 1), None, None],
        ["Briefs overdue", o.briefs_overdue, None, None],
    ]
    rows += [[f"Escalations SEV{sev}", n, a, r] for sev, n, a, r in by_severity(card)]
    rows += [[f"Punctuality: {p.name}", p.late, None, p.missed] for p in o.punctuality]
    _table(ws, [("Item", "text", 36), ("Count / value", "dec", 14), ("Median minutes to acknowledge", "dec", 28),
                ("Median minutes to resolve / missed", "dec", 30)], rows)


def _slots(ws: Worksheet, card: Scorecard) -> None:
    """Day x start hour over the slot window, the same table as the heatmap, and a native bar chart of it."""
    rows = sorted(card.slots, key=lambda r: (r.weekday, r.hour))
    _table(ws, [("Slot", "text", 14), ("Day", "text", 8), ("Start hour", "count", 11), ("Sessions", "count", 10),
                ("GMV", "money", 13), ("Hours on air", "hours", 12), ("GMV per live hour", "money", 17), ("Conversion", "pct", 12)],
           [[r.label, DAYS[r.weekday], r.hour, r.sessions, _d(r.gmv_cents), _f(r.on_air_seconds / 3600, 2),
             _d(r.gmv_per_live_hour_cents), _f(r.conversion)] for r in rows])
    if not rows:
        ws.cell(row=2, column=1, value="No sessions with metrics in the slot window yet.")
        return
    chart = BarChart()
    chart.title, chart.y_axis.title, chart.x_axis.title = "GMV per live hour by slot (day x start hour)", "GMV per live hour ($)", "Slot"
    chart.add_data(Reference(ws, min_col=7, min_row=1, max_row=len(rows) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(rows) + 1))
    chart.width, chart.height = 22, 10
    ws.add_chart(chart, "J2")


def _clips(ws: Worksheet, card: Scorecard, tz: ZoneInfo) -> None:
    """Every clip asked for in the week's LIVEs (creators.clips.clips_for_week), where it ran and its views."""
    local = lambda dt: None if dt is None else to_local(dt, tz)  # noqa: E731
    _table(ws, [("Clip", "count", 7), ("LIVE", "text", 30), ("LIVE start", "date", 17), ("At", "text", 9), ("SKU", "text", 14),
                ("Note", "text", 40), ("Status", "text", 12), ("Ran", "text", 9), ("Link", "text", 40), ("Views", "count", 10),
                ("Published", "date", 17), ("Asked by", "text", 14)],
           [[c["id"], c["session_title"], local(c["session_starts_at"]), c["timestamp"], c["sku"], c["note"],
             CLIP_LABEL.get(c["status"], c["status"]), c["placement"], c["link"], c["views"], local(c["published_at"]),
             c["requested_by"]] for c in card.clips])
    if not card.clips:
        ws.cell(row=2, column=1, value="No highlight clips were asked for in this week's LIVEs.")
