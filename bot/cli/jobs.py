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
    run = jsub.add_parser("run", help="run one job now (idempotent unless --force)",
                          description="Run one scheduled job now (idempotent unless --force).",
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    plain_help = run.format_help

    def format_help() -> str:  # the job list needs every job module: build it only when help is shown
        run.description = _run_description()
        return plain_help()

    run.format_help = format_help  # type: ignore[method-assign]
    run.add_argument("name", metavar="NAME", help="the job to run (listed above)")
    run.add_argument("--date", type=args_types.day, metavar="YYYY-MM-DD",
                     help="the day to post for; for a weekly (monthly) job, any day of the week (month) it posts for")
    run.add_argument("--week", type=args_types.week, metavar="YYYY-Www", help="the ISO week to post for, weekly jobs")
    run.add_argument("--force", action="store_true", help="post again even if already posted for that period")
    run.set_defaults(func=cmd_run)
    jobs.set_defaults(func=lambda a: (jobs.print_help(), 2)[1])


def _run_description() -> str:
    """The job names and what each posts, for `opsbot jobs run --help`."""
    from bot.config import Settings
    from bot.jobs.registry import all_jobs

    specs = all_jobs(Settings.model_construct(**{n: f.get_default(call_default_factory=True)
                                                 for n, f in Settings.model_fields.items()}))
    lines = [f"  {spec.name:<20} {spec.description}" for spec in specs.values()]
    return "Run one scheduled job now (idempotent unless --force). Jobs:\n" + "\n".join(lines)


def _period(spec, args: argparse.Namespace, tz: Any) -> str:  # type: ignore[no-untyped-def]
    """The period `jobs run` posts for: --week, --date (a weekly job takes the week of that date), or the latest due."""
    from bot import clock
    from bot.cli.errors import CliError
    from bot.jobs.base import iso_week
    from bot.timefmt import local_date, to_local

    if spec.period == "day" and args.week:
        raise CliError(f"{spec.name} posts for a day: give --date YYYY-MM-DD, not --week.")
    if spec.period == "month":  # a monthly job: --date names any day of the month it posts for
        if args.week:
            raise CliError(f"{spec.name} posts for a month: give --date with any day of that month, not --week.")
        if args.date:
            return f"{args.date:%Y-%m}"
        fired = spec.last_fire(clock.now(), tz)
        return spec.period_of(to_local(fired or clock.now(), tz))
    if args.week:
        return iso_week(args.week)
    if args.date:
        return iso_week(args.date) if spec.period == "week" else args.date.isoformat()
    fired = spec.last_fire(clock.now(), tz)
    return spec.period_of(to_local(fired, tz)) if fired else local_date(clock.now(), tz).isoformat()


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
    from bot.timefmt import fmt_time, to_local

    return f"{to_local(when, tz):%a %Y-%m-%d} {fmt_time(when, tz)}" if when else "-"


def cmd_list(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.db.jobs import JobRun, JobTick
    from bot.jobs import history
    from bot.jobs.registry import all_jobs
    from bot.timefmt import to_local

    rt = _runtime()
    now = clock.now()
    specs = all_jobs(rt.settings)
    if not specs:
        print("No jobs are registered.")
        return 0
    with rt.db.transaction() as s:  # reaches the database before anything is printed
        since = history.register(s, [n for n, spec in specs.items() if spec.kind == "post"], now)
    with rt.db.read() as s:
        print(f"{'JOB':<20} {'SCHEDULE':<16} {'NEXT RUN':<22} {'LAST RUN':<44} RESULT")
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
            if fired is not None and fired >= since[spec.name]:  # due before this database knew the job: never owed
                period = spec.period_of(to_local(fired, rt.tz))
                done = s.scalar(select(JobRun.id).where(JobRun.job == spec.name, JobRun.period == period, JobRun.status == "done"))
                if done is None and now - fired > spec.grace:
                    print(f"{'':<20} MISSED: the {period} post due {_fmt(fired, rt.tz)} was not sent (older than the grace window); "
                          f"`opsbot jobs run {spec.name} --force` sends it now")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.cli.errors import CliError
    from bot.jobs import history
    from bot.jobs.base import run_post, run_tick
    from bot.jobs.registry import all_jobs

    rt = _runtime()
    specs = all_jobs(rt.settings)
    spec = specs.get(args.name)
    if spec is None:
        raise CliError(f"no job named '{args.name}'; the jobs are {', '.join(sorted(specs)) or 'none'}.")
    if spec.kind == "tick":
        print(run_tick(rt, spec))
        return 0
    period = _period(spec, args, rt.tz)
    with rt.db.transaction() as s:
        history.register(s, [spec.name], clock.now())
    outcome = run_post(rt, spec, period, force=args.force)
    if outcome.status == "not_run":
        raise CliError(outcome, code=1)
    print(outcome)
    rt.notifier.deliver_due()
    return 1 if outcome.status == "failed" else 0
