"""Benchmark: one biweekly pay period for 80 people with 10 entries each, computed and exported in all three
formats. `python bench/payroll.py [DATABASE_URL]` (a PostgreSQL database given here is WIPED).

Each person works 10 shifts of 6-11 hours with a meal (some late, some missing), across a workweek boundary, on
scheduled shifts, at a rate that changes mid-period; the whole period is approved, then `period_pay` and the
Gusto, ADP and xlsx exports are timed together. Target: under 2 seconds.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.db.migrate import upgrade
from bot.db.models import Person, PersonRole, Shift, TimeEntry
from bot.db.payroll import EntryBreak, PayRate
from bot.db.session import Database
from bot.services.payroll import compute, exports, timesheets
from bot.services.payroll.config import PayrollConfig
from bot.services.payroll.periods import PayCalendar

TZ = ZoneInfo("America/Los_Angeles")
ANCHOR = date(2026, 10, 4)
PEOPLE, ENTRIES = 80, 10


def build(db: Database, cfg: PayrollConfig) -> None:
    rnd = random.Random(17)
    now = datetime(2026, 10, 20, tzinfo=timezone.utc)
    with db.transaction() as s:
        for i in range(PEOPLE):
            p = Person(slack_user_id=f"UBENCH{i:04d}", real_name=f"Bench Person{i}", display_name=f"bench{i}",
                       email=f"b{i}@studio.test", created_at=now, active=True)
            s.add(p)
            s.flush()
            s.add(PersonRole(person_id=p.id, role="host" if i % 5 else "pa", granted_at=now, granted_by="bench"))
            s.add(PayRate(person_id=p.id, role="any", rate=Decimal("20.00") + i % 7, effective_from=date(2026, 1, 1),
                          contractor=i % 20 == 0, created_by="bench", created_at=now))
            s.add(PayRate(person_id=p.id, role="any", rate=Decimal("22.50") + i % 7, effective_from=date(2026, 10, 11),
                          contractor=i % 20 == 0, created_by="bench", created_at=now))
            days = sorted(rnd.sample(range(14), ENTRIES))
            for d in days:
                start = cfg.cal.workday_start_at(ANCHOR + timedelta(days=d)) + timedelta(hours=rnd.choice([8, 10, 14, 18]))
                end = start + timedelta(minutes=rnd.randrange(360, 660, 15))
                sh = Shift(person_id=p.id, role="host" if i % 5 else "pa", starts_at=start, ends_at=end, created_at=now,
                           state="confirmed")
                s.add(sh)
                s.flush()
                e = TimeEntry(person_id=p.id, shift_id=sh.id, clock_in_at=start + timedelta(minutes=rnd.choice([0, 0, 0, 12])),
                              clock_out_at=end, late_minutes=0, unscheduled=False, edited=False, source="import", created_at=now)
                s.add(e)
                s.flush()
                meal_at = rnd.choice([4, 4, 4.5, 5.5, None])
                if meal_at is not None:
                    b0 = start + timedelta(hours=meal_at)
                    s.add(EntryBreak(entry_id=e.id, starts_at=b0, ends_at=b0 + timedelta(minutes=30)))
    with db.transaction() as s:
        for i in range(PEOPLE):
            timesheets.approve(s, "cli", f"UBENCH{i:04d}", ANCHOR, cfg, now)


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{os.path.join(tempfile.mkdtemp(), 'bench.db')}"
    db = Database(url)
    if db.backend == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(db.engine)
    cfg = PayrollConfig(cal=PayCalendar(tz=TZ, kind="biweekly", anchor=ANCHOR))
    t0 = time.monotonic()
    build(db, cfg)
    print(f"{db.backend}: built {PEOPLE} people x {ENTRIES} entries, approved, in {time.monotonic() - t0:.1f}s")
    out = Path(tempfile.mkdtemp())
    timings = []
    for _ in range(3):
        with db.read() as s:
            t1 = time.monotonic()
            result = compute.period_pay(s, ANCHOR, cfg)
            t_compute = time.monotonic() - t1
            lines = [exports.write(s, result, cfg, fmt, out / f"payroll.{fmt}") for fmt in ("gusto", "adp", "xlsx")]
            timings.append((time.monotonic() - t1, t_compute))
    gross = sum((p.pay.gross for p in result.people), Decimal("0.00"))
    exc = sum(len(p.pay.exceptions) for p in result.people)
    best = min(timings)
    print(f"{db.backend}: {len(result.people)} people, {sum(len(p.entries) for p in result.people)} entries, "
          f"gross ${gross:,.2f}, {exc} exceptions")
    print(f"{db.backend}: compute + gusto + adp + xlsx: best {best[0] * 1000:.0f} ms (compute alone {best[1] * 1000:.0f} ms), "
          f"median {sorted(t for t, _ in timings)[1] * 1000:.0f} ms (target < 2000 ms)")
    print(lines[-1])
    db.dispose()


if __name__ == "__main__":
    main()
