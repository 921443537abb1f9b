"""Time-clock rules tested on the service directly, with freezegun for the clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from bot import clock
from bot.db.models import LiveSession, OutboxMessage, Shift, TimeEntry
from bot.services import people, timeclock
from bot.services.errors import Conflict, Invalid, NotAllowed
from bot.timefmt import fmt_span, local_to_utc

LA = ZoneInfo("America/Los_Angeles")
POLICY = timeclock.Policy(tz=LA)


def la(y, mo, d, h, mi=0):
    return local_to_utc(date(y, mo, d), datetime(2000, 1, 1, h, mi).time(), LA)


def make_shift(s, person, start, end, role="host", title="Glow LIVE"):
    session = LiveSession(title=title, starts_at=start, ends_at=end, status="published", created_at=start)
    s.add(session)
    s.flush()
    shift = Shift(session_id=session.id, person_id=person.id, role=role, starts_at=start, ends_at=end, created_at=start)
    s.add(shift)
    s.flush()
    return shift


@pytest.fixture
def host(db):
    with db.transaction() as s:
        p = people.get_or_create(s, "UHOST001")
        people.grant(s, p, "host", actor="test")
    return "UHOST001"


def checkin(db, uid, note=None):
    with db.transaction() as s:
        return timeclock.check_in(s, people.get(s, uid), note, clock.now(), POLICY)


def checkout(db, uid, note=None):
    with db.transaction() as s:
        return timeclock.check_out(s, people.get(s, uid), note, clock.now(), POLICY)


def test_checkin_attaches_to_shift_within_early_window(db, host):
    with db.transaction() as s:
        shift_id = make_shift(s, people.get(s, host), la(2026, 11, 20, 18), la(2026, 11, 20, 22)).id
    with freeze_time(la(2026, 11, 20, 17, 15)):  # 45 min early: inside the 60 min window
        result = checkin(db, host)
    assert result.shift.id == shift_id and result.late_minutes == 0 and not result.unscheduled


def test_checkin_too_early_is_unscheduled(db, host):
    with db.transaction() as s:
        make_shift(s, people.get(s, host), la(2026, 11, 20, 18), la(2026, 11, 20, 22))
    with freeze_time(la(2026, 11, 20, 16, 30)):  # 90 min early
        result = checkin(db, host)
    assert result.unscheduled and result.entry.unscheduled


@pytest.mark.parametrize("minutes_after, late", [(0, 0), (5, 0), (6, 6), (42, 42)])
def test_lateness_against_call_time_with_grace(db, host, minutes_after, late):
    start = la(2026, 11, 20, 18)
    with db.transaction() as s:
        make_shift(s, people.get(s, host), start, start + timedelta(hours=4))
    with freeze_time(start + timedelta(minutes=minutes_after)):
        result = checkin(db, host)
    assert result.late_minutes == late
    assert result.entry.late_minutes == late


def test_second_entry_on_same_shift_does_not_count_lateness_twice(db, host):
    start = la(2026, 11, 20, 18)
    with db.transaction() as s:
        make_shift(s, people.get(s, host), start, start + timedelta(hours=4))
    with freeze_time(start + timedelta(minutes=20)):
        checkin(db, host)
    with freeze_time(start + timedelta(minutes=80)):
        checkout(db, host)
    with freeze_time(start + timedelta(minutes=110)):  # back from a break
        again = checkin(db, host)
    assert again.shift is not None and again.late_minutes == 0 and again.entry.late_minutes is None


def test_cancelled_session_shift_is_not_matched(db, host):
    with db.transaction() as s:
        shift = make_shift(s, people.get(s, host), la(2026, 11, 20, 18), la(2026, 11, 20, 22))
        shift.session.status = "cancelled"
    with freeze_time(la(2026, 11, 20, 18)):
        assert checkin(db, host).unscheduled


def test_checkout_totals_the_day_across_entries_and_cuts_last_nights_at_midnight(db, host):
    """Today in total: last night's entry only from midnight, this morning's whole, and the one closing now
    (the database sums the closed ones on PostgreSQL, in the check-out's own statement)."""
    for clock_in, clock_out in ((la(2026, 11, 20, 22), la(2026, 11, 21, 1)), (la(2026, 11, 21, 9), la(2026, 11, 21, 12, 30)),
                                (la(2026, 11, 21, 14), la(2026, 11, 21, 15, 15))):
        with freeze_time(clock_in):
            checkin(db, host)
        with freeze_time(clock_out):
            out = checkout(db, host)
    assert out.worked == timedelta(hours=1, minutes=15)
    assert out.worked_today == timedelta(hours=5, minutes=45)


def test_overnight_shift_crossing_midnight(db, host):
    with db.transaction() as s:
        make_shift(s, people.get(s, host), la(2026, 11, 20, 22), la(2026, 11, 21, 4))
    with freeze_time(la(2026, 11, 20, 22, 3)):
        checkin(db, host)
    with freeze_time(la(2026, 11, 21, 4, 10)):
        out = checkout(db, host)
    assert out.worked == timedelta(hours=6, minutes=7)
    assert out.worked_today == timedelta(hours=4, minutes=10)  # the part after midnight
    with db.read() as s:
        days = {m.payload["date"] for m in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "board"))}
    assert days == {"2026-11-20", "2026-11-21"}  # both days' boards are refreshed
    assert fmt_span(out.entry.clock_in_at, out.entry.clock_out_at, LA) == "Fri Nov 20, 10:03 PM – Sat Nov 21, 4:10 AM PST"


