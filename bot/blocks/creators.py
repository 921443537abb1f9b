"""Block Kit for creators and campaigns: the roster list and its modal, campaign cards with readiness and
deliverable steps, and the forms each step needs. Clips are in bot/blocks/clips.py; notices in creators_notes.py."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.common import (
    Block,
    actions,
    button,
    chunk_lines,
    clip,
    context,
    escape,
    header,
    modal,
    plain,
    section,
)
from bot.blocks.creators_notes import readiness_blocks, safe_link
from bot.db.briefs import Brief
from bot.db.creators import (
    CREATOR_STATUSES,
    DELIVERABLE_KINDS,
    KIND_LABEL,
    STATUS_LABEL,
    Campaign,
    Creator,
    Deliverable,
)
from bot.db.models import LiveSession
from bot.db.schedule import Product
from bot.services.creators.common import dollars
from bot.services.creators.deliverables import NEXT
from bot.services.creators.readiness import Readiness
from bot.services.edits import form_ref
from bot.timefmt import fmt_day, fmt_span

# step -> (button text, needs a form)
STEP_BUTTON = {"sample_shipped": ("Sample shipped", True), "sample_delivered": ("Sample delivered", False),
               "draft_received": ("Draft received", True), "approved": ("Approve draft", False),
               "posted": ("Posted", True)}


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(clip(text, 75)), "value": value}


def text_input(block_id: str, label: str, *, initial: object = None, optional: bool = True, multiline: bool = False,
               max_length: int = 3000, hint: str | None = None) -> Block:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": multiline,
                               "max_length": max_length}
    if initial not in (None, ""):
        element["initial_value"] = str(initial)[:max_length]
    block: Block = {"type": "input", "block_id": block_id, "optional": optional, "label": plain(label), "element": element}
    if hint:
        block["hint"] = plain(hint)
    return block


def select(block_id: str, label: str, options: list[dict[str, Any]], *, initial: str | None = None,
           optional: bool = False, multi: bool = False, chosen: list[str] | None = None) -> Block | None:
    """A static select (or multi-select) input, or None when there is nothing to pick from."""
    if not options:
        return None
    options = options[:100]
    element: dict[str, Any] = {"type": "multi_static_select" if multi else "static_select", "action_id": "value",
                               "options": options}
    if multi and chosen:
        picked = [o for o in options if o["value"] in set(chosen)]
        if picked:
            element["initial_options"] = picked
    elif initial is not None:
        picked = [o for o in options if o["value"] == initial]
        if picked:
            element["initial_option"] = picked[0]
    return {"type": "input", "block_id": block_id, "optional": optional, "label": plain(label), "element": element}


def date_input(block_id: str, label: str, initial: object = None, *, optional: bool = False) -> Block:
    element: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
    if initial is not None:
        element["initial_date"] = initial.isoformat()  # type: ignore[attr-defined]
    return {"type": "input", "block_id": block_id, "optional": optional, "label": plain(label), "element": element}


def checkbox(block_id: str, label: str, text: str) -> Block:
    return {"type": "input", "block_id": block_id, "optional": True, "label": plain(label),
            "element": {"type": "checkboxes", "action_id": "value", "options": [option(text, "yes")]}}


# -- the roster ---------------------------------------------------------------------------------------------

def creator_line(c: Creator) -> str:
    terms = [t for t in (f"{c.commission_pct}%" if c.commission_pct is not None else "",
                         dollars(c.flat_fee_cents) + " flat" if c.flat_fee_cents is not None else "") if t]
    bits = [f"*{escape(c.name)}* @{escape(c.handle)}", c.status]
    if c.agency:
        bits.append(escape(c.agency))
    if terms:
        bits.append(" + ".join(terms))
    return " · ".join(bits)


def roster_message(creators: list[Creator]) -> tuple[str, list[Block]]:
    blocks: list[Block] = [header(f"Creators ({len(creators)})"),
                           actions(button("Add creator", "creator_add", "new", style="primary"))]
    for c in creators[:40]:
        blocks.append(section(creator_line(c), accessory=button("Edit", "creator_edit", str(c.id))))
    if len(creators) > 40:
        blocks.append(context(f"{len(creators) - 40} more: `/creators export` sends the whole roster as a spreadsheet."))
    blocks.append(context("`/creators export` sends the roster as .xlsx; DM the bot an edited copy to import it "
                          "(every row or none)."))
    return f"{len(creators)} creator(s) on the roster", blocks[:50]


def creator_modal(c: Creator | None = None, version: str | None = None) -> dict[str, Any]:
    fee = f"{c.flat_fee_cents / 100:.2f}" if c is not None and c.flat_fee_cents is not None else None
    blocks = [
        text_input("name", "Name", initial=c.name if c else None, optional=False, max_length=200),
        text_input("handle", "TikTok handle", initial="@" + c.handle if c else None, optional=False, max_length=100,
                   hint="Refused if another creator already has it."),
        text_input("contact", "Contact (email, phone, manager)", initial=c.contact if c else None, max_length=300),
        text_input("agency", "Agency", initial=c.agency if c else None, max_length=200),
        text_input("commission", "Commission rate (%)", initial=c.commission_pct if c else None, max_length=10),
        text_input("fee", "Flat fee ($)", initial=fee, max_length=20),
        text_input("notes", "Audience notes", initial=c.audience_notes if c else None, multiline=True),
        select("status", "Status", [option(s.capitalize(), s) for s in CREATOR_STATUSES],
               initial=c.status if c else "prospect"),
    ]
    meta = form_ref(c.id, version or "") if c is not None else ""
    return modal("Edit creator" if c else "Add a creator", [b for b in blocks if b], callback_id="creator_submit",
                 submit="Save", close="Cancel", private_metadata=meta)


# -- campaigns ----------------------------------------------------------------------------------------------

def campaign_list(rows: list[Readiness]) -> tuple[str, list[Block]]:
    blocks: list[Block] = [header(f"Creator campaigns ({len(rows)})"),
                           actions(button("New campaign", "campaign_new", "new", style="primary"))]
    for r in rows[:40]:
        c = r.campaign
        line = (f"*{escape(c.name)}* · {fmt_day(c.starts_on)} to {fmt_day(c.ends_on)} · *{r.percent}% ready* · "
                f"{len(c.members)} creator(s), {len(c.deliverables)} deliverable(s)")
        blocks.append(section(line, accessory=button("Open", "campaign_open", str(c.id))))
    if not rows:
        blocks.append(section("_No campaigns running or coming up._"))
    return f"{len(rows)} campaign(s)", blocks[:50]


def _deliverable_blocks(d: Deliverable) -> list[Block]:
    """A deliverable's line, and its buttons: the next step, Change due date and Remove (until it is posted)."""
    bits = [f"*{escape(d.creator.name)}* · {KIND_LABEL[d.kind]} · due {fmt_day(d.due_on)} · _{STATUS_LABEL[d.status]}_"]
    if d.carrier:
        bits.append(f"{escape(d.carrier)} {escape(d.tracking)}")
    for x in (d.links or [])[-2:]:
        bits.append(safe_link(x.get("url"), x.get("kind", "link")))
    if d.brief is not None:
        bits.append(f"brief #{d.brief.id}: {d.brief.status.replace('_', ' ')}")
    nxt = NEXT.get(d.status)
    out: list[Block] = [section(" · ".join(bits))]
    if nxt in STEP_BUTTON:
        out.append(actions(button(STEP_BUTTON[nxt][0], "deliv_step", f"{d.id}:{nxt}", style="primary"),
                           button("Change due date", "deliv_due", str(d.id)), button("Remove", "deliv_remove", str(d.id))))
    return out


