"""Timed re-escalation, driven by freezegun: the right people at the right minutes, once each."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from conftest import ADMIN, HOST, LEADER, make_settings
from escalation_helpers import click, dms, escalation, event_kinds, grant, raise_one
from freezegun import freeze_time
from sqlalchemy import func, select

from bot import clock
from bot.db.escalations import EscalationEvent
from bot.db.session import Database
from bot.jobs import escalations as job
from bot.runtime import Runtime

T0 = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)  # 10:00 AM in Los Angeles


def tick_minutes(server, frozen, minutes, esc_start):
    """Run the job once per minute (twice, like a second process would) and collect DMs per minute."""
    pages: dict[int, list[str]] = {}
    for minute in minutes:
        frozen.move_to(esc_start + timedelta(minutes=minute, seconds=1))
        server.stub.clear()
        job.run(server.rt, clock.now())
        job.run(server.rt, clock.now())
        server.drain()
        sent = sorted(u for u, _ in dms(server))
        if sent:
            pages[minute] = sent
    return pages


def test_sev1_unacknowledged_widens_to_leadership_once_each(server, db):
    grant(db, HOST, "host")
    with freeze_time(T0, tick=True) as frozen:
        esc_id = raise_one(server, HOST, severity="1")
        start = escalation(db, esc_id).escalated_at
        server.drain()
        pages = tick_minutes(server, frozen, range(1, 16), start)
    assert pages == {5: [ADMIN], 10: [ADMIN, LEADER], 15: [ADMIN, LEADER]}
    assert event_kinds(db, esc_id).count("escalated") == 3
    assert escalation(db, esc_id).escalation_level == 3


def test_sev1_acknowledged_in_time_is_not_re_escalated_and_owner_nag_can_be_snoozed(server, db):
    grant(db, HOST, "host")
    with freeze_time(T0, tick=True) as frozen:
        esc_id = raise_one(server, HOST, severity="1")
        start = escalation(db, esc_id).escalated_at
        frozen.move_to(start + timedelta(minutes=3))
        click(server, "esc_ack", esc_id, LEADER)
        server.drain()
        assert tick_minutes(server, frozen, range(4, 18), start) == {}
        assert tick_minutes(server, frozen, [18], start) == {18: [LEADER]}  # nag 15 min after acknowledging
        click(server, "esc_snooze", esc_id, LEADER)
        assert "snoozed for 30 min" in server.stub.calls_to("response_url")[-1].params["text"]
        assert tick_minutes(server, frozen, range(19, 48), start) == {}
        assert tick_minutes(server, frozen, [49], start) == {49: [LEADER]}
    assert "escalated" not in event_kinds(db, esc_id)


def test_sev2_reminds_at_10_and_30_then_stops(server, db):
    grant(db, HOST, "host")
    with freeze_time(T0, tick=True) as frozen:
        esc_id = raise_one(server, HOST, severity="2")
        start = escalation(db, esc_id).escalated_at
        server.drain()
        pages = tick_minutes(server, frozen, [9, 10, 11, 29, 30, 31, 60, 120], start)
    assert pages == {10: [ADMIN], 30: [ADMIN, LEADER]}


def test_sev3_one_reminder_and_sev4_none(server, db):
    grant(db, HOST, "host")
    with freeze_time(T0, tick=True) as frozen:
        sev3 = raise_one(server, HOST, severity="3")
        raise_one(server, HOST, severity="4")
        start = escalation(db, sev3).escalated_at
        server.drain()
        pages = tick_minutes(server, frozen, [59, 60, 61, 120, 240], start)
    assert pages == {60: [ADMIN]}


def test_after_downtime_one_reminder_at_the_widest_level(server, db):
    grant(db, HOST, "host")
    with freeze_time(T0, tick=True) as frozen:
        esc_id = raise_one(server, HOST, severity="1")
        start = escalation(db, esc_id).escalated_at
        server.drain()
        pages = tick_minutes(server, frozen, [22], start)
    assert pages == {22: [ADMIN, LEADER]}
    assert escalation(db, esc_id).escalation_level == 4


def test_policy_comes_from_settings(server, db):
    server.rt.settings.escalation_policy = "SEV3=every 2, widen 4"
    grant(db, HOST, "host")
    with freeze_time(T0, tick=True) as frozen:
        esc_id = raise_one(server, HOST, severity="3")
        start = escalation(db, esc_id).escalated_at
        server.drain()
        pages = tick_minutes(server, frozen, range(1, 5), start)
    assert pages == {2: [ADMIN], 4: [ADMIN, LEADER]}


def test_two_processes_ticking_the_same_minute_notify_once(server, db, db_url):
    grant(db, HOST, "host")
    with freeze_time(T0, tick=True) as frozen:
        esc_id = raise_one(server, HOST, severity="1")
        start = escalation(db, esc_id).escalated_at
        server.drain()
        frozen.move_to(start + timedelta(minutes=10, seconds=5))
        now = clock.now()
        others = [Runtime.build(make_settings(db_url, server.stub.base_url), Database(db_url)) for _ in range(3)]
        barrier = threading.Barrier(len(others))
        results: list[int] = []

        def tick(rt):
            barrier.wait()
            results.append(job.run(rt, now))

        threads = [threading.Thread(target=tick, args=(rt,)) for rt in others]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for rt in others:
            rt.db.dispose()
        server.stub.clear()
        server.drain()
    assert sorted(results) == [0, 0, 2]
    assert sorted(u for u, _ in dms(server)) == [ADMIN, LEADER]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(EscalationEvent).where(
            EscalationEvent.escalation_id == esc_id, EscalationEvent.kind == "escalated")) == 1
