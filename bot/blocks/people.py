"""Block Kit for /ops: help, the people list, role changes, and the App Home."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.common import Block, actions, button, context, divider, escape, header, mention, section
from bot.db.models import Person, TimeEntry
from bot.services.people import ROLE_LABELS
from bot.timefmt import fmt_datetime, fmt_duration

# (usage, what it does, roles that may use it; empty = everyone). Later areas append to this list.
COMMANDS: list[tuple[str, str, tuple[str, ...]]] = [
    ("/checkin [note]", "Clock in (attaches to your shift and records lateness)", ()),
    ("/checkout [note]", "Clock out and see the hours you worked", ()),
    ("/brief", "Send a talk track, bundle sheet, brief or promo to legal for approval", ()),
    ("/brief list", "Your briefs with status and version (legal: everything waiting)", ()),
    ("/brief check TEXT", "Check a script for claims live-selling rules restrict", ()),
    ("/myshifts", "Your shifts for the next 14 days; confirm or say you can't make it", ()),
    ("/availability", "Your usual weekly availability and time off", ()),
    ("/swap", "Swap a shift: offer it to someone, trade, or open it to anyone eligible", ()),
    ("/schedule [YYYY-Www]", "Plan a week: sessions, assignments, copy, suggest, publish", ("associate",)),
    ("/schedule tier @user TIER", "Set a host's tier (Rookie, Core, Lead)", ("associate",)),
    ("/availability @user", "Change someone's availability", ("associate",)),
    ("/escalate [summary]", "Raise a problem on set (SEV1-SEV4); the right people are paged until someone owns it", ()),
    ("/metrics [session]", "Log a LIVE session's metrics (GMV, orders, viewers, per-SKU units)", ("associate",)),
    ("/scorecard [YYYY-Www | YYYY-MM | YYYY-Qn]", "The LIVE scorecard for a week, month or quarter, privately (`/scorecard help`: the metrics)", ("associate", "leadership")),
    ("/scorecard targets [key=value ...]", "See or set the scorecard's targets", ("associate", "leadership")),
    ("/clip [#session] [mm:ss] why", "Ask for a highlight clip of the LIVE on now (or a named one)", ("host", "pa", "associate")),
    ("/clip queue", "The clip editor queue: cut, publish or reject", ("associate",)),
    ("/creators", "The creator roster: add, edit, `/creators export` as a spreadsheet", ("associate",)),
    ("/campaigns [name]", "Creator campaigns: readiness, deliverables, samples, payments", ("associate",)),
    ("/casting [name or #id]", "The casting pipeline: candidates, auditions, onboarding", ("associate", "leadership")),
    ("/feedback @host", "Private coaching feedback for a host (DM with Acknowledge)", ("associate", "leadership")),
    ("/ops help", "This list", ()),
    ("/ops people", "Everyone opsbot knows, with roles", ("associate",)),
    ("/ops role add @user ROLE", "Give a role: host, pa, associate, legal, leadership", ("associate",)),
    ("/ops role remove @user ROLE", "Take a role away", ("associate",)),
    ("/ops timesheet @user", "Review and correct someone's time entries", ("associate",)),
    ("/ops sync [YYYY-Www]", "The weekly ops-sync pack: numbers, gaps, open items, agenda", ("associate",)),
    ("/ops meeting", "Propose a meeting in slots clear of everyone's LIVE shifts and time off", ("associate",)),
    ("/timesheets [YYYY-MM-DD]", "Your hours for the pay period (the associate: everyone's, to approve)", ()),
    ("/invoice", "Submit an invoice for a pay period (hosts: your own); leadership approves payment", ("host", "pa", "associate")),
    ("/ops pay rate @user 25.00", "Set an hourly rate (add host|pa, from YYYY-MM-DD, contractor)", ("associate",)),
]


def help_message(person: Person) -> tuple[str, list[Block]]:
    roles = person.role_names
    usable = [(u, d) for u, d, need in COMMANDS if not need or roles.intersection(need)]
    lines = "\n".join(f"`{u}`  {d}" for u, d in usable)
    your_roles = ", ".join(ROLE_LABELS[r] for r in sorted(roles)) or "none yet (ask the associate)"
    blocks = [section(f"*What you can do with opsbot*\n{lines}"), context(f"Your roles: {your_roles}")]
    return "opsbot commands: " + ", ".join(u for u, _ in usable), blocks


def people_message(people: list[Person]) -> tuple[str, list[Block]]:
    lines = []
    for p in people:
        roles = ", ".join(ROLE_LABELS[r] for r in sorted(p.role_names)) or "_no role_"
        email = f" · {escape(p.email)}" if p.email else ""
        lines.append(f"{mention(p.slack_user_id)}{email} · {roles}")
    blocks: list[Block] = [section(f"*People* ({len(people)})")]
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == 25:
            blocks.append(section("\n".join(chunk)))
            chunk = []
    if chunk:
        blocks.append(section("\n".join(chunk)))
    if not people:
        blocks.append(section("Nobody yet."))
    return f"{len(people)} people", blocks[:50]


def role_changed_message(target: Person, role: str, added: bool, changed: bool) -> str:
    label = ROLE_LABELS[role]
    who = mention(target.slack_user_id)
    if added:
        return f"{who} is now {label}." if changed else f"{who} already has the {label} role; nothing changed."
    return f"{who} no longer has the {label} role." if changed else f"{who} didn't have the {label} role; nothing changed."


def home_view(person: Person, open_entry: TimeEntry | None, worked_week: Any, tz: ZoneInfo, now: datetime,
              extra: list[Block] | None = None) -> dict[str, Any]:
    """The App Home: clock status with one-tap buttons (hosts are on their phones between takes), then
    other areas' parts (`extra`, e.g. upcoming shifts)."""
    blocks: list[Block] = [header("opsbot")]
    if open_entry is not None:
        blocks.append(section(f":large_green_circle: You're *clocked in* since {fmt_datetime(open_entry.clock_in_at, tz)} "
                              f"({fmt_duration(now - open_entry.clock_in_at)})."))
        blocks.append(actions(button("Check out", "home_checkout", style="danger"), block_id="clock"))
    else:
        blocks.append(section(":white_circle: You're not clocked in."))
        blocks.append(actions(button("Check in", "home_checkin", style="primary"), block_id="clock"))
    blocks.append(context(f"Worked this week: {fmt_duration(worked_week)}"))
    blocks.append(divider())
    if extra:
        blocks.extend(extra)
        blocks.append(divider())
    _, help_blocks = help_message(person)
    blocks.extend(help_blocks)
    return {"type": "home", "blocks": blocks}


def dm_help_message(person: Person) -> tuple[str, list[Block]]:
    """The answer to any typed DM: opsbot works through slash commands (and, for the associate, spreadsheets)."""
    text, blocks = help_message(person)
    intro = "Hi! I work through slash commands rather than chat, so typed messages reach nobody."
    if "associate" in person.role_names:
        intro += " DM me a calendar or metrics spreadsheet (.xlsx or .csv) and I import it."
    return f"{intro} {text}", [section(intro), *blocks]
