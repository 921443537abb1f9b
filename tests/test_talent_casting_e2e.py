"""The casting pipeline over signed HTTP: /casting, the add form, duplicates, moves with reasons, hiring, team_join."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from conftest import ADMIN, HOST, LEADER, PA
from freezegun import freeze_time
from slack_stub import view_problems
from sqlalchemy import select
from talent_helpers import add_candidate, eventually, state, team

from bot import clock
from bot.db.models import Person
from bot.db.schedule import PersonHostTier
from bot.db.talent import Candidate, OnboardingItem
from bot.timefmt import local_date


@pytest.fixture
def world(server, db):
    team(db)
    server.drain()
    server.stub.clear()
    return server


@pytest.mark.parametrize("user", [HOST, PA])
def test_casting_is_refused_for_others_with_a_reason(world, user):
    status, body = world.command("/casting", "", user)
    assert status == 200 and "Only Associate (admin) or Leadership can use the casting pipeline" in body["text"]
    assert world.stub.calls_to("views.open") == []


def test_associate_adds_a_candidate_and_a_duplicate_is_refused(world, db):
    status, _ = world.command("/casting", "", ADMIN)
    assert status == 200
    [opened] = world.stub.wait_for("views.open")
    assert "Casting pipeline" in json.dumps(opened.params["view"])
    form = state(name="Mia Moreno", handle="@mia.sells", email="mia@example.com", source=("select", "referral"),
                 link="https://tiktok.com/@mia.sells", languages="English, Spanish", notes="<!channel> great energy")
    status, body = world.slack.submit("talent_candidate_submit", ADMIN, form)
    assert status == 200 and body["response_action"] == "update"
    assert view_problems(body["view"]) == []
    shown = json.dumps(body["view"])
    assert "Mia Moreno" in shown and "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    status, body = world.slack.submit("talent_candidate_submit", ADMIN, {**form, "name": {"value": {"type": "plain_text_input", "value": "Copy"}}})
    assert body["response_action"] == "errors"
    assert "already in the pipeline: #" in json.dumps(body["errors"])
    with db.read() as s:
        assert [c.name for c in s.scalars(select(Candidate))] == ["Mia Moreno"]


def test_moves_keep_who_when_and_why_and_an_accepted_offer_hires(world, db, stub):
    cid = add_candidate(db, email="newbie@example.com", handle="newbie", name="Newbie")
    meta = json.dumps({"candidate": cid})
    for stage in ("screened", "offer"):
        status, body = world.slack.submit("talent_move_submit", LEADER, state(stage=("select", stage), reason="ok"),
                                          private_metadata=meta)
        assert body["response_action"] == "update", body
    status, body = world.slack.submit("talent_move_submit", ADMIN, state(stage=("select", "declined")), private_metadata=meta)
    assert body["response_action"] == "errors" and "reason" in body["errors"]
    start = (local_date(clock.now(), world.rt.tz) + timedelta(days=7)).isoformat()
    status, body = world.slack.submit("talent_move_submit", ADMIN,
                                      state(stage=("select", "onboarding"), reason="accepted", start=("date", start)),
                                      private_metadata=meta)
    assert body["response_action"] == "update"
    assert "Linked to their Slack user by email as soon as they join" in json.dumps(body["view"])
    # They join the workspace: the team_join event links them by email, with the host role, the entry tier and a checklist
    stub.users["UNEWBIE01"] = {"real_name": "New Bie", "display_name": "newbie", "email": "newbie@example.com"}
    status, _ = world.slack.event({"type": "team_join", "user": {"id": "UNEWBIE01", "name": "newbie", "tz": "America/Los_Angeles",
                                                                  "profile": {"email": "NewBie@example.com", "real_name": "New Bie"}}})
    assert status == 200

    def linked():
        with db.read() as s:
            return s.get(Candidate, cid).person_id
    eventually(linked)
    world.drain()
    [welcome] = [c for c in stub.wait_for("chat.postMessage") if "Welcome to the studio" in c.params["text"]]
    assert welcome.params["channel"] in ("UNEWBIE01", "D_UNEWBIE01") or welcome.params["channel"].startswith("D")
    with db.read() as s:
        cand = s.get(Candidate, cid)
        person = s.scalars(select(Person).where(Person.slack_user_id == "UNEWBIE01")).one()
        assert cand.person_id == person.id and "host" in person.role_names
        assert s.get(PersonHostTier, person.id).tier.name == "Rookie"
        assert len(s.scalars(select(OnboardingItem).where(OnboardingItem.person_id == person.id)).all()) == 8
        assert [(e.to_stage, e.actor) for e in cand.events] == [
            ("sourced", ADMIN), ("screened", LEADER), ("offer", LEADER), ("onboarding", ADMIN)]


def test_first_contact_links_a_hire_whose_email_matches(world, db, stub):
    cid = add_candidate(db, email="walkin@example.com", handle="walkin", name="Walk In")
    with db.transaction() as s:
        from bot.services import people
        from bot.services.talent import casting

        actor = people.get(s, ADMIN)
        casting.move(s, actor, cid, "offer")
        casting.move(s, actor, cid, "onboarding", start_on=local_date(clock.now(), world.rt.tz), tz_today=local_date(clock.now(), world.rt.tz))
    stub.users["UWALKIN01"] = {"real_name": "Walk In", "display_name": "walkin", "email": "walkin@example.com"}
    world.slack.event({"type": "app_home_opened", "user": "UWALKIN01", "tab": "home"})
    world.stub.wait_for("views.publish")

    def linked():
        with db.read() as s:
            cand = s.get(Candidate, cid)
            return cand.person.slack_user_id if cand.person else None
    assert eventually(linked) == "UWALKIN01"


def test_search_opens_one_candidate_and_the_pipeline_caps_long_stages(world, db):
    for n in range(30):
        add_candidate(db, name=f"Cand {n:02d}", handle=f"cand{n:02d}", email=None)
    world.command("/casting", "", ADMIN)
    [opened] = world.stub.wait_for("views.open")
    view = opened.params["view"]
    assert view_problems(view) == [] and "and 24 more sourced" in json.dumps(view)
    world.command("/casting", "@cand07", ADMIN)
    opened = world.stub.wait_for("views.open", count=2)[-1]
    assert "Candidate #" in opened.params["view"]["title"]["text"]


@freeze_time("2026-12-01 18:00:00", tick=True)
def test_the_add_form_opens_from_the_pipeline(world):
    world.slack.action("talent_add", None, ADMIN, view={"id": "VCAST", "type": "modal"})
    [pushed] = world.stub.wait_for("views.push")
    assert pushed.params["view"]["callback_id"] == "talent_candidate_submit"
    assert view_problems(pushed.params["view"]) == []


def test_closed_candidates_are_listed_with_their_reason(world, db):
    cid = add_candidate(db)
    world.slack.submit("talent_move_submit", ADMIN, state(stage=("select", "declined"), reason="camera-shy"),
                       private_metadata=json.dumps({"candidate": cid}))
    world.command("/casting", "closed", ADMIN)
    [opened] = world.stub.wait_for("views.open")
    shown = json.dumps(opened.params["view"])
    assert "Declined* \\u00b7 1" in shown and "camera-shy" in shown and view_problems(opened.params["view"]) == []


def test_the_associate_corrects_a_candidate_and_duplicates_stay_refused(world, db):
    cid = add_candidate(db)
    add_candidate(db, name="Other", handle="other.one", email="other@example.com")
    world.slack.action("talent_candidate_edit_open", str(cid), ADMIN, view={"id": "VC", "type": "modal"})
    [pushed] = world.stub.wait_for("views.push")
    view = pushed.params["view"]
    assert view["callback_id"] == "talent_candidate_edit" and view_problems(view) == []
    assert view["blocks"][1]["element"]["initial_value"] == "@mia.sells"
    meta = view["private_metadata"]
    form = state(name="Mia Moreno", handle="@mia.sells", email="OTHER@example.com", source=("select", "referral"))
    _, body = world.slack.submit("talent_candidate_edit", ADMIN, form, private_metadata=meta)
    assert body["response_action"] == "errors" and "already in the pipeline: #2 Other" in body["errors"]["email"]
    form = state(name="Mia Moreno", handle="@mia.sells", email="mia.m@example.com", source=("select", "agency"))
    _, body = world.slack.submit("talent_candidate_edit", ADMIN, form, private_metadata=meta)
    assert body["response_action"] == "update"
    _, body = world.slack.submit("talent_candidate_edit", HOST, form, private_metadata=meta)
    assert "Only Associate" in json.dumps(body)
    with db.read() as s:
        cand = s.get(Candidate, cid)
        assert (cand.email, cand.source) == ("mia.m@example.com", "agency")
