"""Swap eligibility and rules, straight against the service (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import ADMIN, HOST, HOST2, OPS_CHANNEL
from freezegun import freeze_time
from schedule_helpers import RULES, at, new_session, person, seed

from bot.services.swaps import eligibility as swaps_eligibility, lifecycle
from bot.services.schedule import availability
from bot.services import validation
from bot.services.schedule import calendar, publishing
from bot.services.errors import Conflict, NotAllowed
from bot.services.swaps.eligibility import SwapConfig

CFG = SwapConfig(rules=RULES, ops_channel=OPS_CHANNEL)


def _slot(s, live, role="host"):
    return calendar.slot(calendar.get_session(s, live.id), role)


@freeze_time("2026-10-20 17:00:00")
def test_eligibility_classifies_refusals_overtime_and_warnings(db):
    seed(db)
    with db.transaction() as s:
        hana = person(s, HOST, "host", tier="Core")
        hugo = person(s, HOST2, "host", tier="Core")
        # hugo: available mornings only, and already on a long evening shift the same Tuesday
        availability.set_weekly(s, hugo, hugo, {wd: [(6 * 60, 13 * 60)] for wd in range(7)})
        tue = new_session(s, "2026-10-27", "10:00", "14:00")
        late = new_session(s, "2026-10-27", "19:00", "23:59", tier="C")  # 5h rest after 14:00: a refusal for swaps
        calendar.assign(s, "cli", tue.id, {"host": HOST}, RULES)
        calendar.assign(s, "cli", late.id, {"host": HOST2}, RULES, override=True)
        result = swaps_eligibility.eligibility(s, hugo, _slot(s, tue), RULES)
        codes = {i.code for i in result.refusals}
        assert codes == {"rest"} and not result.ok
        assert {i.code for i in result.warnings} == {"availability"}  # outside 6-13: shown, not refused
        assert {i.code for i in result.overtime} == {"overtime_day"}  # 4h + 5h > 8h
        # in a trade, the shift given up doesn't count against the taker
        traded = swaps_eligibility.eligibility(s, hugo, _slot(s, tue), RULES, gives_up=_slot(s, late))
        assert traded.ok and not traded.overtime
        assert swaps_eligibility.eligibility(s, hana, _slot(s, late), RULES, gives_up=_slot(s, tue)).ok


@freeze_time("2026-10-31 17:00:00")
def test_dst_night_shift_and_expiry_time(db):
    """A LIVE crossing midnight into the DST change (Nov 1 2026, LA): overtime counted per local day."""
    seed(db)
    with db.transaction() as s:
        person(s, ADMIN, "associate")
        hana = person(s, HOST, "host", tier="Core")
        hugo = person(s, HOST2, "host", tier="Core")
        night = calendar.create_session(s, "cli", calendar.SessionInput(
            "Night", at("2026-10-31", "22:00"), at("2026-11-01", "03:00"), None, "B"))
        calendar.assign(s, "cli", night.id, {"host": HOST}, RULES)
        publishing.publish_week(s, "cli", validation.parse_week("2026-W44"), RULES, OPS_CHANNEL)
        sh = _slot(s, night)
        assert sh.ends_at - sh.starts_at == timedelta(hours=6)  # the 1 AM hour happens twice
        swap = lifecycle.offer(s, hana, sh.id, "direct", CFG, target_user_id=HOST2)
        assert swap.expires_at == sh.starts_at - timedelta(hours=2)
        with pytest.raises(Conflict, match="own offer"):
            lifecycle.take(s, hana, swap.id, CFG)
        with pytest.raises(NotAllowed, match="approve"):
            lifecycle.approve(s, hugo, swap.id, CFG)
        lifecycle.take(s, hugo, swap.id, CFG)
        assert sh.person_id == hana.id
        lifecycle.approve(s, person(s, ADMIN), swap.id, CFG)
        s.refresh(sh)
        assert sh.person_id == hugo.id and sh.state == "confirmed"
