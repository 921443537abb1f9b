"""Legal's feedback loop on the claim checker.

- **Not a problem**: legal clears a finding's phrase for that product (the brief's SKUs) or
  everywhere, with a reason; later checks skip it. Only legal may, enforced here.
- **Missed one**: legal marks a span of a submitted version the checker did not flag.
Both are audited, idempotent (UNIQUE constraints), and exported in the corpus format so the
team can review them and grow its own corpus (`opsbot claims feedback --export`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.briefs import Brief, BriefVersion
from bot.db.claims import CLAIM_CATEGORIES, ClaimAllow, ClaimMiss
from bot.db.models import Person
from bot.services import audit
from bot.services.claims.corpus import corpus_line
from bot.services.claims.finding import Finding
from bot.services.claims.match import check_text
from bot.services.claims.rules import Context, load_rules
from bot.services.claims.scan import Matcher
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.people import has_role

LEGAL = "legal"
SCOPES = ("product", "global")
WHY_LIMIT = 500
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")


def product_key(skus: str | None) -> str:
    """The brief's SKUs as one comparable key ('' = no product named)."""
    return ", ".join(sorted({s.strip().upper() for s in re.split(r"[,\s]+", skus or "") if s.strip()}))


def phrase_key(phrase: str) -> str:
    """A phrase as the checker sees it: normalised, spaces collapsed."""
    return " ".join(load_rules().normaliser(phrase).text.split())[:300]


@functools.lru_cache(maxsize=256)
def _contexts(entries: tuple[tuple[str, str], ...]) -> tuple[Context, ...]:
    """Compiled allow-list entries (cached: the same list is used for every check until it changes)."""
    out = []
    for key, category in entries:
        body = r"\s+".join(re.escape(w) for w in key.split())
        if not body:
            continue
        pattern = (r"\b" if key[0].isalnum() else "") + body + (r"\b" if key[-1].isalnum() else "")
        out.append(Context(pattern=Matcher([pattern]), categories=frozenset({category}), scope="span",
                           why="cleared by legal"))
    return tuple(out)


def allow_entries(session: Session, skus: str | None) -> tuple[Context, ...]:
    product = product_key(skus)
    rows = session.execute(select(ClaimAllow.phrase_key, ClaimAllow.category)
                           .where(ClaimAllow.product.in_({"", product}))
                           .order_by(ClaimAllow.id)).all()
    return _contexts(tuple((k, c) for k, c in rows))


def check_brief(session: Session, text: str, skus: str | None) -> list[Finding]:
    """The claim check of a brief's text, minus what legal cleared for its product or everywhere."""
    return check_text(text, allow=allow_entries(session, skus))


def _require_legal(actor: Person | None, what: str) -> None:
    if not has_role(actor, LEGAL):
        raise NotAllowed(f"Only legal can {what}. Nothing was changed.")


def _version(session: Session, version_id: int) -> BriefVersion:
    version = session.get(BriefVersion, version_id)
    if version is None:
        raise NotFound("That brief version no longer exists.")
    return version


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or line) holding a span: the corpus unit."""
    for m in _SENTENCE.finditer(text):
        if m.start() <= start < max(m.end(), m.start() + 1):
            line_end = text.find("\n", start)
            stop = max(m.end(), min(end, len(text) if line_end < 0 else line_end))
            return text[m.start():stop].strip()
    return text[start:end].strip()


def _clean_why(why: str | None, *, required: bool) -> str | None:
    why = (why or "").strip()
    if not why:
        if required:
            raise Invalid("Say why this is not a problem.", {"why": "Say why this is not a problem (legal reads it later)."})
        return None
    if len(why) > WHY_LIMIT:
        raise Invalid("Keep the reason shorter.", {"why": f"At most {WHY_LIMIT} characters."})
    return why


@dataclass(frozen=True)
class AllowOutcome:
    entry: ClaimAllow
    repeated: bool


def finding_at(session: Session, actor: Person | None, version_id: int, index: int) -> tuple[BriefVersion, Finding]:
    """The finding legal clicked, after checking they may clear it (also before the modal opens)."""
    _require_legal(actor, "mark a finding as not a problem")
    version = _version(session, version_id)
    findings = version.findings or []
    if not 0 <= index < len(findings):
        raise NotFound("That finding is no longer on this version.")
    return version, Finding.from_dict(findings[index])


def allow_phrase(session: Session, actor: Person | None, version_id: int, index: int, scope: str, why: str | None,
                 now: datetime) -> AllowOutcome:
    """Legal's 'Not a problem': later checks skip this phrase (for this product, or everywhere)."""
    version, finding = finding_at(session, actor, version_id, index)
    assert actor is not None
    if scope not in SCOPES:
        raise Invalid("Pick where it is fine.", {"scope": "Pick this product or all products."})
    brief = session.get(Brief, version.brief_id)
    product = product_key(brief.skus if brief else None) if scope == "product" else ""
    if scope == "product" and not product:
        raise Invalid("This brief names no product.", {"scope": "This brief names no product; pick all products."})
    reason = _clean_why(why, required=True)
    key = phrase_key(finding.text)
    existing = session.scalar(select(ClaimAllow).where(ClaimAllow.phrase_key == key, ClaimAllow.category == finding.category,
                                                       ClaimAllow.product == product))
    if existing is not None:
        return AllowOutcome(existing, repeated=True)
    entry = ClaimAllow(phrase=finding.text[:300], phrase_key=key, category=finding.category, product=product,
                       why=reason, context=_sentence_around(version.text, finding.start, finding.end)
                       if finding.start >= 0 else finding.text,
                       version_id=version.id, created_by=actor.slack_user_id, created_at=now)
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:  # a concurrent double click won the race
        won = session.scalar(select(ClaimAllow).where(ClaimAllow.phrase_key == key, ClaimAllow.category == finding.category,
                                                      ClaimAllow.product == product))
        assert won is not None
        return AllowOutcome(won, repeated=True)
    audit.record(session, actor=actor.slack_user_id, action="claims.allowed", entity_type="claim_allow",
                 entity_id=entry.id, before=None,
                 after={"phrase": entry.phrase, "category": entry.category, "product": product or "(all products)",
                        "why": reason, "brief_version": version.id})
    return AllowOutcome(entry, repeated=False)


