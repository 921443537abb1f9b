"""Job `brief-reminders`: nudge legal half-way to a brief's due date, and flag overdue briefs to the associates.

Each reminder and flag is sent once per version (outbox dedupe keys), so running this every few
minutes, in several processes, is safe. The scheduler runs it as a tick job (see jobs()).
"""

from __future__ import annotations

from datetime import datetime

from bot.jobs.base import JobContext, JobSpec
from bot.runtime import Runtime
from bot.services.briefs import decisions, records

JOB_NAME = "brief-reminders"


def run(rt: Runtime, now: datetime) -> int:
    """Queue due reminders and overdue flags; returns how many messages were queued."""
    with rt.db.transaction() as s:
        queued = decisions.send_reminders(s, now, records.BriefPolicy.from_settings(rt.settings))
    if queued:
        rt.after_change()
    return queued


def jobs(settings) -> list[JobSpec]:  # type: ignore[no-untyped-def]
    return [JobSpec(name=JOB_NAME, kind="tick", func=lambda ctx: f"{run(ctx.rt, ctx.now)} reminders queued",
                    description="half-time reminders and overdue flags for pending briefs")]
