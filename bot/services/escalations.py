"""Escalations: a problem on set gets an owner fast, or more people hear about it until it does.

Raising posts one message to the escalation channel (remembered, so later changes edit it in place
and updates go in its thread) and pages people by severity. Every state change is a compare-and-set
UPDATE (`... WHERE status = ...`), so concurrent clicks have exactly one winner and a stale button
changes nothing. Re-escalation is computed from the row's timestamps by `remind`, which the
`escalations` job calls; its conditional UPDATE on `escalation_level` / `last_notified_at` makes a
reminder go out once even when two processes tick in the same minute. Every step is also an
append-only `EscalationEvent` (the timeline and the scorecard's source).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from bot.db.escalations import AFFECTED, CAUSES, Escalation, EscalationEvent
from bot.db.models import ROLES, LiveSession, Person, Shift, TimeEntry
from bot.services import audit, escalation_guard, notices, outbox, people
from bot.services.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services.validation import InputError, parse_id
from bot.services.escalation_policy import SeverityPolicy, parse_policy
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
def sessions_today(s: Session, now: datetime, tz: ZoneInfo) -> list[LiveSession]:
    """Today's LIVE sessions (local day), cancelled ones left out, for the modal's session menu."""
    start, end = day_bounds(local_date(now, tz), tz)
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
def _validate(s: Session, form: RaiseForm) -> tuple[str, int, LiveSession | None, str, str | None]:
    errors: dict[str, str] = {}
    summary = " ".join((form.summary or "").split())
    if not summary:
        errors["summary"] = "Say in a few words what is wrong (for example: checkout link dead on the hero bundle)."
    elif len(summary) > MAX_SUMMARY:
        errors["summary"] = f"Keep the summary under {MAX_SUMMARY} characters; put the rest in details."
    severity = int(form.severity) if form.severity in ("1", "2", "3", "4") else 0
    if not severity:
        errors["severity"] = "Pick a severity (SEV1 is the most urgent)."
    session = None
    if form.session and form.session != NO_SESSION:
        try:
            session = s.get(LiveSession, parse_id(form.session))
        except InputError:  # a forged or stale option: the same answer as a deleted session
            session = None
        if session is None or session.status == "cancelled":
            errors["session"] = "That LIVE session doesn't exist any more (or was cancelled). Pick another, or none."
    affected = form.affected or ""
    if affected not in AFFECTED:
        errors["affected"] = "Pick what is affected."
    details = (form.details or "").strip() or None
    if details and len(details) > MAX_TEXT:
        errors["details"] = f"Keep details under {MAX_TEXT:,} characters."
    if errors:
        raise Invalid("Some fields need fixing.", errors)
    return summary, severity, session, affected, details


def raise_escalation(s: Session, actor: Person, form: RaiseForm, key: str, now: datetime,
                     cfg: EscalationConfig) -> tuple[Escalation, bool]:
    """Record an escalation and queue its message and pages. A repeated `key` (double submit, Slack
    retry) returns the first escalation and (False) queues nothing."""
    require_member(actor, "raise escalations")
    existing = s.scalar(select(Escalation).where(Escalation.idempotency_key == key))
    if existing is not None:
        return existing, False
    summary, severity, session, affected, details = _validate(s, form)
    esc = Escalation(summary=summary, severity=severity, session_id=session.id if session else None, affected=affected,
                     details=details, needs_legal=form.needs_legal, reporter=actor.slack_user_id, status="open",
                     escalated_at=now, last_notified_at=now, escalation_level=0, idempotency_key=key)
    try:
        with s.begin_nested():
            s.add(esc)
    except IntegrityError:  # the same submission, committed by a concurrent request
        found = s.scalar(select(Escalation).where(Escalation.idempotency_key == key))
        if found is None:
            raise
        return found, False
    _event(s, esc, "raised", actor.slack_user_id, now, severity=severity, summary=summary,
           session_id=esc.session_id, affected=affected, needs_legal=form.needs_legal)
    _audit(s, esc, actor.slack_user_id, "raised", None)
    channels: list[str] = []
    if cfg.channel:
        notices.post(s, cfg.channel, "escalations.message", card(s, esc, cfg), cfg.tz, now,
                     key=f"esc:{esc.id}:raised", remember_as=message_key(esc.id))
        channels.append(cfg.channel)
    users = _initial_pages(s, esc, "New escalation", now, cfg)
    if esc.needs_legal:
        text, blocks = notices.render("escalations.legal", card(s, esc, cfg), cfg.channel, cfg.tz, now)
        if cfg.legal_channel:
            outbox.post(s, cfg.legal_channel, text, blocks, key=f"esc:{esc.id}:legal", notice="escalations.legal")
            channels.append(cfg.legal_channel)
        else:
            legal = _unique(_user_ids(s, "legal"), without=esc.reporter)
            for uid in legal:
                outbox.dm(s, uid, text, blocks, key=f"esc:{esc.id}:legal:{uid}", notice="escalations.legal")
            users += legal
    _event(s, esc, "notified", SYSTEM, now, level=0, users=users, channels=channels)
    return esc, True


# -- ownership and updates -------------------------------------------------------------------
def acknowledge(s: Session, actor: Person, esc_id: int, now: datetime, cfg: EscalationConfig) -> Escalation:
    """The clicker becomes the owner; only the first of concurrent clicks wins."""
    require_responder(actor, cfg, "acknowledge escalations")
    esc = get(s, esc_id)
    before = audit.snapshot(esc, ESC_FIELDS)
    if not _cas(s, esc, [Escalation.status == "open"], status="acknowledged", owner=actor.slack_user_id,
                acknowledged_at=now, last_notified_at=now, snoozed_until=None):
        _refuse_stale(s, esc, actor, cfg.tz)
    minutes = int((now - esc.escalated_at).total_seconds() // 60)
    _event(s, esc, "acknowledged", actor.slack_user_id, now, minutes_after_raise=minutes)
    _audit(s, esc, actor.slack_user_id, "acknowledged", before)
    _refresh_message(s, esc, now, cfg)
    _thread(s, esc, cfg, "escalations.acknowledged", actor.slack_user_id, minutes)
    if esc.reporter != actor.slack_user_id:
        notices.dm(s, esc.reporter, "escalations.owner_found", esc, actor.slack_user_id, actor.name)
    return esc


def add_update(s: Session, actor: Person, esc_id: int, note: str | None, severity: str | None, now: datetime,
               cfg: EscalationConfig, seen: str | None = None) -> Escalation:
    """A progress note in the thread, optionally changing severity (a raise to SEV1/SEV2 pages leadership)."""
    require_member(actor, "update escalations")
    esc = escalation_guard.locked_for_update(s, actor, esc_id, severity, seen, cfg.responder_roles)
    note = (note or "").strip()
    if not note:
        raise Invalid("Write what changed.", {"note": "Write what changed (it goes in the escalation's thread)."})
    if len(note) > MAX_TEXT:
        raise Invalid("Too long.", {"note": f"Keep the update under {MAX_TEXT:,} characters."})
    new_sev = int(severity) if severity in ("1", "2", "3", "4") else esc.severity
    before = audit.snapshot(esc, ESC_FIELDS)
    old_sev = esc.severity
    if not _cas(s, esc, [Escalation.status != "resolved"], last_update=note, severity=new_sev):
        raise Conflict(f"Escalation #{esc.id} is resolved, so nothing was added. If it is back, use Reopen first.")
    _event(s, esc, "updated", actor.slack_user_id, now, note=note,
           **({"severity": {"from": old_sev, "to": new_sev}} if new_sev != old_sev else {}))
    _audit(s, esc, actor.slack_user_id, "updated", before, reason=note)
    _thread(s, esc, cfg, "escalations.updated", actor.slack_user_id, old_sev, new_sev, note)
    _refresh_message(s, esc, now, cfg)
    if new_sev < old_sev and new_sev <= 2 and esc.status == "open":
        users = _initial_pages(s, esc, f"Raised to SEV{new_sev}", now, cfg)
        _event(s, esc, "notified", SYSTEM, now, level=esc.escalation_level, users=users, reason=f"raised to SEV{new_sev}")
    return esc


def check_updatable(s: Session, actor: Person, esc_id: int, cfg: EscalationConfig) -> Escalation:
    """Before opening the update modal: refuse a stale button or a person without a role."""
    require_member(actor, "update escalations")
    esc = get(s, esc_id)
    if esc.status == "resolved":
        _refuse_stale(s, esc, actor, cfg.tz)
    return esc


def check_resolvable(s: Session, actor: Person, esc_id: int, cfg: EscalationConfig) -> Escalation:
    """Before opening the resolve modal: refuse a stale button or a person without the role."""
    require_responder(actor, cfg, "resolve escalations")
    esc = get(s, esc_id)
    if esc.status == "resolved":
        _refuse_stale(s, esc, actor, cfg.tz)
    return esc


def resolve(s: Session, actor: Person, esc_id: int, note: str | None, cause: str | None, now: datetime,
            cfg: EscalationConfig) -> Escalation:
    require_responder(actor, cfg, "resolve escalations")
    esc = get(s, esc_id)
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if not note:
        errors["note"] = "Say how it was fixed (this goes on the record for the scorecard)."
    elif len(note) > MAX_TEXT:
        errors["note"] = f"Keep the note under {MAX_TEXT:,} characters."
    if cause not in CAUSES:
        errors["cause"] = "Pick the cause."
    if errors:
        raise Invalid("Some fields need fixing.", errors)
    before = audit.snapshot(esc, ESC_FIELDS)
    if not _cas(s, esc, [Escalation.status.in_(("open", "acknowledged"))], status="resolved", resolved_at=now,
                resolution_note=note, cause=cause, owner=func.coalesce(Escalation.owner, actor.slack_user_id),
                snoozed_until=None):
        _refuse_stale(s, esc, actor, cfg.tz)
    minutes = int((now - esc.escalated_at).total_seconds() // 60)
    _event(s, esc, "resolved", actor.slack_user_id, now, note=note, cause=cause, minutes_after_raise=minutes)
    _audit(s, esc, actor.slack_user_id, "resolved", before, reason=note)
    _refresh_message(s, esc, now, cfg)
    _thread(s, esc, cfg, "escalations.resolved", actor.slack_user_id, minutes, cause, note)
    paged = {u for e in events(s, esc.id) if e.kind in ("notified", "escalated") for u in e.detail.get("users", [])}
    resolutions = sum(1 for e in events(s, esc.id) if e.kind == "resolved")
    text, blocks = notices.render("escalations.resolved_dm", esc, actor.slack_user_id, cfg.tz)
    for uid in _unique(sorted(paged) + [esc.reporter], without=actor.slack_user_id):
        outbox.dm(s, uid, text, blocks, key=f"esc:{esc.id}:resolved:{resolutions}:{uid}", notice="escalations.resolved_dm")
    return esc


def reopen(s: Session, actor: Person, esc_id: int, now: datetime, cfg: EscalationConfig) -> Escalation:
    """The problem is back: open again with no owner, and the re-escalation clock restarts."""
    require_member(actor, "reopen escalations")
    esc = get(s, esc_id)
    before = audit.snapshot(esc, ESC_FIELDS)
    if not _cas(s, esc, [Escalation.status == "resolved"], status="open", owner=None, acknowledged_at=None,
                resolved_at=None, escalated_at=now, last_notified_at=now, escalation_level=0, snoozed_until=None):
        who = f", owned by {name_of(s, esc.owner)}" if esc.owner else ""
        raise Conflict(f"Escalation #{esc.id} is not resolved (it is {esc.status}{who}), so there is nothing to reopen.")
    _event(s, esc, "reopened", actor.slack_user_id, now)
    _audit(s, esc, actor.slack_user_id, "reopened", before)
    _refresh_message(s, esc, now, cfg)
    _thread(s, esc, cfg, "escalations.reopened", actor.slack_user_id)
    users = _initial_pages(s, esc, "Reopened", now, cfg)
    _event(s, esc, "notified", SYSTEM, now, level=0, users=users, reason="reopened")
    return esc


def snooze(s: Session, actor: Person, esc_id: int, now: datetime, cfg: EscalationConfig) -> Escalation:
    """Quiet the owner's reminders for a while (only once someone owns it)."""
    esc = get(s, esc_id)
    if esc.owner != actor.slack_user_id:
        require_responder(actor, cfg, "snooze escalation reminders")
    before = audit.snapshot(esc, ESC_FIELDS)
    until = now + cfg.snooze
    if not _cas(s, esc, [Escalation.status == "acknowledged"], snoozed_until=until):
        if esc.status == "open":
            raise Conflict(f"Escalation #{esc.id} has no owner yet, so its reminders can't be snoozed. Acknowledge it first.")
        _refuse_stale(s, esc, actor, cfg.tz)
    _event(s, esc, "snoozed", actor.slack_user_id, now, until=until.isoformat())
    _audit(s, esc, actor.slack_user_id, "snoozed", before)
    _refresh_message(s, esc, now, cfg)
    return esc


