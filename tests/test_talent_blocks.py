"""Every talent view and message at the largest realistic size, validated by slack_sdk (via the stub's checks)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import ADMIN, HOST, LEADER
from schedule_helpers import LA
from slack_stub import block_problems, view_problems
from sqlalchemy import select
from talent_helpers import REVIEWER, team

from bot import clock
from bot.blocks import talent as blocks
from bot.blocks import talent_notices as notes
from bot.db.models import Person, PersonRole
from bot.db.talent import STAGES, Candidate, CandidateEvent, OnboardingItem, TierProposal
from bot.services import people
from bot.services.talent import auditions, casting, feedback, onboarding

LONG = "Ŵ" * 200  # long names in a script that is not ASCII


@pytest.fixture
def big(db):
    team(db)
    with db.transaction() as s:
        admin = people.get(s, ADMIN)
        for i in range(300):
            s.add(Candidate(name=LONG, handle=f"c{i}", email=f"c{i}@x.test", source="creator_marketplace", link="https://x.test/" + "a" * 400,
                            languages=LONG, notes=LONG * 10, stage=STAGES[i % 7], created_at=clock.now(), created_by=ADMIN,
                            updated_at=clock.now()))
        s.flush()
        first = s.scalars(select(Candidate).where(Candidate.stage == "screened")).first()
        for i in range(60):
            s.add(CandidateEvent(candidate_id=first.id, at=clock.now(), actor=ADMIN, from_stage="sourced", to_stage="screened",
                                 reason=LONG * 2))
        start = clock.now() + timedelta(days=2)
        for i in range(6):
            auditions.schedule(s, admin, first.id, start + timedelta(hours=i), start + timedelta(hours=i, minutes=30), LONG[:100],
                               [LEADER, REVIEWER, ADMIN, HOST], LA)
        for i in range(60):
            p = Person(slack_user_id=f"UBIG{i:05d}", display_name=LONG, created_at=clock.now())
            s.add(p)
            s.flush()
            s.add(PersonRole(person_id=p.id, role="host", granted_at=clock.now()))
            onboarding.start(s, p, date(2026, 1, 1), actor=ADMIN)
        for i in range(30):
            feedback.add(s, admin, feedback.FeedbackInput(HOST, LONG * 14, LONG * 14, "1:00:00"))
        return first.id


def test_the_casting_views_at_their_largest(db, big):
    today = date.today()
    with db.transaction() as s:
        admin = people.get(s, ADMIN)
        by_stage = casting.pipeline(s, admin)
        views = [blocks.pipeline_modal(by_stage, 0, notice=LONG * 20), blocks.candidate_modal(),
                 blocks.candidate_detail(s.get(Candidate, big), casting.allowed_moves(s.get(Candidate, big)),
                                         auditions.for_candidate(s, big), LA, today),
                 blocks.audition_modal(s.get(Candidate, big), today, LONG, auditions.booked(s, clock.now()), LA),
                 blocks.template_modal(onboarding.template_text(onboarding.template(s)) * 3),
                 blocks.progress_modal(onboarding.progress(s, admin, today), today),
                 blocks.feedback_modal(HOST, feedback.recent_sessions(s), None, LA, "n"),
                 blocks.feedback_history_modal(LONG, feedback.history(s, admin, people.get(s, HOST))),
                 blocks.decide_modal(1, False), blocks.done_modal("Done", LONG * 20)]
        aud = auditions.for_candidate(s, big)[0]
        views.append(blocks.score_modal(aud, LA))
        for uid in (LEADER, REVIEWER, ADMIN):
            auditions.submit(s, people.get(s, uid), aud.id, {c: 5 for c in ("energy", "product", "selling", "compliance",
                                                                            "reliability")}, LONG * 10)
        views.append(blocks.scorecard_modal(auditions.scorecard(s, admin, aud.id), LA))
        host = s.scalars(select(Person).where(Person.slack_user_id == "UBIG00001")).one()
        views.append(blocks.checklist_modal(host.name, host.id, onboarding.checklist(s, admin, host), today))
        for view in views:
            assert view_problems(view) == [], view.get("title")
            assert len(view["blocks"]) <= 100


def test_the_talent_messages_at_their_largest(db, big):
    with db.transaction() as s:
        aud = auditions.for_candidate(s, big)[0]
        items = list(s.scalars(select(OnboardingItem)))[:300]
        fb = feedback.history(s, people.get(s, ADMIN), people.get(s, HOST))[0]
        prop = TierProposal(person_id=people.get(s, HOST).id, week="2026-W49", kind="promote", from_tier="Rookie",
                            to_tier="Core", numbers={"sessions": 10 ** 9, "conversion": 0.5}, reasons=[LONG * 3] * 40,
                            status="pending", created_at=clock.now())
        s.add(prop)
        s.flush()
        made = [prop] + [TierProposal(person_id=people.get(s, HOST).id, week="2026-W49", kind="hold", from_tier=LONG[:40],
                                      numbers={}, reasons=[LONG * 5], status="noted", created_at=clock.now())
                         for _ in range(200)]
        for p in made[1:]:
            p.person = people.get(s, HOST)
        messages = [notes.audition_invite(aud, tz=LA), notes.audition_reminder(aud, tz=LA),
                    notes.audition_cancelled(aud, tz=LA), notes.welcome(LONG, start_on=date(2026, 1, 1)),
                    notes.onboarding_nudge(items=items, today=date(2026, 12, 1), own=False),
                    notes.feedback(fb, metrics=None), notes.tier_proposal(prop), notes.tier_evaluation("2026-W49", made)]
        for text, bl in messages:
            assert block_problems(bl, 50) == [], text[:60]
            assert len(text) <= 4000
        s.rollback()


def test_role_parts_never_pass_their_budget():
    from bot.blocks.home import role_blocks
    from bot.services.talent.home import AssociatePart, Home, LegalPart

    legal = LegalPart(briefs=[])
    assoc = AssociatePart(sessions=[], on_set=[], pending_swaps=0, escalations=[], briefs_waiting=0, candidates={}, overdue=[])
    home = Home(associate=assoc, legal=legal)
    for budget in range(0, 30):
        assert len(role_blocks(home, LA, date(2026, 12, 1), budget)) <= max(budget, 1)
