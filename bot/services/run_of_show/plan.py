"""The day's plan with its warnings, the daily post, and edits to posted plans.

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

from bot.db.briefs import Brief, BriefVersion
from bot.db.models import LiveSession, OutboxMessage, PostedMessage, Shift
from bot.db.run_of_show import RosSegment
from bot.services import notices, outbox
from bot.services.schedule import calendar, catalog
from bot.services.briefs.approved import RUN_OF_SHOW_KINDS, approved_for_session
from bot.services.creators import launch
from bot.services.creators.launch import CampaignNote
from bot.services.run_of_show.day_facts import DayFacts
from bot.services.run_of_show.featured import FeaturedSku, featured_skus
from bot.timefmt import day_bounds, local_date
from bot.services.run_of_show.segments import label, length_min, segments


# -- the day's plan ----------------------------------------------------------------------------

@dataclass
class SessionPlan:
    live: LiveSession
    segments: list[RosSegment]
    skus: list[FeaturedSku]
    approved: list[tuple[Brief, BriefVersion]]
    warnings: list[str] = field(default_factory=list)  # plain text; blocks escape it
    campaigns: list[CampaignNote] = field(default_factory=list)  # creator campaigns running on the session's day

    def slot(self, role: str) -> Shift | None:
        return calendar.slot(self.live, role)


def _warnings(session: Session, live: LiveSession, segs: list[RosSegment], facts: DayFacts | None = None) -> list[str]:
    out: list[str] = []
    if live.status == "draft":
        out.append("still a draft: the people on it have not been told")
    for role in ("host", "pa"):
        sh = calendar.slot(live, role)
        if sh is None or sh.person is None:
            out.append(f"no {calendar.ROLE_LABEL[role]} assigned")
    for sh in (calendar.slot(live, r) for r in ("host", "cohost", "pa")):
        if sh is None or sh.person is None:
            continue
        if sh.state == "declined":
            out.append(f"{calendar.ROLE_LABEL[sh.role]} {sh.person.name} can't make it: the slot needs cover")
        elif sh.state == "pending":
            out.append(f"{calendar.ROLE_LABEL[sh.role]} {sh.person.name} has not confirmed")
    tier = (facts.product_tiers.get((live.product_tier or "").strip().upper()) if facts is not None
            else catalog.product_tier(session, live.product_tier))
    for sh in (calendar.slot(live, r) for r in ("host", "cohost")):
        if tier is None or sh is None or sh.person is None or sh.state == "declined":
            continue
        have = catalog.host_tier_of(session, sh.person)
        if have is None or have.rank < tier.min_host_tier.rank:
            out.append(f"{calendar.ROLE_LABEL[sh.role]} {sh.person.name} is "
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


def session_plan(session: Session, live: LiveSession, tz: ZoneInfo | None = None, facts: DayFacts | None = None) -> SessionPlan:
    """`facts` (DayFacts.load for a day's sessions) answers the per-session questions without a query each;
    `tz` places the campaigns launching on the session's day (none without it)."""
    if tz is None:
        campaigns = []
    elif facts is not None and facts.campaigns is not None:
        campaigns = facts.campaigns.get(live.id, [])
    else:
        campaigns = launch.for_session(session, live, tz)
    if facts is None:
        segs = segments(session, live.id)
        return SessionPlan(live=live, segments=segs, skus=featured_skus(session, live.id, segs),
                           approved=approved_for_session(session, live.id), warnings=_warnings(session, live, segs),
                           campaigns=campaigns)
    segs = facts.segments[live.id]
    return SessionPlan(live=live, segments=segs, skus=featured_skus(session, live.id, segs, chosen=facts.skus[live.id]),
                       approved=facts.approved[live.id], warnings=_warnings(session, live, segs, facts),
                       campaigns=campaigns)


def day_sessions(session: Session, day: date, tz: ZoneInfo) -> list[LiveSession]:
    start, end = day_bounds(day, tz)
    return list(session.scalars(
        select(LiveSession).options(selectinload(LiveSession.shifts).joinedload(Shift.person))
        .where(LiveSession.starts_at >= start, LiveSession.starts_at < end, LiveSession.status != "cancelled")
        .order_by(LiveSession.starts_at, LiveSession.id)).unique())


def day_plan(session: Session, day: date, tz: ZoneInfo) -> list[SessionPlan]:
    """Every session of a local day in time order, with what the run-of-show shows and warns about."""
    lives = day_sessions(session, day, tz)
    facts = DayFacts.load(session, lives, tz)
    return [session_plan(session, live, tz, facts) for live in lives]


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



