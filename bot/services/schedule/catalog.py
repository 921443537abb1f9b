"""Host tiers, product tiers and products: what a LIVE sells and who may host it.

The defaults are seeded once (Rookie/Core/Lead; A/B/C); the associate edits them with `/schedule tier` and
`/schedule product`.
"""

from __future__ import annotations


from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import Person
from bot.db.schedule import HostTier, PersonHostTier, Product, ProductTier
from bot.services import audit
from bot.services.errors import Conflict, Invalid
from bot.services.schedule.planner import Actor, actor_id


# -- tiers and products ------------------------------------------------------------------------

DEFAULT_HOST_TIERS = (("Rookie", 1), ("Core", 2), ("Lead", 3))
DEFAULT_PRODUCT_TIERS = (("A", "Hero", "Lead"), ("B", "Core", "Core"), ("C", "Long-tail", "Rookie"))


def seed_default_tiers(session: Session) -> bool:
    """Create the default tiers when there are none (migration 0002 seeds the same ones); False if tiers exist."""
    if session.scalar(select(HostTier.id).limit(1)) is not None:
        return False
    by_name = {}
    for name, rank in DEFAULT_HOST_TIERS:
        by_name[name] = HostTier(name=name, rank=rank)
        session.add(by_name[name])
    session.flush()
    for code, name, min_name in DEFAULT_PRODUCT_TIERS:
        session.add(ProductTier(code=code, name=name, min_host_tier_id=by_name[min_name].id))
    session.flush()
    return True


def host_tiers(session: Session) -> list[HostTier]:
    return list(session.scalars(select(HostTier).order_by(HostTier.rank)))


def product_tiers(session: Session) -> list[ProductTier]:
    return list(session.scalars(select(ProductTier).order_by(ProductTier.code)))


def product_tier(session: Session, code: str | None) -> ProductTier | None:
    if not code:
        return None
    return session.scalar(select(ProductTier).where(ProductTier.code == code.strip().upper()))


def host_tier_of(session: Session, person: Person) -> HostTier | None:
    row = session.get(PersonHostTier, person.id)
    return row.tier if row else None


def set_host_tier(session: Session, actor: Actor, target: Person, tier_name: str) -> HostTier:
    who = actor_id(actor, "set host tiers")
    tier = session.scalar(select(HostTier).where(HostTier.name.ilike(tier_name.strip())))
    if tier is None:
        names = ", ".join(t.name for t in host_tiers(session))
        raise Invalid(f"'{tier_name}' is not a host tier. Tiers: {names}.")
    row = session.get(PersonHostTier, target.id)
    before = {"tier": row.tier.name} if row else None
    if row is None:
        session.add(PersonHostTier(person_id=target.id, host_tier_id=tier.id, set_at=clock.now(), set_by=who))
    else:
        row.host_tier_id, row.set_at, row.set_by = tier.id, clock.now(), who
    session.flush()
    audit.record(session, actor=who, action="schedule.host_tier_set", entity_type="person", entity_id=target.id,
                 before=before, after={"tier": tier.name})
    return tier


def add_product(session: Session, actor: Actor, sku: str, name: str, tier_code: str) -> Product:
    who = actor_id(actor, "manage products")
    tier = product_tier(session, tier_code)
    if tier is None:
        raise Invalid(f"'{tier_code}' is not a product tier.")
    sku = sku.strip()
    if not sku or session.scalar(select(Product.id).where(Product.sku == sku)) is not None:
        raise Conflict(f"SKU '{sku}' is empty or already exists.")
    product = Product(sku=sku, name=name.strip() or sku, product_tier_id=tier.id)
    session.add(product)
    session.flush()
    audit.record(session, actor=who, action="schedule.product_added", entity_type="product", entity_id=product.id,
                 after={"sku": sku, "name": product.name, "tier": tier.code})
    return product


def products(session: Session) -> list[Product]:
    return list(session.scalars(select(Product).order_by(Product.sku)))




