"""Casting pipeline services: candidates, duplicates, stages with reasons and history, hiring and linking."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ADMIN, HOST, LEADER, PA
from sqlalchemy import select
from talent_helpers import add_candidate, team

from bot.db.models import AuditRecord, Person
from bot.db.schedule import PersonHostTier
from bot.db.talent import Candidate, OnboardingItem
from bot.services import people
from bot.services.errors import Conflict, Invalid, NotAllowed
from bot.services.talent import casting


@pytest.fixture
def world(db):
    team(db)
    return db


def test_only_associate_and_leadership_use_the_pipeline(world):
    with world.transaction() as s:
        for uid in (HOST, PA):
            with pytest.raises(NotAllowed, match="Only Associate"):
                casting.add(s, people.get(s, uid), casting.CandidateInput(name="X", handle="xx"))
        cand = casting.add(s, people.get(s, LEADER), casting.CandidateInput(name="Lia", handle="@Lia.Live", source="agency"))
        assert cand.handle == "lia.live" and cand.stage == "sourced" and cand.events[0].to_stage == "sourced"
    with world.read() as s:
        assert s.scalars(select(Candidate)).all() and len(s.scalars(select(Candidate)).all()) == 1


def test_duplicate_handle_or_email_is_refused_with_a_pointer(world):
    first = add_candidate(world)
    with world.transaction() as s:
        actor = people.get(s, ADMIN)
        with pytest.raises(Invalid, match=f"#{first} Mia Moreno") as exc:
            casting.add(s, actor, casting.CandidateInput(name="Other", handle="@MIA.sells"))
        assert "TikTok handle" in exc.value.message and "handle" in exc.value.fields
        with pytest.raises(Invalid, match="email"):
            casting.add(s, actor, casting.CandidateInput(name="Other", handle="other", email="MIA@example.com"))
    with world.read() as s:
        assert len(s.scalars(select(Candidate)).all()) == 1


@pytest.mark.parametrize("field, value", [("handle", "bad handle!"), ("email", "not-an-email"), ("link", "javascript:x"),
                                          ("source", "tv"), ("name", "")])
def test_bad_input_is_refused_on_its_field(world, field, value):
    data = {"name": "Ok", "handle": "okay", "email": None, "source": "inbound", "link": None, field: value}
    with world.transaction() as s:
        with pytest.raises(Invalid) as exc:
            casting.add(s, people.get(s, ADMIN), casting.CandidateInput(**data))
    assert field in exc.value.fields


def test_stages_move_forward_with_history_and_closing_needs_a_reason(world):
    cid = add_candidate(world)
    with world.transaction() as s:
        actor = people.get(s, ADMIN)
        casting.move(s, actor, cid, "screened", "good reel")
        casting.move(s, actor, cid, "screened")  # a double click: nothing more
        with pytest.raises(Conflict, match="from there they can go to"):
            casting.move(s, actor, cid, "sourced")
        with pytest.raises(Invalid, match="Say why"):
            casting.move(s, actor, cid, "withdrawn")
        cand = casting.move(s, actor, cid, "withdrawn", "took another job")
        assert cand.stage == "withdrawn" and cand.reason == "took another job"
        assert [(e.from_stage, e.to_stage, e.actor) for e in cand.events] == [
            (None, "sourced", ADMIN), ("sourced", "screened", ADMIN), ("screened", "withdrawn", ADMIN)]
        assert cand.events[2].reason == "took another job"
        assert casting.allowed_moves(cand) == ["sourced", "screened"]
    with world.read() as s:
        actions = [a.action for a in s.scalars(select(AuditRecord).where(AuditRecord.entity_type == "candidate"))]
        assert actions.count("talent.candidate_moved") == 2


def test_accepted_offer_makes_a_host_with_entry_tier_and_checklist_when_the_email_is_known(world):
    with world.transaction() as s:
        fresh = people.get_or_create(s, "UNEWHOST1")
        fresh.email = "newbie@example.com"
    cid = add_candidate(world, name="Newbie", handle="newbie", email="newbie@example.com")
    with world.transaction() as s:
        actor = people.get(s, ADMIN)
        casting.move(s, actor, cid, "offer")
        with pytest.raises(Invalid, match="start date"):
            casting.move(s, actor, cid, "onboarding", "accepted")
        cand = casting.move(s, actor, cid, "onboarding", "accepted", start_on=date(2026, 12, 14), tz_today=date(2026, 12, 3))
        assert cand.person.slack_user_id == "UNEWHOST1"
        assert "host" in cand.person.role_names
        assert s.get(PersonHostTier, cand.person.id).tier.name == "Rookie"  # the entry tier, never "no tier"
        items = s.scalars(select(OnboardingItem).where(OnboardingItem.person_id == cand.person.id)).all()
        assert len(items) == 8 and {i.due_on for i in items if i.key == "first_solo_live"} == {date(2026, 12, 28)}


def test_hire_without_a_slack_user_is_linked_when_they_join(world):
    cid = add_candidate(world, name="Joiner", handle="joiner", email="joiner@example.com")
    with world.transaction() as s:
        actor = people.get(s, ADMIN)
        casting.move(s, actor, cid, "offer")
        cand = casting.move(s, actor, cid, "onboarding", None, start_on=date(2026, 12, 14), tz_today=date(2026, 12, 3))
        assert cand.person_id is None
    with world.transaction() as s:
        joined = people.get_or_create(s, "UJOINER01")
        people.apply_profile(s, joined, {"profile": {"email": "Joiner@Example.com", "real_name": "Joiner"}})
        assert casting.link_person(s, joined).id == cid
        assert casting.link_person(s, joined) is None  # already linked: nothing twice
    with world.read() as s:
        p = s.scalars(select(Person).where(Person.slack_user_id == "UJOINER01")).one()
        assert "host" in p.role_names and s.get(PersonHostTier, p.id).tier.name == "Rookie"
        assert len(s.scalars(select(OnboardingItem).where(OnboardingItem.person_id == p.id)).all()) == 8


def test_search_and_counts(world):
    add_candidate(world)
    add_candidate(world, name="Zed", handle="zed", email=None)
    with world.transaction() as s:
        actor = people.get(s, ADMIN)
        assert [c.name for c in casting.search(s, actor, "@zed")] == ["Zed"]
        assert casting.stage_counts(s) == {"sourced": 2}
        assert casting.search(s, actor, "9" * 40) == []


def test_two_people_adding_the_same_candidate_at_once_make_one(world):
    import threading

    results: list[str] = []
    barrier = threading.Barrier(4)

    def add(n: int) -> None:
        barrier.wait()
        try:
            with world.transaction() as s:
                casting.add(s, people.get(s, ADMIN), casting.CandidateInput(name=f"Twin {n}", handle="twin.live"))
            results.append("added")
        except (Invalid, Conflict) as exc:
            results.append(exc.message)
        except Exception as exc:  # SQLite: a writer waiting past the busy timeout
            results.append(type(exc).__name__)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("added") == 1, results
    assert all("already in the pipeline" in r or r == "added" for r in results), results
    with world.read() as s:
        assert len(s.scalars(select(Candidate)).all()) == 1
