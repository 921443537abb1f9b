"""What a scheduled job is, and how one run is recorded exactly once.

Two kinds:
- a *post* job fires on a cron schedule and posts something for a period (a day, a week); its run is
  claimed by inserting the unique (job, period) row, so it happens once however many processes run;
- a *tick* job runs every minute and computes what is due from the database (reminders,
  re-escalations); each of its effects carries its own idempotency key.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot import clock
from bot.db.jobs import JobRun, JobTick
from bot.db.outage import unreachable as db_unreachable
from bot.logs import DATABASE
from bot.services.validation import week_label as iso_week  # noqa: F401  (the one ISO-week label)
from bot.timefmt import to_local

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("opsbot.jobs")


class NothingPosted(Exception):
    """Raised by a post job that could not post (its channel is not set...): the run is not recorded, so the
    period stays open for a later run instead of answering "already posted" for a post nobody saw."""


class Outcome(str):
    """A run's one-line outcome; `status` is done | failed | not_run | skipped (already run)."""

    status: str = "done"

    @classmethod
    def of(cls, text: str, status: str) -> Outcome:
        out = cls(text)
        out.status = status
        return out


@dataclass(frozen=True)
class JobContext:
    rt: Runtime
    now: datetime
    period: str
    forced: bool = False
    run_key: str = ""  # unique per run: put it in outbox dedupe keys so a forced re-run posts again

    @property
    def day(self) -> date:
        """The period as a date, for daily jobs."""
        return date.fromisoformat(self.period[:10])


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[[JobContext], str]
    kind: str = "post"  # post | tick
    cron: str | None = None  # crontab in the team time zone, for post jobs
    grace: timedelta = timedelta(hours=1)
    period_of: Callable[[datetime], str] = field(default=lambda local: local.date().isoformat())
    description: str = ""
    period: str = "day"  # day (YYYY-MM-DD) | week (YYYY-Www): what `opsbot jobs run --date/--week` names

    def trigger(self, tz) -> CronTrigger:  # type: ignore[no-untyped-def]
        assert self.cron, f"{self.name} has no cron"
        return CronTrigger.from_crontab(self.cron, timezone=tz)

    def last_fire(self, now: datetime, tz) -> datetime | None:  # type: ignore[no-untyped-def]
        """The latest scheduled time at or before `now` (within the last 8 days)."""
        trigger = self.trigger(tz)
        last = None
        t = trigger.get_next_fire_time(None, to_local(now - timedelta(days=8), tz))
        while t is not None and t <= now:
            last = t
            t = trigger.get_next_fire_time(t, t + timedelta(seconds=1))
        return last

    def next_fire(self, now: datetime, tz) -> datetime | None:  # type: ignore[no-untyped-def]
        return self.trigger(tz).get_next_fire_time(None, to_local(now, tz) + timedelta(seconds=1)) if self.cron else None


def run_post(rt: Runtime, spec: JobSpec, period: str, *, scheduled_for: datetime | None = None,
             force: bool = False, now: datetime | None = None) -> Outcome:
    """Run a post job for one period, once. Returns a one-line outcome for logs and the CLI."""
    now = now or clock.now()
    key = period
    if force:
        with rt.db.read() as s:
            n = len(s.scalars(select(JobRun.id).where(JobRun.job == spec.name, JobRun.period.like(f"{period}#forced-%"))).all())
        key = f"{period}#forced-{n + 1}"
    try:
        with rt.db.transaction() as s:
            s.add(JobRun(job=spec.name, period=key, scheduled_for=scheduled_for, status="running", forced=force, started_at=now))
    except IntegrityError:
        log.info("job=%s period=%s skipped: already run", spec.name, period)
        return Outcome.of(f"{spec.name} {period}: already posted (use --force to post again)", "skipped")
    started = time.monotonic()
    try:
        result = spec.func(JobContext(rt=rt, now=now, period=period, forced=force, run_key=key))
        status = "done"
    except NothingPosted as exc:
        with rt.db.transaction() as s:  # a run that posted nothing is not a run: free the period
            s.execute(delete(JobRun).where(JobRun.job == spec.name, JobRun.period == key))
        log.warning("job=%s period=%s not run: %s", spec.name, period, exc)
        return Outcome.of(f"{spec.name} {period}: {exc}", "not_run")
    except Exception as exc:
        if db_unreachable(exc):
            raise  # outage_safe logs the outage once a minute; the run is retried at the next fire
        log.exception("job=%s period=%s failed", spec.name, period)
        result, status = f"failed: {type(exc).__name__}: {exc}"[:500], "failed"
    with rt.db.transaction() as s:
        s.execute(update(JobRun).where(JobRun.job == spec.name, JobRun.period == key)
                  .values(status=status, finished_at=clock.now(), result=result))
    rt.notifier.kick()
    log.info("job=%s period=%s status=%s ms=%.0f result=%s", spec.name, key, status, (time.monotonic() - started) * 1000, result)
    if status == "failed":
        # let a later fire (or `opsbot jobs run`) try again: a failed run does not hold the period
        with rt.db.transaction() as s:
            s.execute(update(JobRun).where(JobRun.job == spec.name, JobRun.period == key).values(period=f"{key}#failed-{int(now.timestamp())}"))
    return Outcome.of(f"{spec.name} {key}: {result}", status)


def fire_post(rt: Runtime, spec: JobSpec, now: datetime | None = None) -> str:
    """What the scheduler calls: post for the latest scheduled time if within grace; report it missed otherwise."""
    now = now or clock.now()
    last = spec.last_fire(now, rt.tz)
    if last is None:
        return f"{spec.name}: nothing scheduled yet"
    period = spec.period_of(to_local(last, rt.tz))
    if now - last > spec.grace:
        return f"{spec.name} {period}: missed at {last.isoformat()}, older than the {spec.grace} grace window; not sent"
    return run_post(rt, spec, period, scheduled_for=last, now=now)


def run_tick(rt: Runtime, spec: JobSpec, now: datetime | None = None) -> str:
    now = now or clock.now()
    started = time.monotonic()
    try:
        result, status = spec.func(JobContext(rt=rt, now=now, period=now.isoformat(timespec="minutes"))), "done"
    except Exception as exc:
        if db_unreachable(exc):
            raise  # outage_safe logs the outage once a minute
        log.exception("job=%s tick failed", spec.name)
        result, status = f"failed: {type(exc).__name__}: {exc}"[:500], "failed"
    with rt.db.transaction() as s:
        row = s.get(JobTick, spec.name)
        if row is None:
            s.add(JobTick(job=spec.name, last_started_at=now, last_finished_at=clock.now(), last_status=status, last_result=result))
        else:
            row.last_started_at, row.last_finished_at, row.last_status, row.last_result = now, clock.now(), status, result
    rt.notifier.kick()
    log.info("job=%s tick status=%s ms=%.0f result=%s", spec.name, status, (time.monotonic() - started) * 1000, result)
    return f"{spec.name}: {result}"


def outage_safe(fn: Callable[..., str]) -> Callable[..., str]:
    """What the scheduler runs: a database outage is one log line a minute, not a traceback per job."""

    @functools.wraps(fn)
    def run(rt: Runtime, spec: JobSpec, *args: object, **kwargs: object) -> str:
        try:
            return fn(rt, spec, *args, **kwargs)
        except Exception as exc:
            if not db_unreachable(exc):
                raise
            DATABASE.down(f"job {spec.name}: {type(exc).__name__}")
            return f"{spec.name}: database unreachable, not run"

    return run
