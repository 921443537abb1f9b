"""Scheduled posts run exactly once: unique (job, period), grace window after a restart, forced re-runs,
and one scheduler leader across processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import OPS_CHANNEL, make_settings
from freezegun import freeze_time
from sqlalchemy import select

from bot.db.jobs import JobRun, JobTick
from bot.db.models import OutboxMessage
from bot.jobs.base import JobContext, JobSpec, fire_post, run_post, run_tick
from bot.jobs.leader import LeaderLock
from bot.runtime import Runtime
from bot.services import outbox

ROOT = Path(__file__).resolve().parents[1]


def daily_post(ctx: JobContext) -> str:
    with ctx.rt.db.transaction() as s:
        outbox.post(s, OPS_CHANNEL, f"Run of show for {ctx.period}", key=f"test-post:{ctx.run_key}")
    return "posted"


SPEC = JobSpec(name="test-post", func=daily_post, cron="0 8 * * *", grace=timedelta(hours=1))


@pytest.fixture
def rt(db, db_url):
    return Runtime.build(make_settings(db_url), db)


def posts(db):
    with db.read() as s:
        return [m.payload["text"] for m in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "post"))]


def at_la(text: str) -> datetime:
    # 08:00 in Los Angeles on 2026-11-25 is 16:00 UTC (PST)
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_posts_once_at_eight_even_if_two_schedulers_fire(rt, db):
    with freeze_time("2026-11-25 16:00:05"):
        first = fire_post(rt, SPEC)
        second = fire_post(rt, SPEC)  # a second leader (or a double fire) in the same minute
    assert "posted" in first and "already posted" in second
    assert posts(db) == ["Run of show for 2026-11-25"]


def test_restart_at_0820_still_posts_within_grace(rt, db):
    with freeze_time("2026-11-25 16:20:00"):
        assert "posted" in fire_post(rt, SPEC)
    assert posts(db) == ["Run of show for 2026-11-25"]


def test_missed_longer_than_grace_is_not_sent_stale(rt, db, capsys):
    with freeze_time("2026-11-25 17:30:00"):  # 09:30 in LA: 90 minutes late
        outcome = fire_post(rt, SPEC)
    assert "missed" in outcome and posts(db) == []


def test_before_first_fire_of_the_day_posts_yesterdays_only_within_grace(rt, db):
    with freeze_time("2026-11-25 15:00:00"):  # 07:00 in LA: yesterday's 08:00 is 23 h old
        assert "missed" in fire_post(rt, SPEC)
    assert posts(db) == []


def test_forced_rerun_posts_again_and_is_recorded(rt, db):
    with freeze_time("2026-11-25 16:00:00"):
        fire_post(rt, SPEC)
        assert "already posted" in run_post(rt, SPEC, "2026-11-25")
        assert "forced-1" in run_post(rt, SPEC, "2026-11-25", force=True)
        assert "forced-2" in run_post(rt, SPEC, "2026-11-25", force=True)
    assert len(posts(db)) == 3
    with db.read() as s:
        assert {r.period for r in s.scalars(select(JobRun))} == {"2026-11-25", "2026-11-25#forced-1", "2026-11-25#forced-2"}


def test_failed_run_does_not_hold_the_period(rt, db):
    calls = []

    def flaky(ctx: JobContext) -> str:
        calls.append(ctx.period)
        if len(calls) == 1:
            raise RuntimeError("Slack blocks builder broke")
        return daily_post(ctx)

    spec = JobSpec(name="flaky", func=flaky, cron="0 8 * * *")
    with freeze_time("2026-11-25 16:00:00"):
        assert "failed" in fire_post(rt, spec)
        assert "posted" in fire_post(rt, spec)
    assert posts(db) == ["Run of show for 2026-11-25"]


def test_dst_day_fires_at_local_eight(rt, db):
    # 2026-11-01 is the fall-back day: 08:00 PST is 16:00 UTC (the day before, 08:00 PDT was 15:00 UTC)
    assert SPEC.last_fire(at_la("2026-11-01T16:30:00"), rt.tz) == at_la("2026-11-01T16:00:00")
    assert SPEC.last_fire(at_la("2026-10-31T15:30:00"), rt.tz) == at_la("2026-10-31T15:00:00")


def test_tick_job_records_last_run(rt, db):
    spec = JobSpec(name="test-tick", func=lambda ctx: "2 reminders", kind="tick")
    run_tick(rt, spec)
    with db.read() as s:
        tick = s.get(JobTick, "test-tick")
    assert tick.last_status == "done" and tick.last_result == "2 reminders"


def test_jobs_during_a_database_outage_log_one_line_a_minute_not_tracebacks(rt, db, tmp_path, caplog):
    import logging

    from outage_helpers import database_down

    from bot.jobs.base import outage_safe

    spec = JobSpec(name="test-tick", func=lambda ctx: "2 reminders", kind="tick")
    with database_down(db, tmp_path), caplog.at_level(logging.WARNING), freeze_time(at_la("2026-11-25T16:10:00")):
        for _ in range(3):  # within the post's grace: it would write its run row
            assert "database unreachable" in outage_safe(run_tick)(rt, spec)
            assert "database unreachable" in outage_safe(fire_post)(rt, SPEC)
    assert [r.getMessage()[:20] for r in caplog.records if r.name.startswith("opsbot")] == ["database unreachable"]
    assert all(r.exc_info is None for r in caplog.records)
    assert "2 reminders" in outage_safe(run_tick)(rt, spec)  # back: runs as before


def test_leader_lock_in_one_process(db):
    a, b = LeaderLock(db.engine), LeaderLock(db.engine)
    try:
        assert a.try_acquire() is True
        assert b.try_acquire() is False
        a.release()
        assert b.try_acquire() is True
    finally:
        a.release()
        b.release()


HOLDER = textwrap.dedent("""
    import sys, time
    from bot.db.session import Database
    from bot.jobs.leader import LeaderLock
    lock = LeaderLock(Database(sys.argv[1]).engine)
    print("leader" if lock.try_acquire() else "standby", flush=True)
    time.sleep(60)
""")


def test_leader_lock_across_processes_and_takeover_when_leader_dies(db_url):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", HOLDER, db_url], stdout=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    from bot.db.session import Database

    db = Database(db_url)
    lock = LeaderLock(db.engine)
    try:
        said = {p: p.stdout.readline().strip() for p in procs}
        assert sorted(said.values()) == ["leader", "standby"]
        assert lock.try_acquire() is False  # a third process can't lead either
        leader = next(p for p, role in said.items() if role == "leader")
        leader.kill()  # the leader dies without releasing anything
        leader.wait()
        deadline = time.time() + 10
        while not lock.try_acquire():
            assert time.time() < deadline, "the lock was not released when the leader died"
            time.sleep(0.2)
    finally:
        lock.release()
        for p in procs:
            p.kill()
            p.wait()
        db.dispose()
