"""Briefs as records: the limits of a brief, the policy the service runs with, and reading briefs and versions.

Every other briefs module builds on these; nothing here writes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from bot.db.briefs import Brief, BriefDecision, BriefVersion
from bot.db.models import LiveSession, Person
from bot.services.claims.feedback import Finding
from bot.services.errors import NotFound
from bot.services.people import has_role
from bot.timefmt import local_to_utc


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



