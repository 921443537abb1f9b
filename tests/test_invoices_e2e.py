"""/invoice to payment over signed HTTP: reconciliation line by line, leadership's decision bound to the version,
a note required over the set difference, Mark paid, and the weekly digest."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from conftest import ADMIN, HOST, LEADER, serve
from freezegun import freeze_time
from payroll_helpers import ANCHOR, CFG, worked
from schedule_helpers import person
from sqlalchemy import select

from bot.db.models import AuditRecord
from bot.db.payroll import Invoice, InvoiceDecision, PayRate
from bot.jobs.base import run_tick
from bot.jobs.registry import all_jobs
from bot.services.payroll import timesheets

LEAD_CHANNEL = "C0LEAD"


@pytest.fixture
def pay_server(db, stub, db_url):
    with serve(db, stub, db_url, pay_period_anchor=ANCHOR) as running:
        yield running
    assert stub.violations == [], stub.violations


def contractor(db):
    with db.transaction() as s:
        person(s, ADMIN, "associate", name="ava")
        person(s, LEADER, "leadership", name="lee")
        h = person(s, HOST, "host", name="hana")
        worked(s, h, "2026-10-05", "09:00", "13:00")
        worked(s, h, "2026-10-07", "09:00", "13:00")
        s.add(PayRate(person_id=h.id, role="any", rate=Decimal("30.00"), effective_from=date(2026, 1, 1), contractor=True,
                      session_fee=Decimal("50.00"), created_by="test", created_at=CFG.cal.workday_start_at(date(2026, 1, 1))))
    with db.transaction() as s:
        timesheets.approve(s, "cli", HOST, date(2026, 10, 5), CFG, CFG.cal.workday_start_at(date(2026, 10, 18)))


def form(amount: str, number: str = "INV-7", who: str = HOST) -> dict:
    return {"person": {"value": {"type": "users_select", "selected_user": who}},
            "period": {"value": {"type": "datepicker", "selected_date": "2026-10-09"}},
            "amount": {"value": {"type": "plain_text_input", "value": amount}},
            "number": {"value": {"type": "plain_text_input", "value": number}},
            "link": {"value": {"type": "plain_text_input", "value": "https://files.example/inv-7.pdf"}}}


def note(text: str | None) -> dict:
    return {"note": {"value": {"type": "plain_text_input", "value": text}}}


def leadership_posts(server) -> list[dict]:
    server.drain()
    return [c.params for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == LEAD_CHANNEL]


@freeze_time("2026-10-20 17:00:00", tick=True)
def test_invoice_to_payment(pay_server, db):
    contractor(db)
    assert pay_server.command("/invoice", "", HOST)[0] == 200
    opened = pay_server.stub.wait_for("views.open", 1)[-1].params["view"]
    assert opened["callback_id"] == "invoice_submit"
    _, ok = pay_server.slack.submit("invoice_submit", HOST, form("340.00"))
    assert ok["response_action"] == "update" and "Difference:* $0.00" in json.dumps(ok["view"]), ok
    posts = leadership_posts(pay_server)
    assert len(posts) == 1
    text = json.dumps(posts[0]["blocks"])
    assert "regular: 8.00 h x $30.00: $240.00" in text and "session fees: 2 x $50.00: $100.00" in text
    with db.read() as s:
        inv = s.scalar(select(Invoice))
    v1 = f"{inv.id}:1"
    assert f'"value": "{v1}"' in text

    # only leadership decides
    pay_server.slack.action("invoice_approve", v1, HOST)
    _, refused = pay_server.slack.submit("invoice_decide", HOST, note(None), private_metadata=f"{v1}:approve")
    assert "Only Leadership" in json.dumps(refused)
    # an edited invoice is a new version: the old buttons can't approve it
    _, again = pay_server.slack.submit("invoice_submit", HOST, form("400.00"))
    assert "version 2" in json.dumps(again)
    _, stale = pay_server.slack.submit("invoice_decide", LEADER, note(None), private_metadata=f"{v1}:approve")
    assert "was edited" in json.dumps(stale)
    # over the set difference ($60 > $1), approval needs a note
    v2 = f"{inv.id}:2"
    pay_server.slack.action("invoice_approve", v2, LEADER)
    assert pay_server.stub.wait_for("views.open", 2)[-1].params["view"]["callback_id"] == "invoice_decide"
    _, need = pay_server.slack.submit("invoice_decide", LEADER, note(None), private_metadata=f"{v2}:approve")
    assert need["response_action"] == "errors" and "note" in need["errors"]
    _, done = pay_server.slack.submit("invoice_decide", LEADER, note("Includes the 10/09 rehearsal, agreed"),
                                      private_metadata=f"{v2}:approve")
    assert "approved for payment" in json.dumps(done)
    _, twice = pay_server.slack.submit("invoice_decide", LEADER, note("again"), private_metadata=f"{v2}:approve")
    assert "nothing changed" in json.dumps(twice)
    pay_server.drain()
    dm = [c.params for c in pay_server.stub.calls_to("chat.postMessage") if "Mark paid" in json.dumps(c.params.get("blocks"))]
    assert dm, "the associate gets Mark paid"
    pay_server.slack.action("invoice_paid", v2, HOST)
    pay_server.slack.action("invoice_paid", v2, ADMIN)
    pay_server.slack.action("invoice_paid", v2, ADMIN)
    with db.read() as s:
        inv = s.scalar(select(Invoice))
        assert (inv.status, inv.version, inv.paid_by) == ("paid", 2, ADMIN)
        assert [(d.version, d.decision) for d in s.scalars(select(InvoiceDecision))] == [(2, "approve")]
        actions = [a.action for a in s.scalars(select(AuditRecord).where(AuditRecord.entity_type == "invoice").order_by(AuditRecord.id))]
    assert actions == ["payroll.invoice_submitted", "payroll.invoice_submitted", "payroll.invoice_approved", "payroll.invoice_paid"]

    spec = all_jobs(pay_server.rt.settings)["invoice-digest"]
    assert "1 invoice" in run_tick(pay_server.rt, spec)
    digest = leadership_posts(pay_server)[-1]
    assert "Paid in the last 7 days: 1" in json.dumps(digest["blocks"]) and "$400.00" in json.dumps(digest["blocks"])


@freeze_time("2026-10-20 17:00:00", tick=True)
def test_a_host_invoices_only_for_themself_and_query_needs_a_note(pay_server, db):
    contractor(db)
    _, body = pay_server.slack.submit("invoice_submit", HOST, form("100.00", who=ADMIN))
    assert "Only Associate" in json.dumps(body)
    pay_server.slack.submit("invoice_submit", HOST, form("340.00"))
    with db.read() as s:
        inv = s.scalar(select(Invoice))
    _, need = pay_server.slack.submit("invoice_decide", LEADER, note(None), private_metadata=f"{inv.id}:1:query")
    assert need["response_action"] == "errors"
    pay_server.slack.submit("invoice_decide", LEADER, note("Which sessions?"), private_metadata=f"{inv.id}:1:query")
    with db.read() as s:
        assert s.scalar(select(Invoice)).status == "queried"
    pay_server.slack.action("invoice_paid", f"{inv.id}:1", ADMIN)
    with db.read() as s:
        assert s.scalar(select(Invoice)).status == "queried"  # not approved: can't be paid
