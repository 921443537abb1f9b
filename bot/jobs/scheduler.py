"""APScheduler 3 in the bot process (or alone): cron posts and minute ticks, run only by the leader.

Every process may host a Scheduler; only the one holding the leader lock starts APScheduler. The
others stand by and take over when the leader goes away. On becoming leader, posts whose scheduled
minute passed within their grace window (a restart at 08:20 for an 08:00 post) are sent at once.
"""

from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot import clock
from bot.db.outage import unreachable as db_unreachable
from bot.jobs.base import JobSpec, fire_post, outage_safe, run_tick
from bot.jobs.leader import LeaderLock
from bot.jobs.registry import all_jobs
from bot.logs import DATABASE
from bot.runtime import Runtime

log = logging.getLogger("opsbot.scheduler")


class Scheduler:
    def __init__(self, rt: Runtime, jobs: dict[str, JobSpec] | None = None) -> None:
        self.rt = rt
        self.jobs = jobs if jobs is not None else all_jobs(rt.settings)
        self.lock = LeaderLock(rt.db.engine)
        self._aps: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def leading(self) -> bool:
        return self._aps is not None

    def start(self) -> None:
        """Stand by in a background thread; lead when the lock is free."""
        self._thread = threading.Thread(target=self._watch, name="opsbot-scheduler", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        poll = self.rt.settings.scheduler_standby_poll_seconds
        while not self._stop.is_set():
            try:
                if self.lock.try_acquire():
                    if not self.leading:
                        self._lead()
                elif self.leading:
                    self._step_down()
            except Exception as exc:
                if db_unreachable(exc):
                    DATABASE.down(f"scheduler leader check: {type(exc).__name__}")
                else:
                    log.exception("scheduler leader check failed")
            self._stop.wait(poll)

    def _lead(self) -> None:
        tz = self.rt.tz
        aps = BackgroundScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1})
        for spec in self.jobs.values():
            if spec.kind == "tick":
                aps.add_job(outage_safe(run_tick), IntervalTrigger(seconds=self.rt.settings.tick_seconds, timezone=tz),
                            args=[self.rt, spec], id=spec.name, name=spec.name, misfire_grace_time=30)
            else:
                aps.add_job(outage_safe(fire_post), spec.trigger(tz), args=[self.rt, spec], id=spec.name, name=spec.name,
                            misfire_grace_time=int(spec.grace.total_seconds()))
        from bot.jobs import history

        with self.rt.db.transaction() as s:  # history starts now for jobs this database has not seen
            history.register(s, [n for n, spec in self.jobs.items() if spec.kind == "post"], clock.now())
        aps.start()
        self._aps = aps
        log.info("scheduler: this process is the leader; jobs: %s", ", ".join(sorted(self.jobs)) or "none")
        for spec in self.jobs.values():  # catch up on posts missed while no leader ran
            if spec.kind == "post":
                log.info("scheduler catch-up: %s", fire_post(self.rt, spec))

    def _step_down(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
            log.warning("scheduler: no longer the leader; standing by")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        self._step_down()
        self.lock.release()
