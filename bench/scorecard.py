"""Benchmark: the weekly scorecard out of a year of history. `python bench/scorecard.py [DATABASE_URL]`

Builds 52 weeks (60 hosts, 6 sessions a day, 30 SKUs per session, every time entry) with the demo
generator in a fresh SQLite file (or the given PostgreSQL database, which it WIPES), then times
`compute.build` for one week in the middle of the year. Target: under 1 second.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.db.migrate import upgrade
from bot.db.session import Database
from bot.services import demo
from bot.services.scorecard import compute
from bot.services.scorecard.model import ScorecardConfig

TZ = ZoneInfo("America/Los_Angeles")
FIRST_MONDAY = date(2025, 11, 24)
WEEKS = 52


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{os.path.join(tempfile.mkdtemp(), 'bench.db')}"
    db = Database(url)
    if db.backend == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(db.engine)
    now = datetime.combine(FIRST_MONDAY + timedelta(weeks=WEEKS), datetime.min.time(), tzinfo=timezone.utc)
    started = time.monotonic()
    with db.transaction() as s:
        counts = demo.generate(s, demo.Plan(monday=FIRST_MONDAY, weeks=WEEKS, hosts=60, pas=12, sessions_per_day=6,
                                            skus_per_session=30, products=120), TZ, now, seed=1)
    print(f"{db.backend}: built {counts} in {time.monotonic() - started:.1f}s")
    cfg = ScorecardConfig(tz=TZ, promotion_bars_cents={"rookie": 40000, "core": 90000})
    week = FIRST_MONDAY + timedelta(weeks=WEEKS // 2)
    timings = []
    for _ in range(5):
        with db.read() as s:
            t0 = time.monotonic()
            card = compute.build(s, week, cfg, now)
            timings.append(time.monotonic() - t0)
    print(f"{db.backend}: scorecard {card.week}: {card.totals.sessions} sessions, {len(card.hosts)} hosts, {len(card.skus)} SKUs, "
          f"{len(card.insights)} insights; best {min(timings) * 1000:.0f} ms, median {sorted(timings)[2] * 1000:.0f} ms "
          f"(target < 1000 ms)")
    db.dispose()


if __name__ == "__main__":
    main()