# -- re-escalation ---------------------------------------------------------------------------
def unresolved_ids(s: Session) -> list[int]:
    return list(s.scalars(select(Escalation.id).where(Escalation.status.in_(("open", "acknowledged")))
                          .order_by(Escalation.id)))


def remind(s: Session, esc_id: int, now: datetime, cfg: EscalationConfig) -> list[str]:
    """Send whatever reminder is due for one escalation; returns whom it paged (empty: nothing due,
    or another process got there first)."""
    esc = s.get(Escalation, esc_id)
    if esc is None:
        return []
    pol = cfg.policy[esc.severity]
    if esc.status == "open":
        return _re_escalate(s, esc, pol, now, cfg)
    if esc.status == "acknowledged" and pol.nag and esc.owner:
        return _nag(s, esc, pol.nag, now, cfg)
    return []


def _re_escalate(s: Session, esc: Escalation, pol: SeverityPolicy, now: datetime, cfg: EscalationConfig) -> list[str]:
    elapsed = (now - esc.escalated_at).total_seconds() / 60
    level = pol.due_level(elapsed)
    current = esc.escalation_level
    if level <= current:
        return []
    # After downtime several levels may be due: send one reminder, at the widest level reached.
    if not _cas(s, esc, [Escalation.status == "open", Escalation.escalation_level == current],
                escalation_level=level, last_notified_at=now):
        return []
    minute = pol.reminder_minute(level) or 0
    widened = pol.widened(minute)
    users = _first_responders(s) + (_user_ids(s, "leadership") if widened else [])
    users = _unique(users)
    _page(s, esc, users, f"Still unacknowledged after {minute} min", f"esc:{esc.id}:{_round(esc)}:level:{level}", now, cfg)
    _event(s, esc, "escalated", SYSTEM, now, level=level, minute=minute, widened=widened, users=users)
    _audit(s, esc, SYSTEM, "re_notified", {"escalation_level": current})
    _thread(s, esc, cfg, "escalations.still_open", minute, users)
    _refresh_message(s, esc, now, cfg)
    return users


