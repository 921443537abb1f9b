"""A session's run-of-show segments: reading, saving, deleting and replacing them, with the rules they keep.

Rules for segments (refused, not warned, so a posted plan is always one the host can follow):
- offsets are whole minutes from the LIVE's start, never negative; durations are positive;
- a segment must end by the end of the session (offset + duration <= session length);
- segments may not overlap (one stream shows one thing at a time); gaps between them are fine.
If a session is later shortened so a segment runs past its end, the session edit is not blocked;
the day's run-of-show lists it under "needs action" instead.
"""


from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import LiveSession
from bot.db.run_of_show import LEAD_ROLES, SEGMENT_KINDS, RosSegment
from bot.db.schedule import Product
from bot.services import audit, edits
from bot.services.schedule import planner
from bot.services.errors import Invalid, NotFound



KIND_LABEL = {"hook": "Hook / open", "product": "Product block", "flash_deal": "Flash deal", "giveaway": "Giveaway",
              "qa": "Q&A", "close": "Close", "other": "Other"}
_KIND_ALIASES = {"hook": "hook", "open": "hook", "hook / open": "hook", "hook/open": "hook", "opening": "hook",
                 "product": "product", "product block": "product", "block": "product",
                 "flash deal": "flash_deal", "flash_deal": "flash_deal", "flash": "flash_deal", "deal": "flash_deal",
                 "giveaway": "giveaway", "q&a": "qa", "qa": "qa", "q & a": "qa", "close": "close", "closing": "close",
                 "other": "other"}
SEGMENT_FIELDS = ["kind", "title", "offset_min", "duration_min", "product_id", "sku_text", "offer", "talking_points",
                  "lead_role"]
MAX_SEGMENTS = 30
MAX_TITLE, MAX_SKU, MAX_OFFER, MAX_POINTS = 200, 64, 300, 1000


@dataclass
class SegmentInput:
    kind: str
    offset_min: int
    duration_min: int
    title: str | None = None
    sku: str | None = None
    offer: str | None = None
    talking_points: str | None = None
    lead_role: str | None = None


def parse_label(text: str) -> tuple[str, str | None]:
    """'Flash deal: serum 2-for-1' -> ('flash_deal', 'serum 2-for-1'); an unknown kind is 'other' with the whole text."""
    text = (text or "").strip()
    head, sep, rest = text.partition(":")
    kind = _KIND_ALIASES.get(head.strip().lower())
    if kind is None:
        kind = _KIND_ALIASES.get(text.lower())
        return (kind, None) if kind else ("other", text or None)
    return kind, (rest.strip() or None) if sep else None


def label(seg: RosSegment | SegmentInput) -> str:
    """The sheet's Segment cell and the post's segment name; parse_label reads it back."""
    name = KIND_LABEL.get(seg.kind, seg.kind)
    if seg.kind == "other" and seg.title:
        return seg.title
    return f"{name}: {seg.title}" if seg.title else name


def _clean(value: str | None, limit: int, name: str, errors: dict[str, str], key: str) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        errors[key] = f"{name} is {len(value):,} characters; keep it under {limit:,}."
    return value or None


def check_segment(data: SegmentInput, length_min: int) -> dict[str, str]:
    """Field problems of one segment on its own, keyed by form field."""
    errors: dict[str, str] = {}
    if data.kind not in SEGMENT_KINDS:
        errors["kind"] = f"'{data.kind}' is not a segment kind ({', '.join(KIND_LABEL.values())})."
    if data.offset_min < 0:
        errors["offset"] = "The offset can't be negative: it counts minutes from the start of the LIVE."
    if data.duration_min <= 0:
        errors["duration"] = "Give the segment a length of at least 1 minute."
    elif data.offset_min >= 0 and data.offset_min + data.duration_min > length_min:
        errors["duration"] = (f"It would end at minute {data.offset_min + data.duration_min}, after the LIVE ends "
                              f"(minute {length_min}); shorten it or start it earlier.")
    data.title = _clean(data.title, MAX_TITLE, "The title", errors, "title")
    data.sku = _clean(data.sku, MAX_SKU, "The SKU", errors, "sku")
    data.offer = _clean(data.offer, MAX_OFFER, "The offer", errors, "offer")
    data.talking_points = _clean(data.talking_points, MAX_POINTS, "The talking points", errors, "points")
    if data.lead_role is not None and data.lead_role not in LEAD_ROLES:
        errors["lead"] = "The lead is the host or the co-host."
    return errors


def overlaps(plan: list[tuple[int, int, str]]) -> list[str]:
    """Overlap problems in (offset, duration, name) items, in time order."""
    problems = []
    ordered = sorted(plan)
    for (a_off, a_dur, a_name), (b_off, _, b_name) in zip(ordered, ordered[1:]):
        if b_off < a_off + a_dur:
            problems.append(f"{b_name} (minute {b_off}) starts before {a_name} ends (minute {a_off + a_dur})")
    return problems


