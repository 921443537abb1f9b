"""Drafts and submissions: a submission is an immutable version that starts with no approvals.

A Slack retry or a double click submits once (the request key is remembered); editing a version someone else
submitted meanwhile is refused, so nobody overwrites a newer version by accident.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.briefs import BRIEF_KINDS, Brief, BriefVersion
from bot.db.models import LiveSession, Person, ProcessedRequest
from bot.services import audit, notices
from bot.services.claims.feedback import check_brief
from bot.services.errors import Conflict, Invalid, NotAllowed
from bot.timefmt import local_date
from bot.services.briefs.records import BRIEF_FIELDS, BriefInput, BriefPolicy, MAX_CAMPAIGN, MAX_LINK, MAX_NOTE, MAX_SKUS, MAX_TEXT, MAX_TITLE, Saved, current, due_instant, finding_dicts, findings_of, get_brief, remember_key, text_hash



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




