"""/creators (the roster, its modal, xlsx export) and /campaigns (campaign cards, readiness, deliverable steps,
leadership's payment approval)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from sqlalchemy import select

from bot import clock
from bot.blocks import creators as blocks
from bot.blocks.common import escape, section
from bot.db.briefs import Brief
from bot.db.schedule import Product
from bot.handlers.common import guarded, input_value
from bot.handlers.listeners import openers
from bot.runtime import Runtime
from bot.services import edits, people, validation
from bot.services.briefs import records
from bot.services.creators import campaigns, deliverables, readiness, roster
from bot.services.creators import xlsx as roster_xlsx
from bot.services.creators.common import CreatorPolicy, require_associate
from bot.services.errors import Invalid
from bot.timefmt import local_date


def _value(body: dict[str, Any], what: str) -> int:
    return validation.parse_id(body["actions"][0]["value"], what=what)


def _say(respond: Any, text: str, *, replace: bool = False, message: tuple[str, list] | None = None) -> None:
    if message is not None:
        respond(text=message[0], blocks=message[1], response_type="ephemeral", replace_original=replace)
    else:
        respond(text=text, blocks=[section(text)], response_type="ephemeral", replace_original=False)


def _ids(values: Any, what: str, field: str) -> list[int]:
    return [validation.parse_id(v, field=field, what=what) for v in (values or [])]


def _with(options: list[Any], kept: list[Any]) -> list[Any]:
    """The options a select offers: the campaign's own first, then the others (a select shows at most 100)."""
    return list(dict.fromkeys([*kept, *options]))[:100]


def _checked(body: dict[str, Any], block: str) -> bool:
    value = input_value(body, block)
    return isinstance(value, list) and "yes" in value