def length_min(live: LiveSession) -> int:
    return int((live.ends_at - live.starts_at).total_seconds() // 60)


def segments(session: Session, session_id: int) -> list[RosSegment]:
    return list(session.scalars(select(RosSegment).where(RosSegment.session_id == session_id)
                                .order_by(RosSegment.offset_min, RosSegment.id)))


def _product(session: Session, sku: str | None) -> Product | None:
    if not sku:
        return None
    return session.scalar(select(Product).where(Product.sku.ilike(sku.strip())))


def _apply(session: Session, seg: RosSegment, data: SegmentInput) -> None:
    product = _product(session, data.sku)
    seg.kind, seg.title, seg.offset_min, seg.duration_min = data.kind, data.title, data.offset_min, data.duration_min
    seg.product_id, seg.sku_text = (product.id, None) if product else (None, data.sku)
    seg.offer, seg.talking_points, seg.lead_role, seg.updated_at = data.offer, data.talking_points, data.lead_role, clock.now()


def save_segment(session: Session, actor: planner.Actor, session_id: int, segment_id: int | None,
                 data: SegmentInput, seen: str | None = None) -> RosSegment:
    """Add a segment to a session's run-of-show, or change one; refused with field errors when it doesn't fit.

    The session row is locked first, so parallel saves take turns and see each other's segments."""
    who = planner.actor_id(actor, "edit the run-of-show")
    live = edits.lock(session, LiveSession, session_id, "That session")
    errors = check_segment(data, length_min(live))
    others = [s for s in segments(session, session_id) if s.id != segment_id]
    seg = None
    if segment_id is not None:
        seg = session.get(RosSegment, segment_id, populate_existing=True)
        if seg is None or seg.session_id != session_id:
            raise NotFound("That segment was deleted; reopen the run-of-show.")
        edits.require_current(seg, SEGMENT_FIELDS, seen, "This segment")
    if segment_id is None and len(others) >= MAX_SEGMENTS:
        raise Invalid(f"A run-of-show holds at most {MAX_SEGMENTS} segments.", {"kind": f"Already {MAX_SEGMENTS} segments."})
    if not errors:
        clash = overlaps([(s.offset_min, s.duration_min, label(s)) for s in others] +
                         [(data.offset_min, data.duration_min, "this segment")])
        if clash:
            errors["offset"] = clash[0][0].upper() + clash[0][1:] + "."
    if errors:
        raise Invalid("Some fields need fixing.", errors)
    before = audit.snapshot(seg, SEGMENT_FIELDS) if seg else None
    if seg is None:
        seg = RosSegment(session_id=session_id)
        _apply(session, seg, data)
        session.add(seg)
    else:
        _apply(session, seg, data)
    session.flush()
    audit.record(session, actor=who, action="ros.segment_saved", entity_type="ros_segment", entity_id=seg.id,
                 before=before, after={"session_id": session_id, **audit.snapshot(seg, SEGMENT_FIELDS)})
    return seg


def delete_segment(session: Session, actor: planner.Actor, segment_id: int) -> int:
    """Remove a segment; returns its session's id (deleting twice is refused politely)."""
    who = planner.actor_id(actor, "edit the run-of-show")
    seg = session.get(RosSegment, segment_id)
    if seg is None:
        raise NotFound("That segment was already deleted.")
    before = audit.snapshot(seg, SEGMENT_FIELDS)
    session_id = seg.session_id
    session.delete(seg)
    session.flush()
    audit.record(session, actor=who, action="ros.segment_deleted", entity_type="ros_segment", entity_id=segment_id,
                 before={"session_id": session_id, **before})
    return session_id


def replace_plan(session: Session, actor: planner.Actor, live: LiveSession, plan: list[SegmentInput]) -> None:
    """Replace a session's whole run-of-show (the spreadsheet import); the caller validated it with `plan_problems`."""
    who = planner.actor_id(actor, "edit the run-of-show")
    before = [audit.snapshot(s, SEGMENT_FIELDS) for s in segments(session, live.id)]
    session.execute(delete(RosSegment).where(RosSegment.session_id == live.id))
    for data in plan:
        seg = RosSegment(session_id=live.id)
        _apply(session, seg, data)
        session.add(seg)
    session.flush()
    after = [audit.snapshot(s, SEGMENT_FIELDS) for s in segments(session, live.id)]
    if before != after:
        audit.record(session, actor=who, action="ros.plan_replaced", entity_type="live_session", entity_id=live.id,
                     before={"segments": before}, after={"segments": after})


def plan_problems(plan: list[SegmentInput], length: int) -> list[str]:
    """Overlaps and the count limit of a whole plan (each segment was checked with check_segment)."""
    problems = overlaps([(d.offset_min, d.duration_min, f"'{label(d)}'") for d in plan])
    if len(plan) > MAX_SEGMENTS:
        problems.append(f"{len(plan)} segments; a run-of-show holds at most {MAX_SEGMENTS}")
    return problems




