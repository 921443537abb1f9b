"""The ops-sync pack's "Payroll and payments" part: the current pay period's timesheets not approved (and who has
exceptions), invoices waiting for leadership, queried, approved but not paid, and creator payments waiting for
approval, each with where to fix it and an agenda line. Seeded through the payroll and creator services; once in
the service and once as `/ops sync` over signed HTTP, its blocks validated by slack_sdk."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from conftest import ADMIN, HOST, HOST2, LEADER, serve
from creators_helpers import (
    POLICY,
    actor,
    add_creator,
    glow_campaign,
    people_and_catalog,
)
from freezegun import freeze_time
from payroll_helpers import ANCHOR, CFG, crew
from slack_stub import block_problems
from sqlalchemy import select

from bot.db.models import PostedMessage
from bot.db.payroll import Invoice
from bot.services.creators import deliverables
from bot.services.payroll import invoices, timesheets
from bot.services.payroll.config import PayrollConfig
from bot.services.reporting import sync
from bot.services.scorecard.model import ScorecardConfig

NOW = datetime(2026, 10, 9, 18, 0, tzinfo=UTC)  # Friday in the pay period Oct 4-17
MONDAY = date(2026, 10, 5)
DAY = date(2026, 10, 6)


def _seed(db, cfg=CFG) -> dict[str, int]:
    """hana approved, hugo not (a missed meal); four invoices: waiting, queried, approved, paid; a posted deliverable."""
    people_and_catalog(db)
    crew(db)
    with db.transaction() as s:
        timesheets.approve(s, "cli", HOST, DAY, cfg, NOW)
        ids = {}
        for number, who, amount in (("INV-1", HOST, "250.00"), ("INV-2", HOST2, "150.00"), ("INV-3", HOST, "200.00"),
                                    ("INV-4", HOST, "200.00")):
            ids[number] = invoices.submit(s, actor(s), who, DAY, amount, number, None, cfg, NOW)[0].id
        invoices.decide(s, actor(s, LEADER), ids["INV-2"], 1, "query", "Which day was the <rehearsal>?", cfg, NOW)
        invoices.decide(s, actor(s, LEADER), ids["INV-3"], 1, "approve", None, cfg, NOW)
        invoices.decide(s, actor(s, LEADER), ids["INV-4"], 1, "approve", None, cfg, NOW)
        invoices.mark_paid(s, actor(s), ids["INV-4"], 1, NOW)
        mia = add_creator(s)
        c = glow_campaign(s, creator_ids=[mia.id])
        d = deliverables.add(s, actor(s), c.id, mia.id, "post", "2026-11-10", NOW, POLICY)
        deliverables.ship_sample(s, actor(s), d.id, "UPS", "1Z", NOW)
        deliverables.sample_delivered(s, actor(s), d.id, NOW)
        deliverables.draft_received(s, actor(s), d.id, "https://d.test/1", "Our glow serum in a new bottle.", False, NOW, POLICY)
        deliverables.approve(s, actor(s), d.id, NOW)
        deliverables.post(s, actor(s), d.id, "https://t.test/v/1", NOW, POLICY)
        ids["deliverable"] = d.id
    return ids


def test_pack_lists_payroll_and_payments_waiting(db):
    ids = _seed(db)
    with db.transaction() as s:  # the invoice card was delivered (the notifier remembers it)
        s.add(PostedMessage(key=invoices.card_key(ids['INV-1'], 1), channel="C0LEAD", ts="1760000000.000100", claimed_at=NOW,
                            updated_at=NOW))
    with db.read() as s:
        pack = sync.build(s, MONDAY, ScorecardConfig(tz=CFG.cal.tz), NOW, CFG)
        without = sync.build(s, MONDAY, ScorecardConfig(tz=CFG.cal.tz), NOW)
    counts = pack.counts()
    assert {k: counts.get(k) for k in sync.PAY_KINDS} == {"timesheet": 1, "timesheet_exception": 1, "invoice": 1,
                                                          "invoice_queried": 1, "invoice_unpaid": 1, "creator_payment": 1}
    [ts] = pack.of("timesheet")
    assert ts.text == "1 of 2 people's timesheets for Oct 4 - Oct 17, 2026 are not approved yet"
    assert ts.fix == "/timesheets 2026-10-04"
    assert pack.of("timesheet_exception")[0].text.startswith("hugo's timesheet has 1 exception(s) to review (")
    [waiting] = pack.of("invoice")
    assert waiting.text == f"hana's invoice INV-1 (#{ids['INV-1']}, v1, $250.00, $50.00 over the hours) waits for leadership's decision"
    assert waiting.link == "https://slack.com/app_redirect?channel=C0LEAD&message_ts=1760000000.000100"
    [queried] = pack.of("invoice_queried")
    assert "was queried: “Which day was the <rehearsal>?”" in queried.text and queried.fix == "/invoice"
    [unpaid] = pack.of("invoice_unpaid")
    assert "INV-3" in unpaid.text and unpaid.fix.startswith("hint:Mark paid")
    assert not any("INV-4" in i.text for i in pack.items)  # paid: nothing waits
    [pay] = pack.of("creator_payment")
    assert pay.text == (f"Mia Glow's post for Glow Week (#{ids['deliverable']}) is posted; its payment (flat fee $1,500.00) "
                        "waits for leadership's approval")
    assert pay.fix == "/campaigns" and pay.link is None  # the card was queued, not delivered yet
    for line in ("Invoices waiting for leadership: 1", "Creator payments to approve: 1", "Queried invoices to answer: 1",
                 "Approved invoices to mark paid: 1", "People's timesheets to approve: 1",
                 "Timesheets with exceptions to review: 1"):
        assert line in pack.agenda, (line, pack.agenda)
    assert not without.of("timesheet") and without.of("invoice")  # no payroll settings: timesheets are left out


@pytest.fixture
def pay_server(db, stub, db_url):
    with serve(db, stub, db_url, pay_period_anchor=ANCHOR) as running:
        yield running
    assert stub.violations == [], stub.violations


@freeze_time("2026-10-09 18:00:00", tick=True)
def test_ops_sync_shows_payroll_and_payments_with_links(pay_server, db):
    ids = _seed(db, PayrollConfig.from_settings(pay_server.rt.settings))  # with LEADERSHIP_CHANNEL: the cards are posted
    pay_server.drain()  # the invoice cards and the creator payment card reach Slack and are remembered
    with db.read() as s:
        keys = set(s.scalars(select(PostedMessage.key)))
        assert {invoices.card_key(ids['INV-1'], 1), deliverables.payment_key(ids["deliverable"])} <= keys
        assert s.get(Invoice, ids["INV-4"]).status == "paid"
    status, body = pay_server.command("/ops", "sync", ADMIN)
    assert status == 200 and block_problems(body.get("blocks") or [], 50) == [], body
    blocks = json.dumps(body["blocks"], ensure_ascii=False)
    for words in ("*Payroll and payments (6)*",
                  "1 of 2 people's timesheets for Oct 4 - Oct 17, 2026 are not approved yet → fix: `/timesheets 2026-10-04`",
                  "hugo's timesheet has 1 exception(s)",
                  "waits for leadership's decision · submitted Fri Oct 9, 11:00 AM → fix: <https://slack.com/app_redirect?channel=C0LEAD",
                  "was queried: “Which day was the &lt;rehearsal&gt;?”",
                  "→ fix: `/invoice` (<https://slack.com/app_redirect?channel=C0LEAD",
                  "is approved for payment but not marked paid · approved Fri Oct 9, 11:00 AM → fix: Mark paid on opsbot's DM",
                  "waits for leadership's approval · posted Fri Oct 9, 11:00 AM → fix: <https://slack.com/app_redirect?channel=C0LEAD",
                  "Invoices waiting for leadership: 1", "Creator payments to approve: 1", "People's timesheets to approve: 1"):
        assert words in blocks, (words, blocks)
    assert "INV-4" not in blocks
    status, body = pay_server.command("/ops", "sync", HOST)
    assert "Only" in body["text"]
