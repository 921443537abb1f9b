"""App Home for every role: what each sees, the host ticking their checklist, a debounced refresh when the data
changes, and the largest realistic studio staying inside Block Kit's limits (validated by slack_sdk)."""

from __future__ import annotations

import json
import threading
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from conftest import ADMIN, HOST, HOST2, LEADER, LEGAL, PA, serve
from schedule_helpers import RULES, new_session
from slack_stub import view_problems
from sqlalchemy import select
from talent_helpers import add_candidate, eventually, team

from bot import clock
from bot.db.briefs import Brief
from bot.db.creators import Campaign, Creator, Deliverable
from bot.db.escalations import Escalation
from bot.db.models import Person, PersonRole, PostedMessage, Shift
from bot.db.payroll import Invoice
from bot.db.talent import OnboardingItem, TierProposal
from bot.handlers.home import HomeRefresher
from bot.services import outbox, people
from bot.services.creators.deliverables import payment_key
from bot.services.payroll.invoices import card_key
from bot.services.talent import casting, feedback, onboarding
from bot.timefmt import local_date


def _home(server, user):
    n = len(server.stub.calls_to("views.publish"))
    server.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
    view = server.stub.wait_for("views.publish", count=n + 1)[-1].params["view"]
    assert view_problems(view) == []
    return view, json.dumps(view, ensure_ascii=False)


def _hire(db, uid=HOST2):
    cid = add_candidate(db, name="Hugo", handle="hugo.live", email="hugo@studio.test")
    today = local_date(clock.now(), RULES.tz)
    with db.transaction() as s:
        people.get(s, uid).email = "hugo@studio.test"
        actor = people.get(s, ADMIN)
        casting.move(s, actor, cid, "offer")
        casting.move(s, actor, cid, "onboarding", start_on=today - timedelta(days=1), tz_today=today)
    return cid


@pytest.fixture
def world(server, db):
    team(db)
    return server


def test_each_role_sees_its_part(world, db):
    _hire(db)
    with db.transaction() as s:
        feedback.add(s, people.get(s, ADMIN), feedback.FeedbackInput(HOST2, "Great hook", "Slow the CTA"))
        s.add(Escalation(summary="Stream down", severity=1, affected="stream", reporter=HOST, status="open",
                         escalated_at=clock.now(), idempotency_key="e1"))
        outbox.post(s, "C0LEAD", "Scorecard 2026-W48: GMV $10,000 (+12% week over week)", key="scorecard:2026-W48")
    _, host = _home(world, HOST2)
    assert "Onboarding checklist* · 0/8 done" in host and "Tax form (W-9) returned" in host
    assert "Latest feedback" in host and "Great hook" in host and "*Tier:* Rookie" in host
    assert "Sessions hosted: 0 (for Core: ≥ 8)" in host and "the associate's" in host
    _, pa = _home(world, PA)
    assert "Today's run-of-show" in pa and "No sessions for you today" in pa and "Onboarding checklist" not in pa
    _, assoc = _home(world, ADMIN)
    assert "Today at the studio" in assoc and "Candidates by stage" in assoc and "Onboarding 1" in assoc
    assert "SEV1 · Stream down" in assoc and "Overdue onboarding items" in assoc and "Contract sent" in assoc
    _, legal = _home(world, LEGAL)
    assert "Briefs waiting for you" in legal and "Nothing waiting" in legal and "Today at the studio" not in legal
    _, lead = _home(world, LEADER)
    assert "Last scorecard:* Scorecard 2026-W48: GMV $10,000 (+12% week over week)" in lead
    assert "For leadership" in lead and "SEV1 · Stream down" in lead and "Tier changes to decide:* 0" in lead
    assert "Great hook" not in lead + assoc + pa + legal  # feedback shows in the host's own Home only


def test_the_host_ticks_their_own_item_from_home(world, db):
    _hire(db)
    view, _ = _home(world, HOST2)
    tick = next(b for b in view["blocks"] if b.get("block_id", "").startswith("onb_"))
    item_id = tick["accessory"]["value"]
    n = len(world.stub.calls_to("views.publish"))
    world.slack.action("talent_onb_tick", item_id, HOST2, view={"id": "VHOME", "type": "home"})
    world.stub.wait_for("views.publish", count=n + 1)
    with db.read() as s:
        item = s.get(OnboardingItem, int(item_id))
        assert item.done_by == HOST2
    assert "Onboarding checklist* · 1/8 done" in json.dumps(world.stub.calls_to("views.publish")[-1].params["view"],
                                                            ensure_ascii=False)
    world.slack.action("talent_onb_tick", item_id, HOST, view={"id": "VHOME", "type": "home"})  # someone else's
    [dm] = [c for c in world.stub.wait_for("chat.postMessage", count=2) if "own onboarding" in c.params["text"]]
    assert dm.params["channel"] == HOST


