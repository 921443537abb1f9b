"""Job `monthly-scorecard`: the previous month's scorecard to LEADERSHIP_CHANNEL on the first working day
(MONTHLY_SCORECARD_CRON fires on each weekday among the 1st-3rd; the (job, month) row lets only the first post).
Job `ops-sync`: the weekly ops-sync pack to OPS_CHANNEL (OPS_SYNC_CRON, default Monday 09:30).
Job `meeting-reminders`: each tick, a DM to every attendee shortly before a scheduled meeting.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.blocks.reporting import sync_message
from bot.blocks.scorecard_period import period_message
from bot.jobs.base import JobContext, JobSpec, NothingPosted, iso_week
from bot.runtime import Runtime
from bot.services import audit, outbox, validation
from bot.services.payroll.config import PayrollConfig
from bot.services.reporting import meetings, sync
from bot.services.scorecard import monthly
from bot.services.scorecard.model import ScorecardConfig

MONTHLY = "monthly-scorecard"
OPS_SYNC = "ops-sync"


def previous_month(local: datetime) -> str:
    """The month a post on the first working day reports on: the one before."""
    return monthly.month_of(local.date().replace(day=1) - timedelta(days=1)).label


def post_month(rt: Runtime, label: str, run_key: str, now: datetime, channel: str | None = None) -> str:
    channel = channel or rt.settings.leadership_channel
    if not channel:
        raise NothingPosted("LEADERSHIP_CHANNEL is not set; nothing posted (set it, then run the job again)")
    period = monthly.parse_period(label)
    assert period is not None
    key = f"{MONTHLY}:{run_key}"
    with rt.db.transaction() as s:
        card = monthly.build_period(s, period, ScorecardConfig.from_settings(rt.settings), now)
        text, blocks = period_message(card)
        if outbox.post(s, channel, text, blocks, key=key, remember_as=key) is None:
            return f"{label}: already queued"
        audit.record(s, actor=f"system:{MONTHLY}", action="scorecard.monthly_posted", entity_type="scorecard", entity_id=label,
                     after={"channel": channel, "run": run_key, "changes": len(card.changes)})
    rt.after_change()
    return f"{label}: posted with {len(card.changes)} explained change(s)"


def post_sync(rt: Runtime, monday: date, run_key: str, now: datetime, channel: str | None = None) -> str:
    channel = channel or rt.settings.ops_channel
    if not channel:
        raise NothingPosted("OPS_CHANNEL is not set; nothing posted (set it, then run the job again)")
    key = f"{OPS_SYNC}:{run_key}"
    with rt.db.transaction() as s:
        pack = sync.build(s, monday, ScorecardConfig.from_settings(rt.settings), now, PayrollConfig.from_settings(rt.settings))
        text, blocks = sync_message(pack, rt.tz)
        if outbox.post(s, channel, text, blocks, key=key, remember_as=key) is None:
            return f"{pack.week}: already queued"
        audit.record(s, actor=f"system:{OPS_SYNC}", action="reporting.ops_sync_posted", entity_type="ops_sync", entity_id=pack.week,
                     after={"channel": channel, "run": run_key, "items": pack.counts()})
    rt.after_change()
    return f"{pack.week}: ops-sync pack posted ({', '.join(f'{v} {k}' for k, v in pack.counts().items())})"


def jobs(settings) -> list[JobSpec]:  # type: ignore[no-untyped-def]
    def run_monthly(ctx: JobContext) -> str:
        return post_month(ctx.rt, ctx.period, ctx.run_key, ctx.now)

    def run_sync(ctx: JobContext) -> str:
        return post_sync(ctx.rt, validation.parse_week(ctx.period), ctx.run_key, ctx.now)

    def run_reminders(ctx: JobContext) -> str:
        with ctx.rt.db.transaction() as s:
            sent = meetings.remind_due(s, ctx.now, ctx.rt.settings.reminder_lead_minutes, ctx.rt.tz)
        if sent:
            ctx.rt.after_change()
        return f"{sent} meeting reminder(s) queued"

    return [
        JobSpec(name=MONTHLY, func=run_monthly, cron=settings.monthly_scorecard_cron, grace=timedelta(hours=12),
                period_of=previous_month, period="month",
                description="monthly LIVE scorecard (previous month) on the first working day, to LEADERSHIP_CHANNEL"),
        JobSpec(name=OPS_SYNC, func=run_sync, cron=settings.ops_sync_cron, grace=timedelta(hours=6),
                period_of=lambda local: iso_week(local.date()), period="week",
                description="weekly ops-sync pack (this week's gaps, last week's numbers, agenda), to OPS_CHANNEL"),
        JobSpec(name="meeting-reminders", func=run_reminders, kind="tick",
                description="DM meeting attendees REMINDER_LEAD_MINUTES before a meeting opsbot scheduled"),
    ]

