"""What every escalation step shares: the settings, the card people see, who is on set, and the timeline.

Every state change is a compare-and-set UPDATE (`... WHERE status = ...`, see `_cas`), so concurrent clicks have
exactly one winner and a stale button changes nothing; every step is also an append-only `EscalationEvent`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from bot.db.escalations import Escalation, EscalationEvent
from bot.db.models import ROLES, LiveSession, Person, Shift, TimeEntry
from bot.services import audit, notices, outbox, people
from bot.services.errors import Conflict, NotAllowed, NotFound
from bot.services.escalations.policy import SeverityPolicy, parse_policy
from bot.timefmt import day_bounds, fmt_time, local_date


SYSTEM = "system:escalations"
NO_SESSION = "none"  # the form's value for "not about a LIVE session"
MAX_SUMMARY = 150
MAX_TEXT = 2000
ESC_FIELDS = ["summary", "severity", "session_id", "affected", "needs_legal", "owner", "status", "acknowledged_at",
              "resolved_at", "escalation_level", "snoozed_until", "resolution_note", "cause"]
HOST_ROLES = ("host", "cohost")


@dataclass(frozen=True)
class EscalationConfig:
    """The settings escalations read, in one place."""

    tz: ZoneInfo
    channel: str | None
    legal_channel: str | None
    policy: dict[int, SeverityPolicy]
    responder_roles: tuple[str, ...]
    snooze: timedelta

    @classmethod
    def from_settings(cls, settings) -> EscalationConfig:  # type: ignore[no-untyped-def]
        return cls(
            tz=settings.tz,
            channel=settings.escalation_channel or settings.ops_channel,
            legal_channel=settings.legal_channel,
            policy=parse_policy(settings.escalation_policy),
            responder_roles=tuple(settings.escalation_responder_roles),
            snooze=timedelta(minutes=settings.escalation_snooze_minutes),
        )


@dataclass
class RaiseForm:
    """What the /escalate modal submitted, still unvalidated."""

    summary: str | None
    severity: str | None
    session: str | None
    affected: str | None
    details: str | None = None
    needs_legal: bool = False


@dataclass
class Card:
    """Everything the escalation message shows, gathered from the database."""

    esc: Escalation
    session: LiveSession | None
    on_set: list[tuple[str, str, bool]]  # (user id, role label, clocked in)
    policy: SeverityPolicy
    reminders: int = 0


def message_key(esc_id: int) -> str:
    """The posted_messages key of an escalation's channel message."""
    return f"escalation:{esc_id}"


# -- permissions -----------------------------------------------------------------------------
def require_member(person: Person, doing: str) -> None:
    if not people.has_role(person, *ROLES):
        raise NotAllowed(f"Only people with a role in opsbot can {doing}. Ask the associate to add you "
                         f"(`/ops role add @{person.name} host` or `pa`).")


def require_responder(person: Person, cfg: EscalationConfig, doing: str) -> None:
    people.require_role(person, *cfg.responder_roles, doing=doing)


# -- reading ---------------------------------------------------------------------------------
UPCOMING = timedelta(hours=6)


def sessions_today(s: Session, now: datetime, tz: ZoneInfo) -> list[LiveSession]:
    """Today's LIVE sessions (local day) and any starting in the next six hours, cancelled ones left out, for
    the modal's session menu: at 22:30 a night crew can pick the LIVE that starts at 00:30."""
    start, end = day_bounds(local_date(now, tz), tz)
    end = max(end, now + UPCOMING)
    return list(s.scalars(
        select(LiveSession)
        .where(LiveSession.status != "cancelled", LiveSession.starts_at < end, LiveSession.ends_at > start)
        .order_by(LiveSession.starts_at).limit(99)))


def on_air(sessions: list[LiveSession], now: datetime) -> LiveSession | None:
    return next((x for x in sessions if x.starts_at <= now < x.ends_at), None)


def get(s: Session, esc_id: int) -> Escalation:
    esc = s.get(Escalation, esc_id)
    if esc is None:
        raise NotFound("That escalation no longer exists.")
    return esc


def events(s: Session, esc_id: int) -> list[EscalationEvent]:
    return list(s.scalars(select(EscalationEvent).where(EscalationEvent.escalation_id == esc_id)
                          .order_by(EscalationEvent.at, EscalationEvent.id)))


def on_set(s: Session, esc: Escalation) -> list[tuple[str, str, bool]]:
    """Who is on set: the session's crew (clocked in or not), or everyone clocked in when no session is named."""
    clocked_in = set(s.scalars(select(TimeEntry.person_id).where(TimeEntry.clock_out_at.is_(None))))
    if esc.session_id is not None:
        shifts = s.scalars(select(Shift).options(joinedload(Shift.person))
                           .where(Shift.session_id == esc.session_id, Shift.cancelled.is_(False),
                                  Shift.person_id.is_not(None))
                           .order_by(Shift.starts_at)).unique().all()
        return [(sh.person.slack_user_id, sh.role, sh.person_id in clocked_in) for sh in shifts if sh.person][:20]
    entries = s.scalars(select(TimeEntry).options(joinedload(TimeEntry.person))
                        .where(TimeEntry.clock_out_at.is_(None)).order_by(TimeEntry.clock_in_at)).unique().all()
    return [(e.person.slack_user_id, "", True) for e in entries][:20]


