"""`opsbot scheduler`, `opsbot jobs list`, `opsbot jobs run NAME`: the scheduled posts from the shell."""

from __future__ import annotations

import argparse
import signal
import threading
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.cli import args as args_types
from bot.cli.core import _setup_logging, settings_or_exit


def register(sub: Any) -> None:
    sched = sub.add_parser("scheduler", help="run the scheduler alone (one leader across processes)")
    sched.set_defaults(func=cmd_scheduler)

    jobs = sub.add_parser("jobs", help="list scheduled jobs or run one now")
    jsub = jobs.add_subparsers(dest="jobs_command", metavar="ACTION")
    lst = jsub.add_parser("list", help="each job, next run, last run and result, missed posts")
    lst.set_defaults(func=cmd_list)
    run = jsub.add_parser("run", help="run one job now (idempotent unless --force)")
    run.add_argument("name")
    run.add_argument("--date", type=args_types.day, help="the day to post for (YYYY-MM-DD), daily jobs")
    run.add_argument("--week", type=args_types.week_label, help="the ISO week to post for (YYYY-Www), weekly jobs")
    run.add_argument("--force", action="store_true", help="post again even if already posted for that period")
    run.set_defaults(func=cmd_run)
    jobs.set_defaults(func=lambda a: (jobs.print_help(), 2)[1])


def _runtime():  # type: ignore[no-untyped-def]
    from bot.runtime import Runtime

    settings = settings_or_exit()
    _setup_logging(settings)
    return Runtime.build(settings)


def cmd_scheduler(args: argparse.Namespace) -> int:
    from bot.db.migrate import upgrade
    from bot.jobs.scheduler import Scheduler

    rt = _runtime()
    upgrade(rt.db.engine)
    rt.notifier.start()
    scheduler = Scheduler(rt)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler.start()
    stop.wait()
    scheduler.stop()
    rt.notifier.stop()
    return 0


def _fmt(when: datetime | None, tz: Any) -> str:
    from bot.timefmt import to_local

    return to_local(when, tz).strftime("%a %Y-%m-%d %H:%M") if when else "-"


def cmd_list(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.db.jobs import JobRun, JobTick
    from bot.jobs.registry import all_jobs
    from bot.timefmt import to_local

    rt = _runtime()
    now = clock.now()
    specs = all_jobs(rt.settings)
    if not specs:
        print("No jobs are registered.")
        return 0
    print(f"{'JOB':<20} {'SCHEDULE':<16} {'NEXT RUN':<22} {'LAST RUN':<44} RESULT")
    with rt.db.read() as s:
        for spec in specs.values():
            if spec.kind == "tick":
                tick = s.get(JobTick, spec.name)
                last = f"{_fmt(tick.last_started_at, rt.tz)} {tick.last_status}" if tick else "never"
                print(f"{spec.name:<20} {'every ' + str(rt.settings.tick_seconds) + 's':<16} {'-':<22} {last:<44} {tick.last_result if tick else ''}")
                continue
            run = s.scalars(select(JobRun).where(JobRun.job == spec.name).order_by(JobRun.started_at.desc()).limit(1)).first()
            last = f"{run.period} {run.status} at {_fmt(run.finished_at or run.started_at, rt.tz)}" if run else "never"
            print(f"{spec.name:<20} {spec.cron:<16} {_fmt(spec.next_fire(now, rt.tz), rt.tz):<22} {last:<44} {(run.result or '') if run else ''}")
            fired = spec.last_fire(now, rt.tz)
            if fired is not None:
                period = spec.period_of(to_local(fired, rt.tz))
                done = s.scalar(select(JobRun.id).where(JobRun.job == spec.name, JobRun.period == period, JobRun.status == "done"))
                if done is None and now - fired > spec.grace:
                    print(f"{'':<20} MISSED: the {period} post due {_fmt(fired, rt.tz)} was not sent (older than the grace window); "
                          f"`opsbot jobs run {spec.name} --force` sends it now")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.jobs.base import run_post, run_tick
    from bot.jobs.registry import all_jobs
    from bot.timefmt import local_date, to_local

    rt = _runtime()
    specs = all_jobs(rt.settings)
    spec = specs.get(args.name)
    if spec is None:
        print(f"opsbot: no job named '{args.name}'. Jobs: {', '.join(sorted(specs)) or 'none'}", file=__import__('sys').stderr)
        return 2
    if spec.kind == "tick":
        print(run_tick(rt, spec))
        return 0
    if args.week:
        period = args.week
    elif args.date:
        period = args.date.isoformat()
    else:
        fired = spec.last_fire(clock.now(), rt.tz)
        period = spec.period_of(to_local(fired, rt.tz)) if fired else local_date(clock.now(), rt.tz).isoformat()
    print(run_post(rt, spec, period, force=args.force))
    rt.notifier.deliver_due()
    return 0
