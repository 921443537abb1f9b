"""Rule-based insights and recommendations for the weekly scorecard, most urgent first.

Each rule is a plain function of the built card (no database), so it is tested on its own.
"""

from __future__ import annotations

from decimal import Decimal

from bot.services.scorecard.definitions import dollars, fmt_value, pct
from bot.services.scorecard.model import (
    Headline,
    Insight,
    Punctuality,
    Scorecard,
    ScorecardConfig,
    SessionRow,
    SkuRow,
    Totals,
)


def rule_wow(headline: list[Headline], threshold: Decimal, keep: int = 2) -> list[Insight]:
    """The `keep` headline metrics that moved most, when by more than the threshold week over week."""
    out = []
    moved = sorted((h for h in headline if h.change is not None), key=lambda h: -abs(h.change or 0))
    for h in moved[:keep]:
        c = h.change
        if c is None or abs(c) <= threshold:
            continue
        up = c > 0
        advice = ("find what worked (sessions, hosts, SKUs below) and repeat it" if up
                  else "check the bottom sessions and missing metrics below before acting")
        out.append(Insight("wow", f"{h.label} {'rose' if up else 'fell'} {pct(abs(c), 0)} week over week "
                                  f"({fmt_value(h.kind, h.previous)} → {fmt_value(h.kind, h.value)}): {advice}.",
                           priority=1 if not up else 2))
    return out


def rule_stockout(skus: list[SkuRow], days: int) -> list[Insight]:
    """A SKU whose known stock runs out within `days` at this week's pace."""
    out = []
    for k in sorted(skus, key=lambda k: k.days_of_stock if k.days_of_stock is not None else Decimal(10**9)):
        left = k.days_of_stock
        if left is None or left >= days:
            continue
        out.append(Insight("stockout", f"{k.sku} sold {k.units:,} units ({_vel(k)}/h on air) with {k.stock_after:,} left: "
                                       f"about {left:.1f} days of stock. Reorder or cap it in next week's run-of-show.",
                           priority=0))
    return out


def _vel(k: SkuRow) -> str:
    return "n/a" if k.velocity is None else f"{k.velocity:.1f}"


def rule_promotion(history: dict[str, tuple[str, list[Decimal | None]]], bars_cents: dict[str, int], weeks: int) -> list[Insight]:
    """A host above their tier's promotion bar (GMV per host hour) for `weeks` weeks in a row."""
    out = []
    for name, (tier, series) in sorted(history.items()):
        bar = bars_cents.get(tier.casefold())
        recent = series[:weeks]
        if bar is None or len(recent) < weeks or any(v is None or v < bar for v in recent):
            continue
        shown = ", ".join(dollars(v) for v in reversed(recent))
        out.append(Insight("promotion", f"{name} ({tier}) made {shown} GMV per host hour over the last {weeks} weeks, "
                                        f"above the {tier} bar of {dollars(bar)}: consider promoting them to the next tier.",
                           priority=3))
    return out


def rule_missed_checkins(punctuality: list[Punctuality], limit: int) -> list[Insight]:
    """A person who missed at least `limit` check-ins this week."""
    return [Insight("missed_checkins", f"{p.name} missed {p.missed} check-ins this week (and was late {p.late} times): "
                                       "talk to them before next week's shifts are confirmed.", priority=1)
            for p in punctuality if p.missed >= limit]


def rule_missing_metrics(missing: list[SessionRow], sessions: int) -> list[Insight]:
    """Sessions with no metrics make every total low: say how many, so nobody reads a gap as a slump."""
    if not missing:
        return []
    return [Insight("missing_metrics", f"{len(missing)} of {sessions} sessions have no metrics yet, so totals are incomplete: "
                                       "log them (Log metrics, /metrics or opsbot import metrics).", priority=0)]


def rule_unique_viewers(totals: Totals) -> list[Insight]:
    """Newer exports drop unique viewers; conversion then covers fewer sessions."""
    if not totals.sessions_without_viewers:
        return []
    return [Insight("no_unique_viewers", f"{totals.sessions_without_viewers} of {totals.sessions_with_metrics} sessions with metrics "
                                         "have no unique viewers (spring-2026 exports drop the column), so conversion covers the "
                                         "rest only: add Viewers to the export or log it in /metrics.", priority=4)]


def insights(card: Scorecard, history: dict[str, tuple[str, list[Decimal | None]]], cfg: ScorecardConfig) -> list[Insight]:
    """Every rule's findings, most urgent first, at most five."""
    found = (rule_missing_metrics(card.missing, card.totals.sessions) + rule_stockout(card.skus, cfg.stockout_days)
             + rule_missed_checkins(card.operations.punctuality, cfg.missed_checkins) + rule_wow(card.headline, cfg.wow_threshold)
             + rule_promotion(history, cfg.promotion_bars_cents, cfg.promotion_weeks) + rule_unique_viewers(card.totals))
    return sorted(found, key=lambda i: i.priority)[:5]

