"""Benchmark: suggest hosts for a 4-week plan, 60 hosts x 6 sessions a day. `python bench/suggest.py [DATABASE_URL]`

Builds the data in a fresh SQLite file (or the given database, which it wipes), then times the suggestion
(reading facts, checking every candidate, explaining each pick) and, separately, saving the picks.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date, time as dtime, timedelta
from zoneinfo import ZoneInfo

from bot.db.migrate import upgrade
from bot.db.models import LiveSession, Person, PersonRole, Shift
from bot.db.schedule import AvailabilityWindow, PersonHostTier
from bot.db.session import Database
from bot.services.schedule import catalog
from bot.services.schedule import suggest
from bot.services.schedule.rules import Rules
from bot.timefmt import local_to_utc

TZ = ZoneInfo("America/Los_Angeles")
FIRST_MONDAY = date(2026, 10, 26)  # includes the November DST change
SLOTS = [(9, 11), (11, 13), (13, 15), (15, 17), (18, 20), (20, 22)]
HOSTS, WEEKS = 60, 4


def build(db: Database) -> int:
    from bot import clock

    now = clock.now()
    with db.transaction() as s:
        catalog.seed_default_tiers(s)
        tiers = catalog.host_tiers(s)
        for i in range(HOSTS):
            p = Person(slack_user_id=f"UBENCH{i:04d}", display_name=f"host{i}", created_at=now, active=True)
            s.add(p)
            s.flush()
            s.add(PersonRole(person_id=p.id, role="host", granted_at=now, granted_by="bench"))
            s.add(PersonHostTier(person_id=p.id, host_tier_id=tiers[i % 3].id, set_at=now, set_by="bench"))
            for wd in range(7):
                if (i + wd) % 7 not in (0, 1):  # two days off a week, staggered
                    s.add(AvailabilityWindow(person_id=p.id, weekday=wd, start_minute=(8 if i % 2 else 12) * 60, end_minute=23 * 60))
        n = 0
        for d in range(7 * WEEKS):
            day = FIRST_MONDAY + timedelta(days=d)
            for k, (a, b) in enumerate(SLOTS):
                start, end = local_to_utc(day, dtime(a), TZ), local_to_utc(day, dtime(b), TZ)
                live = LiveSession(title=f"LIVE {day} {a}", starts_at=start, ends_at=end, product_tier="ABC"[k % 3],
                                   status="draft", created_at=now)
                s.add(live)
                s.flush()
                s.add(Shift(session_id=live.id, role="host", starts_at=start, ends_at=end, created_at=now, state="pending"))
                n += 1
    return n


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{os.path.join(tempfile.mkdtemp(), 'bench.db')}"
    db = Database(url)
    if url.startswith("postgresql"):
        from sqlalchemy import text

        with db.engine.begin() as c:
            c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(db.engine)
    slots = build(db)
    rules = Rules(tz=TZ)
    t = time.perf_counter()
    with db.read() as s:
        picks = suggest.suggest(s, "cli", FIRST_MONDAY, rules, weeks=WEEKS)
    took = time.perf_counter() - t
    filled = sum(1 for p in picks if p.person_slack_id)
    print(f"{db.backend}: {HOSTS} hosts, {slots} sessions over {WEEKS} weeks: {filled}/{len(picks)} slots picked "
          f"in {took:.2f} s (limit 2 s)")
    t = time.perf_counter()
    with db.transaction() as s:
        suggest.suggest(s, "cli", FIRST_MONDAY, rules, weeks=WEEKS, apply=True)
    print(f"suggest + save all picks: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