def card(s: Session, esc: Escalation, cfg: EscalationConfig) -> Card:
    reminders = s.scalar(select(func.count()).select_from(EscalationEvent).where(
        EscalationEvent.escalation_id == esc.id, EscalationEvent.kind == "escalated")) or 0
    session = s.get(LiveSession, esc.session_id) if esc.session_id else None
    return Card(esc=esc, session=session, on_set=on_set(s, esc), policy=cfg.policy[esc.severity], reminders=reminders)


def name_of(s: Session, user_id: str | None) -> str:
    if not user_id:
        return "nobody"
    person = people.get(s, user_id)
    return person.name if person else user_id


# -- writing helpers -------------------------------------------------------------------------
def _event(s: Session, esc: Escalation, kind: str, actor: str, at: datetime, **detail: Any) -> None:
    s.add(EscalationEvent(escalation_id=esc.id, kind=kind, actor=actor, at=at, detail=detail))


def _audit(s: Session, esc: Escalation, actor: str, action: str, before: dict[str, Any] | None,
           reason: str | None = None) -> None:
    audit.record(s, actor=actor, action=f"escalation.{action}", entity_type="escalation", entity_id=esc.id,
                 before=before, after=audit.snapshot(esc, ESC_FIELDS), reason=reason)


def _refresh_message(s: Session, esc: Escalation, now: datetime, cfg: EscalationConfig) -> None:
    """Edit the channel message in place so it always shows the current state and owner."""
    if cfg.channel:
        notices.update(s, message_key(esc.id), "escalations.message", card(s, esc, cfg), cfg.tz, now)


def _thread(s: Session, esc: Escalation, cfg: EscalationConfig, name: str, *args: Any) -> None:
    """A line in the escalation's thread (notice `name`, see bot/blocks/escalation_notes.py)."""
    notices.post(s, cfg.channel, name, *args, thread_of=message_key(esc.id))


def _user_ids(s: Session, role: str) -> list[str]:
    return [p.slack_user_id for p in people.with_role(s, role)]


def _first_responders(s: Session) -> list[str]:
    """Who is paged first: the associates (leadership when there is no associate)."""
    return _user_ids(s, "associate") or _user_ids(s, "leadership")


def _unique(ids: list[str], *, without: str | None = None) -> list[str]:
    return [u for u in dict.fromkeys(ids) if u != without]


def _cas(s: Session, esc: Escalation, where: list[Any], **values: Any) -> bool:
    """Compare-and-set: apply `values` only if the row still matches `where`; True for the one winner."""
    res = s.execute(update(Escalation).where(Escalation.id == esc.id, *where).values(**values)
                    .execution_options(synchronize_session=False))
    s.refresh(esc)
    return res.rowcount == 1


def _refuse_stale(s: Session, esc: Escalation, actor: Person, tz: ZoneInfo) -> None:
    """Explain why a click no longer applies (the row changed since the button was drawn)."""
    label = f"Escalation #{esc.id}"
    if esc.status == "resolved":
        when = fmt_time(esc.resolved_at, tz) if esc.resolved_at else "earlier"
        raise Conflict(f"{label} was already resolved by {name_of(s, esc.owner)} at {when}. Nothing changed. "
                       "If the problem is back, use Reopen on the message.")
    if esc.status == "acknowledged":
        if esc.owner == actor.slack_user_id:
            raise Conflict(f"You already own {label}. Nothing changed.")
        when = fmt_time(esc.acknowledged_at, tz) if esc.acknowledged_at else "earlier"
        raise Conflict(f"{name_of(s, esc.owner)} already owns {label} (acknowledged at {when}). Nothing changed.")
    raise Conflict(f"{label} is open and nobody owns it yet; acknowledge it first. Nothing changed.")


def _page(s: Session, esc: Escalation, users: list[str], reason: str, key_prefix: str, now: datetime,
          cfg: EscalationConfig) -> list[str]:
    """DM each of `users` once (the key prefix makes a repeat a no-op)."""
    c = card(s, esc, cfg)
    text, blocks = notices.render("escalations.page", c, reason, cfg.channel, cfg.tz, now)
    for uid in users:
        outbox.dm(s, uid, text, blocks, key=f"{key_prefix}:{uid}", notice="escalations.page")
    return users


def _round(esc: Escalation) -> int:
    """Distinguishes a reopened escalation's pages from the first round's (dedupe keys)."""
    return int(esc.escalated_at.timestamp())


def _initial_pages(s: Session, esc: Escalation, reason: str, now: datetime, cfg: EscalationConfig) -> list[str]:
    users: list[str] = []
    if esc.severity <= 2:
        users += _user_ids(s, "leadership")
    if esc.severity == 1:
        users += _user_ids(s, "associate")
    users = _unique(users, without=esc.reporter)
    return _page(s, esc, users, reason, f"esc:{esc.id}:{_round(esc)}:level:0", now, cfg)


# -- raising ---------------------------------------------------------------------------------


