"""Jobs `run-of-show` (daily, RUN_OF_SHOW_TIME), `weekly-run-of-show` (WEEKLY_ROS_CRON, for next week) and
`reminders` (every tick: shift reminders, missed check-ins, forgotten check-outs).

The posts run once per period through the scheduler's job_runs row; their outbox keys carry the run
key, so `opsbot jobs run run-of-show --force` posts again. The reminders are keyed per item
(see bot/services/attendance.py), so ticks may overlap or repeat.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.blocks import run_of_show as blocks
from bot.jobs.base import JobContext, JobSpec, NothingPosted, iso_week
from bot.services import attendance, outbox, validation
from bot.services.run_of_show import plan
from bot.services.schedule import calendar
from bot.services.schedule.rules import Rules


def post_daily(ctx: JobContext) -> str:
    rt = ctx.rt
    if not rt.settings.ops_channel:
        raise NothingPosted("OPS_CHANNEL is not set; nothing posted (set it, then run the job again)")
    with rt.db.transaction() as s:
        n = plan.post_day(s, ctx.day, rt.tz, rt.settings.ops_channel, ctx.run_key, forced=ctx.forced)
    rt.after_change()
    return f"posted in {n} message(s)"


def post_weekly(ctx: JobContext) -> str:
    rt = ctx.rt
    if not rt.settings.ops_channel:
        raise NothingPosted("OPS_CHANNEL is not set; nothing posted (set it, then run the job again)")
    monday = validation.parse_week(ctx.period)
    with rt.db.transaction() as s:
        lives = calendar.week_sessions(s, monday, Rules.from_settings(rt.settings))
        text, bl = blocks.week_message(monday, lives, plan.week_hours(lives), rt.tz)
        outbox.post(s, rt.settings.ops_channel, text, bl, key=f"ros-week:{ctx.run_key}")
    rt.after_change()
    return f"posted {len(lives)} session(s)"


def tick(ctx: JobContext) -> str:
    rt = ctx.rt
    cfg = attendance.Attendance.from_settings(rt.settings)
    counts = []
    for step in (attendance.send_reminders, attendance.alert_missed_checkins, attendance.nag_forgotten_checkouts):
        with rt.db.transaction() as s:  # one step per transaction: a failing step can't hold back the others' messages
            counts.append(step(s, ctx.now, cfg))
    if any(counts):
        rt.after_change()
    return f"{counts[0]} reminder(s), {counts[1]} missed check-in message(s), {counts[2]} check-out nag(s)"


def next_week(local: datetime) -> str:
    """The weekly post is for the ISO week after the one it fires in."""
    return iso_week(local.date() + timedelta(days=7))


def jobs(settings) -> list[JobSpec]:  # type: ignore[no-untyped-def]
    return [
        JobSpec(name="run-of-show", func=post_daily, cron=settings.run_of_show_cron,
                grace=timedelta(minutes=settings.daily_post_grace_minutes),
                description="today's sessions, segments, talk tracks and warnings, to OPS_CHANNEL"),
        JobSpec(name="weekly-run-of-show", func=post_weekly, cron=settings.weekly_ros_cron, grace=timedelta(hours=6),
                period_of=next_week, period="week", description="next week's sessions and scheduled hours, to OPS_CHANNEL"),
        JobSpec(name="reminders", kind="tick", func=tick,
                description="shift reminders, missed check-ins and forgotten check-outs, from the database"),
    ]
