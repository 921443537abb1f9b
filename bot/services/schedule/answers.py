"""Answers from the people on shift: confirming a published shift or saying they can't make it."""

from __future__ import annotations


from sqlalchemy import update
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import Person, Shift
from bot.services import audit, notices, people
from bot.services.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services.schedule.rules import Rules
from bot.services.schedule.planner import MAX_REASON, SHIFT_FIELDS



# -- answers from the people on shift ----------------------------------------------------------

def own_shift(session: Session, person: Person, shift_id: int) -> Shift:
    """The caller's own future shift, or a refusal saying why not."""
    sh = session.get(Shift, shift_id)
    if sh is None or sh.cancelled or (sh.session is not None and sh.session.status == "cancelled"):
        raise NotFound("That shift was cancelled or no longer exists.")
    if sh.person_id != person.id:
        raise NotAllowed("That shift isn't yours (it may have been given to someone else).")
    if sh.starts_at <= clock.now():
        raise Conflict("That shift has already started; talk to the associate directly.")
    return sh


def confirm_shift(session: Session, person: Person, shift_id: int) -> tuple[Shift, bool]:
    """Confirm a shift; (shift, False) when it was already confirmed."""
    sh = own_shift(session, person, shift_id)
    if sh.state == "declined":
        raise Conflict("You already said you can't make this one; ask the associate if that changed.")
    res = session.execute(update(Shift).where(Shift.id == sh.id, Shift.person_id == person.id, Shift.state == "pending")
                          .values(state="confirmed", responded_at=clock.now()).execution_options(synchronize_session="fetch"))
    if res.rowcount == 0:
        return sh, False
    audit.record(session, actor=person.slack_user_id, action="schedule.shift_confirmed", entity_type="shift",
                 entity_id=sh.id, before={"state": "pending"}, after={"state": "confirmed"})
    return sh, True


def decline_shift(session: Session, person: Person, shift_id: int, reason: str | None, rules: Rules,
                  ops_channel: str | None) -> Shift:
    """Can't make it: the slot opens for cover and the associate is alerted in the ops channel."""
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_REASON:
        raise Invalid("Keep the reason short.", {"reason": f"Keep it under {MAX_REASON} characters."})
    sh = own_shift(session, person, shift_id)
    before = audit.snapshot(sh, SHIFT_FIELDS)
    res = session.execute(update(Shift).where(Shift.id == sh.id, Shift.person_id == person.id, Shift.state != "declined")
                          .values(state="declined", responded_at=clock.now(), decline_reason=reason, needs_cover=True)
                          .execution_options(synchronize_session="fetch"))
    if res.rowcount == 0:
        raise Conflict("You already told us you can't make this shift; the associate has been alerted.")
    session.refresh(sh)
    audit.record(session, actor=person.slack_user_id, action="schedule.shift_declined", entity_type="shift",
                 entity_id=sh.id, before=before, after=audit.snapshot(sh, SHIFT_FIELDS), reason=reason)
    associates = [p.slack_user_id for p in people.with_role(session, people.ADMIN)]
    notices.post(session, ops_channel, "schedule.cover_alert", sh, person, associates, rules.tz)
    return sh



