"""Time slots: day of week x local start hour, with GMV per live hour, conversion and the number of sessions.

A slot is only called best or worst once it has `min_sessions` sessions with metrics, so a single LIVE
is never read as a trend; the rest are still shown in the table and the heatmap, with their counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.metrics import SessionMetrics
from bot.db.models import LiveSession
from bot.services.scorecard.model import ratio
from bot.services.scorecard.sql import num, on_air
from bot.timefmt import to_local

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def hour_label(hour: int) -> str:
    """12-hour, as the team reads times on set: 19 -> '7 PM'."""
    return f"{(hour - 1) % 12 + 1} {'AM' if hour < 12 else 'PM'}"


@dataclass
class SlotRow:
    weekday: int  # 0 = Monday
    hour: int  # local start hour
    sessions: int = 0
    gmv_cents: int = 0
    on_air_seconds: Decimal = Decimal(0)
    orders_with_viewers: int = 0
    unique_viewers: int = 0

    @property
    def label(self) -> str:
        return f"{DAYS[self.weekday]} {hour_label(self.hour)}"

    @property
    def gmv_per_live_hour_cents(self) -> Decimal | None:
        return ratio(self.gmv_cents, self.on_air_seconds / 3600)

    @property
    def conversion(self) -> Decimal | None:
        return ratio(self.orders_with_viewers, self.unique_viewers)


def slot_rows(s: Session, start: datetime, end: datetime, tz: ZoneInfo) -> list[SlotRow]:
    """Every slot with at least one session with metrics starting in [start, end), by day then hour."""
    m = SessionMetrics
    rows = s.execute(select(LiveSession.starts_at, m.gmv_cents, on_air(s), m.orders, m.unique_viewers)
                     .join(m, m.session_id == LiveSession.id)
                     .where(LiveSession.starts_at >= start, LiveSession.starts_at < end, LiveSession.status != "cancelled")).all()
    slots: dict[tuple[int, int], SlotRow] = {}
    for starts_at, gmv, air, orders, viewers in rows:
        local = to_local(starts_at, tz)
        slot = slots.setdefault((local.weekday(), local.hour), SlotRow(local.weekday(), local.hour))
        slot.sessions += 1
        slot.gmv_cents += gmv or 0
        slot.on_air_seconds += num(air)
        if orders is not None and viewers is not None:
            slot.orders_with_viewers += orders
            slot.unique_viewers += viewers
    return [slots[k] for k in sorted(slots)]


def ranked(rows: list[SlotRow], min_sessions: int) -> list[SlotRow]:
    """Slots with enough sessions and a GMV per live hour, best first."""
    eligible = [r for r in rows if r.sessions >= min_sessions and r.gmv_per_live_hour_cents is not None]
    return sorted(eligible, key=lambda r: (-(r.gmv_per_live_hour_cents or 0), r.weekday, r.hour))


def best_and_worst(rows: list[SlotRow], min_sessions: int, n: int = 2) -> tuple[list[SlotRow], list[SlotRow]]:
    order = ranked(rows, min_sessions)
    if len(order) < 2:
        return order[:n], []
    k = max(1, min(n, len(order) // 2))  # best and worst never share a slot
    return order[:k], list(reversed(order))[:k]


def grid(rows: list[SlotRow]) -> tuple[list[int], list[list[Decimal | None]], list[list[int]]]:
    """Hours shown (rows of the heatmap), GMV per live hour in cents per [hour][weekday], session counts."""
    hours = sorted({r.hour for r in rows})
    values: list[list[Decimal | None]] = [[None] * 7 for _ in hours]
    counts = [[0] * 7 for _ in hours]
    for r in rows:
        i = hours.index(r.hour)
        values[i][r.weekday], counts[i][r.weekday] = r.gmv_per_live_hour_cents, r.sessions
    return hours, values, counts
