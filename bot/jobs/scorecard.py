"""Job `scorecard`: every Monday (SCORECARD_CRON), the previous ISO week's scorecard to LEADERSHIP_CHANNEL,
with the chart and the workbook in its thread. Job `metrics-prompt`: each tick, a Log metrics DM to the
associates for every session that ended without metrics (once per session, by outbox key).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.blocks.scorecard import scorecard_message
from bot.jobs.base import JobContext, JobSpec, NothingPosted, iso_week
from bot.runtime import Runtime
from bot.services import audit, outbox, validation
from bot.services.metrics import store as metrics
from bot.services.scorecard import compute
from bot.services.scorecard.model import ScorecardConfig

JOB_NAME = "scorecard"


def previous_week(local: datetime) -> str:
    """The period a Monday post reports on: the ISO week before the one it fires in."""
    return iso_week(local.date() - timedelta(days=7))


def post(rt: Runtime, monday: date, run_key: str, now: datetime, channel: str | None = None) -> str:
    """Queue the scorecard message and its two files (rendered at delivery); returns a one-line outcome."""
    channel = channel or rt.settings.leadership_channel
    if not channel:
        raise NothingPosted("LEADERSHIP_CHANNEL is not set; nothing posted (set it, then run the job again)")
    week = compute.iso_label(monday)
    key = f"scorecard:{run_key}"
    with rt.db.transaction() as s:
        card = compute.build(s, monday, ScorecardConfig.from_settings(rt.settings), now)
        text, blocks = scorecard_message(card, rt.tz)
        if outbox.post(s, channel, text, blocks, key=key, remember_as=key) is None:
            return f"{week}: already queued"
        args = {"monday": monday.isoformat()}
        outbox.upload(s, "scorecard_chart", args, filename=f"scorecard-{week}.png", thread_of=key, key=f"{key}:png",
                      title=f"{week}: GMV by day (bars) and conversion = orders / unique viewers (line), Mon–Sun")
        outbox.upload(s, "scorecard_heatmap", args, filename=f"scorecard-{week}-slots.png", thread_of=key, key=f"{key}:heatmap",
                      title=f"{week}: GMV per live hour by day and start hour (heatmap, with session counts)")
        outbox.upload(s, "scorecard_xlsx", args, filename=f"scorecard-{week}.xlsx", thread_of=key, key=f"{key}:xlsx",
                      title=f"Scorecard {week} (Summary, Sessions, Hosts, SKUs, Operations, Slots, Clips)")
        audit.record(s, actor=f"system:{JOB_NAME}", action="scorecard.posted", entity_type="scorecard", entity_id=week,
                     after={"channel": channel, "run": run_key, "insights": [i.rule for i in card.insights]})
    rt.after_change()
    return (f"{week}: posted with {len(card.insights)} insight(s), {len(card.recommendations)} recommendation(s), "
            f"{len(card.missing)} session(s) without metrics")


def prompt(rt: Runtime, now: datetime) -> int:
    with rt.db.transaction() as s:
        sent = metrics.prompt_ended(s, now, rt.tz)
    if sent:
        rt.after_change()
    return sent


def jobs(settings) -> list[JobSpec]:  # type: ignore[no-untyped-def]
    def run_scorecard(ctx: JobContext) -> str:
        return post(ctx.rt, validation.parse_week(ctx.period), ctx.run_key, ctx.now)

    def run_prompt(ctx: JobContext) -> str:
        return f"{prompt(ctx.rt, ctx.now)} Log metrics DM(s) queued"

    return [
        JobSpec(name=JOB_NAME, func=run_scorecard, cron=settings.scorecard_cron, grace=timedelta(hours=6),
                period_of=previous_week, period="week", description="weekly LIVE scorecard (previous ISO week), to LEADERSHIP_CHANNEL"),
        JobSpec(name="metrics-prompt", func=run_prompt, kind="tick",
                description="Log metrics DM to the associates when a session ends without metrics"),
    ]
