"""Talent jobs, each a post job recorded once per period (bot/jobs/base.py):
- `onboarding-nudges` (ONBOARDING_NUDGE_CRON, daily): one DM per owner of overdue onboarding items, and
  approved tier changes whose Monday has come are applied;
- `audition-reminders` (AUDITION_REMINDER_CRON, daily): reviewers of tomorrow's auditions are reminded;
- `tier-evaluation` (TIER_EVALUATION_CRON, weekly): every host evaluated against the tier criteria, proposals
  to LEADERSHIP_CHANNEL for approval."""

from __future__ import annotations

from datetime import timedelta

from bot.jobs.base import JobContext, JobSpec, NothingPosted, iso_week
from bot.services import validation
from bot.services.attendance import associates
from bot.services.talent import auditions, onboarding, tiers


def criteria_of(settings) -> tiers.Criteria:  # type: ignore[no-untyped-def]
    return tiers.from_settings(settings)


def nudges(ctx: JobContext) -> str:
    with ctx.rt.db.transaction() as s:
        applied = tiers.apply_due(s, ctx.day)
        n = onboarding.nudge_overdue(s, ctx.day, associates(s))
    return f"{n} overdue onboarding item(s) nudged, {applied} tier change(s) applied"


def reminders(ctx: JobContext) -> str:
    with ctx.rt.db.transaction() as s:
        n = auditions.remind_tomorrow(s, ctx.day, ctx.rt.tz)
    return f"{n} audition reminder(s) queued"


def evaluation(ctx: JobContext) -> str:
    if not ctx.rt.settings.leadership_channel:
        raise NothingPosted("LEADERSHIP_CHANNEL is not set; nothing posted (set it, then run the job again)")
    monday = validation.parse_week(ctx.period)
    criteria = criteria_of(ctx.rt.settings)
    with ctx.rt.db.transaction() as s:
        applied = tiers.apply_due(s, monday)
        made = tiers.evaluate_week(s, monday, ctx.rt.tz, criteria, ctx.rt.settings.leadership_channel)
    kinds = {k: sum(1 for p in made if p.kind == k) for k in ("promote", "review", "hold")}
    return (f"{len(made)} host(s) evaluated: {kinds['promote']} promotion(s), {kinds['review']} review(s), "
            f"{kinds['hold']} hold(s); {applied} tier change(s) applied")


def jobs(settings) -> list[JobSpec]:  # type: ignore[no-untyped-def]
    return [
        JobSpec(name="onboarding-nudges", func=nudges, cron=settings.onboarding_nudge_cron, grace=timedelta(hours=6),
                description="daily DM to owners of overdue onboarding items; applies approved tier changes that are due"),
        JobSpec(name="audition-reminders", func=reminders, cron=settings.audition_reminder_cron, grace=timedelta(hours=6),
                description="reminds reviewers of tomorrow's auditions"),
        JobSpec(name="tier-evaluation", func=evaluation, cron=settings.tier_evaluation_cron, grace=timedelta(hours=12),
                period_of=lambda local: iso_week(local.date()), period="week",
                description="weekly host tier evaluation: promotions, holds and reviews to LEADERSHIP_CHANNEL"),
    ]