@dataclass(frozen=True)
class MissOutcome:
    miss: ClaimMiss
    repeated: bool


def can_mark_missed(session: Session, actor: Person | None, version_id: int) -> BriefVersion:
    """Checked before the Missed one modal opens, and again on submit."""
    _require_legal(actor, "mark missed claims")
    return _version(session, version_id)


def record_miss(session: Session, actor: Person | None, version_id: int, text: str | None, category: str | None,
                why: str | None, now: datetime) -> MissOutcome:
    """Legal's 'Missed one': a span of this version's text the checker should have flagged."""
    _require_legal(actor, "mark missed claims")
    assert actor is not None
    version = _version(session, version_id)
    errors: dict[str, str] = {}
    span = (text or "").strip()
    start = version.text.find(span) if span else -1
    if not span:
        errors["text"] = "Paste the words the checker missed."
    elif len(span) > 500:
        errors["text"] = "Paste at most 500 characters: just the risky words."
    elif start < 0:
        errors["text"] = "Those words are not in this version's text; paste them exactly as submitted."
    if category not in CLAIM_CATEGORIES:
        errors["category"] = "Pick the category."
    if errors:
        raise Invalid("Some fields need fixing.", errors)
    note = _clean_why(why, required=False)
    end = start + len(span)
    where = (ClaimMiss.version_id == version.id, ClaimMiss.start == start, ClaimMiss.end == end,
             ClaimMiss.category == category)
    existing = session.scalar(select(ClaimMiss).where(*where))
    if existing is not None:
        return MissOutcome(existing, repeated=True)
    miss = ClaimMiss(version_id=version.id, text=span, start=start, end=end, category=category,
                     context=_sentence_around(version.text, start, end), why=note,
                     created_by=actor.slack_user_id, created_at=now)
    try:
        with session.begin_nested():
            session.add(miss)
    except IntegrityError:
        won = session.scalar(select(ClaimMiss).where(*where))
        assert won is not None
        return MissOutcome(won, repeated=True)
    audit.record(session, actor=actor.slack_user_id, action="claims.missed", entity_type="claim_miss", entity_id=miss.id,
                 before=None, after={"text": span, "category": category, "why": note, "brief_version": version.id})
    return MissOutcome(miss, repeated=False)


def export_lines(session: Session) -> list[str]:
    """Legal's feedback as corpus lines: cleared phrases as flag=false, misses as flag=true."""
    lines: list[str] = []
    n = 0
    for entry in session.scalars(select(ClaimAllow).order_by(ClaimAllow.id)):
        n += 1
        where = f"product {entry.product}" if entry.product else "all products"
        lines.append(corpus_line(f"f{n:03d}", entry.context, False, None,
                                 f"Legal: not a problem ({entry.category}, {where}): {entry.why}"))
    for miss in session.scalars(select(ClaimMiss).order_by(ClaimMiss.id)):
        n += 1
        lines.append(corpus_line(f"f{n:03d}", miss.context, True, miss.category,
                                 f"Legal: missed {miss.category} claim \"{miss.text}\"" + (f": {miss.why}" if miss.why else "")))
    return lines
