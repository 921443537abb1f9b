"""The casting pipeline: candidates from sourced to active (or declined / withdrawn, with a reason).

Only the associate and leadership see or change it. A candidate's handle and email are unique: a second
candidate with either is refused with a pointer to the first. An accepted offer makes the candidate a
person with the host role and the entry tier as soon as their Slack user is known by email (now, or when
they join the workspace), with their onboarding checklist."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import Person
from bot.db.talent import ALL_STAGES, CLOSED, SOURCES, STAGE_LABEL, STAGES, Candidate, CandidateEvent
from bot.services import audit, notices, people
from bot.services.errors import Conflict, Invalid, NotFound
from bot.services.talent import onboarding
from bot.services.talent.access import clean_text, require_talent
from bot.services.talent.stages import set_stage
from bot.services.validation import InputError

_HANDLE_RE = re.compile(r"[a-z0-9._]{2,24}")
_EMAIL_RE = re.compile(r"[^@\s<>]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}")
_LINK_RE = re.compile(r"https?://[^\s<>|]{3,480}")
NEEDS_REASON = CLOSED
SOURCE_ALIASES = {"marketplace": "creator_marketplace", "creator marketplace": "creator_marketplace",
                  "creator_marketplace": "creator_marketplace"}


@dataclass(frozen=True)
class CandidateInput:
    name: str | None
    handle: str | None = None
    email: str | None = None
    source: str | None = "inbound"
    link: str | None = None
    languages: str | None = None
    notes: str | None = None


def normalize_handle(value: object) -> str | None:
    text = clean_text(value, field="handle", label="The TikTok handle", limit=40)
    if text is None:
        return None
    text = text.lower().lstrip("@")
    if not _HANDLE_RE.fullmatch(text):
        raise InputError("The TikTok handle may have 2-24 letters, digits, dots and underscores, like @glow.with.hana.",
                         "handle")
    return text


def normalize_email(value: object) -> str | None:
    text = clean_text(value, field="email", label="The email", limit=320)
    if text is None:
        return None
    if not _EMAIL_RE.fullmatch(text):
        raise InputError("The email doesn't look like an address (name@example.com).", "email")
    return text.lower()


def _validate(data: CandidateInput) -> CandidateInput:
    name = clean_text(data.name, field="name", label="The name", limit=200, required=True)
    source = (clean_text(data.source, field="source", label="The source", limit=40) or "inbound").lower()
    source = SOURCE_ALIASES.get(source, source)
    if source not in SOURCES:
        raise InputError(f"The source must be one of: {', '.join(SOURCES)}.", "source")
    link = clean_text(data.link, field="link", label="The link", limit=500)
    if link is not None and not _LINK_RE.fullmatch(link):
        raise InputError("The reel or audition link must be a web address starting with https://.", "link")
    return CandidateInput(name=name, handle=normalize_handle(data.handle), email=normalize_email(data.email),
                          source=source, link=link,
                          languages=clean_text(data.languages, field="languages", label="Languages", limit=200),
                          notes=clean_text(data.notes, field="notes", label="The notes", limit=2000))


def describe(cand: Candidate) -> str:
    handle = f" (@{cand.handle})" if cand.handle else ""
    return f"#{cand.id} {cand.name}{handle}, {STAGE_LABEL[cand.stage].lower()}"


def duplicate_of(session: Session, handle: str | None, email: str | None, *, besides: int | None = None) -> Candidate | None:
    conds = [c for c in ((Candidate.handle == handle) if handle else None,
                         (Candidate.email == email) if email else None) if c is not None]
    if not conds:
        return None
    stmt = select(Candidate).where(or_(*conds))
    if besides is not None:
        stmt = stmt.where(Candidate.id != besides)
    return session.scalars(stmt.limit(1)).first()


def _refuse_duplicate(found: Candidate, handle: str | None) -> Invalid:
    """Refused on the form field that matched, pointing to the candidate already there."""
    what, field = ("TikTok handle", "handle") if handle and found.handle == handle else ("email", "email")
    msg = f"A candidate with that {what} is already in the pipeline: {describe(found)}. Open them with `/casting #{found.id}`."
    return Invalid(msg, {field: msg[:150]})


def add(session: Session, actor: Person | str, data: CandidateInput) -> Candidate:
    who = require_talent(actor, "add candidates")
    data = _validate(data)
    if not data.handle and not data.email:
        raise Invalid("Give a TikTok handle or an email, so the same person can't be added twice.",
                      {"handle": "Give a TikTok handle or an email."})
    found = duplicate_of(session, data.handle, data.email)
    if found is not None:
        raise _refuse_duplicate(found, data.handle)
    now = clock.now()
    cand = Candidate(name=data.name, handle=data.handle, email=data.email, source=data.source, link=data.link,
                     languages=data.languages, notes=data.notes, stage="sourced", created_at=now, created_by=who,
                     updated_at=now)
    try:
        with session.begin_nested():
            session.add(cand)
    except IntegrityError:  # added by a concurrent request a moment ago
        found = duplicate_of(session, data.handle, data.email)
        raise _refuse_duplicate(found, data.handle) if found else Conflict("That candidate was just added.") from None
    session.add(CandidateEvent(candidate_id=cand.id, at=now, actor=who, from_stage=None, to_stage="sourced",
                               reason=f"added ({data.source})"))
    audit.record(session, actor=who, action="talent.candidate_added", entity_type="candidate", entity_id=cand.id,
                 after={"name": cand.name, "handle": cand.handle, "email": cand.email, "source": cand.source})
    session.flush()
    return cand


DETAILS = ("name", "handle", "email", "source", "link", "languages", "notes")


def edit(session: Session, actor: Person | str, candidate_id: int, data: CandidateInput) -> Candidate:
    """Correct a candidate's details (a typo in the email, a new reel); duplicates are refused as when adding."""
    who = require_talent(actor, "edit candidates")
    cand = get(session, actor, candidate_id)
    data = _validate(data)
    if not data.handle and not data.email:
        raise Invalid("Keep a TikTok handle or an email.", {"handle": "Give a TikTok handle or an email."})
    found = duplicate_of(session, data.handle, data.email, besides=cand.id)
    if found is not None:
        raise _refuse_duplicate(found, data.handle)
    before = audit.snapshot(cand, list(DETAILS))
    for name in DETAILS:
        setattr(cand, name, getattr(data, name))
    after = audit.snapshot(cand, list(DETAILS))
    if before != after:
        cand.updated_at = clock.now()
        session.flush()
        audit.record(session, actor=who, action="talent.candidate_edited", entity_type="candidate", entity_id=cand.id,
                     before=before, after=after)
        if cand.person_id is None:
            link(session, cand, actor=who)  # a corrected email may find the hire's Slack user
    return cand


