"""What every creators module shares: the policy from settings, money and text parsing, and one-time request keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Person, ProcessedRequest
from bot.services import validation
from bot.services.briefs.records import BriefPolicy
from bot.services.errors import Conflict, Invalid
from bot.services.people import ADMIN, require_role

MAX_NAME, MAX_TEXT, MAX_NOTE, MAX_LINK = 200, 300, 3000, 1000
MAX_FEE_CENTS = 100_000_000  # $1,000,000: beyond any creator fee or campaign budget we'd type by hand
_MONEY_RE = re.compile(r"\$?\s*([0-9][0-9,]*(?:\.[0-9]{1,2})?|\.[0-9]{1,2})")


@dataclass(frozen=True)
class CreatorPolicy:
    """Where creator messages go, and the brief rules claims are sent through."""

    tz: ZoneInfo
    ops_channel: str | None
    leadership_channel: str | None
    briefs: BriefPolicy

    @classmethod
    def from_settings(cls, settings) -> CreatorPolicy:  # type: ignore[no-untyped-def]
        return cls(tz=settings.tz, ops_channel=settings.ops_channel, leadership_channel=settings.leadership_channel,
                   briefs=BriefPolicy.from_settings(settings))


def require_associate(actor: Person, doing: str) -> None:
    require_role(actor, ADMIN, doing=doing)


def clean(value: object, limit: int, label: str, field: str, errors: dict[str, str], *, required: bool = False) -> str | None:
    """Trimmed text or None; a problem goes into `errors` under the form field."""
    text = "" if value is None else str(value).replace("\x00", "").strip()
    if len(text) > limit:
        errors[field] = f"{label} is {len(text):,} characters; keep it under {limit:,}."
    elif required and not text:
        errors[field] = f"{label} is missing."
    return text or None


def link(value: object, field: str, errors: dict[str, str], label: str = "The link") -> str | None:
    text = clean(value, MAX_LINK, label, field, errors)
    if text and not text.lower().startswith(("https://", "http://")):
        errors[field] = f"{label} must start with https://."
    if text and any(c in text for c in "<>| \n"):
        errors[field] = f"{label} can't contain spaces or the characters < > |."
    return text


def money_cents(value: object, label: str, field: str, errors: dict[str, str]) -> int | None:
    """'$1,250', '1250.50' or '' (none) -> cents."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    m = _MONEY_RE.fullmatch(text)
    if not m or not text.isascii():
        errors[field] = f"{label} must be an amount in dollars like 1250 or $1,250.00."
        return None
    cents = int((Decimal(m.group(1).replace(",", "")) * 100).to_integral_value())
    if cents > MAX_FEE_CENTS:
        errors[field] = f"{label} is too large: the most is $1,000,000."
        return None
    return cents


def percent(value: object, label: str, field: str, errors: dict[str, str]) -> Decimal | None:
    text = "" if value is None else str(value).strip().rstrip("%").strip()
    if not text:
        return None
    try:
        return validation.parse_decimal(text, field=field, label=label, places=2, minimum=0, maximum=100)
    except validation.InputError as exc:
        errors[field] = exc.message
        return None


def dollars(cents: int | None) -> str:
    if cents is None:
        return ""
    return f"${cents // 100:,}" + (f".{cents % 100:02d}" if cents % 100 else "")


def fields_error(errors: dict[str, str]) -> None:
    if errors:
        raise Invalid("Some fields need fixing: " + " ".join(errors.values()), errors)


def already(session: Session, key: str | None) -> dict | None:
    """What a first submission of the same form recorded (a Slack retry or a double submit), if any."""
    if key is None:
        return None
    row = session.scalar(select(ProcessedRequest).where(ProcessedRequest.key == key))
    return (row.result or {}) if row is not None else None


def mark(session: Session, key: str | None, now: datetime, result: dict) -> None:
    """Record a submission; a concurrent copy of it loses here and its whole transaction rolls back."""
    if key is None:
        return
    try:
        with session.begin_nested():
            session.add(ProcessedRequest(key=key, created_at=now, result=result))
    except IntegrityError:
        raise Conflict("That form was already sent; nothing more was recorded.") from None
