"""Invoices (contractor hosts, agencies) and leadership's payment approvals.

A host (for themself) or the associate (for anyone) submits who, period, amount, invoice number and a file or
link. opsbot reconciles it against the period's hours x rate plus flat session fees and posts it to
LEADERSHIP_CHANNEL with Approve payment / Query. Only leadership decides; a decision is bound to the invoice's
version (re-submitting the same number with other figures is a new version that needs a new decision); over
INVOICE_NOTE_OVER_CENTS of difference an approval needs a note; the associate marks an approved invoice paid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Person
from bot.db.payroll import Invoice, InvoiceDecision, PayRate
from bot.services import audit, notices, people
from bot.services.attendance import associates
from bot.services.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services.payroll.compute import period_pay
from bot.services.payroll.config import PayrollConfig
from bot.services.payroll.model import CENT, hours_text
from bot.services.payroll.rates import parse_rate
from bot.timefmt import ensure_utc

MAX_NOTE = 1000


@dataclass
class Reconciliation:
    lines: list[tuple[str, Decimal]] = field(default_factory=list)  # (what, expected amount)
    expected: Decimal = Decimal("0.00")
    approved: bool = False

    def difference(self, amount: Decimal) -> Decimal:
        return (amount - self.expected).quantize(CENT)


def reconcile(session: Session, person: Person, day: date, cfg: PayrollConfig) -> Reconciliation:
    """Expected pay for the period: each pay line (hours x rate x multiplier), then the flat session fees."""
    result = period_pay(session, day, cfg, only=person)
    rec = Reconciliation()
    pp = result.of(person.slack_user_id)
    if pp is None:
        return rec
    rec.approved = pp.approved
    for ln in pp.pay.lines:
        rec.lines.append((f"{ln.category.replace('_', ' ')}: {hours_text(ln.hours)} h x ${ln.rate:.2f}"
                          + (f" x {ln.multiplier.normalize()}" if ln.multiplier != 1 else ""), ln.amount))
    rates = session.scalars(select(PayRate).where(PayRate.person_id == person.id, PayRate.session_fee > 0)).all()
    sessions = [e for e in pp.entries if e.shift_id is not None and e.clock_out_at is not None]
    fees: dict[Decimal, int] = {}
    for e in sessions:
        workday = cfg.cal.workday_of(ensure_utc(e.clock_in_at))
        live = [r for r in rates if r.effective_from <= workday]
        if live:
            fee = Decimal(max(live, key=lambda r: r.effective_from).session_fee).quantize(CENT)
            fees[fee] = fees.get(fee, 0) + 1
    for fee, n in sorted(fees.items()):
        rec.lines.append((f"session fees: {n} x ${fee:.2f}", (fee * n).quantize(CENT)))
    rec.expected = sum((amount for _, amount in rec.lines), Decimal("0.00"))
    return rec


def _clean(text: str | None, limit: int, label: str) -> str | None:
    text = (text or "").strip()
    if len(text) > limit:
        raise Invalid(f"Keep the {label} under {limit} characters.", {label: f"Under {limit} characters."})
    return text or None


def submit(session: Session, actor: Person, target_user_id: str, day: date, amount_text: str, number: str,
           link: str | None, cfg: PayrollConfig, now: datetime) -> tuple[Invoice, Reconciliation, bool]:
    """File (or re-file) an invoice; (invoice, reconciliation, changed). The same figures again change nothing."""
    if target_user_id != actor.slack_user_id:
        people.require_role(actor, people.ADMIN, doing="submit invoices for someone else")
    elif not people.has_role(actor, people.ADMIN, "host", "pa"):
        raise NotAllowed("Only hosts (for themselves) and the associate can submit invoices.")
    number = _clean(number, 60, "number") or ""
    if not number:
        raise Invalid("Give the invoice number.", {"number": "The invoice number is required."})
    amount = parse_rate(amount_text, label="The amount", maximum=Decimal("1000000.00"), field="amount")
    link = _clean(link, 500, "link")
    person = people.get_or_create(session, target_user_id, actor=actor.slack_user_id)
    period = cfg.cal.period_of(day)
    rec = reconcile(session, person, period.start, cfg)
    inv = session.scalar(select(Invoice).where(Invoice.person_id == person.id, Invoice.number == number))
    if inv is not None:
        if inv.status == "paid":
            raise Conflict(f"Invoice {number} is already paid; a correction needs a new invoice number.")
        if (inv.amount, inv.period_start, inv.link) == (amount, period.start, link):
            return inv, rec, False
        before = audit.snapshot(inv, ["amount", "period_start", "link", "version", "status"])
        inv.amount, inv.period_start, inv.period_end, inv.link = amount, period.start, period.end, link
        inv.expected, inv.version, inv.status = rec.expected, inv.version + 1, "submitted"
        inv.submitted_by, inv.submitted_at = actor.slack_user_id, now
    else:
        before = None
        inv = Invoice(person_id=person.id, number=number, period_start=period.start, period_end=period.end, amount=amount,
                      expected=rec.expected, link=link, version=1, status="submitted", submitted_by=actor.slack_user_id,
                      submitted_at=now)
        try:
            with session.begin_nested():
                session.add(inv)
        except IntegrityError:
            raise Conflict(f"Invoice {number} was just submitted (a double click?).") from None
    session.flush()
    audit.record(session, actor=actor.slack_user_id, action="payroll.invoice_submitted", entity_type="invoice", entity_id=inv.id,
                 before=before, after={"number": number, "amount": f"{amount:.2f}", "expected": f"{rec.expected:.2f}",
                                       "version": inv.version, "period_start": period.start.isoformat()})
    notices.post(session, cfg.leadership_channel, "payroll.invoice", inv, rec, cfg.invoice_note_over,
                 key=f"invoice:{inv.id}:v{inv.version}", remember_as=f"invoice:{inv.id}:v{inv.version}")  # linked from the ops sync
    return inv, rec, True


def get(session: Session, invoice_id: int) -> Invoice:
    inv = session.get(Invoice, invoice_id)
    if inv is None:
        raise NotFound("That invoice no longer exists.")
    return inv


def decide(session: Session, actor: Person, invoice_id: int, version: int, decision: str, note: str | None,
           cfg: PayrollConfig, now: datetime) -> tuple[Invoice, bool]:
    """Leadership approves payment or queries one exact version; (invoice, changed)."""
    people.require_role(actor, "leadership", doing="approve invoice payments")
    if decision not in ("approve", "query"):
        raise Invalid("Choose Approve payment or Query.")
    inv = get(session, invoice_id)
    note = _clean(note, MAX_NOTE, "note")
    if version != inv.version:
        raise Conflict(f"Invoice {inv.number} was edited (now version {inv.version}) after this message was sent; "
                       "decide on the newest version.")
    done = session.scalar(select(InvoiceDecision).where(InvoiceDecision.invoice_id == inv.id, InvoiceDecision.version == version))
    if done is not None:
        if done.decision == decision:
            return inv, False
        raise Conflict(f"Version {version} of invoice {inv.number} was already {'approved' if done.decision == 'approve' else 'queried'} "
                       f"by someone; an edited invoice needs a new decision.")
    if decision == "query" and not note:
        raise Invalid("Say what to query.", {"note": "Write the question for the associate."})
    diff = abs(Decimal(inv.amount) - Decimal(inv.expected))
    if decision == "approve" and diff > cfg.invoice_note_over and not note:
        raise Invalid(f"The invoice differs from the hours by ${diff:,.2f}; add a note to approve it.",
                      {"note": f"Over ${cfg.invoice_note_over:,.2f} of difference: say why it is right."})
    try:
        with session.begin_nested():
            session.add(InvoiceDecision(invoice_id=inv.id, version=version, decision=decision, note=note,
                                        decided_by=actor.slack_user_id, decided_at=now))
    except IntegrityError:
        raise Conflict("Someone decided this invoice a moment ago.") from None
    inv.status = "approved" if decision == "approve" else "queried"
    session.flush()
    audit.record(session, actor=actor.slack_user_id, action=f"payroll.invoice_{inv.status}", entity_type="invoice",
                 entity_id=inv.id, after={"version": version, "decision": decision}, reason=note)
    for uid in {*associates(session), inv.submitted_by}:
        notices.dm(session, uid, "payroll.invoice_decided", inv, decision, note, actor.slack_user_id,
                   key=f"invoice-decided:{inv.id}:v{version}:{uid}")
    return inv, True


def mark_paid(session: Session, actor: Person, invoice_id: int, version: int, now: datetime) -> tuple[Invoice, bool]:
    people.require_role(actor, people.ADMIN, doing="mark invoices paid")
    inv = get(session, invoice_id)
    if inv.status == "paid":
        return inv, False
    if inv.status != "approved" or inv.version != version:
        raise Conflict(f"Invoice {inv.number} (version {inv.version}) isn't approved for payment; leadership decides first.")
    inv.status, inv.paid_by, inv.paid_at = "paid", actor.slack_user_id, now
    session.flush()
    audit.record(session, actor=actor.slack_user_id, action="payroll.invoice_paid", entity_type="invoice", entity_id=inv.id,
                 after={"version": version, "amount": f"{Decimal(inv.amount):.2f}"})
    return inv, True


def digest(session: Session, now: datetime) -> dict[str, list[Invoice]]:
    """Invoices waiting, queried, approved (not paid yet), and paid in the last 7 days."""
    out: dict[str, list[Invoice]] = {"submitted": [], "queried": [], "approved": [], "paid": []}
    for inv in session.scalars(select(Invoice).order_by(Invoice.submitted_at)):
        if inv.status != "paid" or (inv.paid_at and ensure_utc(inv.paid_at) > now - timedelta(days=7)):
            out[inv.status].append(inv)
    return out


def post_digest(session: Session, now: datetime, cfg: PayrollConfig, run_key: str) -> int:
    groups = digest(session, now)
    if cfg.leadership_channel is None:
        return 0
    notices.post(session, cfg.leadership_channel, "payroll.invoice_digest", groups, key=f"invoice-digest:{run_key}")
    return sum(len(v) for v in groups.values())


