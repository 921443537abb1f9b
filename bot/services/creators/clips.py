"""Highlight clips: asked for during or after a LIVE (`/clip [mm:ss|hh:mm:ss] note`, or the message action on the
run-of-show post), then the editor queue: requested -> cut -> with legal (only when the clip has claims, through
brief approval) -> published (paid or organic, with the link) or rejected.

A timestamp counts from the LIVE's start and may not pass its end: the refusal names the session's length.
`clips_for_week` gives the scorecard plain data (it is read, never written, by the scorecard).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.briefs import STATUS_LABEL as BRIEF_STATUS
from bot.db.creators import CLIP_LABEL, PLACEMENTS, Clip
from bot.db.models import LiveSession, Person, PostedMessage
from bot.db.schedule import Product
from bot.services import audit, edits, notices, validation
from bot.services.briefs import drafting, records
from bot.services.claims.feedback import check_brief
from bot.services.creators.common import (
    MAX_NOTE,
    CreatorPolicy,
    clean,
    fields_error,
    link,
    require_associate,
)
from bot.services.errors import Conflict, Invalid, NotFound
from bot.services.people import ADMIN, require_role
from bot.timefmt import day_bounds, fmt_span, local_date

FIELDS = ["status", "offset_seconds", "sku", "cut_link", "brief_id", "placement", "link", "views"]
REQUESTERS = ("host", "pa", ADMIN)
_STAMP_RE = re.compile(r"(?:([0-9]{1,2}):)?([0-9]{1,3}):([0-9]{2})")
LA = ZoneInfo("America/Los_Angeles")


def parse_stamp(text: str) -> int:
    """'12:34' (mm:ss) or '1:02:03' (hh:mm:ss) -> seconds from the LIVE's start."""
    m = _STAMP_RE.fullmatch(text.strip())
    if not m or not text.isascii():
        raise Invalid(f"'{text[:20]}' is not a time in the LIVE: write mm:ss (12:34) or hh:mm:ss (1:02:03).",
                      {"stamp": "Write mm:ss (12:34) or hh:mm:ss (1:02:03)."})
    hours, minutes, seconds = int(m.group(1) or 0), int(m.group(2)), int(m.group(3))
    if seconds > 59 or (m.group(1) is not None and minutes > 59):
        raise Invalid(f"'{text[:20]}' is not a time: minutes and seconds go up to 59.",
                      {"stamp": "Minutes and seconds go up to 59."})
    return hours * 3600 + minutes * 60 + seconds


def stamp(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


@dataclass
class ClipCommand:
    session_id: int | None
    offset: int | None
    note: str


def parse_command(text: str) -> ClipCommand:
    """'[#12] [mm:ss|hh:mm:ss] note' -> its parts (the note is required: it says why the moment is worth a clip)."""
    words = (text or "").replace("\x00", "").split()
    session_id = None
    if words and words[0].startswith("#"):
        session_id = validation.parse_id(words.pop(0), what="LIVE session")
    offset = None
    if words and ":" in words[0]:
        offset = parse_stamp(words.pop(0))
    note = " ".join(words)
    if not note:
        raise Invalid("Say why this moment is worth a clip: `/clip 12:34 hook with the serum demo` "
                      "(add `#12` first to name another session).")
    return ClipCommand(session_id, offset, note)


def length_seconds(live: LiveSession) -> int:
    return int((live.ends_at - live.starts_at).total_seconds())


def current_session(session: Session, actor: Person, now: datetime, tz: ZoneInfo) -> LiveSession:
    """The LIVE on now (the caller's own when several are), else the last one today that has ended."""
    on_now = list(session.scalars(select(LiveSession).where(
        LiveSession.starts_at <= now, LiveSession.ends_at > now, LiveSession.status != "cancelled")
        .order_by(LiveSession.starts_at)))
    if len(on_now) > 1:
        mine = [x for x in on_now if any(sh.person_id == actor.id and not sh.cancelled for sh in x.shifts)]
        if len(mine) == 1:
            return mine[0]
        raise Invalid("Several LIVEs are on now; name yours: " + ", ".join(f"#{x.id} {x.title}" for x in on_now[:5]) + ".")
    if on_now:
        return on_now[0]
    start, _ = day_bounds(local_date(now, tz), tz)
    ended = session.scalars(select(LiveSession).where(
        LiveSession.ends_at <= now, LiveSession.ends_at >= start, LiveSession.status != "cancelled")
        .order_by(LiveSession.ends_at.desc())).first()
    if ended is None:
        raise Invalid("No LIVE is on now and none ended today; name the session: `/clip #12 1:02:03 why`.")
    return ended


def _sku(session: Session, note: str, sku: object) -> str | None:
    given = str(sku or "").strip()
    if given:
        product = session.scalar(select(Product).where(func.lower(Product.sku) == given.lower()))
        return product.sku if product else given[:64]
    for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9_-]{1,63}", note):
        product = session.scalar(select(Product).where(func.lower(Product.sku) == word.lower()))
        if product is not None:
            return product.sku
    return None


