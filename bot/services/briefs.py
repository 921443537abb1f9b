"""Brief approval routing: drafts, submissions as immutable versions, legal's decisions, and follow-up.

Rules a legal team relies on, enforced here rather than by which buttons a person sees:
- only legal decides, and nobody approves a brief they submitted;
- a decision names a version; a decision on a superseded version changes nothing;
- approvals never carry over: a resubmission is a new version that starts with none;
- one decision per reviewer and version (a unique constraint), so double clicks and retries are harmless.
Every decision locks the brief row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE
serialises writers) so two reviewers deciding at once cannot both miss the approval that completes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.db.briefs import BRIEF_KINDS, DECISIONS, STATUS_LABEL, Brief, BriefDecision, BriefVersion
from bot.db.models import LiveSession, Person, ProcessedRequest
from bot.services import audit, notices
from bot.services.approved_briefs import RUN_OF_SHOW_KINDS, approved_for_session  # noqa: F401 - re-exported
from bot.services.claims.feedback import Finding, check_brief
from bot.services.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services.people import ADMIN, has_role, with_role
from bot.timefmt import local_date, local_to_utc

LEGAL = "legal"
MAX_TITLE = 200
MAX_SKUS = 1000
MAX_CAMPAIGN = 200
MAX_NOTE = 3000
MAX_LINK = 1000
MAX_REASON = 2000
# Far beyond what a talk track needs, small enough that one brief cannot fill the database.
MAX_TEXT = 200_000
BRIEF_FIELDS = ["title", "kind", "status", "current_version", "approvals_required", "due_at", "session_id", "campaign"]
DECISION_PAST = {"approve": "approved", "request_changes": "requested changes on", "reject": "rejected"}
# Kinds the run-of-show reads for a session.


@dataclass(frozen=True)
class BriefPolicy:
    """The brief rules that come from settings."""

    tz: ZoneInfo
    legal_channel: str | None
    approvals: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings) -> BriefPolicy:  # type: ignore[no-untyped-def]
        return cls(tz=settings.tz, legal_channel=settings.legal_channel, approvals=dict(settings.brief_approvals_required))

    def required(self, kind: str) -> int:
        return self.approvals.get(kind, 1)


@dataclass
class BriefInput:
    """What the /brief modal collects, already read out of the Slack payload."""

    title: str = ""
    kind: str = ""
    skus: str | None = None
    text: str = ""
    link: str | None = None
    session_id: int | None = None
    campaign: str | None = None
    due_on: date | None = None
    note: str | None = None


@dataclass
class Saved:
    brief: Brief
    version: BriefVersion | None  # None when saved as a draft
    findings: list[Finding]
    repeated: bool = False  # the same modal submitted twice: nothing new was written


@dataclass
class Decided:
    brief: Brief
    version: BriefVersion
    decision: BriefDecision
    final: bool  # the brief left 'pending'


def remember_key(brief_id: int, number: int) -> str:
    """The legal-channel message of one version, edited in place and threaded on."""
    return f"brief:{brief_id}:v{number}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def finding_dicts(findings: list[Finding]) -> list[dict]:
    return [f.as_dict() for f in findings]


def findings_of(version: BriefVersion) -> list[Finding]:
    return [Finding.from_dict(f) for f in (version.findings or [])]


def due_instant(day: date, tz: ZoneInfo) -> datetime:
    """'Approve by Wed Nov 25' means by the end of that day in the team's time zone."""
    return local_to_utc(day, time(23, 59), tz)


# ----------------------------------------------------------------------------- reading
def get_brief(session: Session, brief_id: int, *, lock: bool = False) -> Brief:
    stmt = select(Brief).where(Brief.id == brief_id).options(selectinload(Brief.versions))
    if lock:
        stmt = stmt.with_for_update()
    brief = session.scalar(stmt)
    if brief is None:
        raise NotFound("That brief no longer exists.")
    return brief


def get_version(session: Session, brief_id: int, number: int) -> BriefVersion:
    version = session.scalar(select(BriefVersion).where(BriefVersion.brief_id == brief_id, BriefVersion.number == number))
    if version is None:
        raise NotFound(f"Brief #{brief_id} has no version {number}.")
    return version


def current(brief: Brief) -> BriefVersion | None:
    return next((v for v in brief.versions if v.number == brief.current_version), None)


def upcoming_sessions(session: Session, now: datetime, limit: int = 100) -> list[LiveSession]:
    """Sessions a brief can be for: not cancelled, not over yet (a select shows at most 100)."""
    stmt = (select(LiveSession).where(LiveSession.ends_at > now, LiveSession.status != "cancelled")
            .order_by(LiveSession.starts_at).limit(limit))
    return list(session.scalars(stmt))


def list_for(session: Session, actor: Person) -> list[Brief]:
    """The caller's own briefs (newest first); legal also sees everything waiting for a decision."""
    cond = Brief.submitter == actor.slack_user_id
    if has_role(actor, LEGAL):
        cond = or_(cond, Brief.status == "pending")
    stmt = select(Brief).where(cond).order_by(Brief.updated_at.desc(), Brief.id.desc()).limit(40)
    return list(session.scalars(stmt))


