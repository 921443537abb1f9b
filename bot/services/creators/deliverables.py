"""Deliverables and their status machine, one step at a time:
planned -> sample shipped (carrier + tracking) -> sample delivered -> draft received (link, words) -> approved
-> posted (link) -> paid (leadership's payment approval, recorded with who and when).

A draft with claims (found by the claim checker, or ticked by the associate) is sent to legal as a brief through
bot/services/briefs.py and the deliverable links it; it can only be approved once legal approved that brief.
Each step locks the row and names the status it leaves, so a double click or a Slack retry is one step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.briefs import STATUS_LABEL as BRIEF_STATUS
from bot.db.creators import (
    DELIVERABLE_KINDS,
    DELIVERABLE_STATUSES,
    KIND_LABEL,
    STATUS_LABEL,
    Deliverable,
)
from bot.db.models import Person
from bot.services import audit, edits, notices, validation
from bot.services.briefs import drafting, records
from bot.services.claims.feedback import check_brief
from bot.services.creators import campaigns
from bot.services.creators.common import (
    MAX_NOTE,
    CreatorPolicy,
    clean,
    fields_error,
    link,
    require_associate,
)
from bot.services.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services.people import has_role, with_role
from bot.timefmt import local_date

FIELDS = ["status", "kind", "due_on", "carrier", "tracking", "brief_id", "payment_approved_by", "payment_approved_at"]
NEXT = dict(pairwise(DELIVERABLE_STATUSES))
LEADERSHIP = "leadership"


def payment_key(deliverable_id: int) -> str:
    """The leadership-channel card asking to approve one deliverable's payment, edited in place once decided."""
    return f"deliverable:{deliverable_id}:payment"


def rank(status: str) -> int:
    return DELIVERABLE_STATUSES.index(status)


def get(session: Session, deliverable_id: int, *, lock: bool = False) -> Deliverable:
    row = (edits.lock(session, Deliverable, deliverable_id, "That deliverable") if lock
           else session.get(Deliverable, deliverable_id))
    if row is None:
        raise NotFound("That deliverable no longer exists.")
    return row


def describe(d: Deliverable) -> str:
    return f"{d.creator.name}'s {KIND_LABEL[d.kind].lower()} for {d.campaign.name}"


def add(session: Session, actor: Person, campaign_id: int, creator_id: int, kind: str, due_on: object, now: datetime,
        policy: CreatorPolicy, note: object = None) -> Deliverable:
    require_associate(actor, "plan creator deliverables")
    campaign = campaigns.get(session, campaign_id, lock=True)
    errors: dict[str, str] = {}
    if kind not in DELIVERABLE_KINDS:
        errors["kind"] = f"Pick what the creator delivers ({', '.join(KIND_LABEL.values())})."
    if creator_id not in {m.creator_id for m in campaign.members}:
        errors["creator"] = "That creator is not on this campaign; add them in the campaign form first."
    due = None
    try:
        due = validation.parse_date(due_on, field="due", label="The due date", today=local_date(now, policy.tz))
    except validation.InputError as exc:
        errors["due"] = exc.message
    text = clean(note, MAX_NOTE, "The note", "note", errors)
    fields_error(errors)
    assert due is not None
    row = Deliverable(campaign_id=campaign.id, creator_id=creator_id, kind=kind, due_on=due, status="planned", note=text,
                      links=[], steps={"planned": {"at": now.isoformat(), "by": actor.slack_user_id}},
                      created_at=now, updated_at=now)
    campaign.deliverables.append(row)  # keeps the loaded campaign's list current for readiness
    session.flush()
    session.refresh(row)
    audit.record(session, actor=actor.slack_user_id, action="deliverable.added", entity_type="deliverable",
                 entity_id=row.id, after={"campaign_id": campaign.id, **audit.snapshot(row, FIELDS)})
    return row


def _step(session: Session, actor: Person, deliverable_id: int, to: str, now: datetime) -> tuple[Deliverable, dict]:
    """Lock the row and check it is one step before `to`; a repeat or a skipped step is refused in plain words."""
    d = get(session, deliverable_id, lock=True)
    require_next(d, to)
    return d, audit.snapshot(d, FIELDS)


def require_next(d: Deliverable, to: str) -> None:
    """Refuse unless `to` is the deliverable's next step (a repeat, or a skipped step, in plain words)."""
    if to not in DELIVERABLE_STATUSES:
        raise Invalid("Unknown step; open the campaign again.")
    if d.status == to or rank(d.status) > rank(to):
        raise Conflict(f"{describe(d)} is already {STATUS_LABEL[d.status]}; nothing more was recorded.")
    if NEXT.get(d.status) != to:
        raise Conflict(f"{describe(d)} is {STATUS_LABEL[d.status]}: it must be {STATUS_LABEL[NEXT[d.status]]} "
                       f"before it can be {STATUS_LABEL[to]}. Nothing was changed.")


