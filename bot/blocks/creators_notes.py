"""The creator notices: leadership's payment approval card, readiness nudges, the weekly digest, and the
campaign line in the run-of-show. Every typed value is escaped; links are only shown when they are safe."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.blocks.common import (
    Block,
    actions,
    button,
    chunk_lines,
    context,
    escape,
    header,
    mention,
    section,
)
from bot.db.creators import KIND_LABEL, STATUS_LABEL, Clip, Deliverable
from bot.services.creators.clips import stamp
from bot.services.creators.common import dollars
from bot.services.creators.digest import Digest
from bot.services.creators.launch import CampaignNote
from bot.services.creators.readiness import Item, Readiness
from bot.timefmt import fmt_datetime, fmt_day


def safe_link(url: str | None, label: str) -> str:
    if url and url.startswith(("https://", "http://")) and not any(c in url for c in "<>| "):
        return f"<{url}|{escape(label)}>"
    return escape(label)


def _who(d: Deliverable) -> str:
    return f"*{escape(d.creator.name)}* (@{escape(d.creator.handle)}) · {KIND_LABEL[d.kind]} · {escape(d.campaign.name)}"


def payment_request(d: Deliverable, tz: ZoneInfo) -> tuple[str, list[Block]]:
    """Posted in LEADERSHIP_CHANNEL when a deliverable is posted; edited in place once approved."""
    posted = [x["url"] for x in (d.links or []) if x.get("kind") == "posted"]
    fee = dollars(d.creator.flat_fee_cents) or "no flat fee"
    rate = f"{d.creator.commission_pct}% commission" if d.creator.commission_pct is not None else "no commission"
    when = fmt_datetime(d.posted_at, tz) if d.posted_at else "?"
    where = safe_link(posted[-1] if posted else None, "posted link")
    lines = [_who(d), f"Due {fmt_day(d.due_on)} · posted {when} · {where}", f"Terms: {fee}, {rate}"]
    blocks: list[Block] = [section("*Creator payment to approve*\n" + "\n".join(lines))]
    if d.status == "paid":
        when = fmt_datetime(d.payment_approved_at, tz) if d.payment_approved_at else ""
        blocks.append(context(f":white_check_mark: Payment approved by {mention(d.payment_approved_by or '')} {when}"))
        text = f"Creator payment approved: {d.creator.name}, {d.campaign.name}"
    else:
        blocks.append(actions(button("Approve payment", "creator_pay_approve", str(d.id), style="primary",
                                     confirm={"title": {"type": "plain_text", "text": "Approve this payment?"},
                                              "text": {"type": "mrkdwn", "text": f"Pay {_who(d)}"[:300]},
                                              "confirm": {"type": "plain_text", "text": "Approve"},
                                              "deny": {"type": "plain_text", "text": "Not yet"}})))
        text = f"Creator payment to approve: {d.creator.name}, {d.campaign.name}"
    return text, blocks


def payment_approved(d: Deliverable, approver: str, tz: ZoneInfo) -> tuple[str, list[Block]]:
    """To the campaign's owner once leadership approved a payment."""
    when = fmt_datetime(d.payment_approved_at, tz) if d.payment_approved_at else ""
    text = f":white_check_mark: Payment approved by {escape(approver)} {when} for {_who(d)}. It shows as paid."
    return f"Payment approved for {d.creator.name} ({d.campaign.name})", [section(text)]


def clip_outcome(c: Clip) -> tuple[str, list[Block]]:
    """To whoever asked for a clip, once it is published or rejected."""
    what = f"the clip you asked for ({escape(c.session.title)} at {stamp(c.offset_seconds)}: {escape(c.note[:200])})"
    if c.status == "published":
        text = f":clapper: Clip #{c.id} is published ({c.placement}): {safe_link(c.link, 'watch it')}. That's {what}."
    else:
        text = f"Clip #{c.id}, {what}, was not used: {escape(c.reason)}"
    return f"Clip #{c.id} {c.status}", [section(text)]


