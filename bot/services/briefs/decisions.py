"""Legal's decisions, reminders and the daily digest.

Rules a legal team relies on, enforced here rather than by which buttons a person sees:
- only legal decides, and nobody approves a brief they submitted;
- a decision names a version; a decision on a superseded version changes nothing;
- one decision per reviewer and version (a unique constraint), so double clicks and retries are harmless.
Every decision locks the brief row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE
serialises writers) so two reviewers deciding at once cannot both miss the approval that completes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.briefs import DECISIONS, STATUS_LABEL, Brief, BriefDecision, BriefVersion
from bot.db.models import Person
from bot.services import audit, notices
from bot.services.errors import Conflict, Invalid, NotAllowed
from bot.services.people import ADMIN, has_role, with_role
from bot.timefmt import local_date
from bot.services.briefs.records import BRIEF_FIELDS, BriefPolicy, DECISION_PAST, Decided, LEGAL, MAX_REASON, current, get_brief, get_version, pending, remember_key


# ----------------------------------------------------------------------------- deciding
def check_can_decide(session: Session, actor: Person, brief_id: int, number: int, decision: str) -> tuple[Brief, BriefVersion]:
    """Every reason a decision would be refused, before anything is written (also before a reason modal opens)."""
    if decision not in DECISIONS:
        raise Invalid("Unknown decision.")
    if not has_role(actor, LEGAL):
        raise NotAllowed("Only legal can decide on briefs. Nothing was changed.")
    brief = get_brief(session, brief_id)
    version = get_version(session, brief_id, number)
    if number != brief.current_version:
        raise Conflict(f"Version {number} of brief #{brief.id} was superseded by version {brief.current_version}; "
                       "decide on the newest request. Nothing was recorded.")
    if decision == "approve" and brief.submitter == actor.slack_user_id:
        raise NotAllowed("You submitted this brief, so you can't approve it; another legal reviewer must. Nothing was recorded.")
    mine = next((d for d in version.decisions if d.decider == actor.slack_user_id), None)
    if mine is not None:
        raise Conflict(f"You already {DECISION_PAST[mine.decision]} version {number}; nothing more was recorded.")
    if brief.status != "pending":
        raise Conflict(f"Brief #{brief.id} is no longer waiting for a decision ({STATUS_LABEL[brief.status]}, "
                       f"version {number}). Nothing was recorded.")
    return brief, version


def decide(session: Session, actor: Person, brief_id: int, number: int, decision: str, reason: str | None,
           now: datetime, policy: BriefPolicy) -> Decided:
    get_brief(session, brief_id, lock=True)  # serialise decisions on this brief
    brief, version = check_can_decide(session, actor, brief_id, number, decision)
    reason = (reason or "").strip() or None
    if decision != "approve" and not reason:
        raise Invalid("Say what needs to change; the submitter sees it.", {"reason": "A reason is required."})
    if reason and len(reason) > MAX_REASON:
        raise Invalid("Reason too long.", {"reason": f"Keep the reason under {MAX_REASON:,} characters."})
    row = BriefDecision(version_id=version.id, decider=actor.slack_user_id, decision=decision, reason=reason, at=now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict(f"You already decided on version {number}; nothing more was recorded.") from None
    session.refresh(version, ["decisions"])
    before = audit.snapshot(brief, BRIEF_FIELDS)
    if decision == "approve":
        approvals = sum(1 for d in version.decisions if d.decision == "approve")
        if approvals >= brief.approvals_required:
            brief.status = "approved"
    elif decision == "request_changes":
        brief.status = "changes_requested"
    else:
        brief.status = "rejected"
    brief.updated_at = now
    session.flush()
    final = brief.status != "pending"
    action = {"approved": "brief.approved", "changes_requested": "brief.changes_requested",
              "rejected": "brief.rejected"}.get(brief.status, "brief.approval_recorded")
    audit.record(session, actor=actor.slack_user_id, action=action, entity_type="brief", entity_id=brief.id,
                 before=before, after={**audit.snapshot(brief, BRIEF_FIELDS), "decision": decision, "version": number,
                                       "text_sha256": version.text_sha256}, reason=reason)
    if policy.legal_channel:
        notices.update(session, remember_key(brief.id, number), "briefs.legal_request", brief, version, policy.tz,
                       final=final)
    if final:
        notices.dm(session, brief.submitter, "briefs.decision", brief, version, row, policy.tz,
                   key=f"{remember_key(brief.id, number)}:outcome")
        if brief.status == "approved" and brief.session_id is not None:
            # an already-posted run-of-show links approved talk tracks
            from bot.services.run_of_show import plan

            plan.refresh_posted(session, policy.tz, [brief.session_id])
    return Decided(brief, version, row, final)


# ----------------------------------------------------------------------------- follow-up
def send_reminders(session: Session, now: datetime, policy: BriefPolicy) -> int:
    """Half-way reminders to legal (in the request's thread) and overdue flags to the associates, once each per version."""
    queued = 0
    associates = [p.slack_user_id for p in with_role(session, ADMIN)]
    for brief in pending(session):
        version = current(brief)
        if version is None or version.due_at is None:
            continue
        key = remember_key(brief.id, version.number)
        if now >= version.due_at:
            for uid in associates:
                if notices.dm(session, uid, "briefs.overdue", brief, version, policy.tz, now,
                              key=f"{key}:overdue:{uid}") is not None:
                    queued += 1
                    audit.record(session, actor="system:brief-reminders", action="brief.overdue_flagged",
                                 entity_type="brief", entity_id=brief.id, after={"version": version.number, "to": uid})
        elif now >= version.submitted_at + (version.due_at - version.submitted_at) / 2 and policy.legal_channel:
            if notices.post(session, policy.legal_channel, "briefs.reminder", brief, version, policy.tz, now,
                            key=f"{key}:reminder", thread_of=key) is not None:
                queued += 1
                audit.record(session, actor="system:brief-reminders", action="brief.reminder_sent",
                             entity_type="brief", entity_id=brief.id, after={"version": version.number})
    return queued


def post_digest(session: Session, now: datetime, policy: BriefPolicy) -> bool:
    """The day's list of briefs waiting for legal; one per local day however many processes run it."""
    waiting = pending(session)
    if not waiting or not policy.legal_channel:
        return False
    day = local_date(now, policy.tz)
    return notices.post(session, policy.legal_channel, "briefs.digest", waiting, policy.tz, now, day,
                        key=f"brief-digest:{day.isoformat()}") is not None




