"""The weekly scorecard as a Slack message and as plain text (CLI and `opsbot demo`).

Every rate is shown with its definition; weeks with missing metrics list the sessions instead of zeros.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.blocks.common import (
    Block,
    chunk_lines,
    context,
    divider,
    escape,
    header,
    section,
)
from bot.blocks.scorecard_clips import TITLE as CLIPS_TITLE
from bot.blocks.scorecard_clips import clips_blocks
from bot.blocks.scorecard_clips import text_lines as clip_lines
from bot.services.scorecard.compute import by_severity, velocity_leaders
from bot.services.scorecard.definitions import (
    DEFINITIONS,
    FOOTER_KEYS,
    dollars,
    fmt_value,
    help_lines,
    pct,
)
from bot.services.scorecard.model import Scorecard
from bot.timefmt import fmt_day, fmt_day_time
from bot.wording import plural


def _chg(h) -> str:  # type: ignore[no-untyped-def]
    c = h.change
    if c is None:
        return "(no comparison)"
    arrow = "▲" if c > 0 else "▼" if c < 0 else "="
    return f"{arrow} {pct(abs(c), 0)} WoW"


def _when(row, tz: ZoneInfo) -> str:  # type: ignore[no-untyped-def]
    return fmt_day_time(row.starts_at, tz)


def sections(card: Scorecard, tz: ZoneInfo) -> list[tuple[str, list[str]]]:
    """(title, lines) pairs shared by the Slack message and the text version."""
    t = card.totals
    out: list[tuple[str, list[str]]] = []
    lines = [f"{h.label}: {fmt_value(h.kind, h.value)} {_chg(h)}" for h in card.headline]
    lines.append(f"GMV per live hour: {dollars(t.gmv_per_live_hour_cents)} · labor cost {dollars(card.labor_cost_cents)} "
                 f"({t.labor_seconds / 3600:.1f} time-clock h) · GMV per labor dollar: "
                 f"{'n/a' if card.gmv_per_labor_dollar is None else f'{card.gmv_per_labor_dollar:.2f}'}")
    lines.append(f"CTR {pct(t.ctr, 2)} · CTOR {pct(t.ctor, 2)} · Watch GPM {dollars(t.watch_gpm_cents)}")
    if t.sessions_without_viewers:
        lines.append(f"Unique viewers missing for {t.sessions_without_viewers} session(s): conversion covers the other "
                     f"{t.sessions_with_metrics - t.sessions_without_viewers} only (views are not substituted).")
    out.append((f"Headline ({t.sessions_with_metrics} of {plural(t.sessions, 'session')} with metrics)", lines))
    if card.insights:
        out.append(("Insights", [f"{i + 1}. {x.text}" for i, x in enumerate(card.insights)]))
    if card.recommendations:
        out.append(("Recommendations", [f"{i + 1}. {x.text}" for i, x in enumerate(card.recommendations)]))
    ranked = card.ranked
    if ranked:
        fmt = lambda r: (f"{r.title} ({_when(r, tz)}, {', '.join(r.hosts) or 'no host'}): {dollars(r.gmv_cents)} GMV, "  # noqa: E731
                         f"{dollars(r.gmv_per_hour_cents)}/h, conversion {pct(r.conversion, 2)}")
        out.append(("Top sessions (GMV per live hour)", [fmt(r) for r in ranked[:3]]))
        if len(ranked) > 3:
            out.append(("Bottom sessions", [fmt(r) for r in list(reversed(ranked))[:3]]))
    if card.missing:
        out.append((f"Sessions without metrics ({len(card.missing)}) — not counted as zero",
                    [f"{r.title} ({_when(r, tz)}, #{r.id})" for r in card.missing[:15]]
                    + ([f"… and {len(card.missing) - 15} more"] if len(card.missing) > 15 else [])))
    if card.hosts:
        out.append(("Hosts (hours from the time clock)", [
            f"{h.name}{f' ({h.tier})' if h.tier else ''}: {plural(h.sessions, 'session')}, {h.clock_hours:.1f} h clocked, "
            f"{dollars(h.gmv_per_host_hour_cents)}/host h, conversion {pct(h.conversion, 2)}, late {h.late}, missed {h.missed}"
            for h in card.hosts[:12]]))
    leaders, laggards = velocity_leaders(card)
    if leaders:
        out.append(("SKU velocity leaders (units per hour on air)", [
            f"{k.sku}: {k.velocity:.1f}/h, {k.units:,} units, {dollars(k.gmv_cents)}"
            + (f", {k.stock_after:,} in stock" if k.stock_after is not None else "") for k in leaders]))
    if laggards:
        out.append(("SKU velocity laggards", [f"{k.sku}: {k.velocity:.1f}/h, {k.units:,} units" for k in laggards]))
    o = card.operations
    sev = "; ".join(f"SEV{s}: {n} (ack {'n/a' if a is None else f'{a:.0f} min'}, resolve {'n/a' if r is None else f'{r:.0f} min'})"
                    for s, n, a, r in by_severity(card)) or "none"
    out.append(("Operations", [
        f"Check-ins: {o.late_checkins} late, {o.missed_checkins} missed · shift swaps: {o.swaps}",
        f"Escalations: {sev} (median minutes)",
        f"Brief approvals: {o.approvals}, median turnaround "
        f"{'n/a' if o.approval_median_hours is None else f'{o.approval_median_hours} h'}, {o.briefs_overdue} overdue",
    ]))
    return out


def definitions_line() -> str:
    return " · ".join(DEFINITIONS[k] for k in FOOTER_KEYS) + " · all of them: /scorecard help"


def scorecard_text(card: Scorecard, tz: ZoneInfo) -> str:
    parts = [f"LIVE scorecard {card.week} ({fmt_day(card.monday)} – {fmt_day(card.monday.fromordinal(card.monday.toordinal() + 6))})"]
    for title, lines in sections(card, tz):
        parts.append(f"\n{title}")
        parts += [f"  {ln}" for ln in lines]
    if card.clips:
        parts.append(f"\n{CLIPS_TITLE}")
        parts += [f"  {ln}" for ln in clip_lines(card.clips, tz)]
    parts.append(f"\nDefinitions: {definitions_line()}")
    return "\n".join(parts)


def scorecard_message(card: Scorecard, tz: ZoneInfo) -> tuple[str, list[Block]]:
    blocks: list[Block] = [header(f"LIVE scorecard {card.week}")]
    for title, lines in sections(card, tz):
        for i, part in enumerate(chunk_lines([f"• {escape(ln)}" for ln in lines])):
            blocks.append(section((f"*{escape(title)}*\n" if i == 0 else "") + part))
    clips = clips_blocks(card.clips, tz)
    blocks = blocks[:46 - len(clips)] + clips
    blocks += [divider(), context(escape(f"Definitions: {definitions_line()}")),
               context("Charts (by day, and a day x hour heatmap) and the full workbook (Summary, Sessions, Hosts, SKUs, "
                       "Operations, Slots, Clips) are in the thread.")]
    g = card.headline[0]
    text = f"LIVE scorecard {card.week}: GMV {fmt_value(g.kind, g.value)} {_chg(g)}"
    return text, blocks[:50]


def help_message() -> tuple[str, list[Block]]:
    """`/scorecard help`: each metric's one definition, and the commands."""
    lines = [f"• *{escape(ln.split(': ', 1)[0])}*: {escape(ln.split(': ', 1)[1])}" for ln in help_lines()]
    blocks: list[Block] = [header("Scorecard metrics")]
    blocks += [section(part) for part in chunk_lines(lines)]
    blocks.append(context("`/scorecard` last week · `/scorecard 2026-W47` any week · `/scorecard 2026-11` a month · "
                          "`/scorecard 2026-Q4` a quarter · `/scorecard targets` see or set targets"))
    return "Scorecard metrics and their definitions", blocks


def targets_message(lines: list[str], changed: dict[str, object] | None = None) -> tuple[str, list[Block]]:
    from bot.services.scorecard.targets import USAGE

    head = "Targets saved." if changed else "Scorecard targets"
    body = "\n".join(f"• {escape(ln)}" for ln in lines) or "No targets are set yet."
    return f"{head} " + "; ".join(lines), [section(f"*{head}*\n{body}"), context(escape(USAGE))]
