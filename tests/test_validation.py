"""The one validation layer for dates, times, weeks and numbers (bot/services/validation.py), and the defects it
mends: out-of-range or forged values answered with a field error naming the limit, never saved, never 'Something
went wrong'."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from conftest import ADMIN, HOST, LEADER
from freezegun import freeze_time
from schedule_helpers import new_session, person, seed
from sqlalchemy import func, select

from bot.cli import main
from bot.db.metrics import SessionMetrics, SkuMetrics
from bot.db.models import LiveSession, TimeEntry
from bot.db.run_of_show import RosSegment
from bot.services import validation
from bot.services.metrics import store as metrics
from bot.services.errors import Invalid
from bot.services.validation import InputError

OOPS = "Something went wrong"
TODAY = date(2026, 11, 20)


# -- the module itself ---------------------------------------------------------------------------

def test_one_iso_week_parser_keeps_valid_inputs_and_refuses_the_rest():
    assert validation.parse_week("2026-W44") == date(2026, 10, 26)
    assert validation.parse_week("2026w44") == validation.parse_week(" 2026-w44 ") == date(2026, 10, 26)
    assert validation.parse_week("2026-W5") == date(2026, 1, 26)
    assert validation.parse_week("2026-W53") == date(2026, 12, 28)  # 2026 has 53 ISO weeks
    for bad in ("2026-W60", "2026-W00", "next week", "٢٠٢٦-W44", "2026-W٤٤", "", "2026-W44-1"):
        with pytest.raises(InputError):
            validation.parse_week(bad)
    with pytest.raises(InputError, match="2025-W47 to 2028-W47"):
        validation.parse_week("9999-W52", today=TODAY)
    with pytest.raises(InputError, match="out of range"):
        validation.parse_week("0001-W01", today=TODAY)
    assert validation.parse_week("2025-W48", today=TODAY) == date(2025, 11, 24)
    # Invalid for handlers, ValueError for callers that already catch it
    assert issubclass(InputError, Invalid) and issubclass(InputError, ValueError)


def test_dates_and_times_are_real_ascii_and_in_the_window():
    assert validation.parse_date("2026-11-20") == TODAY
    for forged in ("2026-02-30", "2026-13-01", "20261120", "２０２６-11-20", "2026-11-20T00:00"):
        with pytest.raises(InputError):
            validation.parse_date(forged, field="date")
    with pytest.raises(InputError) as err:
        validation.parse_date("9999-12-31", field="date", today=TODAY)
    assert err.value.fields == {"date": "The date must be between 2025-11-20 and 2028-11-20 (1 year back to 2 years ahead)."}
    with pytest.raises(InputError, match="between"):
        validation.parse_date("0001-01-01", today=TODAY)
    assert validation.parse_time("18:30").isoformat() == "18:30:00"
    assert validation.parse_time("7:05:09").isoformat() == "07:05:09"
    for forged in ("25:99", "24:00", "12:60", "١٢:٣٠", "noon", ""):
        with pytest.raises(InputError):
            validation.parse_time(forged, field="start")


def test_numbers_ascii_only_and_within_the_column():
    assert validation.parse_int("42") == 42 and validation.parse_int("-3") == -3
    for bad in ("٣", "²", "3.5", "1e3", "", "9" * 5000):
        with pytest.raises(InputError):
            validation.parse_int(bad, field="n")
    with pytest.raises(InputError, match="2,147,483,647"):
        validation.parse_int("3000000000")
    with pytest.raises(InputError, match="below 0"):
        validation.parse_int("-1", minimum=0)
    assert validation.column_range(SessionMetrics.__table__.c.orders) == (-2**31, 2**31 - 1)
    assert validation.column_range(SessionMetrics.__table__.c.gmv_cents) == (-2**63, 2**63 - 1)
    assert validation.column_range(SessionMetrics.__table__.c.avg_view_duration_seconds)[1] == Decimal("9999999999.99")
    with pytest.raises(InputError, match=r"most opsbot can store is 92,233,720,368,547,758\.07"):
        validation.check_column(SessionMetrics.__table__.c.gmv_cents, 10**32, label="GMV", scale=100)
    validation.check_column(SessionMetrics.__table__.c.orders, 2**31 - 1)
    assert validation.parse_decimal("12.50", places=2) == Decimal("12.50")
    with pytest.raises(InputError):
        validation.parse_decimal("1.234", places=2)
    assert validation.parse_id("#12") == 12
    for forged in ("0", "-1", "abc", "٣", "99999999999", ""):
        with pytest.raises(InputError):
            validation.parse_id(forged)
    assert validation.slack_user_id("U0123ABCD") == "U0123ABCD"
    for forged in ("U" + "X" * 40, "<!channel>", "u123", "U٣٣٣"):
        with pytest.raises(InputError):
            validation.slack_user_id(forged, field="host")


# -- the defects, through the signed endpoint ----------------------------------------------------

@pytest.fixture
def team(server, db):
    seed(db)
    with db.transaction() as s:
        person(s, ADMIN, "associate")
        person(s, HOST, "host", tier="Lead", name="hana")
        person(s, LEADER, "leadership")
    return server


def _no_oops(server, body):
    assert OOPS not in json.dumps(body)
    assert not any(OOPS in json.dumps(c.params) for c in server.stub.calls)


def test_schedule_and_scorecard_weeks_out_of_range_are_refused_in_plain_words(team):
    server = team
    for week in ("9999-W52", "0001-W01"):
        status, body = server.command("/schedule", week, ADMIN)
        assert status == 200 and "out of range" in body["text"], body
        status, body = server.command("/scorecard", week, LEADER)
        assert status == 200 and "out of range" in body["text"], body
        _no_oops(server, body)
    assert server.stub.calls_to("views.open") == []


def _session_state(day, start="18:00", end="20:00"):
    return {
        "title": {"value": {"type": "plain_text_input", "value": "Glow LIVE"}},
        "date": {"value": {"type": "datepicker", "selected_date": day}},
        "start": {"value": {"type": "timepicker", "selected_time": start}},
        "end": {"value": {"type": "timepicker", "selected_time": end}},
        "overnight": {"value": {"type": "checkboxes", "selected_options": []}},
        "room": {"value": {"type": "plain_text_input", "value": "Studio A"}},
        "tier": {"value": {"type": "static_select", "selected_option": {"value": "B"}}},
        "notes": {"value": {"type": "plain_text_input", "value": None}},
        "override": {"value": {"type": "checkboxes", "selected_options": []}},
    }


@pytest.mark.parametrize("day,start,end,field", [
    ("9999-12-31", "18:00", "20:00", "date"),
    ("0001-01-01", "18:00", "20:00", "date"),
    ("2026-02-30", "18:00", "20:00", "date"),
    ("2026-11-20", "25:99", "20:00", "start"),
    ("2026-11-20", "18:00", "١٩:٠٠", "end"),
])
def test_session_form_out_of_range_or_forged_is_a_field_error_and_nothing_saved(team, db, day, start, end, field):
    server = team
    meta = json.dumps({"week": "2026-11-16", "plan": "VPLAN"})
    with freeze_time("2026-11-18 17:00:00", tick=True):
        status, body = server.slack.submit("sched_session_submit", ADMIN, _session_state(day, start, end), private_metadata=meta)
    assert status == 200 and body["response_action"] == "errors" and set(body["errors"]) == {field}, body
    _no_oops(server, body)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(LiveSession)) == 0


def test_service_refuses_a_session_outside_the_planning_window(db):
    seed(db)
    with db.transaction() as s, freeze_time("2026-11-18 17:00:00"):
        with pytest.raises(Invalid) as err:
            new_session(s, "2029-06-01", "10:00", "12:00")
    assert "between" in err.value.fields["date"]


def _entry_state(day_in, t_in, day_out, t_out, reason="fix"):
    return {"clock_in_date": {"date": {"type": "datepicker", "selected_date": day_in}},
            "clock_in_time": {"time": {"type": "timepicker", "selected_time": t_in}},
            "clock_out_date": {"date": {"type": "datepicker", "selected_date": day_out}},
            "clock_out_time": {"time": {"type": "timepicker", "selected_time": t_out}},
            "reason": {"value": {"type": "plain_text_input", "value": reason}}}


@pytest.mark.parametrize("values,field", [
    (("0001-01-01", "09:00", "0001-01-01", "17:00"), "clock_in_date"),
    (("9999-12-31", "09:00", "9999-12-31", "17:00"), "clock_in_date"),
    (("2026-02-30", "09:00", "2026-11-19", "17:00"), "clock_in_date"),
    (("2026-11-19", "25:99", "2026-11-19", "17:00"), "clock_in_time"),
    (("2026-09-01", "09:00", "2026-09-01", "17:00"), "clock_in_time"),  # more than 31 days from the entry
])
def test_timesheet_correction_out_of_range_is_a_field_error(team, db, values, field):
    server = team
    with db.transaction() as s:
        host = person(s, HOST)
        start = datetime(2026, 11, 19, 17, 0, tzinfo=timezone.utc)
        s.add(TimeEntry(person_id=host.id, clock_in_at=start, clock_out_at=start + timedelta(hours=8), created_at=start))
    with db.read() as s:
        entry = s.scalars(select(TimeEntry)).one()
    with freeze_time("2026-11-20 17:00:00", tick=True):
        status, body = server.slack.submit("timesheet_edit_submit", ADMIN, _entry_state(*values), private_metadata=str(entry.id))
    assert status == 200 and body["response_action"] == "errors" and field in body["errors"], body
    _no_oops(server, body)
    with db.read() as s:
        assert s.get(TimeEntry, entry.id).clock_in_at == entry.clock_in_at


def _metrics_state(session_id, **values):
    state = {"session": {"value": {"type": "static_select", "selected_option": {"value": str(session_id)}}}}
    state.update({k: {"value": {"type": "plain_text_input", "value": v}} for k, v in values.items()})
    return state


@pytest.mark.parametrize("values,field,words", [
    ({"orders": "3,000,000,000"}, "orders", "2,147,483,647"),
    ({"gmv_cents": "1" + "0" * 30}, "gmv_cents", "92,233,720,368,547,758.07"),
    ({"avg_view_duration_seconds": "1" + "0" * 20}, "avg_view_duration_seconds", "9,999,999,999.99"),
    ({"orders": "٣"}, "orders", "not a number"),
    ({"skus": "GLOW-01 3000000000"}, "skus", "2,147,483,647"),
])
def test_metrics_numbers_beyond_the_column_are_field_errors_naming_the_limit(team, db, values, field, words):
    server = team
    with db.transaction() as s:
        live = new_session(s, "2026-11-16", "10:00", "13:00")
    status, body = server.slack.submit("metrics_submit", ADMIN, _metrics_state(live.id, **values))
    assert status == 200 and body["response_action"] == "errors" and words in body["errors"][field], body
    _no_oops(server, body)
    with db.read() as s:
        assert metrics.get(s, live.id) is None and s.scalars(select(SkuMetrics)).all() == []


def test_metrics_command_with_unicode_or_huge_numbers_is_refused(team):
    server = team
    for text in ("²", "٣", "99999999999"):
        status, body = server.command("/metrics", text, ADMIN)
        assert status == 200 and "session" in body["text"] and OOPS not in body["text"], body
    assert server.stub.calls_to("views.open") == []


def test_segment_offsets_in_unicode_or_huge_are_field_errors(team, db):
    server = team
    with db.transaction() as s:
        live = new_session(s, "2026-11-16", "10:00", "13:00")
    state = {"kind": {"value": {"type": "static_select", "selected_option": {"value": "product"}}},
             "offset": {"value": {"type": "number_input", "value": "٣"}},
             "duration": {"value": {"type": "number_input", "value": "3000000000"}}}
    status, body = server.slack.submit("ros_segment_submit", ADMIN, state, private_metadata=json.dumps({"session": live.id}))
    assert status == 200 and body["response_action"] == "errors" and set(body["errors"]) == {"offset", "duration"}, body
    assert "1,440" in body["errors"]["duration"]
    with db.read() as s:
        assert s.scalars(select(RosSegment)).all() == []


def test_time_off_and_availability_refuse_far_dates_and_unicode_digits(team, db):
    server = team
    days = {f"day_{wd}": {"value": {"type": "plain_text_input", "value": None}} for wd in range(7)}
    meta = json.dumps({"user": HOST})
    state = {**days, "off_first": {"value": {"type": "datepicker", "selected_date": "9999-12-30"}},
             "off_last": {"value": {"type": "datepicker", "selected_date": "9999-12-31"}}}
    status, body = server.slack.submit("avail_submit", HOST, state, private_metadata=meta)
    assert status == 200 and body["response_action"] == "errors" and "off_first" in body["errors"], body
    state = {**days, "day_0": {"value": {"type": "plain_text_input", "value": "٩:00-17:00"}}}
    status, body = server.slack.submit("avail_submit", HOST, state, private_metadata=meta)
    assert status == 200 and body["response_action"] == "errors" and "day_0" in body["errors"], body


@pytest.mark.parametrize("argv", [
    ["schedule", "suggest", "--week", "9999-W52"],
    ["export", "schedule", "--week", "0001-W01", "--out", "x.xlsx"],
    ["jobs", "run", "scorecard", "--week", "9999-W52"],
    ["jobs", "run", "run-of-show", "--date", "9999-12-31"],
    ["export", "approvals", "--from", "2026-02-30", "--to", "2026-03-01", "--out", "x.xlsx"],
    ["schedule", "suggest", "--week", "2026-W47", "--weeks", "3000000000"],
])
def test_cli_dates_and_weeks_out_of_range_exit_non_zero_with_one_sentence(argv, capsys, monkeypatch, db_url):
    monkeypatch.setenv("DATABASE_URL", db_url)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("opsbot"), err


def test_a_decimal_longer_than_decimal_precision_is_refused_in_plain_words():
    """30 nines with two places passed the length check but broke quantize (28-digit context): a crash, not a refusal."""
    from bot.services.validation import InputError, parse_decimal

    for text in ["9" * 30, "9" * 28 + ".00", "9" * 33]:
        with pytest.raises(InputError, match="too large"):
            parse_decimal(text, label="The rate")
    assert parse_decimal("25.50") == Decimal("25.50")
