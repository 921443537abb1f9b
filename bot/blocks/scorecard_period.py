"""The monthly and quarterly scorecard as a Slack message and as plain text (CLI)."""

from __future__ import annotations

from bot.blocks.common import (
    Block,
    chunk_lines,
    context,
    divider,
    escape,
    header,
    section,
)
from bot.services.scorecard.definitions import (
    DEFINITIONS,
    FOOTER_KEYS,
    dollars,
    fmt_value,
    pct,
)
from bot.services.scorecard.model import change
from bot.services.scorecard.monthly import PeriodCard


def _vs(kind: str, now, before) -> str:  # type: ignore[no-untyped-def]
    c = change(now, before)
    return f"{fmt_value(kind, before)}" + ("" if c is None else f", {'▲' if c > 0 else '▼' if c < 0 else '='} {pct(abs(c), 0)}")


def period_sections(card: PeriodCard) -> list[tuple[str, list[str]]]:
    prev_name, out = card.period.previous().name, []
    year = card.year_ago
    lines = []
    for h in card.headline:
        line = f"{h.label}: {fmt_value(h.kind, h.value)} (vs {prev_name} {_vs(h.kind, h.value, h.previous)})"
        if year is not None and h.key == "gmv":
            line += f" · same period last year {dollars(year.gmv_cents)}"
        lines.append(line)
    if year is None:
        lines.append("Same period last year: no data.")
    t = card.totals
    out.append((f"Headline ({t.sessions_with_metrics} of {t.sessions} sessions with metrics)", lines))
    if card.changes:
        out.append(("Top changes, explained", [f"{i + 1}. {c.text}" for i, c in enumerate(card.changes)]))
    elif not t.sessions_with_metrics:
        out.append(("Top changes, explained", ["No session in this period has metrics yet: nothing to compare."]))
    if card.hosts:
        out.append(("Per host", [f"{h.name}{f' ({h.tier})' if h.tier else ''}: {h.sessions} sessions, {dollars(h.gmv_cents)} GMV, "
                                 f"{dollars(h.gmv_per_host_hour_cents)}/host h, conversion {pct(h.conversion, 2)}"
                                 for h in card.hosts[:15]]))
    if card.skus:
        out.append(("Per SKU (by GMV)", [f"{k.sku}: {dollars(k.gmv_cents)}, {k.units:,} units, "
                                         f"{'n/a' if k.velocity is None else f'{k.velocity:.1f}'} units per live hour"
                                         for k in card.skus[:15]]))
    return out


def period_text(card: PeriodCard) -> str:
    parts = [f"LIVE scorecard {card.period.name}"]
    for title, lines in period_sections(card):
        parts.append(f"\n{title}")
        parts += [f"  {ln}" for ln in lines]
    return "\n".join(parts)


def period_message(card: PeriodCard) -> tuple[str, list[Block]]:
    blocks: list[Block] = [header(f"LIVE scorecard {card.period.name}")]
    for title, lines in period_sections(card):
        for i, part in enumerate(chunk_lines([f"• {escape(ln)}" for ln in lines])):
            blocks.append(section((f"*{escape(title)}*\n" if i == 0 else "") + part))
    blocks = blocks[:47]
    blocks += [divider(), context(escape("Definitions: " + " · ".join(DEFINITIONS[k] for k in FOOTER_KEYS)))]
    g = card.headline[0]
    return f"LIVE scorecard {card.period.name}: GMV {fmt_value(g.kind, g.value)}", blocks