def campaign_card(c: Campaign, r: Readiness, tz: ZoneInfo) -> tuple[str, list[Block]]:
    facts = [f"{fmt_day(c.starts_on)} to {fmt_day(c.ends_on)}"]
    if c.budget_cents is not None:
        facts.append(f"budget {dollars(c.budget_cents)}")
    skus = [f"`{escape(p.product.sku)}`" for p in c.products if p.product is not None]
    blocks: list[Block] = [header(c.name), section(" · ".join(facts) + ("\nProducts: " + ", ".join(skus) if skus else ""))]
    blocks += readiness_blocks(r)
    unconfirmed = [m for m in c.members if not m.confirmed]
    for m in unconfirmed[:5]:
        blocks.append(section(f"{escape(m.creator.name)} (@{escape(m.creator.handle)}) has not confirmed",
                              accessory=button("Confirmed", "campaign_confirm", f"{c.id}:{m.creator_id}")))
    blocks.append(section(f"*Deliverables* ({len(c.deliverables)})"))
    for d in c.deliverables[:15]:
        blocks.extend(_deliverable_blocks(d))
    if len(c.deliverables) > 15:
        blocks.append(context(f"{len(c.deliverables) - 15} more deliverables; the weekly digest lists them all."))
    for link in c.sessions[:5]:
        blocks.append(context(f"LIVE #{link.session.id}: {fmt_span(link.session.starts_at, link.session.ends_at, tz)} "
                              f"{escape(link.session.title)}"))
    blocks.append(actions(button("Add deliverable", "deliv_add", str(c.id)), button("Edit campaign", "campaign_edit", str(c.id))))
    return f"{c.name}: {r.percent}% ready", blocks[:50]


