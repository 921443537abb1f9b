"""Shared set-up for the calendar tests: people with roles, tiers and availability."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.services import people
from bot.services.schedule import availability
from bot.services.schedule import calendar as schedule_calendar, catalog
from bot.services.schedule.rules import Rules
from bot.timefmt import local_to_utc

LA = ZoneInfo("America/Los_Angeles")
RULES = Rules(tz=LA)


def at(day: str, hhmm: str) -> datetime:
    return local_to_utc(date.fromisoformat(day), time.fromisoformat(hhmm), LA)


def person(s, user_id: str, *roles: str, tier: str | None = None, name: str | None = None, email: str | None = None):
    p = people.get_or_create(s, user_id)
    for r in roles:
        people.grant(s, p, r, actor="test")
    if name:
        p.display_name = name
    if email:
        p.email = email
    if tier:
        catalog.set_host_tier(s, "cli", p, tier)
    return p


def all_week(s, p, spans=((0, 1440),)):
    availability.set_weekly(s, p, p, {wd: list(spans) for wd in range(7)})


def new_session(s, day: str, start: str, end: str, title: str = "Glow LIVE", tier: str | None = "B", room: str | None = "Studio A"):
    return schedule_calendar.create_session(s, "cli", schedule_calendar.SessionInput(title, at(day, start), at(day, end), room, tier))


def seed(db) -> None:
    """PostgreSQL test runs truncate every table between tests, seeded tiers included; put them back."""
    with db.transaction() as s:
        catalog.seed_default_tiers(s)
