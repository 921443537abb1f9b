"""The `auto-close` job (every tick) and `invoice-digest` (INVOICE_DIGEST_CRON, weekly): entries still open AUTO_CLOSE_MINUTES after their shift's end are closed
at the scheduled end for review (bot/services/payroll/attest.py). Idempotent per entry, so ticks may overlap."""

from __future__ import annotations

from datetime import timedelta

from bot.jobs.base import JobContext, JobSpec, NothingPosted
from bot.services.payroll import attest, invoices
from bot.services.payroll.config import PayrollConfig


def tick(ctx: JobContext) -> str:
    rt = ctx.rt
    with rt.db.transaction() as s:
        n = attest.auto_close(s, ctx.now, PayrollConfig.from_settings(rt.settings))
    if n:
        rt.after_change()
    return f"{n} entr{'y' if n == 1 else 'ies'} auto-closed"


def post_digest(ctx: JobContext) -> str:
    rt = ctx.rt
    if not rt.settings.leadership_channel:
        raise NothingPosted("LEADERSHIP_CHANNEL is not set; nothing posted (set it, then run the job again)")
    with rt.db.transaction() as s:
        n = invoices.post_digest(s, ctx.now, PayrollConfig.from_settings(rt.settings), ctx.run_key)
    rt.after_change()
    return f"posted the invoice digest ({n} invoice(s))"


def jobs(settings) -> list[JobSpec]:  # type: ignore[no-untyped-def]
    return [JobSpec(name="auto-close", kind="tick", func=tick,
                    description="close entries still open AUTO_CLOSE_MINUTES after the shift's end, for review"),
            JobSpec(name="invoice-digest", func=post_digest, cron=settings.invoice_digest_cron, grace=timedelta(hours=6),
                    description="invoices waiting, queried, approved and paid, to LEADERSHIP_CHANNEL")]