def request(session: Session, actor: Person, *, session_id: int | None, offset: int | None, note: object,
            now: datetime, tz: ZoneInfo, sku: object = None, request_key: str | None = None) -> Clip:
    """Record a clip request against the named session, or the current one."""
    require_role(actor, *REQUESTERS, doing="ask for highlight clips")
    if request_key is not None:
        done = session.scalar(select(Clip).where(Clip.request_key == request_key))
        if done is not None:
            return done
    errors: dict[str, str] = {}
    text = clean(note, MAX_NOTE, "The note", "note", errors, required=True)
    fields_error(errors)
    if session_id is not None:
        live = session.get(LiveSession, session_id)
        if live is None or live.status == "cancelled":
            raise NotFound(f"There is no LIVE session #{session_id}; check the number in /schedule.")
    else:
        live = current_session(session, actor, now, tz)
    length = length_seconds(live)
    if offset is None:
        if not live.starts_at <= now < live.ends_at:
            raise Invalid(f"'{live.title}' is over; say where the moment is: `/clip 1:02:03 why` "
                          f"(the LIVE was {stamp(length)} long).", {"stamp": f"Give the time (the LIVE was {stamp(length)})."})
        offset = int((now - live.starts_at).total_seconds())
    if offset > length:
        msg = (f"{stamp(offset)} is past the end of '{live.title}', which is {stamp(length)} long "
               f"({fmt_span(live.starts_at, live.ends_at, tz)}). Give a time from its start.")
        raise Invalid(msg, {"stamp": msg[:150]})
    clip = Clip(session_id=live.id, offset_seconds=offset, sku=_sku(session, text or "", sku), note=text,
                requested_by=actor.slack_user_id, request_key=request_key, status="requested", created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(clip)
    except IntegrityError:
        raise Conflict("That clip request was already recorded.") from None
    audit.record(session, actor=actor.slack_user_id, action="clip.requested", entity_type="clip", entity_id=clip.id,
                 after={"session_id": live.id, **audit.snapshot(clip, FIELDS)})
    return clip


def get(session: Session, clip_id: int, *, lock: bool = False) -> Clip:
    clip = edits.lock(session, Clip, clip_id, "That clip") if lock else session.get(Clip, clip_id)
    if clip is None:
        raise NotFound("That clip no longer exists.")
    return clip


def queue(session: Session, limit: int = 40) -> list[Clip]:
    """The editor queue: clips not published or rejected, oldest first."""
    return list(session.scalars(select(Clip).where(Clip.status.in_(("requested", "cut", "in_legal")))
                                .order_by(Clip.created_at, Clip.id).limit(limit)))


def _require(clip: Clip, *statuses: str, doing: str) -> None:
    if clip.status not in statuses:
        raise Conflict(f"Clip #{clip.id} is {CLIP_LABEL[clip.status]}, so it can't be {doing}. Nothing was changed.")


def _record(session: Session, actor: Person, clip: Clip, before: dict, action: str, now: datetime, **extra: object) -> None:
    clip.updated_at = now
    session.flush()
    audit.record(session, actor=actor.slack_user_id, action=action, entity_type="clip", entity_id=clip.id,
                 before=before, after={**audit.snapshot(clip, FIELDS), **extra})


def cut(session: Session, actor: Person, clip_id: int, cut_link: object, words: object, has_claims: bool,
        now: datetime, policy: CreatorPolicy) -> Clip:
    """The editor cut the clip; with claims in its words (checked, or ticked) it goes to legal as a brief."""
    require_associate(actor, "work the clip queue")
    errors: dict[str, str] = {}
    url = link(cut_link, "link", errors, "The link to the cut")
    text = clean(words, records.MAX_TEXT, "The clip's words", "words", errors)
    if not url:
        errors["link"] = "Give the link to the cut clip."
    fields_error(errors)
    clip = get(session, clip_id, lock=True)
    _require(clip, "requested", doing="marked cut")
    before = audit.snapshot(clip, FIELDS)
    clip.cut_link, clip.cut_by = url, actor.slack_user_id
    found = check_brief(session, text, clip.sku) if text else []
    if found or has_claims:
        if not text:
            raise Invalid("This clip has claims, so legal must see its words.",
                          {"words": "Paste what is said in the clip so legal can approve it."})
        saved = drafting.save(session, actor, records.BriefInput(
            title=f"Highlight clip #{clip.id}: {clip.session.title}"[:records.MAX_TITLE], kind="promo", skus=clip.sku,
            text=text, link=url, session_id=clip.session_id, due_on=local_date(now, policy.tz) + timedelta(days=2),
            note=f"Clip at {stamp(clip.offset_seconds)} of the LIVE, asked for: {clip.note}"[:records.MAX_NOTE]),
            brief_id=None, based_on=None, draft=False, now=now, policy=policy.briefs)
        clip.brief_id, clip.status = saved.brief.id, "in_legal"
    else:
        clip.status = "cut"
    _record(session, actor, clip, before, "clip.cut", now, findings=len(found))
    return clip


def publish(session: Session, actor: Person, clip_id: int, placement: object, url: object, now: datetime,
            views: object = None) -> Clip:
    require_associate(actor, "publish clips")
    errors: dict[str, str] = {}
    where = str(placement or "").strip().lower()
    if where not in PLACEMENTS:
        errors["placement"] = "Say where it ran: paid or organic."
    link_text = link(url, "link", errors, "The published link")
    if not link_text:
        errors["link"] = "Give the link to where the clip is published."
    count = _views(views, errors)
    fields_error(errors)
    clip = get(session, clip_id, lock=True)
    _require(clip, "cut", "in_legal", doing="published")
    if clip.status == "in_legal" and (clip.brief is None or clip.brief.status != "approved"):
        state = BRIEF_STATUS[clip.brief.status] if clip.brief else "no brief"
        raise Conflict(f"Clip #{clip.id} has claims and legal hasn't approved it yet (brief #{clip.brief_id}: {state}). "
                       "Nothing was published.")
    before = audit.snapshot(clip, FIELDS)
    clip.status, clip.placement, clip.link, clip.views, clip.published_at = "published", where, link_text, count, now
    _record(session, actor, clip, before, "clip.published", now)
    notices.dm(session, clip.requested_by, "creators.clip_outcome", clip, key=f"clip:{clip.id}:outcome")
    return clip


def _views(value: object, errors: dict[str, str]) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return validation.parse_int(str(value).replace(",", ""), field="views", label="The views", minimum=0)
    except validation.InputError as exc:
        errors["views"] = exc.message
        return None


def set_views(session: Session, actor: Person, clip_id: int, views: object, now: datetime) -> Clip:
    require_associate(actor, "enter clip views")
    errors: dict[str, str] = {}
    count = _views(views, errors)
    if count is None and not errors:
        errors["views"] = "Give the number of views."
    fields_error(errors)
    clip = get(session, clip_id, lock=True)
    _require(clip, "published", doing="given views (publish it first)")
    before = audit.snapshot(clip, FIELDS)
    clip.views = count
    _record(session, actor, clip, before, "clip.views_entered", now)
    return clip


def reject(session: Session, actor: Person, clip_id: int, reason: object, now: datetime) -> Clip:
    require_associate(actor, "reject clips")
    errors: dict[str, str] = {}
    why = clean(reason, MAX_NOTE, "The reason", "reason", errors, required=True)
    fields_error(errors)
    clip = get(session, clip_id, lock=True)
    _require(clip, "requested", "cut", "in_legal", doing="rejected")
    before = audit.snapshot(clip, FIELDS)
    clip.status, clip.reason = "rejected", why
    _record(session, actor, clip, before, "clip.rejected", now, reason=why)
    notices.dm(session, clip.requested_by, "creators.clip_outcome", clip, key=f"clip:{clip.id}:outcome")
    return clip


def clips_for_week(session: Session, week_start: date, *, tz: ZoneInfo = LA) -> list[dict]:
    """The clips of LIVEs that started in the week from `week_start` (a Monday), as plain data for the scorecard."""
    start, _ = day_bounds(week_start, tz)
    end, _ = day_bounds(week_start + timedelta(days=7), tz)
    stmt = (select(Clip).join(LiveSession, LiveSession.id == Clip.session_id)
            .where(LiveSession.starts_at >= start, LiveSession.starts_at < end)
            .order_by(LiveSession.starts_at, Clip.offset_seconds, Clip.id))
    return [{"id": c.id, "session_id": c.session_id, "session_title": c.session.title,
             "session_starts_at": c.session.starts_at, "timestamp": stamp(c.offset_seconds),
             "offset_seconds": c.offset_seconds, "sku": c.sku, "note": c.note, "requested_by": c.requested_by,
             "status": c.status, "placement": c.placement, "link": c.link, "views": c.views,
             "published_at": c.published_at} for c in session.scalars(stmt)]


def session_of_post(session: Session, channel: str | None, ts: str | None) -> int | None:
    """The LIVE session whose run-of-show reply this message is (for the message action), if it is one."""
    if not channel or not ts:
        return None
    key = session.scalar(select(PostedMessage.key).where(PostedMessage.channel == channel, PostedMessage.ts == ts,
                                                         PostedMessage.key.like("ros:%")))
    part = key.rsplit(":", 1)[1] if key else ""
    return int(part[1:]) if part.startswith("s") and part[1:].isdigit() else None


def mine_now(session: Session, actor: Person, now: datetime) -> list[LiveSession]:
    """Sessions of the last 24 hours, for the clip form's session picker (most recent first)."""
    return list(session.scalars(select(LiveSession).where(
        LiveSession.starts_at <= now, LiveSession.starts_at >= now - timedelta(hours=24),
        LiveSession.status != "cancelled").order_by(LiveSession.starts_at.desc()).limit(25)))

