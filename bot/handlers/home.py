"""Publishing the App Home tab (views.publish), and refreshing it when the data it shows changes, debounced:
a burst of changes for one person becomes one publish HOME_REFRESH_SECONDS after the last one. Only people
who opened their Home tab since this process started are refreshed; anyone else gets a fresh tab on opening it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from bot import clock
from bot.blocks.common import MAX_VIEW_BLOCKS
from bot.blocks.home import role_blocks
from bot.blocks.people import home_view
from bot.blocks.schedule import home_blocks
from bot.runtime import Runtime
from bot.services import people, timeclock
from bot.services.schedule import calendar
from bot.services.errors import OpsError
from bot.services.talent import home as talent_home
from bot.services.talent import tiers
from bot.timefmt import day_bounds, local_date

log = logging.getLogger("opsbot.home")
BASE_BLOCKS = 8  # header, clock status and button, hours, dividers, help (bot/blocks/people.home_view)


def home_for(rt: Runtime, user_id: str) -> dict[str, Any]:
    now = clock.now()
    today = local_date(now, rt.tz)
    week_start, _ = day_bounds(today - timedelta(days=today.weekday()), rt.tz)
    week_end, _ = day_bounds(today + timedelta(days=7 - today.weekday()), rt.tz)
    try:
        criteria = tiers.from_settings(rt.settings)
    except OpsError:
        criteria = None  # a broken tier file: the host sees no targets, the weekly job reports the error
    with rt.db.transaction() as s:
        person = people.get_or_create(s, user_id)
        shifts = home_blocks(calendar.my_shifts(s, person, now), calendar.scheduled_hours(s, person, week_start, week_end), rt.tz)
        data = talent_home.build(s, person, today, rt.tz, criteria)
        extra = shifts + role_blocks(data, rt.tz, today, MAX_VIEW_BLOCKS - BASE_BLOCKS - len(shifts))
        return home_view(person, timeclock.open_entry(s, person), timeclock.worked_between(s, person, week_start, now),
                         rt.tz, now, extra)


def publish_home(rt: Runtime, client: Any, user_id: str) -> None:
    client.views_publish(user_id=user_id, view=home_for(rt, user_id))
    refresher(rt).seen(user_id)


class HomeRefresher:
    def __init__(self, publish: Callable[[str], None], delay: float) -> None:
        self.publish, self.delay = publish, delay
        self.opened: set[str] = set()
        self._timers: dict[str, threading.Timer] = {}
        self._lock = threading.Lock()
        self.closed = False

    def seen(self, user_id: str) -> None:
        self.opened.add(user_id)

    def touch(self, user_ids: Iterable[str | None]) -> int:
        """Ask for a refresh of these people's tabs (those who opened theirs); how many were asked."""
        asked = 0
        for uid in {u for u in user_ids if u and u in self.opened}:
            with self._lock:
                if self.closed:
                    return asked
                old = self._timers.pop(uid, None)
                if old is not None:
                    old.cancel()
                timer = threading.Timer(self.delay, self._fire, args=(uid,))
                timer.daemon = True
                self._timers[uid] = timer
                timer.start()
            asked += 1
        return asked

    def close(self) -> None:
        """Cancel every pending refresh (the process, or a test's server, is stopping)."""
        with self._lock:
            self.closed = True
            for timer in self._timers.values():
                timer.cancel()
            self._timers.clear()

    def _fire(self, uid: str) -> None:
        with self._lock:
            self._timers.pop(uid, None)
            if self.closed:
                return
        try:
            self.publish(uid)
        except Exception:
            log.exception("could not refresh the Home tab of %s", uid)


_LOCK = threading.Lock()


def refresher(rt: Runtime) -> HomeRefresher:
    """This runtime's refresher (made on first use, kept on the runtime so it goes when the runtime does)."""
    with _LOCK:
        made = rt.helpers.get("home_refresher")
        if made is None:
            made = rt.helpers["home_refresher"] = HomeRefresher(lambda uid: client_publish(rt, uid), rt.settings.home_refresh_seconds)
        return made  # type: ignore[return-value]


def client_publish(rt: Runtime, user_id: str) -> None:
    with rt.db.read() as s:
        if people.get(s, user_id) is None:
            return  # a refresh never creates anyone
    rt.client.views_publish(user_id=user_id, view=home_for(rt, user_id))


def refresh_talent_homes(rt: Runtime, user_ids: Iterable[str | None] = ()) -> None:
    """After a talent change: the people it concerns, plus the associates and leadership who watch the pipeline."""
    with rt.db.read() as s:
        watchers = [p.slack_user_id for role in ("associate", "leadership") for p in people.with_role(s, role)]
    refresher(rt).touch([*user_ids, *watchers])


def refresh_after_change(rt: Runtime, user_id: str | None) -> None:
    """Any committed change (rt.after_change): the actor's Home and the associates' and leadership's, debounced."""
    r = refresher(rt)
    if not r.opened:
        return  # nobody has a Home tab open in this process: nothing to query
    refresh_talent_homes(rt, [user_id])
