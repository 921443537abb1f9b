"""Who may take a shift that is offered, and which of a person's shifts may still be offered.

Eligibility reuses bot/services/schedule/rules.py. For a swap, a rest gap below MIN_REST_HOURS is a refusal
(nobody volunteers their way into a short turnaround), overtime is allowed but always goes to the
associate with the hours shown, and time outside stated weekly availability is a warning shown to the
approver (the taker volunteered).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.db.models import Person, Shift
from bot.db.swaps import Swap
from bot.services.schedule.rules import Issue, Rules, assess, load_facts
from bot.services.schedule.catalog import product_tier


KINDS = ("direct", "trade", "open")
SWAP_FIELDS = ["kind", "status", "shift_id", "requester_id", "target_id", "return_shift_id", "taker_id",
               "overtime", "warnings", "expires_at", "decided_by", "reason"]
REFUSED = {"role", "tier", "time_off", "overlap", "rest"}
OVERTIME = {"overtime_week", "overtime_day"}
AUTO = "system:auto-approve"
MAX_NOTE = 500
GONE = "Too late: someone else just took this shift. Nothing changed for you; thanks for offering!"


@dataclass(frozen=True)
class SwapConfig:
    rules: Rules
    ops_channel: str | None
    auto_approve: bool = False
    auto_min: timedelta = timedelta(hours=24)
    expiry: timedelta = timedelta(hours=2)

    @classmethod
    def from_settings(cls, settings) -> SwapConfig:  # type: ignore[no-untyped-def]
        return cls(rules=Rules.from_settings(settings), ops_channel=settings.ops_channel,
                   auto_approve=settings.swap_auto_approve,
                   auto_min=timedelta(hours=settings.swap_auto_approve_min_hours),
                   expiry=timedelta(hours=settings.swap_offer_expiry_hours))


@dataclass
class Eligibility:
    refusals: list[Issue] = field(default_factory=list)
    overtime: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refusals

    def extend(self, other: Eligibility) -> None:
        self.refusals += other.refusals
        self.overtime += other.overtime
        self.warnings += other.warnings

    def why_not(self) -> str:
        return " ".join(i.message[0].upper() + i.message[1:] for i in self.refusals)


# -- eligibility ---------------------------------------------------------------------------------

def _min_tier(session: Session, sh: Shift):  # type: ignore[no-untyped-def]
    tier = product_tier(session, sh.session.product_tier if sh.session else None)
    return tier.min_host_tier if tier else None


def eligibility_many(session: Session, person_ids: list[int], sh: Shift, rules: Rules,
                     gives_up: Shift | None = None) -> dict[int, Eligibility]:
    """Whether each person may take `sh` (giving up `gives_up` in a trade), from one load of facts."""
    facts = load_facts(session, sh.starts_at, sh.ends_at, person_ids)
    min_tier = _min_tier(session, sh)
    exclude = {gives_up.id} if gives_up is not None else set()
    out: dict[int, Eligibility] = {}
    for pid in person_ids:
        f = facts.get(pid)
        if f is None:
            out[pid] = Eligibility(refusals=[Issue("inactive", "that person is not active in opsbot.", True)])
            continue
        result = Eligibility()
        for issue in assess(f, sh.role, sh.starts_at, sh.ends_at, min_tier, rules, exclude):
            if issue.code in REFUSED:
                result.refusals.append(issue)
            elif issue.code in OVERTIME:
                result.overtime.append(issue)
            else:
                result.warnings.append(issue)
        out[pid] = result
    return out


def eligibility(session: Session, person: Person, sh: Shift, rules: Rules, gives_up: Shift | None = None) -> Eligibility:
    return eligibility_many(session, [person.id], sh, rules, gives_up)[person.id]


def swap_eligibility(session: Session, swap: Swap, taker: Person, rules: Rules) -> Eligibility:
    """The taker for the offered shift; in a trade also the requester for the shift coming back."""
    result = eligibility(session, taker, swap.shift, rules, gives_up=swap.return_shift)
    if swap.return_shift is not None:
        result.extend(eligibility(session, swap.requester, swap.return_shift, rules, gives_up=swap.shift))
    return result


# -- reading -------------------------------------------------------------------------------------

def _problem(sh: Shift | None, now: datetime, cfg: SwapConfig | None = None) -> str | None:
    """Why a shift can't be swapped now, or None."""
    if sh is None or sh.cancelled or sh.session is None or sh.session.status == "cancelled":
        return "That shift was cancelled or no longer exists."
    if sh.session.status in ("live", "done") or min(sh.starts_at, sh.session.starts_at) <= now:
        return "That session has already started, so its shifts can't be swapped; talk to the associate."
    if sh.session.status == "draft":
        return "That session isn't published yet; the associate can still change it directly."
    if cfg is not None and sh.starts_at - cfg.expiry <= now:
        return "That shift starts too soon to swap; talk to the associate directly."
    return None


def swappable_shifts(session: Session, person: Person, now: datetime, cfg: SwapConfig, days: int = 28) -> list[Shift]:
    """The person's upcoming published shifts that may still be offered."""
    from bot.services.schedule.calendar import shifts_for

    return [sh for sh in shifts_for(session, person, now, now + timedelta(days=days)) if _problem(sh, now, cfg) is None]



