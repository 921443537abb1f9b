"""Events API listeners (App Home)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks.people import home_view
from bot.blocks.schedule import home_blocks
from bot.runtime import Runtime
from bot.services import people, timeclock
from bot.services.schedule import calendar
from bot.timefmt import day_bounds, local_date

log = logging.getLogger("opsbot.events")


def publish_home(rt: Runtime, client: Any, user_id: str) -> None:
    now = clock.now()
    today = local_date(now, rt.tz)
    week_start, _ = day_bounds(today - timedelta(days=today.weekday()), rt.tz)
    week_end, _ = day_bounds(today + timedelta(days=7 - today.weekday()), rt.tz)
    with rt.db.transaction() as s:
        person = people.get_or_create(s, user_id)
        shifts = home_blocks(calendar.my_shifts(s, person, now), calendar.scheduled_hours(s, person, week_start, week_end), rt.tz)
        view = home_view(person, timeclock.open_entry(s, person), timeclock.worked_between(s, person, week_start, now),
                         rt.tz, now, shifts)
    client.views_publish(user_id=user_id, view=view)


def register(app: App, rt: Runtime) -> None:
    @app.event("app_home_opened")
    def app_home_opened(ack: Any, event: dict, client: Any) -> None:
        ack()
        if event.get("tab", "home") != "home":
            return
        try:
            publish_home(rt, client, event["user"])
            rt.sync_profile(event["user"])
        except Exception:
            log.exception("could not publish the Home tab for %s", event.get("user"))