def _nag(s: Session, esc: Escalation, every: int, now: datetime, cfg: EscalationConfig) -> list[str]:
    last = esc.last_notified_at or esc.acknowledged_at or esc.escalated_at
    due = last + timedelta(minutes=every)
    if esc.snoozed_until is not None and esc.snoozed_until > due:
        due = esc.snoozed_until
    if now < due:
        return []
    guard = Escalation.last_notified_at.is_(None) if esc.last_notified_at is None else Escalation.last_notified_at == last
    if not _cas(s, esc, [Escalation.status == "acknowledged", guard], last_notified_at=now):
        return []
    assert esc.owner is not None
    minutes = int((now - esc.escalated_at).total_seconds() // 60)
    notices.dm(s, esc.owner, "escalations.nag", card(s, esc, cfg), minutes, cfg.tz, now,
               key=f"esc:{esc.id}:nag:{int(now.timestamp() // 60)}")
    _event(s, esc, "notified", SYSTEM, now, users=[esc.owner], reason="still unresolved", minutes_open=minutes)
    return [esc.owner]


# -- the record ------------------------------------------------------------------------------
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
    for esc in rows:
        card_.by_severity[esc.severity] = card_.by_severity.get(esc.severity, 0) + 1
        timeline = events(s, esc.id)
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
            crew = s.scalars(select(Shift).options(joinedload(Shift.person)).where(
                Shift.session_id == esc.session_id, Shift.role.in_(HOST_ROLES), Shift.cancelled.is_(False),
                Shift.person_id.is_not(None))).unique().all()
            for name in {sh.person.name for sh in crew if sh.person}:
                hosts[name] += 1
    card_.minutes_to_ack = {sev: round(median(v), 1) for sev, v in sorted(acks.items())}
    card_.minutes_to_resolve = {sev: round(median(v), 1) for sev, v in sorted(fixes.items())}
    card_.by_session = sessions.most_common()
    card_.by_host = hosts.most_common()
    card_.by_cause = dict(causes.most_common())
    return card_
