"""The `swap-expiry` tick: expire untaken swap offers SWAP_OFFER_EXPIRY_HOURS before the shift and
alert the associate, once, that the slot is still at risk. Each offer is claimed with a conditional
UPDATE, so overlapping runs expire and alert it once."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.jobs.base import JobSpec
from bot.runtime import Runtime
from bot.services.swaps import lifecycle
from bot.services.swaps.eligibility import SwapConfig

JOB_NAME = "swap-expiry"
log = logging.getLogger("opsbot.jobs.swap_expiry")


def run(rt: Runtime, now: datetime) -> int:
    cfg = SwapConfig.from_settings(rt.settings)
    with rt.db.read() as s:
        ids = lifecycle.due_for_expiry(s, now)
    expired = 0
    for swap_id in ids:
        try:
            with rt.db.transaction() as s:  # one offer per transaction: a bad row can't block the rest
                expired += lifecycle.expire(s, swap_id, now, cfg)
        except Exception:
            log.exception("swap %s: expiry failed", swap_id)
    if expired:
        rt.after_change()
    return expired


def jobs(settings) -> list[JobSpec]:  # type: ignore[no-untyped-def]
    return [JobSpec(name=JOB_NAME, kind="tick", func=lambda ctx: f"{run(ctx.rt, ctx.now)} swap offers expired",
                    description="expire untaken swap offers before the shift and alert the associate")]