def get(session: Session, actor: Person | str, candidate_id: int) -> Candidate:
    require_talent(actor, "see the casting pipeline")
    cand = session.get(Candidate, candidate_id)
    if cand is None:
        raise NotFound(f"There is no candidate #{candidate_id}.")
    return cand


def allowed_moves(cand: Candidate) -> list[str]:
    """Where a candidate may go next: any later open stage, or declined / withdrawn; a closed one may be reopened."""
    if cand.stage in CLOSED:
        return ["sourced", "screened"]
    later = list(STAGES[STAGES.index(cand.stage) + 1:])
    return [s for s in later if s != "active" or cand.stage == "onboarding"] + (list(CLOSED) if cand.stage != "active" else [])


def move(session: Session, actor: Person | str, candidate_id: int, to: str, reason: str | None = None, *,
         start_on: date | None = None, tz_today: date | None = None) -> Candidate:
    """Move a candidate; to 'onboarding' means the offer was accepted (start date required)."""
    who = require_talent(actor, "move candidates through the pipeline")
    cand = get(session, actor, candidate_id)
    if to not in ALL_STAGES:
        raise InputError(f"'{str(to)[:30]}' is not a stage. Stages: {', '.join(ALL_STAGES)}.", "stage")
    reason = clean_text(reason, field="reason", label="The reason", limit=500)
    if cand.stage == to:
        return cand  # a double click or retry: already there
    if to not in allowed_moves(cand):
        raise Conflict(f"{cand.name} is {STAGE_LABEL[cand.stage].lower()}; from there they can go to "
                       f"{', '.join(STAGE_LABEL[s].lower() for s in allowed_moves(cand)) or 'nowhere'}.")
    if to in NEEDS_REASON and not reason:
        raise Invalid(f"Say why {cand.name} is {to}: the reason is kept in their history.",
                      {"reason": "Give the reason."})
    if to == "onboarding":
        today = tz_today or clock.now().date()
        if start_on is None:
            raise Invalid("Pick the start date of the accepted offer.", {"start": "Pick the start date."})
        if not today - timedelta(days=30) <= start_on <= today + timedelta(days=365):
            raise InputError("The start date must be within a month back and a year ahead.", "start")
        cand.start_on = start_on
    set_stage(session, cand, to, actor=who, reason=reason)
    if to == "onboarding":
        link(session, cand, actor=who)
    return cand