def pending(session: Session) -> list[Brief]:
    stmt = (select(Brief).where(Brief.status == "pending").options(selectinload(Brief.versions))
            .order_by(Brief.due_at.is_(None), Brief.due_at, Brief.id))
    return list(session.scalars(stmt))


# ----------------------------------------------------------------------------- submitting
def _clean(value: str | None, limit: int, field_name: str, label: str, errors: dict[str, str]) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        errors[field_name] = f"{label} is {len(value):,} characters; keep it under {limit:,}."
    return value or None


def validate(session: Session, data: BriefInput, *, for_submission: bool, now: datetime, tz: ZoneInfo) -> dict[str, str]:
    """Field problems, keyed by the modal's field names ('title', 'text', 'due', ...)."""
    errors: dict[str, str] = {}
    data.title = _clean(data.title, MAX_TITLE, "title", "The title", errors) or ""
    if not data.title:
        errors["title"] = "Give the brief a title."
    if data.kind not in BRIEF_KINDS:
        errors["kind"] = "Pick what kind of brief this is."
    data.skus = _clean(data.skus, MAX_SKUS, "skus", "The SKU list", errors)
    data.campaign = _clean(data.campaign, MAX_CAMPAIGN, "campaign", "The campaign", errors)
    data.note = _clean(data.note, MAX_NOTE, "note", "The note", errors)
    data.link = _clean(data.link, MAX_LINK, "link", "The link", errors)
    if data.link and not data.link.lower().startswith(("https://", "http://")):
        errors["link"] = "The link must start with https://."
    text = (data.text or "").replace("\r\n", "\n").strip()
    data.text = text
    if len(text) > MAX_TEXT:
        errors["text"] = f"The text is {len(text):,} characters; the limit is {MAX_TEXT:,}. Link the document and paste the key claims."
    elif for_submission and not text:
        errors["text"] = ("Paste the text legal should approve" +
                          (" (with a link, paste the key claims here)." if data.link else "."))
    if data.session_id is not None and session.get(LiveSession, data.session_id) is None:
        errors["session"] = "That LIVE session no longer exists; pick another."
    if for_submission and data.session_id is None and not data.campaign:
        errors["campaign"] = "Pick the LIVE session this is for, or name the campaign."
    if data.due_on is not None and data.due_on < local_date(now, tz):
        errors["due"] = "That date has passed; pick today or a later day."
    elif for_submission and data.due_on is None:
        errors["due"] = "Pick the date legal must approve it by."
    return errors


def _already_done(session: Session, key: str | None) -> int | None:
    """The brief a previous submission of the same modal created (Slack retry or double submit), if any."""
    if key is None:
        return None
    row = session.scalar(select(ProcessedRequest).where(ProcessedRequest.key == key))
    return int((row.result or {})["brief_id"]) if row is not None else None


def _mark_done(session: Session, key: str | None, brief_id: int, now: datetime) -> None:
    """Record the submission; a concurrent copy of it loses here and its whole transaction rolls back."""
    if key is None:
        return
    try:
        with session.begin_nested():
            session.add(ProcessedRequest(key=key, created_at=now, result={"brief_id": brief_id}))
    except IntegrityError:
        raise Conflict("That form was already sent; nothing more was recorded.") from None


def save(session: Session, actor: Person, data: BriefInput, *, brief_id: int | None, based_on: int | None,
         draft: bool, now: datetime, policy: BriefPolicy, request_key: str | None = None) -> Saved:
    """Create or edit a brief from the modal; unless `draft`, submit it to legal as a new version."""
    done = _already_done(session, request_key)
    if done is not None:
        brief = get_brief(session, done)
        version = current(brief)
        return Saved(brief, version, findings_of(version) if version else [], repeated=True)
    errors = validate(session, data, for_submission=not draft, now=now, tz=policy.tz)
    if errors:
        raise Invalid("Some fields need fixing.", errors)
    brief: Brief | None = None
    if brief_id is not None:
        brief = get_brief(session, brief_id, lock=True)
        _require_editable(brief, actor, based_on)
    before = audit.snapshot(brief, BRIEF_FIELDS) if brief is not None else None
    if brief is None:
        brief = Brief(submitter=actor.slack_user_id, status="draft", current_version=0, created_at=now,
                      approvals_required=policy.required(data.kind), draft_text="")
        session.add(brief)
    brief.title, brief.kind, brief.skus = data.title, data.kind, data.skus
    brief.session_id, brief.campaign, brief.note_to_legal = data.session_id, data.campaign, data.note
    brief.due_at = due_instant(data.due_on, policy.tz) if data.due_on else None
    brief.draft_text, brief.draft_link = data.text, data.link
    brief.updated_at = now
    session.flush()
    _mark_done(session, request_key, brief.id, now)
    if draft:
        audit.record(session, actor=actor.slack_user_id, action="brief.draft_saved", entity_type="brief",
                     entity_id=brief.id, before=before, after=audit.snapshot(brief, BRIEF_FIELDS))
        return Saved(brief, None, check_brief(session, data.text, brief.skus) if data.text else [])
    return _submit(session, actor, brief, before, now, policy)


