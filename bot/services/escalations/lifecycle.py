"""An escalation's life from Slack: raised, acknowledged, updated, resolved, reopened, snoozed.

Raising posts one message to the escalation channel (remembered, so later changes edit it in place and updates go
in its thread) and pages people by severity.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.escalations import AFFECTED, CAUSES, Escalation
from bot.db.models import LiveSession, Person
from bot.services import audit, notices, outbox
from bot.services.escalations import guard as escalation_guard
from bot.services.errors import Conflict, Invalid
from bot.services.validation import InputError, parse_id
from bot.services.escalations.core import ESC_FIELDS, EscalationConfig, MAX_SUMMARY, MAX_TEXT, NO_SESSION, RaiseForm, SYSTEM, _audit, _cas, _event, _initial_pages, _refresh_message, _refuse_stale, _thread, _unique, _user_ids, card, events, get, message_key, name_of, require_member, require_responder


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