def item_lines(items: list[Item]) -> list[str]:
    out = []
    for i in items:
        owner = mention(i.owner) if i.owner.startswith(("U", "W")) else escape(i.owner.capitalize())
        mark = ":white_check_mark:" if i.ok else ":x:"
        line = f"{mark} *{escape(i.label)}*" + ("" if i.ok else f" · owner {owner}")
        for m in i.missing[:8]:
            line += f"\n      • {escape(m)}"
        if len(i.missing) > 8:
            line += f"\n      • … and {len(i.missing) - 8} more"
        out.append(line)
    return out


def readiness_blocks(r: Readiness) -> list[Block]:
    c = r.campaign
    head = f"*{escape(c.name)}* · launches {fmt_day(c.starts_on)} · *{r.percent}% ready*"
    return [section(head), *(section(t) for t in chunk_lines(item_lines(r.items)))]


def readiness_nudge(r: Readiness, mine: list[Item], days: int, tz: ZoneInfo) -> tuple[str, list[Block]]:
    when = "tomorrow" if days == 1 else "today" if days == 0 else f"in {days} days"
    text = f"{r.campaign.name} launches {when} and is {r.percent}% ready"
    blocks = [section(f":hourglass_flowing_sand: *{escape(r.campaign.name)}* launches {when} "
                      f"({fmt_day(r.campaign.starts_on)}) and is *{r.percent}% ready*. Yours to sort out:"),
              *(section(t) for t in chunk_lines(item_lines(mine)))]
    blocks.append(context("The checklist is read from the data: fix the data and it ticks itself. `/campaigns` shows it."))
    return text, blocks


def digest(d: Digest, tz: ZoneInfo) -> tuple[str, list[Block]]:
    blocks: list[Block] = [header(f"Creator digest · week of {fmt_day(d.monday)}")]

    def part(title: str, lines: list[str], empty: str) -> None:
        blocks.append(section(f"*{title}* ({len(lines)})"))
        for chunk in (chunk_lines(lines) if lines else [f"_{empty}_"])[:8]:
            blocks.append(section(chunk))

    part("Due this week", [f"• {_who(x)} · due {fmt_day(x.due_on)} · {STATUS_LABEL[x.status]}" for x in d.due],
         "nothing due this week")
    part("Late", [f"• {_who(x)} · due {fmt_day(x.due_on)} · *{n} day{'s' if n != 1 else ''} late* · {STATUS_LABEL[x.status]}"
                  for x, n in sorted(d.late, key=lambda t: -t[1])], "nothing late")
    part("Posted in the last 7 days", [f"• {_who(x)} · {safe_link(url, 'link')}" +
                                       (" · paid" if x.status == "paid" else " · payment waiting for leadership")
                                       for x, url in d.posted], "nothing posted")
    part("Samples not delivered yet", [f"• {_who(x)} · " + (f"shipped via {escape(x.carrier)} {escape(x.tracking)}"
                                                          if x.status == "sample_shipped" else "not shipped")
                                       for x in d.samples], "every sample is delivered")
    text = (f"Creator digest: {len(d.due)} due this week, {len(d.late)} late, {len(d.posted)} posted, "
            f"{len(d.samples)} sample(s) not delivered")
    return text, blocks[:50]


def campaign_line(note: CampaignNote) -> str:
    """One line in a session's run-of-show: the creator campaign running on it."""
    first = ":rocket: *Launch day:* " if note.launch_day else ":sparkles: *Campaign:* "
    bits = [first + escape(note.name)]
    if note.handles:
        bits.append("creators " + ", ".join(f"@{escape(h)}" for h in note.handles[:10]))
    if note.codes:
        bits.append("codes " + ", ".join(f"`{escape(c)}`" for c in note.codes[:10]))
    return " · ".join(bits)
