"""Seeded weeks for the reporting tests: sessions with metrics, hosts on shifts, time-clock entries."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from schedule_helpers import at, new_session, person
from sqlalchemy import select

from bot.db.models import Shift, TimeEntry
from bot.services.metrics import store as metrics

NOW = datetime(2026, 12, 3, 20, 0, tzinfo=timezone.utc)


def live_with_metrics(s, day: str, start: str, end: str, *, gmv: int, orders: int = 10, viewers: int = 1000,
                      avg: int | None = 75, views: int | None = 2000, title: str = "Glow LIVE", tier: str | None = "B",
                      host=None, clicks: int | None = None, duration: int | None = None, **extra):
    live = new_session(s, day, start, end, title=title, tier=tier)
    values = {"gmv_cents": gmv, "orders": orders, "units_sold": orders, "unique_viewers": viewers, "views": views,
              "avg_view_duration_seconds": avg, "product_clicks": clicks, "duration_seconds": duration, **extra}
    metrics.save(s, live, {k: v for k, v in values.items() if v is not None}, actor="test", source="modal", now=NOW)
    if host is not None:
        s.add(Shift(session_id=live.id, person_id=host.id, role="host", starts_at=live.starts_at - timedelta(minutes=30),
                    ends_at=live.ends_at, created_at=NOW, state="confirmed"))
        s.flush()
    return live


def clock_in(s, who, live, late_minutes: int = 0) -> None:
    shift = s.scalars(select(Shift).where(Shift.session_id == live.id, Shift.person_id == who.id)).one()
    s.add(TimeEntry(person_id=who.id, shift_id=shift.id, clock_in_at=shift.starts_at + timedelta(minutes=late_minutes),
                    clock_out_at=shift.ends_at, late_minutes=late_minutes or None, created_at=NOW))
    s.flush()


__all__ = ["NOW", "at", "clock_in", "live_with_metrics", "person"]