def _done(session: Session, actor: Person, d: Deliverable, before: dict, to: str, now: datetime, **extra: object) -> None:
    d.status, d.updated_at = to, now
    d.steps = {**(d.steps or {}), to: {"at": now.isoformat(), "by": actor.slack_user_id}}
    session.flush()
    audit.record(session, actor=actor.slack_user_id, action=f"deliverable.{to}", entity_type="deliverable",
                 entity_id=d.id, before=before, after={**audit.snapshot(d, FIELDS), **extra})


def _add_link(d: Deliverable, kind: str, url: str, now: datetime) -> None:
    d.links = [*(d.links or []), {"kind": kind, "url": url, "at": now.isoformat()}]


def ship_sample(session: Session, actor: Person, deliverable_id: int, carrier: object, tracking: object,
                now: datetime) -> Deliverable:
    require_associate(actor, "record sample shipments")
    errors: dict[str, str] = {}
    c = clean(carrier, 60, "The carrier", "carrier", errors, required=True)
    t = clean(tracking, 100, "The tracking number", "tracking", errors, required=True)
    if t and not all(ch.isalnum() or ch in "- " for ch in t):
        errors["tracking"] = "A tracking number is letters, digits, spaces and dashes."
    fields_error(errors)
    d, before = _step(session, actor, deliverable_id, "sample_shipped", now)
    d.carrier, d.tracking = c, t
    _done(session, actor, d, before, "sample_shipped", now)
    return d


def sample_delivered(session: Session, actor: Person, deliverable_id: int, now: datetime) -> Deliverable:
    require_associate(actor, "record sample deliveries")
    d, before = _step(session, actor, deliverable_id, "sample_delivered", now)
    _done(session, actor, d, before, "sample_delivered", now)
    return d


@dataclass
class DraftResult:
    deliverable: Deliverable
    findings: int
    brief_id: int | None


def draft_received(session: Session, actor: Person, deliverable_id: int, draft_link: object, words: object,
                   has_claims: bool, now: datetime, policy: CreatorPolicy) -> DraftResult:
    """Record the creator's draft; with claims it goes to legal as a brief (reusing brief approval) and is linked."""
    require_associate(actor, "record creator drafts")
    errors: dict[str, str] = {}
    url = link(draft_link, "link", errors, "The draft link")
    text = clean(words, records.MAX_TEXT, "The draft's words", "words", errors)
    if not url and not text:
        errors["link"] = "Give the draft's link or paste its words."
    fields_error(errors)
    d, before = _step(session, actor, deliverable_id, "draft_received", now)
    skus = ", ".join(p.product.sku for p in d.campaign.products) or None
    found = check_brief(session, text, skus) if text else []
    if found or has_claims:
        if not text:
            raise Invalid("This draft has claims, so legal must see its words.",
                          {"words": "Paste the draft's words (or at least its claims) so legal can approve them."})
        today = local_date(now, policy.tz)
        due = max(d.due_on - timedelta(days=1), today + timedelta(days=1))
        saved = drafting.save(session, actor, records.BriefInput(
            title=f"{d.creator.name} {KIND_LABEL[d.kind].lower()} ({d.campaign.name})"[:records.MAX_TITLE],
            kind="creative_brief", skus=skus, text=text, link=url, campaign=d.campaign.name[:records.MAX_CAMPAIGN],
            due_on=due, note=f"Creator deliverable #{d.id} (@{d.creator.handle})."),
            brief_id=None, based_on=None, draft=False, now=now, policy=policy.briefs)
        d.brief_id = saved.brief.id
    if url:
        _add_link(d, "draft", url, now)
    _done(session, actor, d, before, "draft_received", now, findings=len(found))
    return DraftResult(d, len(found), d.brief_id)


def approve(session: Session, actor: Person, deliverable_id: int, now: datetime) -> Deliverable:
    require_associate(actor, "approve creator drafts")
    d, before = _step(session, actor, deliverable_id, "approved", now)
    if d.brief is not None and d.brief.status != "approved":
        raise Conflict(f"The draft has claims and is with legal (brief #{d.brief.id}: {BRIEF_STATUS[d.brief.status]}); "
                       "it can be approved once legal approves it. Nothing was changed.")
    _done(session, actor, d, before, "approved", now)
    return d