def test_refresh_is_debounced_per_person():
    published: list[str] = []
    done = threading.Event()
    r = HomeRefresher(lambda uid: (published.append(uid), done.set()), delay=0.2)
    r.seen("U1")
    for _ in range(5):
        assert r.touch(["U1", "U2", None]) == 1  # U2 never opened their Home: not refreshed
    assert done.wait(2)
    time.sleep(0.3)
    assert published == ["U1"]


def test_a_change_refreshes_the_homes_that_show_it(db, stub, db_url):
    team(db)
    _hire(db)
    with serve(db, stub, db_url, home_refresh_seconds=0.2) as server:
        _home(server, HOST2)
        n = len(stub.calls_to("views.publish"))
        form = {"host": {"value": {"type": "users_select", "selected_user": HOST2}},
                "well": {"value": {"type": "plain_text_input", "value": "Nice energy"}},
                "improve": {"value": {"type": "plain_text_input", "value": "Pace"}}}
        server.slack.submit("talent_feedback_submit", ADMIN, form, private_metadata=json.dumps({"nonce": "n1"}))
        eventually(lambda: [c for c in stub.calls_to("views.publish")[n:] if "Nice energy" in json.dumps(c.params)])
        time.sleep(0.4)
        assert len(stub.calls_to("views.publish")) == n + 1  # one refresh, not one per write


def test_the_largest_realistic_studio_fits_every_role_at_once(world, db):
    """One person with every role, at a busy studio: 10 shifts, 40 sessions today, 60 open escalations, 300
    candidates, 100 overdue items, 80 briefs waiting, 40 tier proposals, text at its longest."""
    long = "W" * 200
    today = local_date(clock.now(), RULES.tz)
    with db.transaction() as s:
        me = people.get(s, HOST2)
        for role in ("pa", "associate", "legal", "leadership"):
            people.grant(s, me, role, actor=ADMIN)
        for i in range(40):
            live = new_session(s, today.isoformat(), f"{i % 12 + 8:02d}:00", f"{i % 12 + 9:02d}:00", long[:190] + str(i),
                               room=f"R{i}")
            if i < 10:
                s.add(Shift(session_id=live.id, person_id=me.id, role="pa", starts_at=live.starts_at + timedelta(days=1),
                            ends_at=live.ends_at + timedelta(days=1), created_at=clock.now()))
        for i in range(60):
            s.add(Escalation(summary=long[:150], severity=1 + i % 4, affected="stream", reporter=HOST, status="open",
                             escalated_at=clock.now(), idempotency_key=f"big{i}"))
        for i in range(80):
            s.add(Brief(title=long, kind="talk_track", submitter=HOST, status="pending", current_version=1,
                        due_at=clock.now() + timedelta(days=i % 9), created_at=clock.now(), updated_at=clock.now()))
        for i in range(300):
            s.add(casting.Candidate(name=long, handle=f"c{i}", source="inbound", stage=casting.STAGES[i % 7],
                                    created_at=clock.now(), created_by=ADMIN, updated_at=clock.now()))
        for i in range(40):
            p = Person(slack_user_id=f"UBIG{i:05d}", display_name=long, created_at=clock.now())
            s.add(p)
            s.flush()
            s.add(PersonRole(person_id=p.id, role="host", granted_at=clock.now()))
            onboarding.start(s, p, today - timedelta(days=30), actor=ADMIN)
            s.add(TierProposal(person_id=p.id, week="2026-W49", kind="promote", from_tier="Rookie", to_tier="Core",
                               numbers={}, reasons=[long] * 10, status="pending", created_at=clock.now()))
        onboarding.start(s, me, today - timedelta(days=2), actor=ADMIN)
        for i in range(30):
            feedback.add(s, people.get(s, ADMIN), feedback.FeedbackInput(HOST2, long * 14, long * 14, "1:00:00"))
        _payments_at_their_longest(s, long)
    view, text = _home(world, HOST2)
    assert len(view["blocks"]) <= 100
    for part in ("Your onboarding", "Today's run-of-show", "Today at the studio", "Briefs waiting", "For leadership"):
        assert part in text
    print(f"largest Home: {len(view['blocks'])} blocks, {len(json.dumps(view))} bytes")
    assert "and 55 more: the escalation channel" in text  # 60 open, 5 shown (the associate's part)
    assert "and 25 more: the escalation channel" in text  # 30 SEV1/SEV2, 5 shown (leadership's part)
    assert "and 29 more: *All feedback*" in text and "and 32 more: `/schedule`" in text
    assert "and 70 more: the legal channel (oldest first)" in text
    assert "and 35 more: the leadership channel" in text
    assert "*Invoices to approve:* 50" in text and "*Creator payments to approve:* 50" in text
    assert text.count("and 45 more: the cards in the leadership channel, oldest first") == 2
    assert "*Invoices approved, not marked paid:* 30" in text and "and 25 more: the weekly invoice digest" in text
    assert text.count("https://slack.com/archives/C0LEAD/p") == 10


