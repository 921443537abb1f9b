"""/invoice and its buttons: Approve payment / Query (leadership, bound to the version), Mark paid (the associate)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks import invoices as blocks
from bot.blocks.common import escape
from bot.handlers.common import guarded, input_value
from bot.runtime import Runtime
from bot.services import people, validation
from bot.services.errors import Invalid
from bot.services.payroll import invoices
from bot.services.payroll.config import PayrollConfig
from bot.services.validation import ARCHIVE_WINDOW
from bot.timefmt import local_date


def _ref(raw: str) -> tuple[int, int]:
    parts = (raw or "").split(":")
    if len(parts) < 2:
        raise Invalid("That button is out of date.")
    return validation.parse_id(parts[0], what="invoice"), validation.parse_int(parts[1], label="The version", minimum=1,
                                                                                maximum=100_000)


def _say(respond: Any, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def register(app: App, rt: Runtime) -> None:
    def cfg() -> PayrollConfig:
        return PayrollConfig.from_settings(rt.settings)

    @app.command("/invoice")
    @guarded("command")
    def invoice_cmd(ack: Any, body: dict, client: Any, respond: Any) -> None:
        with rt.db.read() as s:
            actor = people.get_or_create(s, body["user_id"])
            if not people.has_role(actor, people.ADMIN, "host", "pa"):
                raise Invalid("Only hosts (for themselves) and the associate can submit invoices.")
            view = blocks.invoice_form(body["user_id"], people.has_role(actor, people.ADMIN))
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view("invoice_submit")
    @guarded("view")
    def invoice_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        c = cfg()
        user_id = body["user"]["id"]
        target = validation.slack_user_id(input_value(body, "person") or user_id, field="person")
        day = validation.parse_date(input_value(body, "period"), field="period", label="The day",
                                    today=local_date(clock.now(), rt.tz), window=ARCHIVE_WINDOW)
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            inv, rec, changed = invoices.submit(s, actor, target, day, input_value(body, "amount") or "",
                                                input_value(body, "number") or "", input_value(body, "link"), c, clock.now())
            lines = blocks.reconciliation_lines(inv, rec)
            head = (f"Invoice *{escape(inv.number)}* (version {inv.version}) sent to leadership." if changed
                    else f"Invoice *{escape(inv.number)}* is already filed with these figures; nothing changed.")
        ack(response_action="update", view=blocks.modal("Invoice", [blocks.section(head), blocks.section(lines)]))
        rt.after_change(user_id)

    def _open_decision(body: dict, client: Any, decision: str) -> None:
        invoice_id, version = _ref(body["actions"][0].get("value", ""))
        with rt.db.read() as s:
            people.require_role(people.get_or_create(s, body["user"]["id"]), "leadership", doing="approve invoice payments")
            number = invoices.get(s, invoice_id).number
        client.views_open(trigger_id=body["trigger_id"], view=blocks.decision_form(invoice_id, version, decision, number))

    @app.action("invoice_approve")
    @guarded("action")
    def approve(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        _open_decision(body, client, "approve")

    @app.action("invoice_query")
    @guarded("action")
    def query(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        _open_decision(body, client, "query")

    @app.view("invoice_decide")
    @guarded("view")
    def decide(ack: Any, body: dict, client: Any, respond: Any) -> None:
        meta = body["view"].get("private_metadata", "")
        invoice_id, version = _ref(meta)
        decision = meta.rsplit(":", 1)[-1]
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            inv, changed = invoices.decide(s, actor, invoice_id, version, decision, input_value(body, "note"), cfg(), clock.now())
            text = (f"Invoice *{escape(inv.number)}* {'approved for payment' if decision == 'approve' else 'queried'}."
                    if changed else f"Invoice *{escape(inv.number)}* was already decided that way; nothing changed.")
        ack(response_action="update", view=blocks.modal("Invoice", [blocks.section(text)]))
        rt.after_change(body["user"]["id"])

    @app.action("invoice_paid")
    @guarded("action")
    def paid(ack: Any, body: dict, client: Any, respond: Any) -> None:
        invoice_id, version = _ref(body["actions"][0].get("value", ""))
        with rt.db.transaction() as s:
            inv, changed = invoices.mark_paid(s, people.get_or_create(s, body["user"]["id"]), invoice_id, version, clock.now())
            text = f"Invoice *{escape(inv.number)}* marked paid." if changed else f"Invoice *{escape(inv.number)}* was already paid."
        ack()
        _say(respond, text)