def campaign_modal(products: list[Product], creators: list[Creator], briefs: list[Brief], sessions: list[LiveSession],
                   tz: ZoneInfo, c: Campaign | None = None, version: str | None = None) -> dict[str, Any]:
    blocks = [
        text_input("name", "Campaign name", initial=c.name if c else None, optional=False, max_length=200),
        date_input("starts", "Launch date", c.starts_on if c else None),
        date_input("ends", "Last day", c.ends_on if c else None),
        select("products", "Products (catalog)", [option(f"{p.sku} {p.name}", str(p.id)) for p in products],
               multi=True, optional=True, chosen=[str(x.product_id) for x in c.products] if c else None),
        select("creators", "Creators", [option(f"{x.name} @{x.handle}", str(x.id)) for x in creators], multi=True,
               optional=True, chosen=[str(m.creator_id) for m in c.members] if c else None),
        select("briefs", "Briefs (from brief approvals)",
               [option(f"#{b.id} {b.title} ({b.status.replace('_', ' ')})", str(b.id)) for b in briefs], multi=True,
               optional=True, chosen=[str(x.brief_id) for x in c.briefs] if c else None),
        select("sessions", "Co-host LIVE sessions",
               [option(f"#{s.id} {fmt_span(s.starts_at, s.ends_at, tz)} {s.title}", str(s.id)) for s in sessions],
               multi=True, optional=True, chosen=[str(x.session_id) for x in c.sessions] if c else None),
        text_input("codes", "Discount codes (one per line)", initial=c.discount_codes if c else None, multiline=True),
        text_input("budget", "Budget ($)", initial=f"{c.budget_cents / 100:.2f}" if c and c.budget_cents else None,
                   max_length=20),
    ]
    meta = form_ref(c.id, version or "") if c is not None else ""
    return modal("Edit campaign" if c else "New campaign", [b for b in blocks if b], callback_id="campaign_submit",
                 submit="Save", close="Cancel", private_metadata=meta)


def deliverable_modal(c: Campaign) -> dict[str, Any]:
    blocks = [
        select("creator", "Creator", [option(f"{m.creator.name} @{m.creator.handle}", str(m.creator_id)) for m in c.members]),
        select("kind", "What they deliver", [option(KIND_LABEL[k], k) for k in DELIVERABLE_KINDS]),
        date_input("due", "Due"),
        text_input("note", "Note", multiline=True),
    ]
    if not c.members:
        blocks = [section("Add creators to the campaign first (Edit campaign).")]
    return modal("Add a deliverable", [b for b in blocks if b], callback_id="deliv_add_submit" if c.members else None,
                 submit="Add" if c.members else None, private_metadata=str(c.id))


def step_modal(d: Deliverable, step: str) -> dict[str, Any]:
    """The form a step needs: carrier and tracking, the draft, or the posted link."""
    intro = section(f"{escape(d.creator.name)} · {KIND_LABEL[d.kind]} · {escape(d.campaign.name)}")
    if step == "sample_shipped":
        return modal("Sample shipped", [intro, text_input("carrier", "Carrier", optional=False, max_length=60),
                                        text_input("tracking", "Tracking number", optional=False, max_length=100)],
                     callback_id="deliv_ship_submit", submit="Save", private_metadata=str(d.id))
    if step == "draft_received":
        return modal("Draft received", [
            intro, text_input("link", "Link to the draft", max_length=1000),
            text_input("words", "What the creator says (for the claim check)", multiline=True,
                       hint="Claims found here, or ticked below, send the draft to legal as a brief."),
            checkbox("claims", "Claims", "This draft makes claims legal must approve")],
            callback_id="deliv_draft_submit", submit="Save", private_metadata=str(d.id))
    return modal("Posted", [intro, text_input("link", "Link to the post", optional=False, max_length=1000)],
                 callback_id="deliv_post_submit", submit="Save", private_metadata=str(d.id))


def due_modal(d: Deliverable) -> dict[str, Any]:
    return modal("Change due date", [section(escape(f"{d.creator.name} · {KIND_LABEL[d.kind]} · {d.campaign.name}")),
                                     date_input("due", "Due", d.due_on)],
                 callback_id="deliv_due_submit", submit="Save", private_metadata=str(d.id))


def remove_modal(d: Deliverable) -> dict[str, Any]:
    return modal("Remove deliverable", [section(escape(f"{d.creator.name} · {KIND_LABEL[d.kind]} · {d.campaign.name}")),
                                        text_input("reason", "Why (kept in the audit log)", optional=False, multiline=True)],
                 callback_id="deliv_remove_submit", submit="Remove", private_metadata=str(d.id))


def done_view(title: str, text: str) -> dict[str, Any]:
    return modal(title, [section(t) for t in chunk_lines([text])])