def link(session: Session, cand: Candidate, *, actor: str) -> Person | None:
    """Make the hired candidate a host (with the entry tier and their checklist) once their Slack user is known."""
    if cand.person_id is not None or cand.stage not in ("onboarding", "active") or not cand.email:
        return cand.person
    person = session.scalars(select(Person).where(func.lower(Person.email) == cand.email).limit(1)).first()
    if person is None:
        return None  # linked when they join Slack (team_join) or first talk to opsbot
    cand.person_id = person.id
    people.grant(session, person, "host", actor=actor, reason=f"offer accepted (candidate #{cand.id})")
    audit.record(session, actor=actor, action="talent.candidate_linked", entity_type="candidate", entity_id=cand.id,
                 after={"slack_user_id": person.slack_user_id})
    onboarding.start(session, person, cand.start_on or clock.now().date(), actor=actor)
    notices.dm(session, person.slack_user_id, "talent.welcome", cand.name, start_on=cand.start_on,
               key=f"talent-welcome:{cand.id}")
    session.flush()
    return person


def link_person(session: Session, person: Person) -> Candidate | None:
    """A Slack user became known (joined, or first contact with an email): link a hired candidate with that email."""
    if not person.email:
        return None
    cand = session.scalars(select(Candidate).where(Candidate.email == person.email.lower(), Candidate.person_id.is_(None),
                                                   Candidate.stage.in_(("onboarding", "active"))).limit(1)).first()
    if cand is None:
        return None
    link(session, cand, actor="system:team_join")
    return cand


def pipeline(session: Session, actor: Person, *, include_closed: bool = False) -> dict[str, list[Candidate]]:
    """Candidates by stage (open stages in order; closed ones only when asked), newest first within a stage."""
    require_talent(actor, "see the casting pipeline")
    stages = ALL_STAGES if include_closed else STAGES
    out: dict[str, list[Candidate]] = {s: [] for s in stages}
    for cand in session.scalars(select(Candidate).where(Candidate.stage.in_(stages)).order_by(Candidate.updated_at.desc())):
        out[cand.stage].append(cand)
    return out


def stage_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Candidate.stage, func.count()).group_by(Candidate.stage)).all()
    return {stage: n for stage, n in rows}


def search(session: Session, actor: Person, text: str) -> list[Candidate]:
    require_talent(actor, "see the casting pipeline")
    needle = (text or "").replace("\x00", "").strip().lower().lstrip("@#")[:100]
    if needle.isdigit():
        found = session.get(Candidate, int(needle)) if len(needle) < 10 else None
        return [found] if found else []
    like = f"%{needle}%"
    return list(session.scalars(select(Candidate).where(or_(func.lower(Candidate.name).like(like),
                                                            Candidate.handle.like(like), Candidate.email.like(like)))
                                .order_by(Candidate.id).limit(20)))
