"""The creator roster: add or edit a creator (associate only), duplicate handles refused, statuses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.creators import CREATOR_STATUSES, Creator
from bot.db.models import Person
from bot.services import audit, edits
from bot.services.creators.common import (
    MAX_NAME,
    MAX_NOTE,
    MAX_TEXT,
    already,
    clean,
    fields_error,
    mark,
    money_cents,
    percent,
    require_associate,
)
from bot.services.errors import Conflict, NotFound

FIELDS = ["name", "handle", "contact", "agency", "commission_pct", "flat_fee_cents", "audience_notes", "status"]
_HANDLE_RE = re.compile(r"[a-z0-9._]{2,24}")


@dataclass
class CreatorInput:
    """What the roster modal or a spreadsheet row gives, as typed."""

    name: object = None
    handle: object = None
    contact: object = None
    agency: object = None
    commission: object = None  # percent, '12.5' or '12.5%'
    flat_fee: object = None  # dollars
    audience_notes: object = None
    status: object = "prospect"


@dataclass
class CleanCreator:
    name: str
    handle: str
    contact: str | None
    agency: str | None
    commission_pct: Decimal | None
    flat_fee_cents: int | None
    audience_notes: str | None
    status: str


def normalise_handle(value: object) -> str:
    """'@Glow.Queen ' -> 'glow.queen' (TikTok handles are case-insensitive)."""
    text = "" if value is None else str(value).strip()
    if text.lower().startswith(("https://www.tiktok.com/@", "https://tiktok.com/@")):
        text = text.split("@", 1)[1].split("?")[0].strip("/")
    return text.lstrip("@").strip().lower()


def parse(data: CreatorInput) -> tuple[CleanCreator | None, dict[str, str]]:
    """The cleaned creator, or the problems keyed by form field (name, handle, contact, agency, commission, fee, notes, status)."""
    errors: dict[str, str] = {}
    name = clean(data.name, MAX_NAME, "The name", "name", errors, required=True)
    handle = normalise_handle(data.handle)
    if not handle:
        errors["handle"] = "The TikTok handle is missing."
    elif not _HANDLE_RE.fullmatch(handle):
        errors["handle"] = ("A TikTok handle is 2 to 24 letters, digits, underscores or periods "
                            f"(got '{handle[:30]}').")
    contact = clean(data.contact, MAX_TEXT, "The contact", "contact", errors)
    agency = clean(data.agency, MAX_NAME, "The agency", "agency", errors)
    commission = percent(data.commission, "The commission rate", "commission", errors)
    fee = money_cents(data.flat_fee, "The flat fee", "fee", errors)
    notes = clean(data.audience_notes, MAX_NOTE, "The audience notes", "notes", errors)
    status = (str(data.status or "prospect")).strip().lower()
    if status not in CREATOR_STATUSES:
        errors["status"] = f"The status is one of {', '.join(CREATOR_STATUSES)} (got '{status[:20]}')."
    if errors:
        return None, errors
    assert name is not None
    if commission is not None:
        commission = commission.quantize(Decimal("0.01"))  # as the column stores it, so versions compare equal
    return CleanCreator(name, handle, contact, agency, commission, fee, notes, status), {}


def by_handle(session: Session, handle: str) -> Creator | None:
    return session.scalar(select(Creator).where(Creator.handle == normalise_handle(handle)))


def get(session: Session, creator_id: int) -> Creator:
    creator = session.get(Creator, creator_id)
    if creator is None:
        raise NotFound("That creator is no longer on the roster.")
    return creator


def listing(session: Session, status: str | None = None) -> list[Creator]:
    stmt = select(Creator).order_by(func.lower(Creator.name), Creator.id)
    if status:
        stmt = stmt.where(Creator.status == status)
    return list(session.scalars(stmt))


def _apply(creator: Creator, c: CleanCreator, now: datetime) -> None:
    creator.name, creator.handle, creator.contact, creator.agency = c.name, c.handle, c.contact, c.agency
    creator.commission_pct, creator.flat_fee_cents = c.commission_pct, c.flat_fee_cents
    creator.audience_notes, creator.status, creator.updated_at = c.audience_notes, c.status, now


def save(session: Session, actor: Person | str, data: CreatorInput, now: datetime, *, creator_id: int | None = None,
         seen: str | None = None, request_key: str | None = None) -> Creator:
    """Add a creator, or edit one (`seen` is the version the form was opened on: a stale form is refused)."""
    who = actor if isinstance(actor, str) else actor.slack_user_id
    if not isinstance(actor, str):
        require_associate(actor, "manage the creator roster")
    done = already(session, request_key)
    if done is not None:
        return get(session, int(done["creator_id"]))
    c, errors = parse(data)
    fields_error(errors)
    assert c is not None
    creator = None
    if creator_id is not None:
        creator = edits.lock(session, Creator, creator_id, "That creator")
        edits.require_current(creator, FIELDS, seen, "This creator")
    clash = by_handle(session, c.handle)
    if clash is not None and clash.id != creator_id:
        fields_error({"handle": f"@{c.handle} is already on the roster as {clash.name}; edit that creator instead."})
    before = audit.snapshot(creator, FIELDS) if creator is not None else None
    if creator is None:
        creator = Creator(created_at=now)
        _apply(creator, c, now)
        try:
            with session.begin_nested():
                session.add(creator)
        except IntegrityError:
            raise Conflict(f"@{c.handle} was just added by someone else; nothing was changed.") from None
    else:
        _apply(creator, c, now)
    session.flush()
    mark(session, request_key, now, {"creator_id": creator.id})
    audit.record(session, actor=who, action="creator.added" if before is None else "creator.edited",
                 entity_type="creator", entity_id=creator.id, before=before, after=audit.snapshot(creator, FIELDS))
    return creator


def version_of(creator: Creator) -> str:
    return edits.version(creator, FIELDS)
