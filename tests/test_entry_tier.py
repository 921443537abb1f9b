"""A person given the host role gets the entry host tier, so they can be assigned at once; and refusals that have
a fix name the command that fixes it (issue 13 §6)."""

from __future__ import annotations

import pytest
from conftest import ADMIN, HOST
from schedule_helpers import RULES, all_week, new_session, person, seed
from sqlalchemy import select

from bot.db.models import AuditRecord
from bot.services import people
from bot.services.schedule import calendar, catalog
from bot.services.errors import OpsError


def test_a_new_host_gets_the_entry_tier_and_can_be_assigned(db):
    seed(db)
    with db.transaction() as s:
        admin = person(s, ADMIN, "associate")
        hana, granted = people.add_role(s, admin, HOST, "host")
        hana.display_name = "Hana Host"
        assert granted and catalog.host_tier_of(s, hana).name == "Rookie"  # the lowest host tier
        all_week(s, hana)
        live = new_session(s, "2026-11-18", "10:00", "12:00", tier="C")  # C needs Rookie
        calendar.assign(s, "cli", live.id, {"host": HOST}, RULES)
        assert calendar.slot(live, "host").person.slack_user_id == HOST
        actions = [a.action for a in s.scalars(select(AuditRecord).where(AuditRecord.entity_type == "person"))]
        assert "schedule.host_tier_set" in actions


def test_granting_host_again_or_to_a_tiered_host_keeps_their_tier(db):
    seed(db)
    with db.transaction() as s:
        lead = person(s, HOST, tier="Lead")
        people.grant(s, lead, "host", actor="test")
        assert catalog.host_tier_of(s, lead).name == "Lead"
        assert people.bootstrap_roles(s, {"host": ["UHOSTENV1"]}) == 1  # the environment's floor grants the same way
        assert catalog.host_tier_of(s, people.get(s, "UHOSTENV1")).name == "Rookie"


def test_tier_refusal_names_the_command_that_fixes_it(db):
    seed(db)
    with db.transaction() as s:
        hana = person(s, HOST, "host", name="hana")
        all_week(s, hana)
        live = new_session(s, "2026-11-18", "10:00", "12:00", tier="A")  # A needs Lead
        with pytest.raises(OpsError) as e:
            calendar.assign(s, "cli", live.id, {"host": HOST}, RULES)
    said = " ".join([e.value.message, *getattr(e.value, "fields", {}).values()])
    assert "needs Lead or above" in said and "`/schedule tier @hana Lead`" in said, said


def test_role_refusals_name_the_command(db):
    seed(db)
    with db.transaction() as s:
        nobody = person(s, "UNOBODY1", name="nia")
        with pytest.raises(OpsError) as e:
            people.add_role(s, nobody, HOST, "host")
        assert "`/ops role add @nia associate`" in e.value.message
        admin = person(s, ADMIN, "associate", name="ava")
        with pytest.raises(OpsError) as e:
            people.remove_role(s, admin, ADMIN, "associate")
        assert "`/ops role add @name associate`" in e.value.message


def test_time_off_refusal_names_the_command_that_changes_it(db):
    from datetime import date

    from freezegun import freeze_time

    from bot.services.schedule import availability

    seed(db)
    with freeze_time("2026-11-10 12:00:00"), db.transaction() as s:
        hana = person(s, HOST, "host", name="hana")
        all_week(s, hana)
        availability.add_time_off(s, hana, hana, date(2026, 11, 18), date(2026, 11, 18), "exam", RULES)
        live = new_session(s, "2026-11-18", "10:00", "12:00", tier="C")
        with pytest.raises(OpsError) as e:
            calendar.assign(s, "cli", live.id, {"host": HOST}, RULES)
    said = " ".join([e.value.message, *getattr(e.value, "fields", {}).values()])
    assert "has time off" in said and "`/availability @hana`" in said, said
