"""What each role's App Home shows, as plain data (bot/blocks/home.py renders it). A person with several
roles gets every part that is theirs. Lists are capped when rendered; the counts here are the full ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from bot.db.briefs import Brief
from bot.db.creators import Deliverable
from bot.db.escalations import Escalation
from bot.db.models import (
    LiveSession,
    OutboxMessage,
    Person,
    PostedMessage,
    Shift,
    TimeEntry,
)
from bot.db.payroll import Invoice
from bot.db.run_of_show import RosSegment
from bot.db.swaps import Swap
from bot.db.talent import STAGES, Feedback, OnboardingItem, TierChange, TierProposal
from bot.services.creators.deliverables import payment_key
from bot.services.payroll.invoices import card_key
from bot.services.talent import casting, onboarding, tiers
from bot.services.talent.tiers import Criteria, TierRule
from bot.timefmt import day_bounds

SHOWN = 5  # rows fetched per payment list; the counts are the full ones
Card = tuple[str, str]  # (channel, ts) of a remembered message


@dataclass
class HostPart:
    tier: str | None
    checklist: list[OnboardingItem]
    feedback: list[Feedback]
    feedback_total: int
    numbers: dict[str, Any]
    rule: TierRule | None
    tier_history: list[TierChange]


@dataclass
class PAPart:
    sessions: list[tuple[LiveSession, list[RosSegment]]]


@dataclass
class AssociatePart:
    sessions: list[tuple[LiveSession, list[str]]]  # today's sessions and their warnings
    on_set: list[str]
    pending_swaps: int
    escalations: list[Escalation]
    briefs_waiting: int
    candidates: dict[str, int]
    overdue: list[OnboardingItem]
    to_pay: list[Invoice] = field(default_factory=list)  # approved by leadership, not marked paid yet
    to_pay_total: int = 0


@dataclass
class LegalPart:
    briefs: list[Brief]


@dataclass
class LeadershipPart:
    scorecard: str | None
    severe: list[Escalation]
    proposals: list[TierProposal]
    invoices: list[tuple[Invoice, Card | None]] = field(default_factory=list)  # waiting for Approve payment / Query
    invoices_total: int = 0
    payments: list[tuple[Deliverable, Card | None]] = field(default_factory=list)  # posted, payment not approved
    payments_total: int = 0


@dataclass
class Home:
    host: HostPart | None = None
    pa: PAPart | None = None
    associate: AssociatePart | None = None
    legal: LegalPart | None = None
    leadership: LeadershipPart | None = None
    roles: set[str] = field(default_factory=set)


def _today_sessions(session: Session, today: date, tz: ZoneInfo) -> list[LiveSession]:
    start, end = day_bounds(today, tz)
    return list(session.scalars(select(LiveSession).where(LiveSession.starts_at >= start, LiveSession.starts_at < end,
                                                          LiveSession.status != "cancelled").order_by(LiveSession.starts_at)))


def _segments(session: Session, live_id: int) -> list[RosSegment]:
    return list(session.scalars(select(RosSegment).where(RosSegment.session_id == live_id).order_by(RosSegment.id)))


def _warnings(session: Session, live: LiveSession) -> list[str]:
    out = []
    shifts = [sh for sh in live.shifts if not sh.cancelled]
    if not any(sh.role == "host" and sh.person_id for sh in shifts):
        out.append("no host")
    if any(sh.needs_cover for sh in shifts):
        out.append("needs cover")
    if any(sh.state == "declined" for sh in shifts):
        out.append("a shift was declined")
    if live.status == "draft":
        out.append("not published")
    if not session.scalar(select(RosSegment.id).where(RosSegment.session_id == live.id).limit(1)):
        out.append("no run-of-show")
    return out


def host_part(session: Session, person: Person, today: date, tz: ZoneInfo, criteria: Criteria | None) -> HostPart:
    tier = tiers.current_tier(session, person)
    fb_total = session.scalar(select(func.count()).select_from(Feedback).where(Feedback.person_id == person.id)) or 0
    numbers, rule = tiers.latest_numbers(session, person, today, tz, criteria) if criteria else ({}, None)
    return HostPart(tier.name if tier else None, onboarding.checklist(session, person, person),
                    list(session.scalars(select(Feedback).where(Feedback.person_id == person.id)
                                         .order_by(Feedback.created_at.desc(), Feedback.id.desc()).limit(3))),
                    fb_total, numbers, rule, tiers.history(session, person)[:5])


def pa_part(session: Session, person: Person, today: date, tz: ZoneInfo) -> PAPart:
    start, end = day_bounds(today, tz)
    lives = list(session.scalars(select(LiveSession).join(Shift).where(
        Shift.person_id == person.id, Shift.cancelled.is_(False), LiveSession.starts_at >= start, LiveSession.starts_at < end,
        LiveSession.status.in_(("published", "live", "done"))).order_by(LiveSession.starts_at).distinct()))
    return PAPart([(live, _segments(session, live.id)) for live in lives])


def associate_part(session: Session, today: date, tz: ZoneInfo) -> AssociatePart:
    lives = _today_sessions(session, today, tz)
    on_set = [e.person.name for e in session.scalars(select(TimeEntry).where(TimeEntry.clock_out_at.is_(None))
                                                     .order_by(TimeEntry.clock_in_at))]
    return AssociatePart(
        sessions=[(live, _warnings(session, live)) for live in lives],
        on_set=on_set,
        pending_swaps=session.scalar(select(func.count()).select_from(Swap).where(Swap.status == "accepted")) or 0,
        escalations=list(session.scalars(select(Escalation).where(Escalation.status != "resolved")
                                         .order_by(Escalation.severity, Escalation.escalated_at))),
        briefs_waiting=session.scalar(select(func.count()).select_from(Brief).where(Brief.status == "pending")) or 0,
        candidates={s: n for s, n in casting.stage_counts(session).items() if s in STAGES},
        overdue=onboarding.overdue(session, today),
        to_pay=list(session.scalars(select(Invoice).options(joinedload(Invoice.person)).where(Invoice.status == "approved")
                                    .order_by(Invoice.submitted_at, Invoice.id).limit(SHOWN))),
        to_pay_total=_count(session, Invoice, Invoice.status == "approved"),
    )


def legal_part(session: Session) -> LegalPart:
    rows = list(session.scalars(select(Brief).where(Brief.status == "pending")))
    far = datetime.max.replace(tzinfo=None)
    rows.sort(key=lambda b: ((b.due_at.replace(tzinfo=None) if b.due_at else far), b.created_at.replace(tzinfo=None), b.id))
    return LegalPart(rows)


def _count(session: Session, model: type, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _cards(session: Session, keys: list[str]) -> dict[str, Card]:
    """Where the remembered cards are (one query for both lists); a card not posted yet has no ts."""
    if not keys:
        return {}
    rows = session.execute(select(PostedMessage.key, PostedMessage.channel, PostedMessage.ts)
                           .where(PostedMessage.key.in_(keys), PostedMessage.ts.is_not(None)))
    return {key: (channel, ts) for key, channel, ts in rows}


def payments_to_approve(session: Session, part: LeadershipPart) -> None:
    """Invoices waiting for leadership's decision and posted creator deliverables waiting for payment approval,
    oldest first, each with its card in the leadership channel when opsbot remembers it."""
    invs = list(session.scalars(select(Invoice).options(joinedload(Invoice.person)).where(Invoice.status == "submitted")
                                .order_by(Invoice.submitted_at, Invoice.id).limit(SHOWN)))
    dels = list(session.scalars(select(Deliverable).options(joinedload(Deliverable.campaign).lazyload("*"))
                                .where(Deliverable.status == "posted")
                                .order_by(Deliverable.posted_at, Deliverable.id).limit(SHOWN)))
    cards = _cards(session, [card_key(i.id, i.version) for i in invs] + [payment_key(d.id) for d in dels])
    part.invoices = [(i, cards.get(card_key(i.id, i.version))) for i in invs]
    part.payments = [(d, cards.get(payment_key(d.id))) for d in dels]
    part.invoices_total = len(invs) if len(invs) < SHOWN else _count(session, Invoice, Invoice.status == "submitted")
    part.payments_total = len(dels) if len(dels) < SHOWN else _count(session, Deliverable, Deliverable.status == "posted")


def leadership_part(session: Session) -> LeadershipPart:
    post = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("scorecard:%"),
                                                       OutboxMessage.kind == "post")
                           .order_by(OutboxMessage.id.desc()).limit(1)).first()
    part = LeadershipPart(
        scorecard=(post.payload or {}).get("text") if post else None,
        severe=list(session.scalars(select(Escalation).where(Escalation.status != "resolved", Escalation.severity <= 2)
                                    .order_by(Escalation.severity, Escalation.escalated_at))),
        proposals=tiers.pending(session),
    )
    payments_to_approve(session, part)
    return part


def build(session: Session, person: Person, today: date, tz: ZoneInfo, criteria: Criteria | None) -> Home:
    roles = set(person.role_names)
    home = Home(roles=roles)
    if "host" in roles:
        home.host = host_part(session, person, today, tz, criteria)
    if "pa" in roles:
        home.pa = pa_part(session, person, today, tz)
    if "associate" in roles:
        home.associate = associate_part(session, today, tz)
    if "legal" in roles:
        home.legal = legal_part(session)
    if "leadership" in roles:
        home.leadership = leadership_part(session)
    return home
