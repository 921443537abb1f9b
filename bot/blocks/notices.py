"""The one place plain notices become Slack messages: each notice name and the blocks function that renders it.

Services say `notices.render("briefs.legal_request", brief, version, tz, final=False)` and queue the result
in the outbox; they never import this package. Importing this module registers every renderer
(bot/runtime.py and the CLI import it at start, tests/conftest.py for service-level tests).
"""

from __future__ import annotations

from bot.blocks import (briefs, creators_notes, escalation_notes, escalations, invoices, metrics, payroll, reporting,
                        run_of_show, schedule, swaps, talent_notices, timeclock)
from bot.blocks.common import Block, section
from bot.services import notices


def plain(text: str) -> tuple[str, list[Block]]:
    """A sentence the service worded itself, shown as one section."""
    return text, [section(text)]


RENDERERS = {
    "plain": plain,
    "briefs.legal_request": briefs.legal_request,
    "briefs.decision": briefs.decision_dm,
    "briefs.reminder": briefs.reminder,
    "briefs.overdue": briefs.overdue_dm,
    "briefs.digest": briefs.digest,
    "creators.payment_request": creators_notes.payment_request,
    "creators.readiness_nudge": creators_notes.readiness_nudge,
    "creators.digest": creators_notes.digest,
    "creators.payment_approved": creators_notes.payment_approved,
    "creators.clip_outcome": creators_notes.clip_outcome,
    "escalations.message": escalations.escalation_message,
    "escalations.page": escalations.page_dm,
    "escalations.legal": escalations.legal_notice,
    "escalations.nag": escalations.nag_dm,
    "escalations.resolved_dm": escalations.resolved_dm,
    "escalations.acknowledged": escalation_notes.acknowledged,
    "escalations.owner_found": escalation_notes.owner_found,
    "escalations.updated": escalation_notes.updated,
    "escalations.resolved": escalation_notes.resolved,
    "escalations.reopened": escalation_notes.reopened,
    "escalations.still_open": escalation_notes.still_open,
    "metrics.prompt": metrics.prompt_message,
    "run_of_show.day": run_of_show.day_messages,
    "run_of_show.gone": run_of_show.gone_messages,
    "run_of_show.reminder": run_of_show.reminder_dm,
    "run_of_show.missed_checkin": run_of_show.missed_checkin,
    "run_of_show.forgotten_checkout": run_of_show.forgotten_checkout_dm,
    "run_of_show.forgotten_checkout_flag": run_of_show.forgotten_checkout_flag,
    "payroll.auto_closed": payroll.auto_closed_dm,
    "payroll.auto_closed_flag": payroll.auto_closed_flag,
    "payroll.invoice": invoices.invoice_message,
    "payroll.invoice_decided": invoices.invoice_decided,
    "payroll.invoice_digest": invoices.digest_message,
    "schedule.week_dm": schedule.week_dm,
    "schedule.changes_dm": schedule.changes_dm,
    "schedule.week_calendar": schedule.week_calendar,
    "schedule.cover_alert": schedule.cover_alert,
    "swaps.card": swaps.card,
    "swaps.approved_text": swaps.approved_text,  # the sentence only; the service DMs it as "plain"
    "swaps.at_risk": swaps.at_risk,
    "timeclock.entry_corrected": timeclock.entry_corrected_dm,
    "reporting.meeting_invite": reporting.meeting_invite,
    "reporting.meeting_proposed": reporting.meeting_proposed,
    "reporting.meeting_scheduled": reporting.meeting_scheduled,
    "reporting.meeting_reminder": reporting.meeting_reminder,
    **talent_notices.RENDERERS,
}

for _name, _renderer in RENDERERS.items():
    notices.register(_name, _renderer)
