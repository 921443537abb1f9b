"""The `auto-close` job (every tick): entries still open AUTO_CLOSE_MINUTES after their shift's end are closed
at the scheduled end for review (bot/services/payroll/attest.py). Idempotent per entry, so ticks may overlap."""

from __future__ import annotations

from bot.jobs.base import JobContext, JobSpec
from bot.services.payroll import attest
from bot.services.payroll.config import PayrollConfig


def tick(ctx: JobContext) -> str:
    rt = ctx.rt
    with rt.db.transaction() as s:
        n = attest.auto_close(s, ctx.now, PayrollConfig.from_settings(rt.settings))
    if n:
        rt.after_change()
    return f"{n} entr{'y' if n == 1 else 'ies'} auto-closed"


def jobs(settings) -> list[JobSpec]:  # type: ignore[no-untyped-def]
    return [JobSpec(name="auto-close", kind="tick", func=tick,
                    description="close entries still open AUTO_CLOSE_MINUTES after the shift's end, for review")]
