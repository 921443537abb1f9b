"""Onboarding checklists: the editable template, owners and due dates from the start date, ticks (the host only
their own items), the daily overdue nudge exactly once (the job and the service), and the hire becoming active."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ADMIN, HOST, HOST2, PA
from freezegun import freeze_time
from sqlalchemy import select
from talent_helpers import add_candidate, team

from bot.db.models import OutboxMessage
from bot.db.talent import Candidate, OnboardingItem
from bot.jobs.base import run_post
from bot.jobs.registry import all_jobs
from bot.runtime import Runtime
from bot.services import people
from bot.services.errors import Invalid, NotAllowed
from bot.services.talent import casting, onboarding

START = date(2026, 12, 7)


@pytest.fixture
def hired(db):
    """HOST2 hired through the pipeline, starting Monday 2026-12-07."""
    team(db)
    cid = add_candidate(db, name="Hugo", handle="hugo.live", email="hugo@studio.test")
    with db.transaction() as s:
        people.get(s, HOST2).email = "hugo@studio.test"
        actor = people.get(s, ADMIN)
        casting.move(s, actor, cid, "offer")
        casting.move(s, actor, cid, "onboarding", start_on=START, tz_today=date(2026, 12, 1))
    return cid


def _items(db, uid=HOST2):
    with db.read() as s:
        p = people.get(s, uid)
        return {i.key: (i.owner, i.due_on, i.done_at is not None) for i in s.scalars(select(OnboardingItem).where(OnboardingItem.person_id == p.id))}


def test_checklist_from_the_template_with_owners_and_due_dates(db, hired):
    items = _items(db)
    assert items["contract_sent"] == ("associate", date(2026, 12, 2), False)
    assert items["tax_form"] == ("host", START, False)
    assert items["first_solo_live"] == ("associate", date(2026, 12, 21), False)


def test_the_associate_edits_the_template_for_new_hires(db, hired):
    with db.transaction() as s:
        actor = people.get(s, ADMIN)
        with pytest.raises(NotAllowed):
            onboarding.edit_template(s, people.get(s, HOST), "host, +1, Anything")
        with pytest.raises(Invalid, match="Line 2"):
            onboarding.edit_template(s, actor, "host, +1, Ok\nnobody, 3, Bad")
        items = onboarding.edit_template(s, actor, "associate, -3, Contract sent\nhost, +2, Camera test\n\n")
        assert [(i.key, i.owner, i.due_days) for i in items] == [("contract_sent", "associate", -3), ("camera_test", "host", 2)]
        assert onboarding.start(s, people.get(s, HOST), START, actor=ADMIN) == 2
    assert len(_items(db)) == 8  # a checklist already started keeps its items
    assert set(_items(db, HOST)) == {"contract_sent", "camera_test"}


def test_hosts_tick_their_own_items_only_and_the_last_tick_makes_the_hire_active(db, hired):
    with db.transaction() as s:
        mine = {i.key: i.id for i in s.scalars(select(OnboardingItem))}
        host2, host, admin = people.get(s, HOST2), people.get(s, HOST), people.get(s, ADMIN)
        with pytest.raises(NotAllowed, match="the associate's to tick"):
            onboarding.tick(s, host2, mine["contract_sent"])
        with pytest.raises(NotAllowed, match="your own onboarding checklist"):
            onboarding.tick(s, host, mine["tax_form"])
        with pytest.raises(NotAllowed):
            onboarding.checklist(s, host, host2)
        assert onboarding.tick(s, host2, mine["tax_form"]).done_by == HOST2
        assert onboarding.tick(s, host2, mine["tax_form"]).done_at is not None  # a double click
        for key, item_id in mine.items():
            onboarding.tick(s, admin if key != "tax_form" else host2, item_id)
        assert s.get(Candidate, hired).stage == "active"
        assert [e.reason for e in s.get(Candidate, hired).events][-1] == "onboarding checklist complete"


def _nudges(db):
    with db.read() as s:
        return [(m.channel, m.payload["text"]) for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
                if m.payload.get("notice") == "talent.onboarding_nudge"]


def test_overdue_items_nudge_their_owner_once_a_day(db, hired, db_url):
    from conftest import make_settings

    rt = Runtime.build(make_settings(db_url), db)
    spec = all_jobs(rt.settings)["onboarding-nudges"]
    with freeze_time("2026-12-08 17:00:00"):  # Tue 09:00: contract sent (12-02), signed (12-05), tax + payment (12-07) overdue
        assert "4 overdue" in run_post(rt, spec, "2026-12-08")
        assert "already posted" in run_post(rt, spec, "2026-12-08")
        with db.transaction() as s:  # even outside the job (a second leader, a forced run), the items were claimed today
            assert onboarding.nudge_overdue(s, date(2026, 12, 8), [ADMIN]) == 0
    sent = _nudges(db)
    assert sorted(c for c, _ in sent) == [ADMIN, HOST2]
    assert any("items of yours are overdue: 3" in t for c, t in sent if c == HOST2)
    with freeze_time("2026-12-09 17:00:00"):
        assert "4 overdue" in run_post(rt, spec, "2026-12-09")  # the next day: once more
    assert len(_nudges(db)) == 4


def test_progress_for_the_associate_only(db, hired):
    with db.transaction() as s:
        rows = onboarding.progress(s, people.get(s, ADMIN), date(2026, 12, 8))
        assert [(r.person.slack_user_id, r.done, r.total, len(r.overdue)) for r in rows] == [(HOST2, 0, 8, 4)]
        with pytest.raises(NotAllowed):
            onboarding.progress(s, people.get(s, PA), date(2026, 12, 8))
