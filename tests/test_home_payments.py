"""Leadership's App Home lists the payments to approve: invoices waiting for Approve payment / Query and posted
creator deliverables waiting for payment approval, each with a link to its card once opsbot remembers it; the
associate's Home lists invoices approved but not marked paid. Seeded through the real services."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal

import pytest
from conftest import ADMIN, HOST, LEADER, serve
from creators_helpers import (
    NOW,
    POLICY,
    actor,
    add_creator,
    glow_campaign,
    people_and_catalog,
)
from freezegun import freeze_time
from payroll_helpers import ANCHOR, CFG, worked
from slack_stub import view_problems
from sqlalchemy import select

from bot.db.creators import Deliverable
from bot.db.models import PostedMessage
from bot.db.payroll import Invoice, PayRate
from bot.services import people
from bot.services.creators import deliverables
from bot.services.payroll import invoices, timesheets
from bot.services.talent import home

PAY = dataclasses.replace(CFG, leadership_channel="C0LEAD")
INVOICE_DAY = NOW.replace(year=2026, month=10, day=20)


def seed(db) -> None:
    """A contractor's invoice $40 over the hours, a second one approved, and Mia's video posted."""
    people_and_catalog(db)
    with db.transaction() as s:
        h = people.get(s, HOST)
        worked(s, h, "2026-10-05", "09:00", "13:00")
        s.add(PayRate(person_id=h.id, role="any", rate=Decimal("30.00"), effective_from=date(2026, 1, 1), contractor=True,
                      created_by="test", created_at=CFG.cal.workday_start_at(date(2026, 1, 1))))
    with db.transaction() as s:
        timesheets.approve(s, "cli", HOST, date(2026, 10, 5), PAY, CFG.cal.workday_start_at(date(2026, 10, 18)))
    with db.transaction() as s:
        invoices.submit(s, actor(s), HOST, date(2026, 10, 9), "160.00", "INV-7", None, PAY, INVOICE_DAY)
        paid, _, _ = invoices.submit(s, actor(s), HOST, date(2026, 10, 9), "120.00", "INV-6", None, PAY, INVOICE_DAY)
        invoices.decide(s, actor(s, LEADER), paid.id, 1, "approve", None, PAY, INVOICE_DAY)
        mia = add_creator(s)
        c = glow_campaign(s, creator_ids=[mia.id])
        d = deliverables.add(s, actor(s), c.id, mia.id, "video", "2026-11-10", NOW, POLICY)
        deliverables.ship_sample(s, actor(s), d.id, "UPS", "1Z999AA10123456784", NOW)
        deliverables.sample_delivered(s, actor(s), d.id, NOW)
        deliverables.draft_received(s, actor(s), d.id, "https://drive.test/draft1", "A glow serum, swatched.", False, NOW,
                                    POLICY)
        deliverables.approve(s, actor(s), d.id, NOW)
        deliverables.post(s, actor(s), d.id, "https://www.tiktok.com/@miaglow/video/1", NOW, POLICY)


def test_leadership_data_lists_the_waiting_invoice_and_creator_payment(db):
    seed(db)
    with db.transaction() as s:  # the notifier has posted the creator card, not the invoice card yet
        d = s.scalar(select(Deliverable))
        s.add(PostedMessage(key=deliverables.payment_key(d.id), channel="C0LEAD", ts="1700000000.000100",
                            claimed_at=NOW, updated_at=NOW))
    with db.read() as s:
        part = home.leadership_part(s)
        assert part.invoices_total == 1 and part.payments_total == 1
        (inv, card), = part.invoices
        assert (inv.number, inv.person.slack_user_id, Decimal(inv.amount) - Decimal(inv.expected)) == ("INV-7", HOST, Decimal(40))
        assert card is None
        (dlv, card), = part.payments
        assert dlv.creator.name == "Mia Glow" and dlv.campaign.name == "Glow Week"
        assert card == ("C0LEAD", "1700000000.000100")
        assoc = home.associate_part(s, date(2026, 11, 5), POLICY.tz)
        assert assoc.to_pay_total == 1 and assoc.to_pay[0].number == "INV-6"
        lead = people.get(s, LEADER)
        assert home.build(s, lead, date(2026, 11, 5), POLICY.tz, None).associate is None


@pytest.fixture
def pay_server(db, stub, db_url):
    with serve(db, stub, db_url, pay_period_anchor=ANCHOR) as running:
        yield running
    assert stub.violations == [], stub.violations


def _home(server, user):
    n = len(server.stub.calls_to("views.publish"))
    server.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
    view = server.stub.wait_for("views.publish", count=n + 1)[-1].params["view"]
    assert view_problems(view) == []
    return json.dumps(view, ensure_ascii=False)


@freeze_time("2026-11-05 17:00:00", tick=True)
def test_leadership_home_shows_payments_to_approve_with_links_to_their_cards(pay_server, db):
    seed(db)
    pay_server.drain()  # the cards reach the leadership channel and are remembered
    with db.read() as s:
        cards = {pm.key: (pm.channel, pm.ts) for pm in s.scalars(select(PostedMessage))}
        inv = s.scalar(select(Invoice).where(Invoice.number == "INV-7"))
        d = s.scalar(select(Deliverable))
        inv_card, pay_card = cards[invoices.card_key(inv.id, 1)], cards[deliverables.payment_key(d.id)]
    lead = _home(pay_server, LEADER)
    assert "Payments to approve: not tracked" not in lead
    assert "*Invoices to approve:* 1" in lead and "INV-7" in lead and "*$160.00* ($40.00 vs the hours)" in lead
    assert f"https://slack.com/archives/{inv_card[0]}/p{inv_card[1].replace('.', '')}|Approve / Query" in lead
    assert "*Creator payments to approve:* 1" in lead and "Mia Glow (@miaglow) · Video for Glow Week · $1,500" in lead
    assert f"https://slack.com/archives/{pay_card[0]}/p{pay_card[1].replace('.', '')}|Approve payment" in lead
    assoc = _home(pay_server, ADMIN)
    assert "Invoices approved, not marked paid:* 1" in assoc and "INV-6" in assoc and "INV-7" not in assoc
    assert "Invoices to approve" not in assoc