def submit_draft(session: Session, actor: Person, brief_id: int, now: datetime, policy: BriefPolicy) -> Saved:
    """Send a saved draft (or a brief sent back for changes) to legal as it stands."""
    brief = get_brief(session, brief_id, lock=True)
    _require_editable(brief, actor, brief.current_version)
    due_on = local_date(brief.due_at, policy.tz) if brief.due_at else None
    data = BriefInput(title=brief.title, kind=brief.kind, skus=brief.skus, text=brief.draft_text, link=brief.draft_link,
                      session_id=brief.session_id, campaign=brief.campaign, due_on=due_on, note=brief.note_to_legal)
    errors = validate(session, data, for_submission=True, now=now, tz=policy.tz)
    if errors:
        raise Invalid("Edit the brief first: " + " ".join(errors.values()), errors)
    return _submit(session, actor, brief, audit.snapshot(brief, BRIEF_FIELDS), now, policy)


def _require_editable(brief: Brief, actor: Person, based_on: int | None) -> None:
    if brief.submitter != actor.slack_user_id:
        raise NotAllowed("Only the person who submitted this brief can edit or resubmit it.")
    if brief.status == "pending":
        raise Conflict(f"Version {brief.current_version} is already with legal; wait for their decision.")
    if brief.status in ("approved", "rejected"):
        raise Conflict(f"This brief was {brief.status} (version {brief.current_version}); start a new one with /brief.")
    if based_on is not None and based_on != brief.current_version:
        raise Conflict(f"This form was opened on version {based_on}, but the brief is now at version "
                       f"{brief.current_version}. Open it again from /brief list.")


def editable(session: Session, actor: Person, brief_id: int) -> Brief:
    """The brief, if the caller may edit it now (for prefilling the modal)."""
    brief = get_brief(session, brief_id)
    _require_editable(brief, actor, None)
    return brief


def _submit(session: Session, actor: Person, brief: Brief, before: dict | None, now: datetime, policy: BriefPolicy) -> Saved:
    if not policy.legal_channel:
        raise Conflict("Legal's channel isn't set up yet (LEGAL_CHANNEL), so nobody would see this; ask the associate. "
                       "Nothing was sent; tick 'Save as a draft' to keep your work.")
    findings = check_brief(session, brief.draft_text, brief.skus)
    number = brief.current_version + 1
    version = BriefVersion(brief_id=brief.id, number=number, text=brief.draft_text, link=brief.draft_link,
                           text_sha256=text_hash(brief.draft_text), submitted_by=actor.slack_user_id, submitted_at=now,
                           due_at=brief.due_at, findings=finding_dicts(findings))
    try:
        with session.begin_nested():
            session.add(version)
    except IntegrityError:
        raise Conflict(f"Version {number} was just submitted (a double click?); nothing more was sent.") from None
    brief.current_version = number
    brief.status = "pending"
    brief.approvals_required = policy.required(brief.kind)
    brief.updated_at = now
    session.flush()
    session.refresh(brief, ["versions"])
    audit.record(session, actor=actor.slack_user_id, action="brief.submitted", entity_type="brief", entity_id=brief.id,
                 before=before, after={**audit.snapshot(brief, BRIEF_FIELDS), "text_sha256": version.text_sha256,
                                       "findings": len(findings)})
    notices.post(session, policy.legal_channel, "briefs.legal_request", brief, version, policy.tz, final=False,
                 key=f"{remember_key(brief.id, number)}:post", remember_as=remember_key(brief.id, number))
    return Saved(brief, version, findings)


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
            from bot.services import run_of_show

            run_of_show.refresh_posted(session, policy.tz, [brief.session_id])
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


# ----------------------------------------------------------------------------- export
@dataclass
class ExportRow:
    brief: Brief
    version: BriefVersion
    decision: BriefDecision | None


def export_rows(session: Session, start: datetime, end: datetime) -> list[ExportRow]:
    """Every version submitted, or decided, between two instants, with each of its decisions (or none yet)."""
    decided = select(BriefDecision.version_id).where(BriefDecision.at >= start, BriefDecision.at < end)
    stmt = (select(BriefVersion).options(selectinload(BriefVersion.brief).selectinload(Brief.session))
            .where(or_(BriefVersion.submitted_at.between(start, end - timedelta(microseconds=1)), BriefVersion.id.in_(decided)))
            .order_by(BriefVersion.brief_id, BriefVersion.number))
    rows: list[ExportRow] = []
    for version in session.scalars(stmt):
        if not version.decisions:
            rows.append(ExportRow(version.brief, version, None))
        rows.extend(ExportRow(version.brief, version, d) for d in version.decisions)
    return rows


def names(session: Session, user_ids: set[str]) -> dict[str, str]:
    """Display names for Slack IDs, for exports read outside Slack."""
    if not user_ids:
        return {}
    found = session.scalars(select(Person).where(Person.slack_user_id.in_(user_ids))).all()
    return {p.slack_user_id: p.name for p in found}

