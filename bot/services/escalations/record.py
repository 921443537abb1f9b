"""The escalations record for the weekly scorecard: raised, time to acknowledge and to resolve, causes."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.db.escalations import Escalation, EscalationEvent
from bot.db.models import Shift
from bot.services.escalations.core import HOST_ROLES


@dataclass
class Scorecard:
    """Escalations raised in a period, for the weekly scorecard."""

    total: int = 0
    by_severity: dict[int, int] = field(default_factory=dict)
    unacknowledged: int = 0
    unresolved: int = 0
    minutes_to_ack: dict[int, float] = field(default_factory=dict)  # severity -> median minutes
    minutes_to_resolve: dict[int, float] = field(default_factory=dict)
    by_session: list[tuple[str, int]] = field(default_factory=list)  # (session title, count), most first
    by_host: list[tuple[str, int]] = field(default_factory=list)  # (host name, count), most first
    by_cause: dict[str, int] = field(default_factory=dict)


def scorecard(s: Session, start: datetime, end: datetime) -> Scorecard:
    """Counts by severity, median time to acknowledge and to resolve, per session and per host.

    Times come from the timeline (first acknowledgement, last resolution after the first raise),
    so a reopened escalation still counts from when it was first raised."""
    rows = list(s.scalars(select(Escalation).options(joinedload(Escalation.session))
                          .join(EscalationEvent, EscalationEvent.escalation_id == Escalation.id)
                          .where(EscalationEvent.kind == "raised", EscalationEvent.at >= start, EscalationEvent.at < end)
                          .order_by(Escalation.id)).unique())
    card_ = Scorecard(total=len(rows))
    acks: dict[int, list[float]] = defaultdict(list)
    fixes: dict[int, list[float]] = defaultdict(list)
    sessions: Counter[str] = Counter()
    hosts: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    timelines = _timelines(s, [esc.id for esc in rows])
    crews = _host_names(s, {esc.session_id for esc in rows if esc.session_id is not None})
    for esc in rows:
        card_.by_severity[esc.severity] = card_.by_severity.get(esc.severity, 0) + 1
        timeline = timelines[esc.id]
        raised = next(e.at for e in timeline if e.kind == "raised")
        acked = next((e.at for e in timeline if e.kind == "acknowledged"), None)
        resolved = [e.at for e in timeline if e.kind == "resolved"]
        if acked is None:
            card_.unacknowledged += 1
        else:
            acks[esc.severity].append((acked - raised).total_seconds() / 60)
        if esc.status == "resolved" and resolved:
            fixes[esc.severity].append((resolved[-1] - raised).total_seconds() / 60)
            if esc.cause:
                causes[esc.cause] += 1
        else:
            card_.unresolved += 1
        if esc.session is not None:
            sessions[f"{esc.session.title} (#{esc.session.id})"] += 1
            for name in crews.get(esc.session.id, set()):
                hosts[name] += 1
    card_.minutes_to_ack = {sev: round(median(v), 1) for sev, v in sorted(acks.items())}
    card_.minutes_to_resolve = {sev: round(median(v), 1) for sev, v in sorted(fixes.items())}
    card_.by_session = sessions.most_common()
    card_.by_host = hosts.most_common()
    card_.by_cause = dict(causes.most_common())
    return card_


def _timelines(s: Session, ids: list[int]) -> dict[int, list[EscalationEvent]]:
    """Every escalation's events in time order, in one statement (not one per escalation)."""
    out: dict[int, list[EscalationEvent]] = defaultdict(list)
    if ids:
        for ev in s.scalars(select(EscalationEvent).where(EscalationEvent.escalation_id.in_(ids))
                            .order_by(EscalationEvent.escalation_id, EscalationEvent.at, EscalationEvent.id)):
            out[ev.escalation_id].append(ev)
    return out


def _host_names(s: Session, session_ids: set[int]) -> dict[int, set[str]]:
    """Each session's hosts and co-hosts (not cancelled), by session, in one statement."""
    out: dict[int, set[str]] = defaultdict(set)
    if session_ids:
        for sh in s.scalars(select(Shift).options(joinedload(Shift.person)).where(
                Shift.session_id.in_(session_ids), Shift.role.in_(HOST_ROLES), Shift.cancelled.is_(False),
                Shift.person_id.is_not(None))).unique():
            if sh.person:
                out[sh.session_id].add(sh.person.name)
    return out
