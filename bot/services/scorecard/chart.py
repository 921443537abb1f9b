"""Scorecard charts as PNG, drawn with matplotlib on its headless Agg backend (no display, no pyplot state).

Each chart stands on its own in Slack: a title naming the week, labelled axes, day names, the value on
each bar, a legend, and a note when days have no metrics yet (so an empty slot is not read as a zero).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg", force=False)  # headless; a figure is never shown

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

from bot.services.scorecard.model import Scorecard  # noqa: E402
from bot.services.scorecard.slots import DAYS, grid, hour_label  # noqa: E402
from bot.timefmt import to_local  # noqa: E402

BAR = "#2563eb"
LINE = "#ea580c"
DPI = 100


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})  # no version stamp: same input, same bytes
    return out.getvalue()


def _money(cents: int | Decimal) -> str:
    d = Decimal(cents) / 100
    return f"${d / 1000:,.1f}k" if d >= 10_000 else f"${d:,.0f}"


def weekly_chart(days: Sequence[date], gmv_cents: Sequence[int | Decimal], conversion: Sequence[Decimal | None],
                 *, title: str, note: str = "") -> bytes:
    """GMV per day as labelled bars and conversion (orders / unique viewers) as a line on a second axis."""
    fig = Figure(figsize=(8, 4.2))
    ax = fig.add_subplot()
    names = [d.strftime("%a\n%m-%d") for d in days]
    xs = list(range(len(days)))
    values = [float(Decimal(g) / 100) for g in gmv_cents]
    bars = ax.bar(xs, values, color=BAR, label="GMV ($)", width=0.6)
    for x, g, rect in zip(xs, gmv_cents, bars, strict=True):
        if g:
            ax.annotate(_money(g), (x, rect.get_height()), ha="center", va="bottom", fontsize=8,
                        xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(xs, names, fontsize=8)
    ax.set_ylabel("GMV ($)")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${v:,.0f}"))
    ax.set_ylim(0, max(values + [1.0]) * 1.2)
    ax.grid(axis="y", color="#e8e8e8")
    ax.set_axisbelow(True)
    right = ax.twinx()
    conv = [float(c) if c is not None else float("nan") for c in conversion]
    (line,) = right.plot(xs, conv, color=LINE, marker="o", label="Conversion (orders / unique viewers)")
    for x, c in zip(xs, conversion, strict=True):
        if c is not None:
            right.annotate(f"{c * 100:.1f}%", (x, float(c)), ha="center", va="bottom", fontsize=7, color=LINE,
                           xytext=(0, 5), textcoords="offset points",
                           bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
    right.set_ylabel("Conversion")
    right.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    known = [float(c) for c in conversion if c is not None]
    right.set_ylim(0, (max(known) if known else 0.01) * 1.4)
    ax.set_title(title, fontsize=11)
    ax.legend([bars, line], [bars.get_label(), line.get_label()], loc="upper left", fontsize=8)
    fig.tight_layout(rect=(0, 0.05 if note else 0, 1, 1))
    if note:
        fig.text(0.01, 0.01, note, fontsize=8, color="#555555")
    return _png(fig)


def day_notes(card: Scorecard, tz: ZoneInfo) -> str:
    """Why a day's slot is empty: no LIVE that day, or its sessions have no metrics yet."""
    with_sessions = {to_local(r.starts_at, tz).date() for r in card.sessions}
    missing = {to_local(r.starts_at, tz).date() for r in card.missing}
    none = [d.day.strftime("%a") for d in card.days if d.day not in with_sessions]
    gaps = [d.day.strftime("%a") for d in card.days if d.day in missing]
    parts = ([f"no LIVE: {', '.join(none)}"] if none else []) + ([f"metrics missing: {', '.join(gaps)}"] if gaps else [])
    return "Empty or partial days: " + "; ".join(parts) if parts else ""


def card_chart(card: Scorecard, tz: ZoneInfo) -> bytes:
    """The weekly scorecard chart: GMV by day (bars) and conversion (line), Monday to Sunday."""
    return weekly_chart([d.day for d in card.days], [d.gmv_cents for d in card.days], [d.conversion for d in card.days],
                        title=f"LIVE scorecard {card.week}: GMV and conversion by day", note=day_notes(card, tz))


def heatmap(card: Scorecard, min_sessions: int, weeks: int) -> bytes:
    """Day x start hour, coloured by GMV per live hour, each cell labelled with its value and session count."""
    hours, values, counts = grid(card.slots)
    fig = Figure(figsize=(8, max(2.6, 0.45 * len(hours) + 1.6)))
    ax = fig.add_subplot()
    title = f"GMV per live hour by day and start hour, last {weeks} weeks to {card.week}"
    if not hours:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No sessions with metrics in these weeks yet", ha="center", va="center", fontsize=11)
        ax.set_title(title, fontsize=11)
        return _png(fig)
    data = [[float(v) / 100 if v is not None else float("nan") for v in row] for row in values]
    image = ax.imshow(data, cmap="YlGn", aspect="auto")
    ax.set_xticks(range(7), DAYS)
    ax.set_yticks(range(len(hours)), [hour_label(h) for h in hours])
    ax.set_xlabel("Day of week")
    ax.set_ylabel("Start hour (team time zone)")
    known = [float(v) for row in values for v in row if v is not None]
    dark_from = min(known) + (max(known) - min(known)) * 0.6
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            if v is not None:
                weak = counts[i][j] < min_sessions
                ink = "#888888" if weak else "#ffffff" if float(v) >= dark_from else "#111111"
                ax.text(j, i, f"{_money(v)}\n{counts[i][j]} LIVE{'s' if counts[i][j] > 1 else ''}", ha="center", va="center",
                        fontsize=7, color=ink, style="italic" if weak else "normal")
    bar = fig.colorbar(image, ax=ax)
    bar.set_label("GMV per live hour ($)")
    ax.set_title(title, fontsize=11)
    fig.text(0.01, 0.01, f"Grey italics: fewer than {min_sessions} sessions, not called best or worst; empty: no LIVE.",
             fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return _png(fig)
