"""Run-of-show: each session's segments, the day's plan with its warnings, and edits to posted plans.

Rules for segments (refused, not warned, so a posted plan is always one the host can follow):
- offsets are whole minutes from the LIVE's start, never negative; durations are positive;
- a segment must end by the end of the session (offset + duration <= session length);
- segments may not overlap (one stream shows one thing at a time); gaps between them are fine.
If a session is later shortened so a segment runs past its end, the session edit is not blocked;
the day's run-of-show lists it under "needs action" instead.

The daily post is one top-level message (the day's overview) with one reply per session and one of
warnings in its thread, so the ops channel gets one post a day; each part is remembered as
`ros:{date}:{part}` (part = head, s{session id}, warnings) and the replies wait for the head to be
posted (the outbox's `thread_of`). After posting, any change to a session, its people, their answers
or its segments re-renders the affected parts through `outbox.update` (`refresh_posted`); a session
added to the day later joins the thread as a new reply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from bot import clock
from bot.db.briefs import Brief, BriefVersion
from bot.db.models import LiveSession, OutboxMessage, PostedMessage, Shift
from bot.db.run_of_show import LEAD_ROLES, SEGMENT_KINDS, RosSegment
from bot.db.schedule import Product
from bot.services import audit, edits, notices, outbox, schedule
from bot.services.approved_briefs import RUN_OF_SHOW_KINDS, approved_for_session
from bot.services.day_facts import DayFacts
from bot.services.featured import FeaturedSku, featured_skus
from bot.services.errors import Invalid, NotFound
from bot.timefmt import day_bounds, local_date

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


def save_segment(session: Session, actor: schedule.Actor, session_id: int, segment_id: int | None,
                 data: SegmentInput, seen: str | None = None) -> RosSegment:
    """Add a segment to a session's run-of-show, or change one; refused with field errors when it doesn't fit.

    The session row is locked first, so parallel saves take turns and see each other's segments."""
    who = schedule.actor_id(actor, "edit the run-of-show")
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


def delete_segment(session: Session, actor: schedule.Actor, segment_id: int) -> int:
    """Remove a segment; returns its session's id (deleting twice is refused politely)."""
    who = schedule.actor_id(actor, "edit the run-of-show")
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


def replace_plan(session: Session, actor: schedule.Actor, live: LiveSession, plan: list[SegmentInput]) -> None:
    """Replace a session's whole run-of-show (the spreadsheet import); the caller validated it with `plan_problems`."""
    who = schedule.actor_id(actor, "edit the run-of-show")
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


# -- the day's plan ----------------------------------------------------------------------------

@dataclass
class SessionPlan:
    live: LiveSession
    segments: list[RosSegment]
    skus: list[FeaturedSku]
    approved: list[tuple[Brief, BriefVersion]]
    warnings: list[str] = field(default_factory=list)  # plain text; blocks escape it

    def slot(self, role: str) -> Shift | None:
        return schedule.slot(self.live, role)


def _warnings(session: Session, live: LiveSession, segs: list[RosSegment], facts: DayFacts | None = None) -> list[str]:
    out: list[str] = []
    if live.status == "draft":
        out.append("still a draft: the people on it have not been told")
    for role in ("host", "pa"):
        sh = schedule.slot(live, role)
        if sh is None or sh.person is None:
            out.append(f"no {schedule.ROLE_LABEL[role]} assigned")
    for sh in (schedule.slot(live, r) for r in ("host", "cohost", "pa")):
        if sh is None or sh.person is None:
            continue
        if sh.state == "declined":
            out.append(f"{schedule.ROLE_LABEL[sh.role]} {sh.person.name} can't make it: the slot needs cover")
        elif sh.state == "pending":
            out.append(f"{schedule.ROLE_LABEL[sh.role]} {sh.person.name} has not confirmed")
    tier = (facts.product_tiers.get((live.product_tier or "").strip().upper()) if facts is not None
            else schedule.product_tier(session, live.product_tier))
    for sh in (schedule.slot(live, r) for r in ("host", "cohost")):
        if tier is None or sh is None or sh.person is None or sh.state == "declined":
            continue
        have = schedule.host_tier_of(session, sh.person)
        if have is None or have.rank < tier.min_host_tier.rank:
            out.append(f"{schedule.ROLE_LABEL[sh.role]} {sh.person.name} is "
                       f"{have.name if have else 'without a tier'}, below tier {tier.code} (needs {tier.min_host_tier.name}: "
                       f"`/schedule tier @{sh.person.name} {tier.min_host_tier.name}`)")
    waiting = facts.waiting[live.id] if facts is not None else session.scalars(
        select(Brief).where(Brief.session_id == live.id, Brief.kind.in_(RUN_OF_SHOW_KINDS),
                            Brief.status != "approved").order_by(Brief.id)).all()
    for b in waiting:
        out.append(f"{'talk track' if b.kind == 'talk_track' else 'bundle sheet'} '{b.title}' is not approved yet ({b.status.replace('_', ' ')})")
    length = length_min(live)
    for seg in segs:
        if seg.offset_min + seg.duration_min > length:
            out.append(f"segment '{label(seg)}' runs past the end of the LIVE (minute {seg.offset_min + seg.duration_min} of {length})")
    return out