def test_dst_fall_back_night_counts_the_extra_hour(db, host):
    # 2026-11-01: clocks go from 2:00 PDT back to 1:00 PST; 10 PM to 6 AM is 9 hours of work.
    with freeze_time(la(2026, 10, 31, 22)):
        checkin(db, host)
    with freeze_time(la(2026, 11, 1, 6)):
        out = checkout(db, host)
    assert out.worked == timedelta(hours=9)


def test_dst_spring_forward_night_counts_one_hour_less(db, host):
    # 2027-03-14: clocks jump from 2:00 PST to 3:00 PDT; 10 PM to 6 AM is 7 hours of work.
    with freeze_time(la(2027, 3, 13, 22)):
        checkin(db, host)
    with freeze_time(la(2027, 3, 14, 6)):
        out = checkout(db, host)
    assert out.worked == timedelta(hours=7)
    assert fmt_span(out.entry.clock_in_at, out.entry.clock_out_at, LA).endswith("6:00 AM PDT")


def test_local_time_in_dst_gap_moves_forward():
    assert local_to_utc(date(2027, 3, 14), datetime(2000, 1, 1, 2, 30).time(), LA) == datetime(2027, 3, 14, 10, 30, tzinfo=timezone.utc)


def test_refusals_change_nothing(db, host):
    with freeze_time("2026-11-20 18:00:00"):
        with pytest.raises(Conflict):
            checkout(db, host)
        with pytest.raises(Invalid):
            checkin(db, host, "x" * 2001)
        checkin(db, host)
        with pytest.raises(Conflict):
            checkin(db, host)
    with db.read() as s:
        assert len(s.scalars(select(TimeEntry)).all()) == 1


def _edit(db, actor_uid, entry_id, start, end, reason="forgot to check out"):
    with db.transaction() as s:
        return timeclock.edit_entry(s, people.get_or_create(s, actor_uid), entry_id, clock_in_at=start,
                                    clock_out_at=end, reason=reason, now=clock.now(), policy=POLICY)


def test_only_associate_edits_entries(db, host):
    with freeze_time(la(2026, 11, 20, 18)):
        entry_id = checkin(db, host).entry.id
    with freeze_time(la(2026, 11, 21, 9)):
        with pytest.raises(NotAllowed):
            _edit(db, host, entry_id, la(2026, 11, 20, 17), la(2026, 11, 20, 23))
    with db.read() as s:
        assert s.get(TimeEntry, entry_id).clock_out_at is None


def test_associate_edit_validates_and_audits(db, host):
    with db.transaction() as s:
        admin = people.get_or_create(s, "UADMIN01")
        people.grant(s, admin, "associate", actor="test")
    with freeze_time(la(2026, 11, 20, 18)):
        entry_id = checkin(db, host).entry.id
    with freeze_time(la(2026, 11, 21, 9)):
        with pytest.raises(Invalid) as bad:
            _edit(db, "UADMIN01", entry_id, la(2026, 11, 20, 18), la(2026, 11, 20, 17))
        assert "clock_out" in bad.value.fields
        with pytest.raises(Invalid) as noreason:
            _edit(db, "UADMIN01", entry_id, la(2026, 11, 20, 18), la(2026, 11, 20, 23), reason="  ")
        assert "reason" in noreason.value.fields
        with pytest.raises(Invalid) as toolong:
            _edit(db, "UADMIN01", entry_id, la(2026, 11, 20, 18), la(2026, 11, 21, 11))
        assert "clock_out" in toolong.value.fields
        entry = _edit(db, "UADMIN01", entry_id, la(2026, 11, 20, 18), la(2026, 11, 21, 1))  # overnight fix
    assert entry.edited and entry.clock_out_at == la(2026, 11, 21, 1)
    from bot.db.models import AuditRecord

    with db.read() as s:
        rec = s.scalars(select(AuditRecord).where(AuditRecord.action == "timeclock.entry_edited")).one()
        assert rec.actor == "UADMIN01" and rec.reason == "forgot to check out"
        assert rec.before["clock_out_at"] is None and rec.after["clock_out_at"].startswith("2026-11-21T09:00")
        dm = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "dm")).one()
        assert dm.channel == host and "Reason" in str(dm.payload["blocks"])


def test_edit_refuses_overlap_with_another_entry(db, host):
    with db.transaction() as s:
        admin = people.get_or_create(s, "UADMIN01")
        people.grant(s, admin, "associate", actor="test")
    with freeze_time(la(2026, 11, 20, 9)):
        first = checkin(db, host).entry.id
    with freeze_time(la(2026, 11, 20, 12)):
        checkout(db, host)
    with freeze_time(la(2026, 11, 20, 14)):
        checkin(db, host)
    with freeze_time(la(2026, 11, 20, 18)):
        checkout(db, host)
        with pytest.raises(Invalid) as clash:
            _edit(db, "UADMIN01", first, la(2026, 11, 20, 9), la(2026, 11, 20, 15))
    assert "overlaps" in clash.value.fields["clock_in"]


def test_on_set_board_groups_people(db, host):
    with db.transaction() as s:
        pa = people.get_or_create(s, "UPA00001")
        make_shift(s, pa, la(2026, 11, 20, 19), la(2026, 11, 20, 23), role="pa")
    with freeze_time(la(2026, 11, 20, 18, 10)):
        checkin(db, host)
        with db.read() as s:
            board = timeclock.on_set_board(s, date(2026, 11, 20), LA, clock.now())
    assert [r.person.slack_user_id for r in board.on_set] == [host]
    assert [r.person.slack_user_id for r in board.expected] == ["UPA00001"]
    assert board.finished == []
