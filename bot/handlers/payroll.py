"""/timesheets and its buttons (Approve, Approve all without exceptions, Unlock and its form), `/ops pay ...`."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks import payroll as blocks
from bot.blocks.common import escape
from bot.handlers import commands
from bot.handlers.common import guarded, input_value
from bot.runtime import Runtime
from bot.services import people, validation
from bot.services.errors import Invalid
from bot.services.payroll import attest, rates, timesheets
from bot.services.payroll.config import PayrollConfig
from bot.services.validation import ARCHIVE_WINDOW
from bot.timefmt import local_date

PAY_USAGE = "Use `/ops pay rate @person 25.00 [host|pa] [from YYYY-MM-DD] [contractor]` or `/ops pay waiver @person on|off`."


def _day(text: str) -> date:
    """A period day from a button or form (forged values outside the archive window are refused, not overflowed)."""
    return validation.parse_date(text, today=clock.now().date(), window=ARCHIVE_WINDOW)


def _value(raw: str) -> tuple[str, date]:
    user_id, _, day = (raw or "").partition("|")
    return validation.slack_user_id(user_id), _day(day)


def register(app: App, rt: Runtime) -> None:
    def cfg() -> PayrollConfig:
        return PayrollConfig.from_settings(rt.settings)

    def render(s: Any, actor: Any, day: date, c: PayrollConfig) -> dict[str, Any]:
        result = timesheets.view(s, actor, day, c)
        if timesheets.may_approve(actor, c) or timesheets.may_unlock(actor, c):
            return blocks.approver_modal(result, can_approve=timesheets.may_approve(actor, c),
                                         can_unlock=timesheets.may_unlock(actor, c))
        return blocks.own_modal(result, actor.slack_user_id, rt.tz, clock.now())

    @app.command("/timesheets")
    @guarded("command")
    def timesheets_cmd(ack: Any, body: dict, client: Any, respond: Any) -> None:
        c = cfg()
        text = (body.get("text") or "").strip()
        now = clock.now()
        day = validation.parse_date(text, today=local_date(now, rt.tz), window=ARCHIVE_WINDOW) if text else c.cal.workday_of(now)
        with rt.db.read() as s:
            view = render(s, people.get_or_create(s, body["user_id"]), day, c)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def _refresh(client: Any, body: dict, s: Any, actor: Any, day: date, c: PayrollConfig) -> None:
        view_id = (body.get("view") or {}).get("id")
        if view_id:
            client.views_update(view_id=view_id, view=render(s, actor, day, c))

    @app.action("payroll_approve")
    @guarded("action")
    def approve(ack: Any, body: dict, client: Any, respond: Any) -> None:
        c = cfg()
        target, day = _value(body["actions"][0].get("value", ""))
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            timesheets.approve(s, actor, target, day, c, clock.now())
        ack()
        with rt.db.read() as s:
            _refresh(client, body, s, people.get_or_create(s, body["user"]["id"]), day, c)

    @app.action("payroll_approve_all")
    @guarded("action")
    def approve_all(ack: Any, body: dict, client: Any, respond: Any) -> None:
        c = cfg()
        day = _day(body["actions"][0].get("value", ""))
        with rt.db.transaction() as s:
            timesheets.approve_all_clean(s, people.get_or_create(s, body["user"]["id"]), day, c, clock.now())
        ack()
        with rt.db.read() as s:
            _refresh(client, body, s, people.get_or_create(s, body["user"]["id"]), day, c)

    @app.action("payroll_unlock")
    @guarded("action")
    def unlock_form(ack: Any, body: dict, client: Any, respond: Any) -> None:
        c = cfg()
        target, day = _value(body["actions"][0].get("value", ""))
        with rt.db.read() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            people.require_role(actor, *c.unlock_roles, doing="unlock approved timesheets")
            person = people.get(s, target)
            name = person.name if person else target
        ack()
        client.views_push(trigger_id=body["trigger_id"], view=blocks.unlock_modal(target, name, day.isoformat()))

    @app.view("payroll_unlock_submit")
    @guarded("view")
    def unlock_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        c = cfg()
        target, day = _value(body["view"].get("private_metadata", ""))
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            row, changed = timesheets.unlock(s, actor, target, day, input_value(body, "reason") or "", c, clock.now())
            name = row.person.name
        text = (f"Unlocked *{escape(name)}*'s timesheet: it can be corrected now and needs approving again."
                if changed else f"*{escape(name)}*'s timesheet was already unlocked; nothing changed.")
        ack(response_action="update", view=blocks.done_modal(text))

    register_attestation(app, rt)


def _ops_pay(rt: Runtime, body: dict, words: list[str], ack: Any, client: Any = None) -> None:
    """`/ops pay rate @person 25.00 [host|pa] [from YYYY-MM-DD] [contractor]`, `/ops pay waiver @person on|off`."""
    args = [w.lower() for w in words[2:]]
    now = clock.now()
    if len(words) >= 4 and words[1].lower() == "rate":
        role = next((a for a in args[2:] if a in ("host", "pa")), None)
        contractor = "contractor" in args[2:]
        day = local_date(now, rt.tz)
        if "from" in args[2:]:
            i = args.index("from", 2)
            if i + 1 >= len(args):
                raise Invalid(PAY_USAGE)
            day = validation.parse_date(args[i + 1], today=day, window=ARCHIVE_WINDOW)
        unknown = [a for a in args[2:] if a not in ("host", "pa", "contractor", "from", day.isoformat())]
        if unknown:
            raise Invalid(f"I don't understand `{escape(unknown[0][:40])}`. {PAY_USAGE}")
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user_id"])
            change = rates.set_rate(s, actor, words[2], words[3], role=role, effective_from=day, contractor=contractor, now=now)
            text = escape(rates.describe_change(change))
        ack(text=text)
    elif len(words) == 4 and words[1].lower() == "waiver" and args[1] in ("on", "off"):
        with rt.db.transaction() as s:
            person, changed = rates.set_waiver(s, people.get_or_create(s, body["user_id"]), words[2], args[1] == "on", now)
            text = f"{escape(person.name)}'s meal waiver is {'on file' if args[1] == 'on' else 'withdrawn'}" + (
                "." if changed else " (no change).")
        ack(text=text)
    else:
        raise Invalid(PAY_USAGE)


def register_attestation(app: App, rt: Runtime) -> None:
    """The Yes / No buttons under /checkout's answer."""

    def answer(ack: Any, body: dict, respond: Any) -> None:
        raw = body["actions"][0].get("value", "")
        parts = raw.split("|")
        if len(parts) != 3 or parts[2] not in ("yes", "no"):
            raise Invalid("That button is out of date; check out again or ask the associate.")
        entry_id = validation.parse_id(parts[0], what="time entry")
        with rt.db.transaction() as s:
            person = people.get_or_create(s, body["user"]["id"])
            _row, changed = attest.attest(s, person, entry_id, parts[1], parts[2] == "yes", clock.now())
        ack()
        what = attest.LABEL.get(parts[1], parts[1])
        text = (f"Noted: {parts[2]} for {what}." + (" That's a premium hour on your timesheet, and the associate sees it."
                                                     if parts[2] == "no" and changed else "")) if changed else \
            f"Already noted: {parts[2]} for {what}."
        respond(text=text, response_type="ephemeral", replace_original=False)

    @app.action("payroll_attest")
    @guarded("action")
    def attest_yes(ack: Any, body: dict, client: Any, respond: Any) -> None:
        answer(ack, body, respond)

    @app.action("payroll_attest_no")
    @guarded("action")
    def attest_no(ack: Any, body: dict, client: Any, respond: Any) -> None:
        answer(ack, body, respond)


commands.OPS_SUBCOMMANDS["pay"] = _ops_pay
