"""Leadership reporting from seeded data: insights every week (the first included), targets met and missed by
how much, slots only with enough sessions, recommendations with numbers, month and quarter views, charts and
the Slots sheet read back."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image
from reporting_helpers import NOW, at, clock_in, live_with_metrics, person
from schedule_helpers import seed

from bot.db.briefs import Brief
from bot.db.escalations import Escalation
from bot.services.errors import NotAllowed
from bot.services.scorecard import (
    chart,
    compute,
    definitions,
    monthly,
    slots,
    targets,
    xlsx,
)
from bot.services.scorecard.model import ScorecardConfig
from bot.services.validation import InputError

LA = ZoneInfo("America/Los_Angeles")
CFG = ScorecardConfig(tz=LA)
W48 = date(2026, 11, 23)


def _card(db, monday=W48, cfg=CFG):
    with db.read() as s:
        return compute.build(s, monday, cfg, NOW)


def test_the_first_week_with_data_has_three_insights_with_numbers(db):
    seed(db)
    with db.transaction() as s:
        live_with_metrics(s, "2026-11-24", "19:00", "21:00", gmv=250000, orders=50, viewers=2000, title="Mask LIVE")
        live_with_metrics(s, "2026-11-25", "10:00", "12:00", gmv=90000, orders=12, viewers=1500, title="Tint LIVE")
    card = _card(db)
    with_numbers = [i for i in card.insights if re.search(r"\d", i.text)]
    assert len(with_numbers) >= 3, [i.text for i in card.insights]
    first = next(i for i in card.insights if i.rule == "first_week")
    assert "GMV $3,400" in first.text and "2 sessions with metrics" in first.text and "1m 15s" in first.text
    assert any(i.rule == "top_session" and "Mask LIVE" in i.text and "$1,250/h vs $850.00/h" in i.text for i in card.insights), [i.text for i in card.insights]
    assert any(i.rule == "no_targets" for i in card.insights)  # says how to set them rather than nothing


def test_a_week_that_misses_a_target_says_so_and_by_how_much(db):
    seed(db)
    with db.transaction() as s:
        leader = person(s, "ULEADX", "leadership")
        targets.set_targets(s, leader, "gmv_week=$5,000 conversion=2.5% avg_view_duration=1:30")
        live_with_metrics(s, "2026-11-24", "19:00", "21:00", gmv=400000, orders=60, viewers=2000, avg=70)
    card = _card(db)
    texts = {i.rule: i.text for i in card.insights if i.rule.startswith("target")}
    missed = [i.text for i in card.insights if i.rule == "target_missed"]
    assert "GMV per week $4,000 missed the $5,000 target by $1,000 (20.0% short)." in missed
    assert "Avg. viewing duration 1m 10s missed the 1m 30s target by 20s (22.2% short)." in missed
    assert texts["target_met"] == "Conversion 3.00% met the 2.50% target (+0.50 points, 20.0% over)."


def test_targets_from_the_settings_file_are_overridden_in_slack_and_only_leadership_sets_them(db, tmp_path):
    seed(db)
    f = tmp_path / "targets.toml"
    f.write_text('[targets]\ngmv_week = "$8,000"\npunctuality = "95%"\n')
    with db.transaction() as s:
        host = person(s, "UHOSTX", "host")
        with pytest.raises(NotAllowed):
            targets.set_targets(s, host, "gmv_week=$1")
        with pytest.raises(InputError, match="more than 1 without a % sign"):
            targets.set_targets(s, person(s, "ULEADY", "leadership"), "conversion=2.5")
    with db.transaction() as s:
        targets.set_targets(s, person(s, "ULEADY", "leadership"), "gmv_week=$9,000")
        t = targets.current(s, str(f))
    assert t.values == {"gmv_week": Decimal(900000), "punctuality": Decimal("0.95")}
    assert t.source["gmv_week"] == "set by <@ULEADY>" and t.source["punctuality"] == "settings file"


def test_trailing_average_and_best_week_once_there_is_history(db):
    seed(db)
    with db.transaction() as s:
        for i, gmv in enumerate((100000, 300000, 200000)):  # W45, W46, W47
            day = (date(2026, 11, 3) + timedelta(weeks=i)).isoformat()
            live_with_metrics(s, day, "19:00", "21:00", gmv=gmv, orders=20, viewers=1000)
        live_with_metrics(s, "2026-11-24", "19:00", "21:00", gmv=240000, orders=30, viewers=1000)
    card = _card(db)
    by = {i.rule: i.text for i in card.insights}
    assert by["trailing_gmv"] == ("GMV $2,400 is 20% above the trailing 4-week average of $2,000 "
                                  "(2026-W45–2026-W47, 3 weeks with data).")
    assert "80% of the best week so far, 2026-W46 ($3,000" in by["best_week"]
    assert "Conversion 3.00% vs 2.00% over the trailing 4 weeks (+1.00 points)" in by["trailing_conversion"]
    assert "first_week" not in by


def test_history_weeks_are_local_weeks_across_midnight_and_dst(db):
    """The year before a scorecard is summed per team-time-zone ISO week (in SQL, for a studio's 15,000
    LIVEs): a LIVE at 00:30 on a Monday is that week's, one at 23:30 on the Sunday the week before's,
    also in the week daylight saving time ends (Sunday 2026-11-01)."""
    from bot.services.scorecard import history
    from bot.timefmt import day_bounds

    seed(db)
    with db.transaction() as s:
        live_with_metrics(s, "2026-11-01", "23:30", "23:59", gmv=100, orders=1, viewers=10, avg=60, views=3, duration=600)
        live_with_metrics(s, "2026-11-02", "00:30", "01:30", gmv=200, orders=2, viewers=20, avg=30, views=1)
        live_with_metrics(s, "2026-11-08", "23:30", "23:59", gmv=400, orders=None, viewers=30, avg=None, views=None)
        live_with_metrics(s, "2026-11-09", "00:30", "01:00", gmv=800, orders=4, viewers=40, avg=90, views=0)
        live_with_metrics(s, "2026-11-16", "10:00", "11:00", gmv=5, orders=5, viewers=50)  # the scorecard's own week
    with db.read() as s:
        weeks = history.weeks_before(s, day_bounds(date(2026, 11, 16), LA)[0], LA)
    got = [(w.week, w.sessions, w.gmv_cents, w.on_air_seconds, w.orders_with_viewers, w.unique_viewers,
            w.watch_seconds_weighted, w.views_with_duration) for w in weeks]
    assert got == [("2026-W44", 1, 100, Decimal(600), 1, 10, Decimal(180), 3),
                   ("2026-W45", 2, 600, Decimal(3600 + 1740), 2, 20, Decimal(30), 1),
                   ("2026-W46", 1, 800, Decimal(1800), 4, 40, Decimal(0), 0)]


def test_slot_recommendation_ignores_slots_with_fewer_than_the_minimum_sessions(db):
    seed(db)
    with db.transaction() as s:
        for week in range(3):  # Tuesdays 19:00, three sessions: a slot that counts
            day = (date(2026, 11, 10) + timedelta(weeks=week)).isoformat()
            live_with_metrics(s, day, "19:00", "21:00", gmv=100000)
        for week in range(3):  # Thursdays 10:00, three sessions, weaker
            day = (date(2026, 11, 12) + timedelta(weeks=week)).isoformat()
            live_with_metrics(s, day, "10:00", "12:00", gmv=40000)
        live_with_metrics(s, "2026-11-25", "14:00", "15:00", gmv=900000)  # one huge Wednesday LIVE: not a trend
    card = _card(db, cfg=ScorecardConfig(tz=LA, min_slot_sessions=3))
    rec = next(r.text for r in card.recommendations if r.rule == "slots")
    assert rec.startswith("Best slots (last 8 weeks): Tue 7 PM ($500.00 per live hour, conversion 1.00%, 3 sessions)")
    assert "Weakest: Thu 10 AM ($200.00 per live hour" in rec and "Wed 2 PM" not in rec
    wed = next(r for r in card.slots if r.label == "Wed 2 PM")
    assert wed.sessions == 1 and wed not in slots.ranked(card.slots, 3)
    card1 = _card(db, cfg=ScorecardConfig(tz=LA, min_slot_sessions=1))
    assert "Best slots (last 8 weeks): Wed 2 PM ($9,000 per live hour" in next(
        r.text for r in card1.recommendations if r.rule == "slots")


def test_too_few_sessions_per_slot_is_said_with_the_count(db):
    seed(db)
    with db.transaction() as s:
        live_with_metrics(s, "2026-11-24", "19:00", "21:00", gmv=100000)
    card = _card(db)
    assert any(r.rule == "slots_too_few" and "busiest has 1" in r.text for r in card.recommendations)


def test_recommendations_host_tier_clicks_late_short_airtime_and_legal(db):
    seed(db)
    with db.transaction() as s:
        hana = person(s, "UHANA1", "host", tier="Lead", name="hana")
        hugo = person(s, "UHUGO1", "host", tier="Lead", name="hugo")
        lives = []
        for i in range(3):
            day = (date(2026, 11, 9) + timedelta(days=7 * i)).isoformat()
            lives.append(live_with_metrics(s, day, "19:00", "21:00", gmv=200000, tier="A", host=hana))
            live_with_metrics(s, day, "10:00", "12:00", gmv=60000, tier="A", host=hugo)
        from bot.services.schedule import calendar, catalog
        catalog.add_product(s, "cli", "GLOW-09", "Glow serum", "B")
        late = live_with_metrics(s, "2026-11-24", "19:00", "21:00", gmv=50000, clicks=800, duration=5400, host=hana,
                                 title="Clicky LIVE")
        calendar._set_skus(s, late, [catalog.products(s)[0].id])
        clock_in(s, hana, late, late_minutes=12)
        s.add(Escalation(summary="Stream dropped", severity=1, session_id=late.id, affected="stream", reporter="UPA",
                         status="resolved", escalated_at=at("2026-11-24", "19:30"), resolved_at=at("2026-11-24", "19:55"),
                         idempotency_key="esc-1"))
        nxt = live_with_metrics(s, "2026-12-01", "19:00", "21:00", gmv=1, title="Next LIVE")
        s.add(Brief(title="Glow talk track", kind="talk_track", session_id=nxt.id, submitter="UHANA1", status="pending",
                    created_at=NOW, updated_at=NOW))
    card = _card(db)
    by = {r.rule: r.text for r in card.recommendations}
    assert by["host_tier"].startswith("Tier A products: hana makes $1,000 per live hour over 3 sessions vs hugo $300.00 over 3")
    assert by["clicks_no_orders"].startswith("GLOW-09 was featured in 1 LIVE that drew 800 product clicks and sold 0 units")
    assert "1 LIVE started with a late host check-in (Clicky LIVE Tue Nov 24, 7:00 PM: 12 min)" in by["late_short"]
    assert "1 ran short (Clicky LIVE Tue Nov 24, 7:00 PM: 1.5 h on air of 2.0 h)" in by["late_short"]
    assert by["airtime"].startswith("Escalations cost 25 min of airtime this week (SEV1 “Stream dropped” on Clicky LIVE: "
                                    "25 min off air, about $138.89 at that LIVE's GMV per live hour)")
    assert "1 brief (1 talk track) for next week's LIVEs still waits for legal (Glow talk track for Next LIVE" in by["legal_next_week"]


def test_metrics_named_as_tiktok_shop_with_view_duration_in_minutes_and_seconds(db):
    seed(db)
    with db.transaction() as s:
        live_with_metrics(s, "2026-11-24", "19:00", "21:00", gmv=100000, avg=65, views=1000, new_followers=42)
        live_with_metrics(s, "2026-11-25", "19:00", "21:00", gmv=100000, avg=125, views=3000)
    card = _card(db)
    h = {x.key: x for x in card.headline}
    assert h["avg_view_duration"].label == "Avg. viewing duration" and definitions.duration(h["avg_view_duration"].value) == "1m 50s"
    assert h["new_followers"].value == 42 and h["viewers"].value == 2000 and h["gmv_per_live_hour"].value == Decimal(50000)
    assert definitions.duration(3725) == "1h 02m 05s" and definitions.duration(None) == "n/a"
    assert len({m.key for m in definitions.METRICS}) == len(definitions.METRICS)  # one definition per metric


def test_charts_and_slots_sheet_read_back(db):
    seed(db)
    with db.transaction() as s:
        for week in range(3):
            day = (date(2026, 11, 10) + timedelta(weeks=week)).isoformat()
            live_with_metrics(s, day, "19:00", "21:00", gmv=100000)
    card = _card(db)
    with Image.open(io.BytesIO(chart.heatmap(card, 3, 8))) as img:
        assert img.format == "PNG" and img.size[0] == 800 and img.size[1] >= 260
    with Image.open(io.BytesIO(chart.card_chart(card, LA))) as img:
        assert img.size == (800, 420)
    assert "no LIVE: Mon, Wed, Thu, Fri, Sat, Sun" in chart.day_notes(card, LA)
    wb = load_workbook(io.BytesIO(xlsx.build_workbook(card, LA)))
    ws = wb["Slots"]
    assert [c.value for c in ws[1]][:4] == ["Slot", "Day", "Start hour", "Sessions"]
    assert [c.value for c in ws[2]][:4] == ["Tue 7 PM", "Tue", 19, 3] and ws["G2"].value == Decimal("500.00")
    assert len(ws._charts) == 1
    summary = wb["Summary"]
    duration_row = next(r for r in summary.iter_rows(min_row=2, max_col=2) if r[0].value == "Avg. viewing duration")
    assert duration_row[1].number_format == "[m]:ss" and duration_row[1].value.total_seconds() == 75


def test_month_and_quarter_views_compare_and_explain_three_changes(db):
    seed(db)
    with db.transaction() as s:
        hana = person(s, "UHANA2", "host", name="hana")
        live_with_metrics(s, "2026-10-06", "19:00", "21:00", gmv=100000, host=hana)
        live_with_metrics(s, "2026-11-03", "19:00", "21:00", gmv=300000, host=hana)
        live_with_metrics(s, "2026-11-10", "19:00", "21:00", gmv=100000)
        old = live_with_metrics(s, "2026-11-04", "19:00", "21:00", gmv=50000)
        old.starts_at, old.ends_at = old.starts_at - timedelta(days=364), old.ends_at - timedelta(days=364)  # Nov 2025
    assert monthly.parse_period("2026-11") == monthly.Period(date(2026, 11, 1), 1)
    assert monthly.parse_period("2026-q4").label == "2026-Q4" and monthly.parse_period("2026-W47") is None
    with pytest.raises(InputError):
        monthly.parse_period("2026-13")
    with db.read() as s:
        nov = monthly.build_period(s, monthly.parse_period("2026-11"), CFG, NOW)
        q4 = monthly.build_period(s, monthly.parse_period("2026-Q4"), CFG, NOW)
    assert (nov.totals.gmv_cents, nov.previous.gmv_cents, nov.year_ago.gmv_cents) == (400000, 100000, 50000)
    assert nov.totals.sessions == 2
    assert nov.changes[0].text.startswith("GMV +$3,000 (300%) vs October 2026: 2 sessions with metrics vs 1")
    assert nov.changes[1].text == "hana: GMV of sessions hosted +$2,000 ($1,000 → $3,000), 1 → 1 sessions."
    assert len(nov.changes) <= 3
    assert q4.totals.gmv_cents == 500000 and q4.period.previous().label == "2026-Q3"


def test_a_target_larger_than_its_column_is_refused_in_plain_words():
    """A googol of dollars passed the parser and overflowed PostgreSQL's NUMERIC(18, 6): a crash, not a refusal."""
    import pytest as _pytest

    from bot.services.scorecard import targets
    from bot.services.validation import InputError

    with _pytest.raises(InputError, match="too large"):
        targets.parse("gmv_week", "$" + "9" * 40)
    assert targets.parse("gmv_week", "$20,000") == 2_000_000