def post(session: Session, actor: Person, deliverable_id: int, posted_link: object, now: datetime,
         policy: CreatorPolicy) -> Deliverable:
    """The creator posted: record the link and ask leadership to approve the payment."""
    require_associate(actor, "record posted deliverables")
    errors: dict[str, str] = {}
    url = link(posted_link, "link", errors, "The posted link")
    if not url:
        errors["link"] = "Give the link to the posted video or LIVE."
    fields_error(errors)
    d, before = _step(session, actor, deliverable_id, "posted", now)
    _add_link(d, "posted", url, now)
    d.posted_at = now
    _done(session, actor, d, before, "posted", now, link=url)
    if policy.leadership_channel:
        notices.post(session, policy.leadership_channel, "creators.payment_request", d, policy.tz,
                     key=f"{payment_key(d.id)}:post", remember_as=payment_key(d.id))
    else:  # no channel: each leadership member gets the card, so the payment is never stuck unseen
        for person in with_role(session, LEADERSHIP):
            notices.dm(session, person.slack_user_id, "creators.payment_request", d, policy.tz,
                       key=f"{payment_key(d.id)}:to:{person.slack_user_id}")
    return d


def approve_payment(session: Session, actor: Person, deliverable_id: int, now: datetime,
                    policy: CreatorPolicy) -> Deliverable:
    """Leadership approves paying for a posted deliverable: recorded with who and when, and it is paid."""
    if not has_role(actor, LEADERSHIP):
        raise NotAllowed("Only leadership can approve creator payments. Nothing was changed.")
    d, before = _step(session, actor, deliverable_id, "paid", now)
    d.payment_approved_by, d.payment_approved_at = actor.slack_user_id, now
    _done(session, actor, d, before, "paid", now)
    if policy.leadership_channel:
        notices.update(session, payment_key(d.id), "creators.payment_request", d, policy.tz)
    notices.dm(session, d.campaign.owner, "creators.payment_approved", d, actor.name, policy.tz,
               key=f"{payment_key(d.id)}:owner")
    return d


def reschedule(session: Session, actor: Person, deliverable_id: int, due_on: object, now: datetime,
               policy: CreatorPolicy) -> Deliverable:
    """Move a deliverable's due date (not once it is posted)."""
    require_associate(actor, "change creator deliverables")
    try:
        due = validation.parse_date(due_on, field="due", label="The due date", today=local_date(now, policy.tz))
    except validation.InputError as exc:
        raise Invalid(exc.message, {"due": exc.message}) from None
    d = get(session, deliverable_id, lock=True)
    if rank(d.status) >= rank("posted"):
        raise Conflict(f"{describe(d)} is already {STATUS_LABEL[d.status]}; its due date stays. Nothing was changed.")
    before = audit.snapshot(d, FIELDS)
    d.due_on, d.updated_at = due, now
    session.flush()
    audit.record(session, actor=actor.slack_user_id, action="deliverable.rescheduled", entity_type="deliverable",
                 entity_id=d.id, before=before, after=audit.snapshot(d, FIELDS))
    return d


def remove(session: Session, actor: Person, deliverable_id: int, reason: object, now: datetime) -> str:
    """Drop a deliverable the creator will not make (not once it is posted: then it is paid or stays); says which."""
    require_associate(actor, "change creator deliverables")
    errors: dict[str, str] = {}
    why = clean(reason, MAX_NOTE, "The reason", "reason", errors, required=True)
    fields_error(errors)
    d = get(session, deliverable_id, lock=True)
    if rank(d.status) >= rank("posted"):
        raise Conflict(f"{describe(d)} is {STATUS_LABEL[d.status]}, so it stays on the record. Nothing was changed.")
    what = describe(d)
    audit.record(session, actor=actor.slack_user_id, action="deliverable.removed", entity_type="deliverable",
                 entity_id=d.id, before={"campaign_id": d.campaign_id, "creator_id": d.creator_id,
                                         **audit.snapshot(d, FIELDS)}, reason=why)
    d.campaign.deliverables.remove(d)
    session.flush()
    return what


def for_campaign(session: Session, campaign_id: int) -> list[Deliverable]:
    return list(session.scalars(select(Deliverable).where(Deliverable.campaign_id == campaign_id)
                                .order_by(Deliverable.due_on, Deliverable.id)))


def open_between(session: Session, first: date, last: date) -> list[Deliverable]:
    """Deliverables due between two days (inclusive) that are not posted yet."""
    return list(session.scalars(select(Deliverable).where(
        Deliverable.due_on >= first, Deliverable.due_on <= last,
        Deliverable.status.in_(DELIVERABLE_STATUSES[:rank("posted")])).order_by(Deliverable.due_on, Deliverable.id)))


def link_of(d: Deliverable, kind: str) -> str | None:
    found = [x["url"] for x in (d.links or []) if x.get("kind") == kind]
    return found[-1] if found else None
