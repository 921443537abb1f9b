"""A swap from offer to decision: offered, taken, approved (or auto-approved), declined, cancelled, denied, expired.

Only an approval changes the schedule. Every status step is a conditional UPDATE on the old status, so
concurrent takers, double clicks and Slack retries give exactly one winner.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import Person, Shift
from bot.db.swaps import ACTIVE, Swap
from bot.services import audit, notices, outbox, people
from bot.services.run_of_show import plan
from bot.services.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services.schedule.rules import ROLE_NEEDS, Rules, week_start
from bot.services.schedule.planner import SHIFT_FIELDS
from bot.services.schedule.publishing import latest_publication
from bot.timefmt import local_date
from bot.services.swaps.eligibility import AUTO, Eligibility, GONE, KINDS, MAX_NOTE, SWAP_FIELDS, SwapConfig, _problem, eligibility, eligibility_many, swap_eligibility


def get(session: Session, swap_id: int) -> Swap:
    swap = session.get(Swap, swap_id)
    if swap is None:
        raise NotFound("That swap no longer exists.")
    return swap


STALE = {
    "accepted": "This swap was already accepted; it is waiting for the associate.",
    "approved": "This swap is done: the associate approved it, and the schedule has changed.",
    "denied": "The associate denied this swap; nothing changed.",
    "declined": "This offer was declined; nothing changed.",
    "cancelled": "This offer was cancelled by the person who made it; nothing changed.",
    "expired": "This offer expired before anyone took it; nothing changed.",
}


def require_status(swap: Swap, wanted: tuple[str, ...]) -> None:
    """Refuse a stale button: say plainly what became of the swap."""
    if swap.status not in wanted:
        raise Conflict(STALE.get(swap.status, "This swap has moved on; nothing changed."))


def _advance(session: Session, swap: Swap, old: tuple[str, ...], **values: Any) -> None:
    """Compare-and-set on the status: exactly one of several concurrent requests gets through."""
    res = session.execute(update(Swap).where(Swap.id == swap.id, Swap.status.in_(old)).values(**values)
                          .execution_options(synchronize_session=False))
    if res.rowcount != 1:
        session.refresh(swap)
        if swap.status in ("accepted", "approved") and "open" in old and swap.kind == "open":
            raise Conflict(GONE)
        require_status(swap, ())
    session.refresh(swap)


# -- messages ------------------------------------------------------------------------------------

def _remember(swap: Swap, key: str) -> None:
    swap.posts = [*(swap.posts or []), key]


def _refresh(session: Session, swap: Swap, cfg: SwapConfig) -> None:
    """Edit every remembered message about this swap so its buttons match its status."""
    for key in swap.posts or []:
        audience = key.split(":")[2]
        notices.update(session, key, "swaps.card", swap, cfg.rules.tz, audience)


def _tell(session: Session, person: Person | None, text: str, key: str) -> None:
    """A one-line DM the service worded itself."""
    if person is not None:
        notices.dm(session, person.slack_user_id, "plain", text, key=key)


def _snap(swap: Swap) -> dict[str, Any]:
    return audit.snapshot(swap, SWAP_FIELDS)


# -- offering ------------------------------------------------------------------------------------

def offer(session: Session, actor: Person, shift_id: int, kind: str, cfg: SwapConfig, *, target_user_id: str | None = None,
          return_shift_id: int | None = None, note: str | None = None, on_behalf: bool = False) -> Swap:
    """Offer a shift. `on_behalf`: the associate opens a declined shift ('can't make it') to anyone eligible."""
    now = clock.now()
    if kind not in KINDS:
        raise Invalid(f"'{kind}' is not a kind of swap.", {"mode": "Pick how to offer the shift."})
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise Invalid("Keep the note short.", {"note": f"Keep it under {MAX_NOTE} characters."})
    sh = session.get(Shift, shift_id)
    problem = _problem(sh, now, cfg)
    if problem:
        raise Conflict(problem)
    assert sh is not None
    if on_behalf:
        people.require_role(actor, people.ADMIN, doing="open someone else's shift for cover")
        if sh.person is None:
            raise Conflict("That slot has nobody on it; assign someone from /schedule.")
        requester = sh.person
    else:
        if sh.person_id != actor.id:
            raise NotAllowed("That shift isn't yours, so you can't swap it.")
        requester = actor
    target: Person | None = None
    back: Shift | None = None
    elig = Eligibility()
    if kind in ("direct", "trade"):
        if not target_user_id:
            raise Invalid("Pick who to offer it to.", {"target": "Pick a person."})
        target = people.get_or_create(session, target_user_id)
        if target.id == requester.id:
            raise Invalid("That's you.", {"target": "Pick someone else: you can't swap with yourself."})
        if kind == "trade":
            back = session.get(Shift, return_shift_id) if return_shift_id else None
            if back is None or back.person_id != target.id:
                raise Invalid("Pick one of their shifts.", {"return": f"Pick one of {target.name}'s shifts."})
            if (p := _problem(back, now, cfg)) is not None:
                raise Invalid(p, {"return": p})
        elig = eligibility(session, target, sh, cfg.rules, gives_up=back)
        if back is not None:
            elig.extend(eligibility(session, requester, back, cfg.rules, gives_up=sh))
        if not elig.ok:
            field_name = "return" if kind == "trade" else "target"
            raise Invalid(elig.why_not(), {field_name: elig.why_not()[:1900]})
    swap = Swap(kind=kind, status="open", shift_id=sh.id, requester_id=requester.id,
                target_id=target.id if target else None, return_shift_id=back.id if back else None, note=note,
                overtime=False, warnings=None, posts=[], expires_at=sh.starts_at - cfg.expiry, created_at=now)
    try:
        with session.begin_nested():
            session.add(swap)
    except IntegrityError:
        raise Conflict("That shift already has an open offer; cancel it first if you want to change it.") from None
    session.refresh(swap)
    audit.record(session, actor=actor.slack_user_id, action="swap.offered", entity_type="swap", entity_id=swap.id,
                 after=_snap(swap), reason=note)
    tz = cfg.rules.tz
    keys = []
    if cfg.ops_channel:
        keys.append(f"swap:{swap.id}:ops")
    keys.append(f"swap:{swap.id}:req")
    if target is not None:
        keys.append(f"swap:{swap.id}:to:{target.slack_user_id}")
    else:
        candidates = [p for p in people.with_role(session, ROLE_NEEDS[sh.role]) if p.id != requester.id]
        verdicts = eligibility_many(session, [p.id for p in candidates], sh, cfg.rules)
        keys += [f"swap:{swap.id}:to:{p.slack_user_id}" for p in candidates if verdicts[p.id].ok]
    swap.posts = keys
    for key in keys:
        audience, uid = key.split(":")[2], key.split(":")[-1]
        text, bl = notices.render("swaps.card", swap, tz, audience)
        if audience == "ops":
            outbox.post(session, cfg.ops_channel, text, bl, key=key, remember_as=key, notice="swaps.card")
        else:
            outbox.dm(session, requester.slack_user_id if audience == "req" else uid, text, bl, key=key, remember_as=key,
                      notice="swaps.card")
    return swap


# -- answering an offer --------------------------------------------------------------------------

def take(session: Session, actor: Person, swap_id: int, cfg: SwapConfig) -> Swap:
    """Take an open offer, or accept a direct offer or trade made to you. First valid taker wins."""
    swap = get(session, swap_id)
    if swap.status in ("accepted", "approved") and swap.taker_id == actor.id:
        raise Conflict("You already took this shift" + (" and the associate approved it." if swap.status == "approved"
                                                        else "; it is waiting for the associate's approval."))
    if swap.status in ("accepted", "approved") and swap.kind == "open":
        raise Conflict(GONE)
    require_status(swap, ("open",))
    now = clock.now()
    if actor.id == swap.requester_id:
        raise Conflict("That's your own offer; you can't take it yourself (use Cancel offer to withdraw it).")
    if swap.target_id is not None and swap.target_id != actor.id:
        raise NotAllowed("This offer was made to someone else.")
    if swap.expires_at <= now:
        raise Conflict(STALE["expired"])
    if (p := _problem(swap.shift, now)) is not None:
        raise Conflict(p)
    if swap.shift.person_id != swap.requester_id or (swap.return_shift is not None and swap.return_shift.person_id != actor.id):
        raise Conflict("The schedule changed since this offer was made; it can't go ahead. Nothing changed.")
    elig = swap_eligibility(session, swap, actor, cfg.rules)
    if not elig.ok:
        raise Conflict(f"You can't take this shift: {elig.why_not()}")
    before = _snap(swap)
    _advance(session, swap, ("open",), status="accepted", taker_id=actor.id, accepted_at=now,
             overtime=bool(elig.overtime), warnings=[i.message for i in elig.overtime + elig.warnings] or None)
    audit.record(session, actor=actor.slack_user_id, action="swap.accepted", entity_type="swap", entity_id=swap.id,
                 before=before, after=_snap(swap))
    if _auto_approvable(session, swap, cfg, now):
        _apply(session, swap, AUTO, cfg)
        return swap
    tz = cfg.rules.tz
    for assoc in people.with_role(session, people.ADMIN):
        key = f"swap:{swap.id}:assoc:{assoc.slack_user_id}"
        _remember(swap, key)
        notices.dm(session, assoc.slack_user_id, "swaps.card", swap, tz, "assoc", key=key, remember_as=key)
    _refresh(session, swap, cfg)
    _tell(session, swap.requester, f"{actor.name} accepted your swap; it now waits for the associate's approval. "
                                    "Until then the shift is still yours.", f"swap:{swap.id}:accepted:req")
    return swap


def _auto_approvable(session: Session, swap: Swap, cfg: SwapConfig, now: datetime) -> bool:
    """Same-tier hosts, well ahead of time, no overtime: nothing for the associate to weigh."""
    if not cfg.auto_approve or swap.overtime or swap.taker is None:
        return False
    shifts = [swap.shift] + ([swap.return_shift] if swap.return_shift else [])
    if any(sh.role not in ("host", "cohost") or sh.starts_at - now <= cfg.auto_min for sh in shifts):
        return False
    from bot.services.schedule.catalog import host_tier_of

    mine, theirs = host_tier_of(session, swap.requester), host_tier_of(session, swap.taker)
    return mine is not None and theirs is not None and mine.id == theirs.id


def decline(session: Session, actor: Person, swap_id: int, cfg: SwapConfig) -> Swap:
    swap = get(session, swap_id)
    if swap.target_id != actor.id:
        raise NotAllowed("Only the person this offer was made to can decline it.")
    require_status(swap, ("open",))
    before = _snap(swap)
    _advance(session, swap, ("open",), status="declined", decided_at=clock.now(), decided_by=actor.slack_user_id)
    audit.record(session, actor=actor.slack_user_id, action="swap.declined", entity_type="swap", entity_id=swap.id,
                 before=before, after=_snap(swap))
    _refresh(session, swap, cfg)
    _tell(session, swap.requester, f"{actor.name} declined your swap offer; the shift is still yours. "
                                   "Try /swap again with someone else or open it to anyone eligible.", f"swap:{swap.id}:declined")
    return swap


def cancel(session: Session, actor: Person, swap_id: int, cfg: SwapConfig) -> Swap:
    """The requester withdraws an offer that is not yet approved."""
    swap = get(session, swap_id)
    if swap.requester_id != actor.id:
        raise NotAllowed("Only the person who made this offer can cancel it.")
    require_status(swap, ACTIVE)
    before = _snap(swap)
    _advance(session, swap, ACTIVE, status="cancelled", decided_at=clock.now(), decided_by=actor.slack_user_id)
    audit.record(session, actor=actor.slack_user_id, action="swap.cancelled", entity_type="swap", entity_id=swap.id,
                 before=before, after=_snap(swap))
    _refresh(session, swap, cfg)
    if swap.taker is not None:
        _tell(session, swap.taker, f"{swap.requester.name} cancelled the swap you accepted; nothing changed.",
              f"swap:{swap.id}:cancelled:taker")
    return swap


# -- the associate's decision --------------------------------------------------------------------

def approve(session: Session, actor: Person, swap_id: int, cfg: SwapConfig) -> Swap:
    people.require_role(actor, people.ADMIN, doing="approve swaps")
    swap = get(session, swap_id)
    require_status(swap, ("accepted",))
    return _apply(session, swap, actor.slack_user_id, cfg)


def _apply(session: Session, swap: Swap, who: str, cfg: SwapConfig) -> Swap:
    """Change the schedule: one transaction, compare-and-set on each shift's owner."""
    now = clock.now()
    taker, requester = swap.taker, swap.requester
    assert taker is not None
    if (p := _problem(swap.shift, now)) is not None:
        raise Conflict(p)
    elig = swap_eligibility(session, swap, taker, cfg.rules)
    if not elig.ok:
        raise Conflict(f"This swap can't be approved any more: {elig.why_not()} Deny it instead.")
    before = _snap(swap)
    _advance(session, swap, ("accepted",), status="approved", decided_at=now, decided_by=who)
    moves = [(swap.shift, requester, taker)] + ([(swap.return_shift, taker, requester)] if swap.return_shift else [])
    for sh, old, new in moves:
        sh_before = audit.snapshot(sh, SHIFT_FIELDS)
        res = session.execute(update(Shift).where(Shift.id == sh.id, Shift.person_id == old.id, Shift.cancelled.is_(False))
                              .values(person_id=new.id, state="confirmed", responded_at=now, decline_reason=None,
                                      needs_cover=False).execution_options(synchronize_session=False))
        if res.rowcount != 1:
            raise Conflict("The schedule changed since this swap was accepted; deny it and look again. Nothing changed.")
        session.refresh(sh)
        audit.record(session, actor=who, action="schedule.swapped", entity_type="shift", entity_id=sh.id,
                     before=sh_before, after=audit.snapshot(sh, SHIFT_FIELDS), reason=f"swap {swap.id}")
        _retell_publication(session, sh, old, new, cfg.rules)
    audit.record(session, actor=who, action="swap.approved", entity_type="swap", entity_id=swap.id,
                 before=before, after=_snap(swap), reason="auto-approved: same-tier hosts, no overtime" if who == AUTO else None)
    _refresh(session, swap, cfg)
    plan.refresh_posted(session, cfg.rules.tz, [sh.session_id for sh, _, _ in moves])  # today's post names the new host
    tz = cfg.rules.tz
    _tell(session, taker, notices.render("swaps.approved_text", swap, tz, for_taker=True), f"swap:{swap.id}:approved:taker")
    _tell(session, requester, notices.render("swaps.approved_text", swap, tz, for_taker=False), f"swap:{swap.id}:approved:req")
    return swap


def _retell_publication(session: Session, sh: Shift, old: Person, new: Person, rules: Rules) -> None:
    """Both people were told by the swap itself: record the new owner in the published snapshot, so a
    later republish doesn't send them a second, confusing 'removed'/'added'."""
    pub = latest_publication(session, week_start(local_date(sh.starts_at, rules.tz)))
    if pub is None:
        return
    entry = pub.snapshot.get(str(sh.id))
    if entry is None or entry.get("person") != old.slack_user_id:
        return
    pub.snapshot = {**pub.snapshot, str(sh.id): {**entry, "person": new.slack_user_id}}


def deny(session: Session, actor: Person, swap_id: int, reason: str | None, cfg: SwapConfig) -> Swap:
    people.require_role(actor, people.ADMIN, doing="deny swaps")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Give a reason.", {"reason": "Tell them why, in a few words."})
    if len(reason) > MAX_NOTE:
        raise Invalid("Keep the reason short.", {"reason": f"Keep it under {MAX_NOTE} characters."})
    swap = get(session, swap_id)
    require_status(swap, ("accepted",))
    before = _snap(swap)
    _advance(session, swap, ("accepted",), status="denied", decided_at=clock.now(), decided_by=actor.slack_user_id,
             reason=reason)
    audit.record(session, actor=actor.slack_user_id, action="swap.denied", entity_type="swap", entity_id=swap.id,
                 before=before, after=_snap(swap), reason=reason)
    _refresh(session, swap, cfg)
    text = f"The associate denied the swap: {reason} Nothing changed in the schedule."
    _tell(session, swap.requester, text, f"swap:{swap.id}:denied:req")
    _tell(session, swap.taker, text, f"swap:{swap.id}:denied:taker")
    return swap


# -- expiry --------------------------------------------------------------------------------------

def due_for_expiry(session: Session, now: datetime) -> list[int]:
    return list(session.scalars(select(Swap.id).where(Swap.status == "open", Swap.expires_at <= now).order_by(Swap.id)))


def expire(session: Session, swap_id: int, now: datetime, cfg: SwapConfig) -> bool:
    """Expire one untaken offer and alert the associate once that the slot is still at risk."""
    swap = get(session, swap_id)
    if swap.status != "open" or swap.expires_at > now:
        return False
    res = session.execute(update(Swap).where(Swap.id == swap.id, Swap.status == "open")
                          .values(status="expired", decided_at=now, decided_by="system:swap-expiry")
                          .execution_options(synchronize_session=False))
    if res.rowcount != 1:
        return False
    before = _snap(swap)
    session.refresh(swap)
    audit.record(session, actor="system:swap-expiry", action="swap.expired", entity_type="swap", entity_id=swap.id,
                 before=before, after=_snap(swap))
    _refresh(session, swap, cfg)
    associates = [p.slack_user_id for p in people.with_role(session, people.ADMIN)]
    notices.post(session, cfg.ops_channel, "swaps.at_risk", swap, cfg.rules.tz, associates, key=f"swap:{swap.id}:at-risk")
    _tell(session, swap.requester, "Nobody took your swap offer in time, so it expired and the shift is still yours. "
                                   "The associate has been told.", f"swap:{swap.id}:expired:req")
    return True