def _payments_at_their_longest(s, long):
    """50 invoices waiting (the largest numbers and names), 30 approved not paid, 50 creator payments waiting;
    every waiting card remembered in the leadership channel."""
    now = clock.now()
    for i in range(80):
        p = Person(slack_user_id=f"UINV{i:05d}", display_name=long, created_at=now)
        s.add(p)
        s.flush()
        inv = Invoice(person_id=p.id, number=("N" * 57) + f"{i:03d}", period_start=date(2026, 10, 4),
                      period_end=date(2026, 10, 17), amount=Decimal("999999.99"), expected=Decimal("0.01"), version=100,
                      status="submitted" if i < 50 else "approved", submitted_by=ADMIN, submitted_at=now)
        s.add(inv)
        s.flush()
        s.add(PostedMessage(key=card_key(inv.id, 100), channel="C0LEAD", ts=f"1700000000.{i:06d}", claimed_at=now,
                            updated_at=now))
    camp = Campaign(name=long, starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30), owner=ADMIN, created_at=now,
                    updated_at=now)
    s.add(camp)
    s.flush()
    for i in range(50):
        c = Creator(name=long, handle=f"{'h' * 60}{i:02d}", status="active", flat_fee_cents=99_999_999, created_at=now,
                    updated_at=now)
        s.add(c)
        s.flush()
        d = Deliverable(campaign_id=camp.id, creator_id=c.id, kind="cohost", due_on=date(2026, 11, 10), status="posted",
                        links=[], steps={}, posted_at=now, created_at=now, updated_at=now)
        s.add(d)
        s.flush()
        s.add(PostedMessage(key=payment_key(d.id), channel="C0LEAD", ts=f"1700000001.{i:06d}", claimed_at=now,
                            updated_at=now))


def test_any_change_refreshes_the_associate_home_once(db, stub, db_url):
    team(db)
    with serve(db, stub, db_url, home_refresh_seconds=0.2) as server:
        _, before = _home(server, ADMIN)
        assert "On set now:* nobody" in before
        n = len(stub.calls_to("views.publish"))
        server.command("/checkin", "", HOST)
        server.command("/checkin", "", PA)
        got = eventually(lambda: [c for c in stub.calls_to("views.publish")[n:]
                                  if "On set now:* hana, pat" in json.dumps(c.params, ensure_ascii=False)])
        time.sleep(0.4)
        assert len(stub.calls_to("views.publish")) == n + 1 and got[0].params["user_id"] == ADMIN


def test_the_associate_ticks_their_items_from_onboarding_progress(world, db):
    _hire(db)
    world.command("/casting", "onboarding", ADMIN)
    [opened] = world.stub.wait_for("views.open")
    row = next(b for b in opened.params["view"]["blocks"] if b.get("accessory", {}).get("action_id") == "talent_onb_person")
    world.slack.action("talent_onb_person", row["accessory"]["value"], ADMIN, view={"id": "VPROG", "type": "modal"})
    [pushed] = world.stub.wait_for("views.push")
    assert view_problems(pushed.params["view"]) == []
    with db.read() as s:
        contract = s.scalars(select(OnboardingItem).where(OnboardingItem.key == "contract_sent")).one().id
    world.slack.action("talent_onb_tick", str(contract), ADMIN,
                       view={"id": "VCHECK", "type": "modal", "private_metadata": pushed.params["view"]["private_metadata"]})
    [updated] = world.stub.wait_for("views.update")
    assert updated.params["view_id"] == "VCHECK" and "☑ Contract sent" in json.dumps(updated.params["view"], ensure_ascii=False)
    with db.read() as s:
        assert s.get(OnboardingItem, contract).done_by == ADMIN
