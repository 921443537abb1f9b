"""Block Kit for invoices: the /invoice form, the reconciled invoice for leadership (Approve payment / Query),
the decision form, the decision DM (with Mark paid for the associate) and the weekly digest."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.blocks.common import (
    Block,
    actions,
    button,
    clip,
    context,
    escape,
    header,
    mention,
    modal,
    section,
)

__all__ = ["modal", "section"]  # the handler builds its confirmation views with these
from bot.db.payroll import Invoice
from bot.services.payroll.invoices import Reconciliation


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None) -> Block:
    block: Block = {"type": "input", "block_id": block_id, "optional": optional,
                    "label": {"type": "plain_text", "text": label}, "element": element}
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def invoice_form(user_id: str, for_anyone: bool) -> dict[str, Any]:
    who: dict[str, Any] = {"type": "users_select", "action_id": "value", "initial_user": user_id}
    blocks = [
        _input("person", "Who is invoicing", who, hint=None if for_anyone else "You can submit only your own invoices."),
        _input("period", "Any day in the pay period", {"type": "datepicker", "action_id": "value"}),
        _input("amount", "Amount (USD)", {"type": "plain_text_input", "action_id": "value", "placeholder":
                                          {"type": "plain_text", "text": "1250.00"}}),
        _input("number", "Invoice number", {"type": "plain_text_input", "action_id": "value", "max_length": 60}),
        _input("link", "File or link", {"type": "plain_text_input", "action_id": "value", "max_length": 500}, optional=True),
    ]
    return modal("Submit invoice", blocks, callback_id="invoice_submit", submit="Submit", close="Cancel")


def _money(d: Decimal) -> str:
    return f"-${-d:,.2f}" if d < 0 else f"${d:,.2f}"


def reconciliation_lines(inv: Invoice, rec: Reconciliation) -> str:
    rows = [f"• {escape(what)}: {_money(amount)}" for what, amount in rec.lines[:30]] or ["• no hours in this period"]
    diff = rec.difference(Decimal(inv.amount))
    rows += [f"*Expected:* {_money(rec.expected)}" + ("" if rec.approved else " _(hours not approved yet)_"),
             f"*Invoiced:* {_money(Decimal(inv.amount))}", f"*Difference:* {_money(diff)}" + (" :white_check_mark:" if not diff else " :warning:")]
    return "\n".join(rows)


def invoice_message(inv: Invoice, rec: Reconciliation, note_over: Decimal) -> tuple[str, list[Block]]:
    diff = rec.difference(Decimal(inv.amount))
    value = f"{inv.id}:{inv.version}"
    title = f"Invoice {inv.number} (v{inv.version}) from {inv.person.name}: {_money(Decimal(inv.amount))}"
    link = f"\n<{escape(inv.link)}|File / link>" if inv.link and inv.link.startswith(("http://", "https://")) else (
        f"\nFile: {escape(inv.link)}" if inv.link else "")
    blocks: list[Block] = [
        header(clip(title, 150)),
        section(f"{mention(inv.person.slack_user_id)} · pay period {inv.period_start:%b} {inv.period_start.day} - "
                f"{inv.period_end:%b} {inv.period_end.day}, {inv.period_end.year} · submitted by {mention(inv.submitted_by)}{link}"),
        section(clip(reconciliation_lines(inv, rec), 2900)),
        actions(button("Approve payment", "invoice_approve", value, style="primary"), button("Query", "invoice_query", value),
                block_id=f"invoice_{inv.id}_v{inv.version}"),
    ]
    if abs(diff) > note_over:
        blocks.append(context(f"The difference is over {_money(note_over)}: approving needs a note. "
                              "Only leadership decides; an edited invoice needs a new decision."))
    return clip(escape(title), 3000), blocks


def decision_form(invoice_id: int, version: int, decision: str, number: str) -> dict[str, Any]:
    label = "Note (required over the set difference)" if decision == "approve" else "What should be checked?"
    return modal("Approve payment" if decision == "approve" else "Query invoice", [
        section(f"Invoice *{escape(number)}*, version {version}."),
        _input("note", label, {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 1000},
               optional=decision == "approve"),
    ], callback_id="invoice_decide", submit="Approve" if decision == "approve" else "Send query", close="Cancel",
        private_metadata=f"{invoice_id}:{version}:{decision}")


def invoice_decided(inv: Invoice, decision: str, note: str | None, by: str) -> tuple[str, list[Block]]:
    what = "approved for payment" if decision == "approve" else "queried"
    text = f"Invoice *{escape(inv.number)}* (v{inv.version}, {_money(Decimal(inv.amount))}) from {escape(inv.person.name)} was {what} by {mention(by)}."
    if note:
        text += f"\n> {escape(clip(note, 1500))}"
    blocks: list[Block] = [section(text)]
    if decision == "approve":
        blocks.append(actions(button("Mark paid", "invoice_paid", f"{inv.id}:{inv.version}"), block_id=f"paid_{inv.id}_v{inv.version}"))
    return f"Invoice {inv.number} was {what}.", blocks


def digest_message(groups: dict[str, list[Invoice]]) -> tuple[str, list[Block]]:
    titles = {"submitted": "Waiting for a decision", "queried": "Queried", "approved": "Approved, not paid yet",
              "paid": "Paid in the last 7 days"}
    blocks: list[Block] = [header("Invoices this week")]
    for status, label in titles.items():
        items = groups.get(status, [])
        total = sum((Decimal(i.amount) for i in items), Decimal("0.00"))
        lines = [f"• {escape(i.number)} · {escape(i.person.name)} · {_money(Decimal(i.amount))} "
                 f"(expected {_money(Decimal(i.expected))})" for i in items[:20]]
        more = [f"• and {len(items) - 20} more"] if len(items) > 20 else []
        blocks.append(section(clip(f"*{label}: {len(items)}* ({_money(total)})\n" + "\n".join(lines + more) if items
                                   else f"*{label}:* none", 2900)))
    counts = ", ".join(f"{len(groups.get(s, []))} {s}" for s in titles)
    return f"Invoices this week: {counts}", blocks
