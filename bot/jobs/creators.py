"""Jobs `creator-readiness` (every tick: readiness nudges 7 days and 1 day before a campaign launches, once each)
and `creator-digest` (CREATOR_DIGEST_CRON, weekly: the creator digest to OPS_CHANNEL, once per ISO week)."""

from __future__ import annotations

from datetime import timedelta

from bot.jobs.base import JobContext, JobSpec, NothingPosted, iso_week
from bot.services import validation
from bot.services.creators import digest, readiness
from bot.services.creators.common import CreatorPolicy


def nudge(ctx: JobContext) -> str:
    rt = ctx.rt
    with rt.db.transaction() as s:
        n = readiness.send_nudges(s, ctx.now, CreatorPolicy.from_settings(rt.settings))
    return f"{n} readiness nudge(s)"


def post_digest(ctx: JobContext) -> str:
    rt = ctx.rt
    policy = CreatorPolicy.from_settings(rt.settings)
    if not policy.ops_channel:
        raise NothingPosted("OPS_CHANNEL is not set; nothing posted (set it, then run the job again)")
    monday = validation.parse_week(ctx.period)
    today = max(monday, min(monday + timedelta(days=6), ctx.now.astimezone(rt.tz).date()))
    with rt.db.transaction() as s:
        d = digest.post(s, today, ctx.now, policy, ctx.run_key)
    assert d is not None
    return f"posted: {len(d.due)} due, {len(d.late)} late, {len(d.posted)} posted, {len(d.samples)} sample(s) not delivered"


def jobs(settings) -> list[JobSpec]:  # type: ignore[no-untyped-def]
    return [
        JobSpec(name="creator-readiness", kind="tick", func=nudge,
                description="campaign readiness nudges to the owners 7 days and 1 day before launch, once each"),
        JobSpec(name="creator-digest", func=post_digest, cron=settings.creator_digest_cron, grace=timedelta(hours=6),
                period_of=lambda local: iso_week(local.date()), period="week",
                description="the weekly creator digest (due, late, posted, samples not delivered) to OPS_CHANNEL"),
    ]
