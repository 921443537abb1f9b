"""Campaigns: name, dates, catalog products, creators, briefs from brief approvals, LIVE sessions, codes and budget.

The associate creates and edits them (the form replaces the linked sets); a creator on a campaign is confirmed
separately, when they said yes. Deliverables hang off a campaign: see deliverables.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.briefs import Brief
from bot.db.creators import (
    Campaign,
    CampaignBrief,
    CampaignCreator,
    CampaignProduct,
    CampaignSession,
    Creator,
)
from bot.db.models import LiveSession, Person
from bot.db.schedule import Product
from bot.services import audit, edits, validation
from bot.services.run_of_show import plan as run_of_show_plan
from bot.services.creators.common import (
    MAX_NAME,
    MAX_NOTE,
    already,
    clean,
    fields_error,
    mark,
    money_cents,
    require_associate,
)
from bot.services.errors import Conflict, NotFound

FIELDS = ["name", "starts_on", "ends_on", "budget_cents", "discount_codes", "owner"]
MAX_CODES = 50
MAX_LINKED = 100


@dataclass
class CampaignInput:
    name: object = None
    starts_on: object = None
    ends_on: object = None
    budget: object = None
    discount_codes: object = None  # one per line, or comma separated
    skus: list[str] = field(default_factory=list)  # catalog SKUs, or product ids as text
    creator_ids: list[int] = field(default_factory=list)
    brief_ids: list[int] = field(default_factory=list)
    session_ids: list[int] = field(default_factory=list)


def get(session: Session, campaign_id: int, *, lock: bool = False) -> Campaign:
    campaign = edits.lock(session, Campaign, campaign_id, "That campaign") if lock else session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("That campaign no longer exists.")
    return campaign


def by_name(session: Session, name: str) -> Campaign | None:
    return session.scalar(select(Campaign).where(func.lower(Campaign.name) == name.strip().lower()))


def listing(session: Session, *, today: date | None = None) -> list[Campaign]:
    """Campaigns not over yet (every campaign without `today`), soonest launch first."""
    stmt = select(Campaign).order_by(Campaign.starts_on, Campaign.id)
    if today is not None:
        stmt = stmt.where(Campaign.ends_on >= today)
    return list(session.scalars(stmt))


def codes(campaign: Campaign) -> list[str]:
    return [c for c in (campaign.discount_codes or "").splitlines() if c.strip()]


def creators_of(campaign: Campaign) -> list[Creator]:
    return [m.creator for m in campaign.members]


def _codes(value: object, errors: dict[str, str]) -> str | None:
    text = clean(value, MAX_NOTE, "The discount codes", "codes", errors)
    if not text:
        return None
    found = [c.strip() for part in text.splitlines() for c in part.split(",") if c.strip()]
    bad = [c for c in found if len(c) > 40 or not all(ch.isalnum() or ch in "-_" for ch in c) or not c.isascii()]
    if bad:
        errors["codes"] = f"A discount code is letters, digits, - and _ (up to 40): '{bad[0][:40]}' isn't."
    if len(found) > MAX_CODES:
        errors["codes"] = f"At most {MAX_CODES} discount codes per campaign."
    return "\n".join(dict.fromkeys(c.upper() for c in found))


def _products(session: Session, skus: list[str], errors: dict[str, str]) -> list[Product]:
    out: list[Product] = []
    for raw in skus[:MAX_LINKED]:
        text = str(raw).strip()
        product = session.get(Product, int(text)) if validation.is_ascii_digits(text) and len(text) < 10 else None
        product = product or session.scalar(select(Product).where(func.lower(Product.sku) == text.lower()))
        if product is None:
            errors["products"] = f"'{text[:40]}' is not a SKU in the catalog; add it with /schedule first."
        elif product not in out:
            out.append(product)
    return out


def _rows(session: Session, model, ids: list[int], what: str, key: str, errors: dict[str, str]) -> list[int]:  # type: ignore[no-untyped-def]
    out = []
    for i in ids[:MAX_LINKED]:
        if session.get(model, i) is None:
            errors[key] = f"That {what} no longer exists; pick it again."
        elif i not in out:
            out.append(i)
    return out


def save(session: Session, actor: Person, data: CampaignInput, now: datetime, *, campaign_id: int | None = None,
         seen: str | None = None, request_key: str | None = None, tz: ZoneInfo | None = None) -> Campaign:
    """Create or edit a campaign; the products, creators, briefs and sessions become exactly those given.

    With `tz`, an already-posted run-of-show of any session it gains or loses is edited in place."""
    require_associate(actor, "plan creator campaigns")
    done = already(session, request_key)
    if done is not None:
        return get(session, int(done["campaign_id"]))
    errors: dict[str, str] = {}
    name = clean(data.name, MAX_NAME, "The campaign name", "name", errors, required=True)
    starts = ends = None
    try:
        starts = validation.parse_date(data.starts_on, field="starts", label="The launch date", today=now.date())
    except validation.InputError as exc:
        errors["starts"] = exc.message
    try:
        ends = validation.parse_date(data.ends_on or data.starts_on, field="ends", label="The end date", today=now.date())
    except validation.InputError as exc:
        errors["ends"] = exc.message
    if starts and ends and ends < starts:
        errors["ends"] = "The campaign can't end before it launches."
    budget = money_cents(data.budget, "The budget", "budget", errors)
    discount = _codes(data.discount_codes, errors)
    products = _products(session, data.skus, errors)
    creator_ids = _rows(session, Creator, data.creator_ids, "creator", "creators", errors)
    brief_ids = _rows(session, Brief, data.brief_ids, "brief", "briefs", errors)
    session_ids = _rows(session, LiveSession, data.session_ids, "LIVE session", "sessions", errors)
    campaign = get(session, campaign_id, lock=True) if campaign_id is not None else None
    if campaign is not None:
        edits.require_current(campaign, FIELDS, seen, "This campaign")
    clash = by_name(session, name) if name else None
    if clash is not None and clash.id != campaign_id:
        errors["name"] = f"There is already a campaign called {clash.name}; pick another name or edit that one."
    fields_error(errors)
    before = snapshot(campaign) if campaign is not None else None
    touched = set(before["sessions"]) if before else set()
    if campaign is None:
        campaign = Campaign(owner=actor.slack_user_id, created_at=now)
        session.add(campaign)
    campaign.name, campaign.starts_on, campaign.ends_on = name, starts, ends
    campaign.budget_cents, campaign.discount_codes, campaign.updated_at = budget, discount, now
    _replace(campaign.products, CampaignProduct, "product_id", [p.id for p in products])
    _replace_members(campaign, creator_ids)
    _replace(campaign.briefs, CampaignBrief, "brief_id", brief_ids)
    _replace(campaign.sessions, CampaignSession, "session_id", session_ids)
    session.flush()
    session.refresh(campaign)
    mark(session, request_key, now, {"campaign_id": campaign.id})
    audit.record(session, actor=actor.slack_user_id, action="campaign.created" if before is None else "campaign.edited",
                 entity_type="campaign", entity_id=campaign.id, before=before, after=snapshot(campaign))
    if tz is not None:
        run_of_show_plan.refresh_posted(session, tz, touched | set(session_ids))
    return campaign


def _replace(rows: list, model, column: str, ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    keep = set(ids)
    for row in [r for r in rows if getattr(r, column) not in keep]:
        rows.remove(row)
    have = {getattr(r, column) for r in rows}
    rows.extend(model(**{column: i}) for i in ids if i not in have)


def _replace_members(campaign: Campaign, creator_ids: list[int]) -> None:
    """Like _replace, but a creator who stays keeps their confirmation."""
    _replace(campaign.members, CampaignCreator, "creator_id", creator_ids)


def snapshot(campaign: Campaign) -> dict:
    return {**audit.snapshot(campaign, FIELDS), "skus": sorted(p.product.sku for p in campaign.products if p.product),
            "creators": sorted(m.creator_id for m in campaign.members),
            "briefs": sorted(b.brief_id for b in campaign.briefs), "sessions": sorted(s.session_id for s in campaign.sessions)}


def version_of(campaign: Campaign) -> str:
    return edits.version(campaign, FIELDS)


def confirm_creator(session: Session, actor: Person, campaign_id: int, creator_id: int, now: datetime,
                    *, confirmed: bool = True) -> CampaignCreator:
    """Mark that a creator said yes to the campaign (or take it back); a repeat changes nothing."""
    require_associate(actor, "confirm creators on a campaign")
    campaign = get(session, campaign_id, lock=True)
    member = next((m for m in campaign.members if m.creator_id == creator_id), None)
    if member is None:
        raise NotFound("That creator is not on this campaign; add them in the campaign form first.")
    if member.confirmed == confirmed:
        raise Conflict(f"{member.creator.name} is already {'confirmed' if confirmed else 'unconfirmed'} on {campaign.name}.")
    member.confirmed = confirmed
    member.confirmed_at, member.confirmed_by = (now, actor.slack_user_id) if confirmed else (None, None)
    campaign.updated_at = now
    audit.record(session, actor=actor.slack_user_id, action="campaign.creator_confirmed" if confirmed else
                 "campaign.creator_unconfirmed", entity_type="campaign", entity_id=campaign.id,
                 after={"creator_id": creator_id, "confirmed": confirmed})
    return member


def on_session(session: Session, session_id: int) -> list[Campaign]:
    """Campaigns that list a LIVE session among theirs."""
    stmt = (select(Campaign).join(CampaignSession, CampaignSession.campaign_id == Campaign.id)
            .where(CampaignSession.session_id == session_id).order_by(Campaign.starts_on, Campaign.id))
    return list(session.scalars(stmt))