def session_plan(session: Session, live: LiveSession, facts: DayFacts | None = None) -> SessionPlan:
    """`facts` (DayFacts.load for a day's sessions) answers the per-session questions without a query each."""
    if facts is None:
        segs = segments(session, live.id)
        return SessionPlan(live=live, segments=segs, skus=featured_skus(session, live.id, segs),
                           approved=approved_for_session(session, live.id), warnings=_warnings(session, live, segs))
    segs = facts.segments[live.id]
    return SessionPlan(live=live, segments=segs, skus=featured_skus(session, live.id, segs, chosen=facts.skus[live.id]),
                       approved=facts.approved[live.id], warnings=_warnings(session, live, segs, facts))


def day_sessions(session: Session, day: date, tz: ZoneInfo) -> list[LiveSession]:
    start, end = day_bounds(day, tz)
    return list(session.scalars(
        select(LiveSession).options(selectinload(LiveSession.shifts).joinedload(Shift.person))
        .where(LiveSession.starts_at >= start, LiveSession.starts_at < end, LiveSession.status != "cancelled")
        .order_by(LiveSession.starts_at, LiveSession.id)).unique())


def day_plan(session: Session, day: date, tz: ZoneInfo) -> list[SessionPlan]:
    """Every session of a local day in time order, with what the run-of-show shows and warns about."""
    lives = day_sessions(session, day, tz)
    facts = DayFacts.load(session, lives)
    return [session_plan(session, live, facts) for live in lives]


# -- posting and editing in place --------------------------------------------------------------

def part_key(day: date, part: str) -> str:
    return f"ros:{day.isoformat()}:{part}"


def post_day(session: Session, day: date, tz: ZoneInfo, channel: str | None, run_key: str, *, forced: bool) -> int:
    """Queue the day's run-of-show (overview, one message per session, warnings); returns how many messages.

    A forced re-run forgets where the earlier copy was posted, so later edits update the new copy.
    """
    if not channel:
        return 0
    if forced:
        session.execute(delete(PostedMessage).where(PostedMessage.key.like(part_key(day, "%"))))
    parts = notices.render("run_of_show.day", day, day_plan(session, day, tz), tz)
    head = part_key(day, "head")
    for part, text, bl in parts:
        outbox.post(session, channel, text, bl, key=f"ros:{run_key}:{part}", remember_as=part_key(day, part),
                    thread_of=None if part == "head" else head, notice="run_of_show.day")
    return len(parts)


def _known_parts(session: Session, day: date) -> dict[str, str]:
    """Parts of a day's run-of-show that were posted or are queued to post: key -> channel."""
    known = {pm.key: pm.channel for pm in session.scalars(select(PostedMessage).where(PostedMessage.key.like(part_key(day, "%"))))}
    queued = session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "post", OutboxMessage.status.in_(("pending", "sending")),
        OutboxMessage.dedupe_key.like(f"ros:{day.isoformat()}%")))
    for msg in queued:
        key = (msg.payload or {}).get("remember_as")
        if key and msg.channel:
            known.setdefault(key, msg.channel)
    return known


def refresh_posted(session: Session, tz: ZoneInfo, session_ids: Iterable[int | None]) -> int:
    """Re-render the posted run-of-show parts a change touched (the day it is on now and any day it was posted on).

    Nothing happens for days whose run-of-show was not posted. Returns how many messages were queued.
    """
    ids = {i for i in session_ids if i is not None}
    if not ids:
        return 0
    days: set[date] = set()
    for sid in ids:
        live = session.get(LiveSession, sid)
        if live is not None:
            days.add(local_date(live.starts_at, tz))
        for key in session.scalars(select(PostedMessage.key).where(PostedMessage.key.like(f"ros:%:s{sid}"))):
            days.add(date.fromisoformat(key.split(":")[1]))
    queued = 0
    for day in sorted(days):
        known = _known_parts(session, day)
        head = known.get(part_key(day, "head"))
        if head is None:
            continue
        plans = day_plan(session, day, tz)
        shown = {p.live.id for p in plans}
        gone = [sid for sid in (_session_of(k) for k in known) if sid is not None and sid not in shown]
        parts = notices.render("run_of_show.day", day, plans, tz) + notices.render("run_of_show.gone", day, session, gone, tz)
        for part, text, bl in parts:
            key = part_key(day, part)
            if key in known:
                if part in ("head", "warnings") or int(part[1:]) in ids:
                    outbox.update(session, key, text, bl, notice="run_of_show.day")
                    queued += 1
            elif part.startswith("s"):
                outbox.post(session, head, text, bl, key=f"{key}:late", remember_as=key, thread_of=part_key(day, "head"),
                            notice="run_of_show.day")
                queued += 1
    return queued


def _session_of(key: str) -> int | None:
    part = key.rsplit(":", 1)[1]
    return int(part[1:]) if part.startswith("s") and part[1:].isdigit() else None


def refresh_for_shift(session: Session, tz: ZoneInfo, shift_id: int) -> int:
    sh = session.get(Shift, shift_id)
    return refresh_posted(session, tz, [sh.session_id if sh else None])


# -- the weekly overview -----------------------------------------------------------------------

def week_hours(lives: list[LiveSession]) -> list[tuple[str, str, timedelta]]:
    """(Slack user ID, name, scheduled time) per person on the week's sessions, most hours first."""
    totals: dict[str, tuple[str, timedelta]] = {}
    for live in lives:
        for sh in live.shifts:
            if sh.cancelled or sh.person is None or sh.state == "declined":
                continue
            name, total = totals.get(sh.person.slack_user_id, (sh.person.name, timedelta()))
            totals[sh.person.slack_user_id] = (name, total + (sh.ends_at - sh.starts_at))
    return sorted(((uid, n, t) for uid, (n, t) in totals.items()), key=lambda x: (-x[2], x[1]))