def register(app: App, rt: Runtime) -> None:
    def policy() -> CreatorPolicy:
        return CreatorPolicy.from_settings(rt.settings)

    # -- the roster ---------------------------------------------------------------------------------------
    @app.command("/creators")
    @guarded("command")
    def creators_cmd(ack: Any, body: dict, client: Any, respond: Any) -> None:
        words = (body.get("text") or "").split()
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user_id"])
            require_associate(actor, "manage the creator roster")
            if words == ["export"] or words == ["Export"]:
                content = roster_xlsx.build(s)
                count = len(roster.listing(s))
            elif words and words[0].lower() == "import":
                raise Invalid("To import, DM me the roster as .xlsx (first row: " + ", ".join(roster_xlsx.HEADER) +
                              "). Every row is checked first; one bad row and nothing changes.")
            elif words:
                raise Invalid("Use `/creators` for the roster, or `/creators export` for the spreadsheet.")
            else:
                text, bl = blocks.roster_message(roster.listing(s))
        if words:
            ack(text=f"Sending the roster ({count} creators) as a spreadsheet in a DM.")
            channel = client.conversations_open(users=body["user_id"])["channel"]["id"]
            client.files_upload_v2(channel=channel, content=content, filename="creators.xlsx", title="Creator roster",
                                   initial_comment="The creator roster. Edit it and DM it back to import it.")
            return
        ack(text=text, blocks=bl)

    def creator_view(s: Any, actor: Any, creator_id: int | None) -> dict:
        require_associate(actor, "manage the creator roster")
        c = roster.get(s, creator_id) if creator_id else None
        return blocks.creator_modal(c, roster.version_of(c) if c else None)

    openers(app, rt, {"creator_add": lambda s, actor, body: creator_view(s, actor, None),
                      "creator_edit": lambda s, actor, body: creator_view(s, actor, _value(body, "creator"))})

    @app.view("creator_submit")
    @guarded("view")
    def creator_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ref, seen, _ = edits.parse_form_ref(body["view"].get("private_metadata"))
        creator_id = validation.parse_id(ref, what="creator") if ref else None
        data = roster.CreatorInput(*(input_value(body, b) for b in ("name", "handle", "contact", "agency", "commission",
                                                                    "fee", "notes")),
                                   status=input_value(body, "status") or "prospect")
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            c = roster.save(s, actor, data, clock.now(), creator_id=creator_id, seen=seen or None,
                            request_key=None if creator_id else f"creator:{body['view'].get('id', '')}")
            text = f"Saved: {blocks.creator_line(c)}"
        ack(response_action="update", view=blocks.done_view("Creator saved", text))

    # -- campaigns ----------------------------------------------------------------------------------------
    def card(s: Any, campaign_id: int) -> tuple[str, list]:
        c = campaigns.get(s, campaign_id)
        return blocks.campaign_card(c, readiness.compute(s, c, rt.tz), rt.tz)

    @app.command("/campaigns")
    @guarded("command")
    def campaigns_cmd(ack: Any, body: dict, client: Any, respond: Any) -> None:
        text = (body.get("text") or "").strip()
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user_id"])
            require_associate(actor, "plan creator campaigns")
            if text:
                found = campaigns.by_name(s, text.lstrip("#")) if not validation.is_ascii_digits(text.lstrip("#")) else \
                    s.get(campaigns.Campaign, validation.parse_id(text, what="campaign"))
                if found is None:
                    raise Invalid(f"No campaign called '{text[:60]}'. `/campaigns` lists them.")
                msg = card(s, found.id)
            else:
                rows = [readiness.compute(s, c, rt.tz) for c in campaigns.listing(s, today=local_date(clock.now(), rt.tz))]
                msg = blocks.campaign_list(rows)
        ack(text=msg[0], blocks=msg[1])

    def campaign_view(s: Any, actor: Any, campaign_id: int | None) -> dict:
        now = clock.now()
        require_associate(actor, "plan creator campaigns")
        c = campaigns.get(s, campaign_id) if campaign_id else None
        # what the campaign already has is always offered, so saving the form never drops it silently
        products = _with(list(s.scalars(select(Product).order_by(Product.sku).limit(100))),
                         [p.product for p in c.products] if c else [])
        briefs_ = _with(list(s.scalars(select(Brief).where(Brief.status.in_(("approved", "pending", "changes_requested")))
                                       .order_by(Brief.id.desc()).limit(100))), [b.brief for b in c.briefs] if c else [])
        people_ = _with([x for x in roster.listing(s) if x.status in ("prospect", "active")],
                        [m.creator for m in c.members] if c else [])
        lives = _with(records.upcoming_sessions(s, now), [x.session for x in c.sessions] if c else [])
        return blocks.campaign_modal(products, people_, briefs_, lives, rt.tz, c, campaigns.version_of(c) if c else None)

    openers(app, rt, {"campaign_new": lambda s, actor, body: campaign_view(s, actor, None),
                      "campaign_edit": lambda s, actor, body: campaign_view(s, actor, _value(body, "campaign"))})

    @app.action("campaign_open")
    @guarded("action")
    def campaign_open(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        with rt.db.transaction() as s:
            require_associate(people.get_or_create(s, body["user"]["id"]), "plan creator campaigns")
            msg = card(s, _value(body, "campaign"))
        _say(respond, "", message=msg)

    @app.view("campaign_submit")
    @guarded("view")
    def campaign_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ref, seen, _ = edits.parse_form_ref(body["view"].get("private_metadata"))
        campaign_id = validation.parse_id(ref, what="campaign") if ref else None
        data = campaigns.CampaignInput(
            name=input_value(body, "name"), starts_on=input_value(body, "starts"), ends_on=input_value(body, "ends"),
            budget=input_value(body, "budget"), discount_codes=input_value(body, "codes"),
            skus=[str(x) for x in input_value(body, "products") or []],
            creator_ids=_ids(input_value(body, "creators"), "creator", "creators"),
            brief_ids=_ids(input_value(body, "briefs"), "brief", "briefs"),
            session_ids=_ids(input_value(body, "sessions"), "LIVE session", "sessions"))
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            c = campaigns.save(s, actor, data, clock.now(), campaign_id=campaign_id, seen=seen or None,
                               request_key=None if campaign_id else f"campaign:{body['view'].get('id', '')}", tz=rt.tz)
            r = readiness.compute(s, c, rt.tz)
            text = f"Saved *{escape(c.name)}*: {r.percent}% ready. `/campaigns` shows what is missing."
        ack(response_action="update", view=blocks.done_view("Campaign saved", text))

    @app.action("campaign_confirm")
    @guarded("action")
    def campaign_confirm(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        raw = str(body["actions"][0].get("value") or "")
        campaign_raw, _, creator_raw = raw.partition(":")
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            cid = validation.parse_id(campaign_raw, what="campaign")
            campaigns.confirm_creator(s, actor, cid, validation.parse_id(creator_raw, what="creator"), clock.now())
            msg = card(s, cid)
        _say(respond, "", replace=True, message=msg)

    # -- deliverables -------------------------------------------------------------------------------------
    @app.action("deliv_add")
    @guarded("action")
    def deliv_add(ack: Any, body: dict, client: Any, respond: Any) -> None:
        with rt.db.transaction() as s:
            require_associate(people.get_or_create(s, body["user"]["id"]), "plan creator deliverables")
            view = blocks.deliverable_modal(campaigns.get(s, _value(body, "campaign")))
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view("deliv_add_submit")
    @guarded("view")
    def deliv_add_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        campaign_id = validation.parse_id(body["view"].get("private_metadata"), what="campaign")
        picked = input_value(body, "creator")
        if not picked:
            raise Invalid("Pick the creator.", {"creator": "Pick the creator."})
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            d = deliverables.add(s, actor, campaign_id, validation.parse_id(picked, field="creator", what="creator"),
                                 input_value(body, "kind") or "", input_value(body, "due"), clock.now(), policy(),
                                 note=input_value(body, "note"))
            text = f"Added: {escape(deliverables.describe(d))}, due {d.due_on.isoformat()}."
        ack(response_action="update", view=blocks.done_view("Deliverable added", text))

    @app.action("deliv_step")
    @guarded("action")
    def deliv_step(ack: Any, body: dict, client: Any, respond: Any) -> None:
        raw = str(body["actions"][0].get("value") or "")
        did_raw, _, step = raw.partition(":")
        did = validation.parse_id(did_raw, what="deliverable")
        if step not in blocks.STEP_BUTTON:
            raise Invalid("That button is out of date; open the campaign again.")
        now = clock.now()
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            require_associate(actor, "move creator deliverables on")
            d = deliverables.get(s, did)
            deliverables.require_next(d, step)  # a stale button is refused before any form opens
            if blocks.STEP_BUTTON[step][1]:
                view = blocks.step_modal(d, step)
            else:
                view = None
                {"sample_delivered": deliverables.sample_delivered, "approved": deliverables.approve}[step](s, actor, did, now)
                msg = card(s, d.campaign_id)
        if view is not None:
            ack()
            client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        ack()
        _say(respond, "", replace=True, message=msg)

    def step_submit(body: dict, ack: Any, run: Any, title: str) -> None:
        did = validation.parse_id(body["view"].get("private_metadata"), what="deliverable")
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            text = run(s, actor, did)
        ack(response_action="update", view=blocks.done_view(title, text))

    @app.view("deliv_ship_submit")
    @guarded("view")
    def deliv_ship_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        def run(s: Any, actor: Any, did: int) -> str:
            d = deliverables.ship_sample(s, actor, did, input_value(body, "carrier"), input_value(body, "tracking"), clock.now())
            return f"Sample shipped for {escape(deliverables.describe(d))}: {escape(d.carrier)} {escape(d.tracking)}."
        step_submit(body, ack, run, "Sample shipped")

    @app.view("deliv_draft_submit")
    @guarded("view")
    def deliv_draft_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        def run(s: Any, actor: Any, did: int) -> str:
            r = deliverables.draft_received(s, actor, did, input_value(body, "link"), input_value(body, "words"),
                                            _checked(body, "claims"), clock.now(), policy())
            if r.brief_id:
                return (f"Draft recorded. It has claims ({r.findings} found), so it went to legal as brief #{r.brief_id}; "
                        "you can approve it once legal does.")
            return "Draft recorded: no claims found. Approve it from the campaign when it's right."
        step_submit(body, ack, run, "Draft received")

    @app.view("deliv_post_submit")
    @guarded("view")
    def deliv_post_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        def run(s: Any, actor: Any, did: int) -> str:
            d = deliverables.post(s, actor, did, input_value(body, "link"), clock.now(), policy())
            return f"Posted: {escape(deliverables.describe(d))}. Leadership was asked to approve the payment."
        step_submit(body, ack, run, "Posted")

    def deliverable_modal(make: Any) -> Any:
        """The modal a deliverable's Change due date / Remove button opens (associate only)."""
        def build(s: Any, actor: Any, body: dict) -> dict:
            require_associate(actor, "change creator deliverables")
            return make(deliverables.get(s, _value(body, "deliverable")))
        return build

    openers(app, rt, {"deliv_due": deliverable_modal(blocks.due_modal), "deliv_remove": deliverable_modal(blocks.remove_modal)})

    @app.view("deliv_due_submit")
    @guarded("view")
    def deliv_due_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        def run(s: Any, actor: Any, did: int) -> str:
            d = deliverables.reschedule(s, actor, did, input_value(body, "due"), clock.now(), policy())
            return f"{escape(deliverables.describe(d))} is now due {d.due_on.isoformat()}."
        step_submit(body, ack, run, "Due date changed")

    @app.view("deliv_remove_submit")
    @guarded("view")
    def deliv_remove_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        def run(s: Any, actor: Any, did: int) -> str:
            return f"Removed {escape(deliverables.remove(s, actor, did, input_value(body, 'reason'), clock.now()))}."
        step_submit(body, ack, run, "Deliverable removed")

    @app.action("creator_pay_approve")
    @guarded("action")
    def pay_approve(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            d = deliverables.approve_payment(s, actor, _value(body, "deliverable"), clock.now(), policy())
            text = f"Payment approved for {escape(deliverables.describe(d))}; recorded with your name and the time."
        rt.after_change(body["user"]["id"])
        _say(respond, text)

