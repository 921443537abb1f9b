"""The `escalations` job: re-notify unacknowledged escalations and nag owned, unresolved ones.

One job for all escalations, driven by the rows' timestamps, so it survives restarts and may be
run by several processes at once: each reminder is claimed with a conditional UPDATE, so it goes
out once. The scheduler runs it every TICK_SECONDS; `opsbot escalations tick` runs it by hand.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.jobs.base import JobContext, JobSpec
from bot.runtime import Runtime
from bot.services.escalations import reescalation
from bot.services.escalations.core import EscalationConfig

JOB_NAME = "escalations"
log = logging.getLogger("opsbot.jobs.escalations")


def run(rt: Runtime, now: datetime) -> int:
    """Send every reminder due at `now`; returns how many people were paged. Idempotent."""
    cfg = EscalationConfig.from_settings(rt.settings)
    with rt.db.read() as s:
        ids = reescalation.unresolved_ids(s)
    paged = 0
    for esc_id in ids:
        try:
            with rt.db.transaction() as s:  # one escalation per transaction: a bad row can't block the rest
                paged += len(reescalation.remind(s, esc_id, now, cfg))
        except Exception:
            log.exception("escalation %s: reminder check failed", esc_id)
    if paged:
        rt.after_change()
    return paged


def jobs(settings) -> list[JobSpec]:  # type: ignore[no-untyped-def]
    return [JobSpec(name=JOB_NAME, kind="tick", func=lambda ctx: f"{run(ctx.rt, ctx.now)} pages queued",
                    description="re-escalation and owner nags, from timestamps in the database")]
