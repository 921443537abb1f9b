"""Metrics import (both header generations, header on row 3, every value format, bad rows, re-import),
the scorecard numbers (SQL aggregation, missing-data weeks) and the insight rules, table-driven."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from openpyxl import Workbook
from schedule_helpers import at, new_session, person, seed
from sqlalchemy import func, select

from bot.db.metrics import SessionMetrics, SkuMetrics
from bot.db.models import AuditRecord, Shift, TimeEntry
from bot.services.metrics import store as metrics
from bot.services.errors import Invalid
from bot.services.scorecard import compute, insights, model
from bot.services.scorecard.model import (
    Headline,
    Insight,
    Punctuality,
    ScorecardConfig,
    SessionRow,
    SkuRow,
)

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 25, 20, 0, tzinfo=timezone.utc)
TOL = timedelta(minutes=15)


@pytest.fixture
def sessions(db):
    seed(db)
    with db.transaction() as s:
        a = new_session(s, "2026-11-16", "10:00", "13:00", title="Glow LIVE")
        b = new_session(s, "2026-11-17", "19:00", "21:00", title="Mask LIVE")
        c = new_session(s, "2026-11-17", "19:00", "22:00", title="Tint LIVE")  # starts with b
        return a.id, b.id, c.id


def _xlsx(path, rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


OLD_HEADER = ["Livestream", "Start time", "Duration", "Gross revenue", "Direct GMV", "Avg. price", "Items sold", "Customers",
              "Orders paid for", "Views", "Viewers", "Peak viewers", "New followers", "Avg. view duration", "Likes", "Comments",
              "Shares", "Product impressions", "Product clicks", "CTR", "CTOR (SKU orders)", "Mystery column"]


def _old_file(tmp_path, gmv="$1,205.33"):
    return _xlsx(tmp_path / "Creator-Live-Performance_old.xlsx", [
        ["LIVE performance", None, None],
        ["Exported 2026-11-24", None],
        OLD_HEADER,  # header on row 3
        ["Name of the LIVE", "When it started", "Seconds on air", "Total revenue", "Direct", "Price", "Items", "Buyers",
         "Orders", "Entries", "People", "Peak", "Followers", "Average", "Likes", "Comments", "Shares", "Shown", "Clicked",
         "Rate", "Rate", "?"],
        ["Glow LIVE", "2026-11-16 10:02", 10800, gmv, 800, "$20", 70, 50, 60, "3.2K", 2000, 150, 40, "1m28s", 900, 300,
         30, 30000, "1,200", "4.11%", 0.05, "x"],
        ["Mask LIVE", "11/17/2026 7:00 PM", "02:00:00", 950.5, None, None, 40, None, 35, 2500, "-", None, 12, "18.28s", None,
         None, None, 20000, 800, "4%", "4.4%", None],
        ["Nobody's LIVE", "2026-11-18 03:00", 600, 10, None, None, 1, None, 1, 10, 5, 1, 0, "0:30", 0, 0, 0, 10, 1, None, None, None],
        ["Total", None, None, 2155.83],
    ])


def test_import_old_export_header_on_row_3_every_format_and_reimport(db, sessions, tmp_path):
    glow, mask, tint = sessions
    path = _old_file(tmp_path)
    with db.transaction() as s:
        report = metrics.import_file(s, "cli", path, tz=LA, tolerance=TOL, now=NOW)
    assert report.ok, report.lines()
    assert (report.created, report.updated, report.header_row) == (2, 0, 3)
    assert report.unmatched and "Nobody's LIVE" in report.unmatched[0][1]
    assert report.unknown_columns == ["Mystery column"]
    with db.read() as s:
        g = metrics.get(s, glow)
        m = metrics.get(s, mask)
        assert (g.gmv_cents, g.views, g.unique_viewers, g.product_clicks) == (120533, 3200, 2000, 1200)
        assert g.avg_view_duration_seconds == Decimal("88") and g.exported_ctr == Decimal("0.0411")
        assert g.file_name == "Creator-Live-Performance_old.xlsx" and g.source == "import"
        assert m.gmv_cents == 95050 and m.unique_viewers is None and m.avg_view_duration_seconds == Decimal("18.28")
        assert m.duration_seconds == Decimal(7200)
        assert metrics.get(s, tint) is None  # the title told Mask and Tint apart
    # Re-import with a corrected figure: updated in place, never duplicated.
    with db.transaction() as s:
        again = metrics.import_file(s, "cli", _old_file(tmp_path, gmv="$1,300.00"), tz=LA, tolerance=TOL, now=NOW)
    assert (again.created, again.updated) == (0, 2)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(SessionMetrics)) == 2
        assert metrics.get(s, glow).gmv_cents == 130000
        assert s.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.action == "metrics.updated")) == 2


def test_import_new_generation_csv(db, sessions, tmp_path):
    glow, _, _ = sessions
    path = tmp_path / "Creator-Live-Performance_2026.csv"
    path.write_text(
        "LIVE title,LIVE start time,Attributed GMV,Attributed items sold,Attributed orders,Attributed SKU orders,AOV,"
        "LIVE impressions,GMV Per Hour,Watch GPM,Avg. viewing duration per viewer,LIVE CTR,Tap-through rate,Views,"
        "Product impressions,Product clicks\n"
        "Glow LIVE,2026-11-16 09:50,$1.2K,80,64,70,$18.75,50000,$400,$375,1:05,2%,3%,1.74K,25000,900\n")
    with db.transaction() as s:
        report = metrics.import_file(s, "cli", path, tz=LA, tolerance=TOL, now=NOW)
    assert report.ok and report.created == 1
    assert "LIVE impressions" in report.ignored_columns
    with db.read() as s:
        g = metrics.get(s, glow)
        assert (g.gmv_cents, g.views, g.units_sold, g.orders, g.unique_viewers, g.peak_viewers) == (120000, 1740, 80, 64, None, None)
        assert g.avg_view_duration_seconds == Decimal(65)


def test_bad_rows_import_nothing_and_say_where(db, sessions, tmp_path):
    path = _xlsx(tmp_path / "bad.xlsx", [
        ["Livestream", "Start time", "Gross revenue", "Items sold", "Orders paid for", "Views", "Viewers"],
        ["Glow LIVE", "2026-11-16 10:00", "$12.345", 5, 4, 100, 50],  # fraction of a cent
        ["Mask LIVE", "2026-11-17 19:00", "$10", 3, 9, 100, 500],  # orders > units, viewers > views
    ])
    with db.transaction() as s:
        report = metrics.import_file(s, "cli", path, tz=LA, tolerance=TOL, now=NOW)
    assert not report.ok
    problems = {(e.row_number, e.column) for e in report.errors}
    assert {(2, "Gross revenue"), (3, "Orders paid for"), (3, "Viewers")} <= problems
    assert "nothing was imported" in report.lines()[0]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(SessionMetrics)) == 0


def test_two_sessions_starting_together_without_title_is_a_row_error(db, sessions, tmp_path):
    path = _xlsx(tmp_path / "x.xlsx", [["Start time", "Gross revenue", "Views", "Orders paid for"], ["2026-11-17 19:05", 10, 100, 1],
                                        ["2026-11-16 10:00", 10, 100, 1]])
    with db.transaction() as s:
        report = metrics.import_file(s, "cli", path, tz=LA, tolerance=TOL, now=NOW)
    assert [e.row_number for e in report.errors] == [2] and "starting together" in report.errors[0].reason
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(SessionMetrics)) == 0  # the good row waits too


def test_form_parsing_field_errors_and_sku_lines(db, sessions):
    with pytest.raises(Invalid) as exc:
        metrics.parse_form({"gmv_cents": "$12.345", "orders": "9", "units_sold": "3", "views": "1.2K", "unique_viewers": "abc"})
    assert set(exc.value.fields) == {"gmv_cents", "orders", "unique_viewers"}
    values = metrics.parse_form({"gmv_cents": "$1,205.33", "orders": "10", "units_sold": "12", "avg_view_duration_seconds": "1:28"})
    assert values["gmv_cents"] == 120533 and values["avg_view_duration_seconds"] == Decimal(88) and values["views"] is None
    lines = metrics.parse_sku_lines("GLOW-01 12 $240.00 30\n\nMASK-02\t3")
    assert [(ln.sku, ln.units, ln.gmv_cents, ln.stock_after) for ln in lines] == [("GLOW-01", 12, 24000, 30), ("MASK-02", 3, None, None)]
    with pytest.raises(Invalid) as exc:
        metrics.parse_sku_lines("GLOW-01 twelve")
    assert "skus" in exc.value.fields


# ------------------------------------------------------------------------------ scorecard


def _metrics(s, session_id, **values):
    live = metrics.live_session(s, session_id)
    metrics.save(s, live, values, actor="test", source="modal", now=NOW)


def test_scorecard_numbers_recomputed_from_counts_and_missing_sessions_listed(db, sessions):
    glow, mask, tint = sessions
    with db.transaction() as s:
        hana = person(s, "UHOSTA", "host", tier="Rookie", name="hana")
        shift = Shift(session_id=glow, person_id=hana.id, role="host", starts_at=at("2026-11-16", "09:30"),
                      ends_at=at("2026-11-16", "13:30"), created_at=NOW)
        s.add(shift)
        s.flush()
        s.add(TimeEntry(person_id=hana.id, shift_id=shift.id, clock_in_at=at("2026-11-16", "09:40"),
                        clock_out_at=at("2026-11-16", "13:40"), late_minutes=10, created_at=NOW))
        _metrics(s, glow, gmv_cents=300000, orders=60, units_sold=70, unique_viewers=2000, views=3000,
                 avg_view_duration_seconds=Decimal(108), product_impressions=30000, product_clicks=1200)
        _metrics(s, mask, gmv_cents=100000, orders=40, units_sold=45, views=2000)  # newer export: no unique viewers
        s.add(SkuMetrics(session_id=glow, sku="GLOW-01", units=30, gmv_cents=90000, stock_after=20, updated_at=NOW, updated_by="t"))
    cfg = ScorecardConfig(tz=LA, hourly_rate_cents=2500)
    with db.read() as s:
        card = compute.build(s, date(2026, 11, 16), cfg, NOW)
    t = card.totals
    assert (t.sessions, t.sessions_with_metrics, t.gmv_cents, t.orders) == (3, 2, 400000, 100)
    assert t.conversion == Decimal(60) / 2000  # only sessions with unique viewers, never views instead
    assert t.sessions_without_viewers == 1
    assert t.ctr == Decimal("0.04") and t.ctor == Decimal("0.05")
    assert t.retention == Decimal(108) / Decimal(3 * 3600)  # views-weighted; only sessions with a viewing duration
    assert [r.id for r in card.missing] == [tint]
    assert card.labor_cost_cents == 10000  # 4 h x $25
    host = card.hosts[0]
    assert (host.name, host.late, host.missed, host.clock_hours) == ("hana", 1, 0, Decimal(4))
    assert host.gmv_per_host_hour_cents == Decimal(75000)
    assert card.skus[0].velocity == Decimal(10)  # 30 units over 3 hours on air
    rules = {i.rule for i in card.insights}
    assert {"missing_metrics", "stockout", "no_unique_viewers"} <= rules
    assert card.headline[0].previous is None  # no earlier week: no made-up change


def test_week_without_any_metrics_says_so(db, sessions):
    with db.read() as s:
        card = compute.build(s, date(2026, 11, 16), ScorecardConfig(tz=LA), NOW)
    assert card.totals.sessions_with_metrics == 0 and len(card.missing) == 3
    assert all(h.value is None for h in card.headline)
    from bot.blocks.scorecard import scorecard_text
    text = scorecard_text(card, LA)
    assert "Sessions without metrics (3)" in text and "GMV: n/a" in text


def _h(key, value, prev, kind="count"):
    return Headline(key, key.title(), kind, value, prev)


@pytest.mark.parametrize("headline, threshold, expected", [
    ([_h("gmv", 120, 100)], Decimal("0.15"), ["Gmv rose 20%"]),
    ([_h("gmv", 110, 100)], Decimal("0.15"), []),
    ([_h("gmv", 70, 100)], Decimal("0.15"), ["Gmv fell 30%"]),
    ([_h("gmv", 70, None)], Decimal("0.15"), []),
    ([_h("a", 200, 100), _h("b", 50, 100), _h("c", 130, 100)], Decimal("0.15"), ["A rose 100%", "B fell 50%"]),
])
def test_rule_week_over_week(headline, threshold, expected):
    found = insights.rule_wow(headline, threshold)
    assert [i.text.split(" week")[0] for i in found] == expected


def _sku(units, stock, hours=Decimal(10)):
    return SkuRow("SKU-1", None, 2, units, None, hours * 3600, stock)


@pytest.mark.parametrize("sku, days, fires", [
    (_sku(70, 50), 7, True),      # 10/day, 5 days left
    (_sku(70, 80), 7, False),     # 8 days left
    (_sku(70, None), 7, False),   # stock unknown
    (_sku(0, 5), 7, False),       # not selling
])
def test_rule_stockout(sku, days, fires):
    found = insights.rule_stockout([sku], days)
    assert bool(found) is fires
    if fires:
        assert "70 units" in found[0].text and "50 left" in found[0].text


@pytest.mark.parametrize("series, weeks, fires", [
    ([Decimal(50000), Decimal(45000), Decimal(41000)], 3, True),
    ([Decimal(50000), Decimal(39000), Decimal(41000)], 3, False),
    ([Decimal(50000), None, Decimal(41000)], 3, False),
    ([Decimal(50000), Decimal(45000)], 3, False),
])
def test_rule_promotion(series, weeks, fires):
    found = insights.rule_promotion({"hana": ("Rookie", series)}, {"rookie": 40000}, weeks)
    assert bool(found) is fires
    if fires:
        assert "$500.00" in found[0].text and "$400.00" in found[0].text


@pytest.mark.parametrize("missed, limit, fires", [(2, 2, True), (1, 2, False), (5, 3, True)])
def test_rule_missed_checkins(missed, limit, fires):
    found = insights.rule_missed_checkins([Punctuality("pat", 1, missed)], limit)
    assert bool(found) is fires
    if fires:
        assert f"missed {missed} check-ins" in found[0].text


def test_insights_are_at_most_five_most_urgent_first():
    row = SessionRow(1, "x", NOW, NOW, Decimal(3600), False, False)
    card = model.Scorecard(
        week="2026-W47", monday=date(2026, 11, 16), start=NOW, end=NOW, totals=model.Totals(sessions=1),
        previous=model.Totals(), headline=[_h("gmv", 200, 100), _h("orders", 10, 100)], sessions=[row], hosts=[],
        skus=[_sku(70, 10)], days=[], operations=model.Operations(punctuality=[Punctuality("pat", 0, 3)]), labor_cost_cents=0)
    found = insights.insights(card, {"hana": ("Rookie", [Decimal(90000)] * 3)},
                               ScorecardConfig(tz=LA, promotion_bars_cents={"rookie": 1}))
    assert len(found) == 5 and found[0].rule in ("missing_metrics", "stockout")
    assert all(isinstance(i, Insight) for i in found)


@freeze_time("2026-11-25 20:00:00")
def test_prompt_dms_associates_once_per_ended_session(db, sessions):
    with db.transaction() as s:
        person(s, "UASSOC1", "associate")
        live = new_session(s, "2026-11-25", "08:00", "11:00", title="Morning LIVE")
    for _ in range(2):
        with db.transaction() as s:
            metrics.prompt_ended(s, NOW, LA)
    from bot.db.models import OutboxMessage
    with db.read() as s:
        keys = [m.dedupe_key for m in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "dm"))]
    assert keys == [f"metrics-prompt:{live.id}:UASSOC1"]


def test_dst_week_boundaries_and_hours_on_air(db):
    """The week of the fall-back change (2026-10-26 to 2026-11-01) is 169 hours long; a LIVE late on Sunday
    Nov 1 belongs to it, one just after midnight to the next week, and an overnight LIVE across the change
    counts its real time on air."""
    seed(db)
    with db.transaction() as s:
        late_sunday = new_session(s, "2026-11-01", "22:00", "23:30", title="Sunday late")
        monday = new_session(s, "2026-11-02", "00:30", "02:00", title="Monday early")
        overnight = new_session(s, "2026-10-31", "23:00", "23:59", title="Overnight")
        overnight.ends_at = at("2026-11-01", "03:00")  # 23:00 PDT to 03:00 PST: 5 real hours
        for sid, gmv in ((late_sunday.id, 10000), (monday.id, 20000), (overnight.id, 50000)):
            _metrics(s, sid, gmv_cents=gmv, orders=1, units_sold=1)
    start, end = model.week_bounds(date(2026, 10, 26), LA)
    assert end - start == timedelta(hours=169)
    with db.read() as s:
        w44 = compute.build(s, date(2026, 10, 26), ScorecardConfig(tz=LA), NOW)
        w45 = compute.build(s, date(2026, 11, 2), ScorecardConfig(tz=LA), NOW)
    assert (w44.totals.sessions, w44.totals.gmv_cents) == (2, 60000)
    assert (w45.totals.sessions, w45.totals.gmv_cents) == (1, 20000)
    assert w44.totals.hours == Decimal("6.5")  # 1.5 h + 5 h across the extra hour
