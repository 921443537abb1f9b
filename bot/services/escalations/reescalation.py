"""Re-escalation, computed from the row's timestamps by `remind`, which the `escalations` job calls.

Its conditional UPDATE on `escalation_level` / `last_notified_at` makes a reminder go out once even when two
processes tick in the same minute.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.escalations import Escalation
from bot.services import notices
from bot.services.escalations.policy import SeverityPolicy
from bot.services.escalations.core import EscalationConfig, SYSTEM, _audit, _cas, _event, _first_responders, _page, _refresh_message, _round, _thread, _unique, _user_ids, card


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


