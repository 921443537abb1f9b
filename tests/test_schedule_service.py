"""Calendar services: assignment checks, copy week across DST, publish/republish diffs, answers, suggestions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import ADMIN, HOST, HOST2, PA
from freezegun import freeze_time
from schedule_helpers import LA, RULES, all_week, at, new_session, person, seed
from sqlalchemy import select

from bot.db.models import OutboxMessage, Shift
from bot.services.schedule import availability
from bot.services import validation
from bot.services.schedule import answers as schedule_answers, calendar, publishing
from bot.services.schedule import suggest
from bot.services.errors import Conflict, Invalid, NotAllowed
from bot.services.schedule.rules import week_bounds
from bot.services.schedule.planner import NeedsOverride

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen(db):
    seed(db)
    with freeze_time("2026-10-20 17:00:00"):
        yield


def setup_people(s):
    return {
        "admin": person(s, ADMIN, "associate"),
        "lead": person(s, HOST, "host", tier="Lead", name="hana"),
        "rookie": person(s, HOST2, "host", tier="Rookie", name="hugo"),
        "pa": person(s, PA, "pa", name="pat"),
    }


def test_week_parsing_and_dst_week_lengths():
    assert validation.parse_week("2026-W44") == date(2026, 10, 26)
    start, end = week_bounds(date(2026, 10, 26), LA)  # contains Sun Nov 1 2026, clocks go back
    assert end - start == timedelta(hours=169)
    start, end = week_bounds(validation.parse_week("2027-W10"), LA)  # contains Sun Mar 14 2027, clocks go forward
    assert end - start == timedelta(hours=167)
    with pytest.raises(Invalid):
        validation.parse_week("2026-W60")
    with pytest.raises(Invalid):
        validation.parse_week("next week")


def test_only_the_associate_plans(db):
    with db.transaction() as s:
        p = setup_people(s)
        with pytest.raises(NotAllowed):
            calendar.create_session(s, p["lead"], calendar.SessionInput("x", at("2026-10-27", "10:00"), at("2026-10-27", "12:00")))
        live = calendar.create_session(s, p["admin"], calendar.SessionInput("x", at("2026-10-27", "10:00"), at("2026-10-27", "12:00")))
        assert sorted(sh.role for sh in live.shifts) == ["host", "pa"]
        assert all(sh.person_id is None for sh in live.shifts)


def test_assignment_refusals_and_warnings(db):
    with db.transaction() as s:
        p = setup_people(s)
        a_tier = new_session(s, "2026-10-27", "10:00", "12:00", tier="A")
        # tier too low: hard
        with pytest.raises(Invalid) as exc:
            calendar.assign(s, "cli", a_tier.id, {"host": HOST2}, RULES, override=True)
        assert not isinstance(exc.value, NeedsOverride) and "needs Lead" in exc.value.fields["host"]
        # wrong role: a PA can't host
        with pytest.raises(Invalid) as exc:
            calendar.assign(s, "cli", a_tier.id, {"host": PA}, RULES, override=True)
        assert "isn't a Host" in exc.value.fields["host"]
        calendar.assign(s, "cli", a_tier.id, {"host": HOST, "pa": PA}, RULES)
        # overlap: hard
        other = new_session(s, "2026-10-27", "11:00", "13:00", title="Overlap", tier="C")
        with pytest.raises(Invalid) as exc:
            calendar.assign(s, "cli", other.id, {"host": HOST}, RULES, override=True)
        assert "already on Host on Glow LIVE" in exc.value.fields["host"]
        # rest gap: warning, then allowed with override
        evening = new_session(s, "2026-10-27", "18:00", "20:00", title="Evening", tier="C")
        with pytest.raises(NeedsOverride) as exc:
            calendar.assign(s, "cli", evening.id, {"host": HOST}, RULES)
        assert "rest" in exc.value.fields["host"] and "Assign anyway" in exc.value.fields["host"]
        res = calendar.assign(s, "cli", evening.id, {"host": HOST}, RULES, override=True)
        assert [i.code for i in res.warnings] == ["rest"]
        # time off: hard
        availability.add_time_off(s, p["admin"], p["rookie"], date(2026, 10, 29), date(2026, 10, 29), "dentist", RULES)
        thu = new_session(s, "2026-10-29", "10:00", "12:00", tier="C")
        with pytest.raises(Invalid) as exc:
            calendar.assign(s, "cli", thu.id, {"host": HOST2}, RULES, override=True)
        assert "time off" in exc.value.fields["host"]


def test_daily_and_weekly_overtime_warn(db):
    with db.transaction() as s:
        setup_people(s)
        long_day = new_session(s, "2026-10-26", "08:00", "17:00", tier="C")  # 9 h > 8 h daily
        with pytest.raises(NeedsOverride) as exc:
            calendar.assign(s, "cli", long_day.id, {"host": HOST2}, RULES)
        assert "daily overtime" in exc.value.fields["host"]
        for day in ("2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30", "2026-10-31"):
            live = new_session(s, day, "09:00", "17:00", tier="C")
            calendar.assign(s, "cli", live.id, {"host": HOST}, RULES)  # 5 x 8 h = 40 h: at the limit, fine
        sunday = new_session(s, "2026-11-01", "09:00", "10:00", tier="C")
        with pytest.raises(NeedsOverride) as exc:
            calendar.assign(s, "cli", sunday.id, {"host": HOST}, RULES)
        assert "41h 00m" in exc.value.fields["host"] and "overtime" in exc.value.fields["host"]


def test_outside_weekly_availability_warns(db):
    with db.transaction() as s:
        p = setup_people(s)
        availability.set_weekly(s, p["rookie"], p["rookie"], {1: [(9 * 60, 13 * 60)]})  # Tuesdays 9-1
        ok = new_session(s, "2026-10-27", "10:00", "12:00", tier="C")
        calendar.assign(s, "cli", ok.id, {"host": HOST2}, RULES)
        late = new_session(s, "2026-10-28", "10:00", "12:00", tier="C")
        with pytest.raises(NeedsOverride) as exc:
            calendar.assign(s, "cli", late.id, {"host": HOST2}, RULES)
        assert "weekly availability (Tue 9:00 AM–1:00 PM)" in exc.value.fields["host"]


def test_dst_fall_back_session_is_three_real_hours(db):
    with db.transaction() as s:
        setup_people(s)
        live = new_session(s, "2026-11-01", "00:30", "03:30", tier="C")  # 1:00-2:00 happens twice
        assert live.ends_at - live.starts_at == timedelta(hours=4)
        long = new_session(s, "2026-11-01", "10:00", "17:30", tier="C", title="Sunday")
        # 7.5 h on the clock + the early 4 h = 11.5 h real hours on the 25-hour day -> daily overtime warning
        calendar.assign(s, "cli", live.id, {"host": HOST2}, RULES)
        with pytest.raises(NeedsOverride) as exc:
            calendar.assign(s, "cli", long.id, {"host": HOST2}, RULES)
        assert "11h 30m" in exc.value.fields["host"]


def test_copy_week_keeps_wall_clock_across_spring_forward(db):
    with freeze_time("2027-03-01 12:00:00"), db.transaction() as s:
        p = setup_people(s)
        src = new_session(s, "2027-03-12", "09:00", "12:00", tier="C")  # Fri before DST (PST)
        calendar.assign(s, "cli", src.id, {"host": HOST2, "pa": PA}, RULES)
        clash = new_session(s, "2027-03-13", "09:00", "12:00", tier="A", title="Hero")
        calendar.assign(s, "cli", clash.id, {"host": HOST}, RULES)
        availability.add_time_off(s, p["admin"], p["lead"], date(2027, 3, 20), date(2027, 3, 20), None, RULES)
        report = publishing.copy_week(s, "cli", date(2027, 3, 15), RULES)
        assert len(report.created) == 2
        fri = report.created[0]
        assert fri.starts_at.astimezone(LA).strftime("%H:%M %Z") == "09:00 PDT"
        assert fri.starts_at - src.starts_at == timedelta(days=7, hours=-1)
        assert {sh.person.slack_user_id for sh in fri.shifts if sh.person} == {HOST2, PA}
        assert any("hana not copied as Host" in line and "time off" in line for line in report.skipped)
        again = publishing.copy_week(s, "cli", date(2027, 3, 15), RULES)
        assert again.created == [] and len(again.skipped) == 2


def outbox_rows(s):
    return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_publish_then_republish_sends_only_changes(db):
    with db.transaction() as s:
        setup_people(s)
        monday = date(2026, 10, 26)
        a = new_session(s, "2026-10-27", "10:00", "12:00", tier="C")
        b = new_session(s, "2026-10-28", "10:00", "12:00", tier="C", title="Wednesday")
        calendar.assign(s, "cli", a.id, {"host": HOST, "pa": PA}, RULES)
        calendar.assign(s, "cli", b.id, {"host": HOST2}, RULES)
        first = publishing.publish_week(s, "cli", monday, RULES, "C0OPS")
        assert first.version == 1 and sorted(first.notified) == sorted([HOST, HOST2, PA])
        dms = [m for m in outbox_rows(s) if m.kind == "dm"]
        assert len(dms) == 3 and {m.channel for m in dms} == {HOST, HOST2, PA}
        assert publishing.unpublished_changes(s, monday, RULES) == 0
        with pytest.raises(Conflict, match="nothing changed"):
            publishing.publish_week(s, "cli", monday, RULES, "C0OPS")
        # move a, swap b's host, cancel nothing else
        calendar.edit_session(s, "cli", a.id, calendar.SessionInput("Glow LIVE", at("2026-10-27", "13:00"),
                                                                      at("2026-10-27", "15:00"), "Studio A", "C"), RULES)
        calendar.assign(s, "cli", b.id, {"host": HOST}, RULES)
        assert publishing.unpublished_changes(s, monday, RULES) == 4
        before = len(outbox_rows(s))
        second = publishing.publish_week(s, "cli", monday, RULES, "C0OPS")
        new = outbox_rows(s)[before:]
        dm_text = {m.channel: m.payload["text"] for m in new if m.kind == "dm"}
        assert second.version == 2 and set(dm_text) == {HOST, HOST2, PA}
        assert "moved" in dm_text[PA] and "added" not in dm_text[PA]
        assert "moved" in dm_text[HOST] and "added" in dm_text[HOST]
        assert "removed" in dm_text[HOST2]
        assert [m.kind for m in new if m.kind != "dm"] == ["update", "post"]


def test_confirm_and_decline(db):
    with db.transaction() as s:
        p = setup_people(s)
        a = new_session(s, "2026-10-27", "10:00", "12:00", tier="C")
        calendar.assign(s, "cli", a.id, {"host": HOST}, RULES)
        publishing.publish_week(s, "cli", date(2026, 10, 26), RULES, "C0OPS")
        host_shift = calendar.slot(calendar.get_session(s, a.id), "host")
        with pytest.raises(NotAllowed):
            schedule_answers.confirm_shift(s, p["rookie"], host_shift.id)
        _, changed = schedule_answers.confirm_shift(s, p["lead"], host_shift.id)
        assert changed
        _, changed = schedule_answers.confirm_shift(s, p["lead"], host_shift.id)
        assert not changed
        sh = schedule_answers.decline_shift(s, p["lead"], host_shift.id, "sick", RULES, "C0OPS")
        assert sh.state == "declined" and sh.needs_cover and sh.decline_reason == "sick"
        with pytest.raises(Conflict):
            schedule_answers.decline_shift(s, p["lead"], host_shift.id, None, RULES, "C0OPS")
        alert = [m for m in outbox_rows(s) if m.kind == "post" and "can't make" in m.payload["text"]]
        assert len(alert) == 1 and f"<@{ADMIN}>" in str(alert[0].payload["blocks"])
        # reassigning the slot resets the answer
        calendar.assign(s, "cli", a.id, {"host": HOST2}, RULES)
        sh = s.get(Shift, host_shift.id)
        assert sh.state == "pending" and not sh.needs_cover and sh.person_id == p["rookie"].id


def test_suggest_spreads_hours_and_prefers_lead_for_a_tier(db):
    with db.transaction() as s:
        p = setup_people(s)
        core = person(s, "UHOST003", "host", tier="Core", name="cory")
        for x in (p["lead"], p["rookie"], core):
            all_week(s, x)
        hero = new_session(s, "2026-10-27", "10:00", "12:00", tier="A", title="Hero")
        c1 = new_session(s, "2026-10-27", "18:00", "20:00", tier="C", title="C1")
        c2 = new_session(s, "2026-10-28", "18:00", "20:00", tier="C", title="C2")
        b1 = new_session(s, "2026-10-29", "18:00", "20:00", tier="B", title="B1")
        person(s, "UNOAVAIL", "host", tier="Lead", name="nobody")  # no stated availability: never suggested
        picks = suggest.suggest(s, "cli", date(2026, 10, 26), RULES, apply=True)
        by_title = {pk.session.title: pk for pk in picks}
        assert by_title["Hero"].person_slack_id == HOST and "highest tier preferred" in by_title["Hero"].why
        assert by_title["B1"].person_slack_id in (HOST, "UHOST003")
        # fairness: the rookie and core host (0 h) get the C slots before the lead, who already has the hero slot
        assert by_title["C1"].person_slack_id in (HOST2, "UHOST003")
        assert by_title["C1"].person_slack_id != by_title["C2"].person_slack_id
        assert all(pk.person_slack_id != "UNOAVAIL" for pk in picks)
        assert calendar.slot(calendar.get_session(s, hero.id), "host").person.slack_user_id == HOST
        # nothing left to suggest
        assert suggest.suggest(s, "cli", date(2026, 10, 26), RULES) == []
        del c1, c2, b1


def test_suggest_reports_unfillable_slot(db):
    with db.transaction() as s:
        p = setup_people(s)
        all_week(s, p["rookie"])
        new_session(s, "2026-10-27", "10:00", "12:00", tier="A", title="Hero")
        [pick] = suggest.suggest(s, "cli", date(2026, 10, 26), RULES)
        assert pick.person_slack_id is None and "nobody" in pick.why
