"""Shared set-up for the payroll tests: scheduled shifts with clocked entries, rates, a payroll config."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from decimal import Decimal

from schedule_helpers import LA, at, person

from bot.db.models import Shift, TimeEntry
from bot.db.payroll import EntryBreak, PayRate
from bot.services.payroll.config import PayrollConfig
from bot.services.payroll.periods import PayCalendar

ANCHOR = date(2026, 10, 4)  # biweekly: Oct 4-17, Oct 18-31 (Sunday workweeks)
CFG = PayrollConfig(cal=PayCalendar(tz=LA, kind="biweekly", anchor=ANCHOR))
NOW = "2026-10-20 17:00:00"


def worked(s, p, day: str, start: str, end: str, *, shift: bool = True, breaks: tuple[str, ...] = (), role: str = "host") -> TimeEntry:
    """A clocked entry from `start` to `end` (local; an end before start is the next day), on a shift of the same span."""
    t0 = at(day, start)
    t1 = at(day, end)
    if t1 <= t0:
        t1 = at((date.fromisoformat(day) + timedelta(days=1)).isoformat(), end)
    sh = None
    if shift:
        sh = Shift(person_id=p.id, role=role, starts_at=t0, ends_at=t1, created_at=t0, state="confirmed")
        s.add(sh)
        s.flush()
    e = TimeEntry(person_id=p.id, shift_id=sh.id if sh else None, clock_in_at=t0, clock_out_at=t1, late_minutes=0 if sh else None,
                  unscheduled=sh is None, edited=False, source="slack", created_at=t0)
    s.add(e)
    s.flush()
    for b in breaks:
        b0, b1 = (at(day, x) for x in b.split("-"))
        s.add(EntryBreak(entry_id=e.id, starts_at=b0, ends_at=b1))
    return e


def rate(s, p, dollars: str, since: str = "2026-01-01", *, contractor: bool = False, role: str = "any") -> None:
    s.add(PayRate(person_id=p.id, role=role, rate=Decimal(dollars), effective_from=date.fromisoformat(since),
                  contractor=contractor, created_by="test", created_at=at(since, "00:00")))


def crew(db) -> None:
    """HOST: two clean 4 h days at $25; HOST2: a 7 h day without a meal (an exception) at $20, Oct 5-6 2026."""
    from conftest import ADMIN, HOST, HOST2

    with db.transaction() as s:
        person(s, ADMIN, "associate", name="ava")
        h = person(s, HOST, "host", name="hana", email="hana@studio.test")
        h2 = person(s, HOST2, "host", name="hugo")
        worked(s, h, "2026-10-05", "09:00", "13:00")
        worked(s, h, "2026-10-06", "09:00", "13:00")
        worked(s, h2, "2026-10-05", "09:00", "16:00")
        rate(s, h, "25.00")
        rate(s, h2, "20.00")


def said(server, text: str, timeout: float = 5.0) -> bool:
    """True once a private answer (response_url or DM) containing `text` reached the Slack stand-in."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in json.dumps(c.params) for c in server.stub.calls if c.method in ("response_url", "chat.postMessage")):
            return True
        time.sleep(0.05)
    return False
