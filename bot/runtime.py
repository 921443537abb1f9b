"""What a running opsbot process holds: settings, database, Slack client and notifier."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from slack_sdk import WebClient

import bot.blocks.notices  # noqa: F401 - registers how each service notice renders
from bot import clock, slack_errors
from bot.boards import board_renderers, file_renderers
from bot.config import Settings
from bot.db.session import Database
from bot.logs import SLACK
from bot.notifier import Notifier
from bot.profile_filler import ProfileFiller
from bot.slack_errors import TriggerSafeConnectionRetryHandler, TriggerSafeRateLimitRetryHandler
from bot.services import people
from bot.services.talent import casting
from bot.services.punch import Policy

log = logging.getLogger("opsbot.runtime")


_CONFIGURED = object()


def make_client(settings: Settings, *, retry_rate_limits: bool = True, token: object = _CONFIGURED) -> WebClient:
    """A WebClient pointed at SLACK_API_URL. Interactive calls retry 429s; the notifier schedules its own retries.

    views.open/views.push are never retried: their trigger_id expires in 3 seconds, sooner than any
    Retry-After, so the person is told at once to try again (bot.handlers.common)."""
    handlers: list = [TriggerSafeConnectionRetryHandler(max_retry_count=2)]
    if retry_rate_limits:
        handlers.append(TriggerSafeRateLimitRetryHandler(max_retry_count=2))
    bot_token = settings.slack_bot_token if token is _CONFIGURED else token
    return WebClient(token=bot_token, base_url=settings.slack_api_url, timeout=10, retry_handlers=handlers)  # type: ignore[arg-type]


@dataclass
class Runtime:
    settings: Settings
    db: Database
    client: WebClient
    notifier: Notifier
    policy: Policy = field(init=False)

    def __post_init__(self) -> None:
        self.policy = Policy.from_settings(self.settings)
        self._profiled: set[str] = set()
        # Called with the acting user after a committed change (e.g. the debounced App Home refresh).
        self.change_hooks: list[Callable[[str | None], None]] = []
        # Helpers a handler module makes once per runtime (the App Home refresher): kept here, not in a
        # module-level registry, so they go when the runtime does.
        self.helpers: dict[str, object] = {}
        self.profiles = ProfileFiller(self.sync_profile)

    @classmethod
    def build(cls, settings: Settings, db: Database | None = None) -> Runtime:
        # Each HTTP thread answers with a pooled connection; the notifier, scheduler and after-answer work
        # need a few more.
        db = db or Database(settings.database_url, pool_size=settings.web_threads + 6)
        client = make_client(settings)
        notifier = Notifier(db, make_client(settings, retry_rate_limits=False), board_renderers(settings),
                            poll_seconds=settings.notifier_poll_seconds,
                            board_min_interval=settings.board_min_interval_seconds,
                            files=file_renderers(settings),
                            retry_horizon=timedelta(hours=settings.outbox_retry_horizon_hours),
                            channel_pace=settings.channel_pace_seconds, claim_seconds=settings.outbox_claim_seconds)
        db.on_outbox_commit(notifier.kick)  # whatever queues a message wakes the notifier once it commits
        return cls(settings=settings, db=db, client=client, notifier=notifier)

    @property
    def tz(self):  # type: ignore[no-untyped-def]
        return self.settings.tz

    def bootstrap_roles(self) -> int:
        with self.db.transaction() as s:
            return people.bootstrap_roles(s, {
                "associate": self.settings.opsbot_admins,
                "legal": self.settings.opsbot_legal,
                "leadership": self.settings.opsbot_leadership,
            })

    def profile_known(self, user_id: str) -> None:
        """The caller's profile was seen filled in (e.g. by the punch's own SELECT): skip the lookup for them."""
        self._profiled.add(user_id)

    def sync_profile(self, user_id: str) -> None:
        """Fill a person's name, email and time zone from users.info (after the ack: it is a Web API call)."""
        if user_id in self._profiled:
            return  # known to be filled in: skip the lookup on every request
        with self.db.read() as s:
            person = people.get(s, user_id)
            if person is None:
                return
            if not people.needs_profile(person):
                self._profiled.add(user_id)
                return
        try:
            user = self.client.users_info(user=user_id)["user"]
        except Exception as exc:  # Slack unreachable: try again on the next contact
            failure = slack_errors.classify(exc)
            if failure is not None and failure.unreachable:
                SLACK.down(f"users.info: {failure.error}")  # one line a minute, not one per request
            else:
                log.warning("users.info for %s failed: %s", user_id, failure.error if failure else type(exc).__name__)
            return
        with self.db.transaction() as s:
            person = people.get(s, user_id)
            if person is not None:
                people.apply_profile(s, person, user)
                casting.link_person(s, person)  # a hired candidate with this email becomes their host record
        self._profiled.add(user_id)  # filled: the next request of this person skips the lookup

    def after_change(self, user_id: str | None = None) -> None:
        """Run after a committed change: learn who a new person is (queued messages already woke the notifier)."""
        if user_id:
            self.sync_profile(user_id)
        self._changed(user_id)

    def _changed(self, user_id: str | None) -> None:
        for hook in self.change_hooks:
            try:
                hook(user_id)
            except Exception:  # a refresh must never break the request that changed something
                log.exception("after-change hook failed")

    def after_punch(self, user_id: str) -> None:
        """After a /checkin or /checkout answer: a first contact's profile goes to the filler thread (a crew's
        first check-ins would each hold an HTTP thread for a users.info lookup), then the change hooks."""
        if user_id not in self._profiled:
            self.profiles.ask(user_id)
        self._changed(user_id)

    def now(self):  # type: ignore[no-untyped-def]
        return clock.now()
