"""Job `brief-digest`: once a day, the list of briefs waiting for legal, posted to LEGAL_CHANNEL.

The outbox key names the team-local day, so several processes (or a rerun) still post it once.
Nothing is posted on a day with nothing waiting.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.jobs.base import JobContext, JobSpec, NothingPosted
from bot.runtime import Runtime
from bot.services.briefs import decisions, records

JOB_NAME = "brief-digest"


def run(rt: Runtime, now: datetime) -> bool:
    """Queue today's digest; False when nothing is waiting or it was already queued today."""
    with rt.db.transaction() as s:
        queued = decisions.post_digest(s, now, records.BriefPolicy.from_settings(rt.settings))
    if queued:
        rt.after_change()
    return queued


def jobs(settings) -> list[JobSpec]:  # type: ignore[no-untyped-def]
    def post(ctx: JobContext) -> str:
        if not ctx.rt.settings.legal_channel:
            raise NothingPosted("LEGAL_CHANNEL is not set; nothing posted (set it, then run the job again)")
        return "digest posted" if run(ctx.rt, ctx.now) else "nothing waiting (or already posted today)"

    return [JobSpec(name=JOB_NAME, func=post, cron=settings.brief_digest_cron, grace=timedelta(hours=1),
                    description="pending brief approvals, to LEGAL_CHANNEL")]
