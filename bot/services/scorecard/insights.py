"""Rule-based insights and recommendations for the weekly scorecard, most urgent first.

Each rule is a plain function of the built card (no database), so it is tested on its own.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

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
    change,
    ratio,
)
from bot.services.scorecard.targets import LABELS


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



# ------------------------------------------------------------------------------ every week, the first included


def _measure(card: Scorecard, key: str) -> Decimal | int | None:
    t = card.totals
    return {"gmv_week": t.gmv_cents if t.sessions_with_metrics else None, "gmv_per_live_hour": t.gmv_per_live_hour_cents,
            "conversion": t.conversion, "avg_view_duration": t.avg_view_seconds,
            "punctuality": card.operations.on_time}[key]


def _gap(kind: str, diff: Decimal) -> str:
    if kind == "pct":
        return f"{abs(diff) * 100:.2f} points"
    return fmt_value(kind, abs(diff))


def rule_targets(card: Scorecard) -> list[Insight]:
    """Each target leadership set, met or missed, and by how much."""
    t = card.targets
    if t is None or not t.values:
        return [Insight("no_targets", "No targets are set, so this week is compared with itself only: leadership can set them "
                                      "with `/scorecard targets gmv_week=$20,000 conversion=2.5% ...`.", priority=6)]
    out = []
    for key, target in t.values.items():
        label, kind = LABELS[key]
        actual = _measure(card, key)
        if actual is None:
            out.append(Insight("target_no_data", f"{label}: no data this week to compare with the {fmt_value(kind, target)} target.",
                               priority=4))
            continue
        diff = Decimal(actual) - target
        share = ratio(abs(diff), target)
        if diff < 0:
            out.append(Insight("target_missed", f"{label} {fmt_value(kind, actual)} missed the {fmt_value(kind, target)} target "
                                                f"by {_gap(kind, diff)} ({pct(share)} short).", priority=1))
        else:
            out.append(Insight("target_met", f"{label} {fmt_value(kind, actual)} met the {fmt_value(kind, target)} target "
                                             f"({'+' if diff else ''}{_gap(kind, diff)}, {pct(share)} over).", priority=3))
    return out


def _prior(card: Scorecard, weeks: int = 4) -> list[Any]:
    """History weeks (with data) among the `weeks` weeks right before the card's week."""
    first = card.monday - timedelta(weeks=weeks)
    return [w for w in card.history if first <= w.monday < card.monday]


def rule_trailing(card: Scorecard) -> list[Insight]:
    """GMV and conversion against the trailing 4-week average, when there is history."""
    t = card.totals
    prior = _prior(card)
    if not prior or not t.sessions_with_metrics:
        return []
    out = []
    span = f"{prior[0].week}–{prior[-1].week}, {len(prior)} week{'s' if len(prior) > 1 else ''} with data"
    avg_gmv = Decimal(sum(w.gmv_cents for w in prior)) / len(prior)
    c = change(t.gmv_cents, avg_gmv)
    if c is not None:
        out.append(Insight("trailing_gmv", f"GMV {dollars(t.gmv_cents)} is {pct(abs(c), 0)} {'above' if c >= 0 else 'below'} "
                                           f"the trailing 4-week average of {dollars(avg_gmv)} ({span}).", priority=2))
    conv = ratio(sum(w.orders_with_viewers for w in prior), sum(w.unique_viewers for w in prior))
    if conv is not None and t.conversion is not None:
        diff = t.conversion - conv
        out.append(Insight("trailing_conversion", f"Conversion {pct(t.conversion, 2)} vs {pct(conv, 2)} over the trailing 4 weeks "
                                                  f"({'+' if diff >= 0 else '−'}{abs(diff) * 100:.2f} points).", priority=3))
    return out


def rule_best_week(card: Scorecard) -> list[Insight]:
    """This week against the program's own best week (by GMV)."""
    t = card.totals
    if not card.history or not t.sessions_with_metrics:
        return []
    best = max(card.history, key=lambda w: (w.gmv_cents, w.monday))
    if t.gmv_cents > best.gmv_cents:
        return [Insight("best_week", f"Best week so far: GMV {dollars(t.gmv_cents)} beats the previous best, {best.week} "
                                     f"({dollars(best.gmv_cents)}), by {dollars(t.gmv_cents - best.gmv_cents)}.", priority=2)]
    return [Insight("best_week", f"GMV {dollars(t.gmv_cents)} is {pct(ratio(t.gmv_cents, best.gmv_cents), 0)} of the best week so far, "
                                 f"{best.week} ({dollars(best.gmv_cents)} over {best.sessions} sessions, "
                                 f"{dollars(best.gmv_per_live_hour_cents)} per live hour).", priority=4)]


def rule_little_data(card: Scorecard, minimum: int) -> list[Insight]:
    """The first week with data, or too few sessions to call a trend: said, with this week's numbers."""
    t = card.totals
    if not t.sessions_with_metrics:
        return []
    figures = (f"{t.sessions_with_metrics} session{'s' if t.sessions_with_metrics > 1 else ''} with metrics, GMV {dollars(t.gmv_cents)}, "
               f"{dollars(t.gmv_per_live_hour_cents)} per live hour, conversion {pct(t.conversion, 2)}, "
               f"avg. viewing duration {fmt_value('duration', t.avg_view_seconds)}")
    if not card.history:
        return [Insight("first_week", f"First week with data ({figures}): trends against earlier weeks start next week; "
                                      "until then compare with the targets.", priority=2)]
    if t.sessions_with_metrics < minimum:
        return [Insight("too_little_data", f"Too little data to call a trend this week: {figures} "
                                           f"(fewer than {minimum} sessions with metrics).", priority=2)]
    return []


def rule_top_session(card: Scorecard) -> list[Insight]:
    ranked = card.ranked
    if not ranked:
        return []
    top = ranked[0]
    week = card.totals.gmv_per_live_hour_cents
    return [Insight("top_session", f"Best LIVE by GMV per live hour: {top.title} ({', '.join(top.hosts) or 'no host'}) "
                                   f"{dollars(top.gmv_per_hour_cents)}/h vs {dollars(week)}/h for the week, "
                                   f"conversion {pct(top.conversion, 2)}: repeat its slot, host and SKUs.", priority=4)]


def rule_top_sku(card: Scorecard) -> list[Insight]:
    moving = sorted((k for k in card.skus if k.velocity is not None and k.units), key=lambda k: (-(k.velocity or 0), k.sku))
    if not moving:
        return []
    k = moving[0]
    return [Insight("top_sku", f"Fastest SKU: {k.sku} at {_vel(k)} units per live hour ({k.units:,} units, "
                               f"{dollars(k.gmv_cents)} GMV over {k.sessions} session{'s' if k.sessions > 1 else ''}).", priority=5)]


def week_insights(card: Scorecard, history: dict[str, tuple[str, list[Decimal | None]]], cfg: ScorecardConfig,
                  keep: int = 8) -> list[Insight]:
    """The rules above plus the week-over-week rules (`insights`), most urgent first: every week says something."""
    found = (rule_targets(card) + rule_little_data(card, cfg.min_sessions_for_trends) + rule_trailing(card)
             + rule_best_week(card) + rule_top_session(card) + rule_top_sku(card) + insights(card, history, cfg))
    return sorted(found, key=lambda i: i.priority)[:keep]
