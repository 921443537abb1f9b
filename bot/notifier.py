"""The one notifier: delivers outbox messages to Slack, with retries, backoff and Retry-After.

Retryable failures (Slack down, 5xx, 429, network, parent not posted yet) back off to at most a
minute and go on until the retry horizon; only permanent errors fail a message, and then the
associate is told once. A chain (a parent and its edits and thread replies) goes out in order.

Every process may run one; rows are claimed with a conditional UPDATE so two notifiers never send
the same row. Messages edited in place (boards, escalations) are found by key in posted_messages.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from bot import clock, slack_errors
from bot.db.models import OutboxMessage, PostedMessage
from bot.db.outage import unreachable as db_unreachable
from bot.db.session import Database
from bot.logs import DATABASE, SLACK
from bot.outbox_alerts import alert_failed

log = logging.getLogger("opsbot.notifier")

CLAIM_FOR = timedelta(seconds=60)
POSTED_CLAIM_STALE = timedelta(seconds=60)
MAX_BACKOFF = 60.0  # seconds: after an outage, everything goes out within a minute of Slack's return
DEFAULT_HORIZON = timedelta(hours=24)
PERMANENT_ERRORS = slack_errors.PERMANENT_ERRORS  # kept for callers that imported it from here
SENT, DONE, WAITING, DOWN = "sent", "done", "waiting", "down"


@dataclass
class Rendered:
    channel: str | None
    text: str
    blocks: list[dict[str, Any]]


# A board renderer turns (session, day, now) into the message to show; registered by name.
BoardRenderer = Callable[[Session, date, datetime], Rendered]
# A file renderer turns (session, args) into the bytes of an upload (e.g. the scorecard xlsx); registered by name.
FileRenderer = Callable[[Session, dict[str, Any]], bytes]


class RetryLater(Exception):
    """Try again later: after `delay` seconds, or the capped backoff when None (e.g. parent not posted yet)."""

    def __init__(self, delay: float | None, reason: str) -> None:
        super().__init__(reason)
        self.delay = delay


class Defer(RetryLater):
    """Not a failure: try again later without counting an attempt (e.g. a board edited moments ago)."""


class Undeliverable(Exception):
    """This message can never be sent as it is (unknown kind, no renderer): fail it and tell a person."""


class Notifier:
    def __init__(self, db: Database, client: WebClient, boards: dict[str, BoardRenderer] | None = None,
                 poll_seconds: float = 2.0, board_min_interval: float = 3.0,
                 files: dict[str, FileRenderer] | None = None, retry_horizon: timedelta = DEFAULT_HORIZON) -> None:
        self.db = db
        self.retry_horizon = retry_horizon
        self._paused_until: datetime | None = None  # Slack unreachable: no tries before then
        self.files = files or {}
        self.board_min_interval = timedelta(seconds=board_min_interval)
        self.client = client
        self.boards = boards or {}
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- running ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="opsbot-notifier", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def kick(self) -> None:
        """Deliver soon: called after a transaction that queued messages commits."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = self.deliver_due() > 0  # a sent parent makes its children due: go again at once
                DATABASE.up()
            except Exception as exc:  # the loop must survive a bad row or a database outage
                if db_unreachable(exc):
                    DATABASE.down(f"notifier: {type(exc).__name__}")
                else:
                    log.exception("notifier pass failed")
            if not busy:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    # -- delivery --------------------------------------------------------------------------
    def deliver_due(self, limit: int = 50) -> int:
        """Deliver every due message once; returns how many were sent (or folded into a newer edit)."""
        with self._lock:
            done = 0
            claimed = self._claim(limit)
            for i, msg_id in enumerate(claimed):
                outcome = self._deliver_one(msg_id)
                if outcome in (SENT, DONE):
                    done += 1
                elif outcome == DOWN:  # Slack is down: the rest of this pass would fail the same way
                    self._release(claimed[i + 1:])
                    break
            return done

    def _claim(self, limit: int) -> list[int]:
        now = clock.now()
        if self._paused_until is not None and now < self._paused_until:
            return []
        older = aliased(OutboxMessage)
        # A message waits while an older one of its chain (its parent, an earlier edit) is unsent.
        blocked = exists().where(older.chain == OutboxMessage.chain, older.id < OutboxMessage.id,
                                 older.status.in_(("pending", "sending")))
        with self.db.read() as s:  # most wake-ups find nothing due: look before taking the write lock
            ids = list(s.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.next_attempt_at <= now,
                       (OutboxMessage.status == "pending")
                       | ((OutboxMessage.status == "sending") & (OutboxMessage.claimed_until < now)),
                       OutboxMessage.chain.is_(None) | ~blocked)
                .order_by(OutboxMessage.id).limit(limit)))
        if not ids:
            return []
        with self.db.transaction() as s:
            claimed = []
            for msg_id in ids:
                res = s.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == msg_id,
                           (OutboxMessage.status == "pending")
                           | ((OutboxMessage.status == "sending") & (OutboxMessage.claimed_until < now)))
                    .values(status="sending", claimed_until=now + CLAIM_FOR))
                if res.rowcount == 1:
                    claimed.append(msg_id)
            return claimed

    def _release(self, ids: list[int]) -> None:
        """Give claimed messages back untried (no attempt counted)."""
        if ids:
            with self.db.transaction() as s:
                s.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.status == "sending")
                          .values(status="pending", claimed_until=None))

    def _deliver_one(self, msg_id: int) -> str:
        with self.db.read() as s:
            msg = s.get(OutboxMessage, msg_id)
            assert msg is not None
            kind, channel, payload, attempts = msg.kind, msg.channel, dict(msg.payload), msg.attempts
            give_up_at = msg.give_up_at or msg.created_at + self.retry_horizon
            newer = self._newer_edit(s, msg) if kind == "update" else None
        if newer is not None:
            self._finish(msg_id, attempts, None, f"superseded by newer edit #{newer}")
            log.info("outbox %s %s folded into #%s", msg_id, kind, newer)
            return DONE
        started = time.monotonic()
        try:
            ts = self._send(kind, channel, payload)
        except Defer as exc:
            self._reschedule(msg_id, attempts, exc.delay, None, give_up_at)
            return WAITING
        except RetryLater as exc:
            self._reschedule(msg_id, attempts + 1, exc.delay or _backoff(attempts), str(exc), give_up_at)
            log.debug("outbox %s %s waits: %s", msg_id, kind, exc)
            return WAITING
        except Undeliverable as exc:
            self._fail(msg_id, attempts + 1, str(exc))
            return WAITING
        except Exception as exc:
            return self._failed_try(msg_id, kind, attempts, give_up_at, exc)
        SLACK.up()
        self._finish(msg_id, attempts + 1, ts, None)
        log.info("outbox %s %s delivered in %.0f ms", msg_id, kind, (time.monotonic() - started) * 1000)
        return SENT

    def _failed_try(self, msg_id: int, kind: str, attempts: int, give_up_at: datetime, exc: Exception) -> str:
        """Retry what waiting can fix (outage, rate limit) until the horizon; fail only the hopeless."""
        if db_unreachable(exc):
            raise exc  # the database, not Slack: the loop logs it; the claim lapses and the row is retried
        failure = slack_errors.classify(exc)
        if failure is None:  # not a Slack answer: a renderer bug or the like; keep trying, say so
            log.warning("outbox %s %s failed (%s), will retry", msg_id, kind, f"{type(exc).__name__}: {exc}"[:300])
            self._reschedule(msg_id, attempts + 1, _backoff(attempts), f"{type(exc).__name__}: {exc}"[:500], give_up_at)
            return WAITING
        if failure.permanent:
            self._fail(msg_id, attempts + 1, failure.error)
            return WAITING
        if failure.rate_limited:
            delay = failure.retry_after or 1.0
            log.info("outbox %s %s rate limited, retry in %.0fs", msg_id, kind, delay)
            self._reschedule(msg_id, attempts + 1, delay, "ratelimited", give_up_at)
            return WAITING
        delay = _backoff(attempts)
        self._reschedule(msg_id, attempts + 1, delay, failure.error, give_up_at)
        if not failure.unreachable:
            log.warning("outbox %s %s slack error %s, will retry", msg_id, kind, failure.error)
            return WAITING
        SLACK.down(f"{failure.error}; messages wait in the outbox")
        self._paused_until = clock.now() + timedelta(seconds=delay)
        return DOWN

    @staticmethod
    def _newer_edit(s: Session, msg: OutboxMessage) -> int | None:
        """A later queued edit of the same message: this one is stale, only the newest state is sent."""
        return s.scalar(select(OutboxMessage.id).where(
            OutboxMessage.chain == msg.chain, OutboxMessage.kind == "update", OutboxMessage.id > msg.id,
            OutboxMessage.status.in_(("pending", "sending"))).order_by(OutboxMessage.id.desc()).limit(1))

    def _finish(self, msg_id: int, attempts: int, ts: str | None, note: str | None) -> None:
        now = clock.now()
        with self.db.transaction() as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id == msg_id).values(
                status="sent", sent_at=now, attempts=attempts, result_ts=ts, last_error=note, claimed_until=None))
            chain = s.scalar(select(OutboxMessage.chain).where(OutboxMessage.id == msg_id))
            if chain is not None:  # the next of its chain goes now, not at its backed-off time
                s.execute(update(OutboxMessage).where(
                    OutboxMessage.chain == chain, OutboxMessage.id > msg_id, OutboxMessage.status == "pending",
                    OutboxMessage.next_attempt_at > now).values(next_attempt_at=now))

    def _reschedule(self, msg_id: int, attempts: int, delay: float, error: str | None, give_up_at: datetime) -> None:
        now = clock.now()
        if error is not None and now >= give_up_at:
            hours = self.retry_horizon.total_seconds() / 3600
            self._fail(msg_id, attempts, f"gave up after {hours:g} h of retries; last error: {error}")
            return
        with self.db.transaction() as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id == msg_id).values(
                status="pending", attempts=attempts, last_error=error, claimed_until=None,
                next_attempt_at=now + timedelta(seconds=delay)))

    def _fail(self, msg_id: int, attempts: int, error: str) -> None:
        """Fail for good, and in the same transaction queue the associate's alert (once)."""
        with self.db.transaction() as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id == msg_id).values(
                status="failed", attempts=attempts, last_error=error, claimed_until=None))
            msg = s.get(OutboxMessage, msg_id)
            assert msg is not None
            kind = msg.kind
            alert_failed(s, msg, error)
        log.error("outbox %s %s failed for good: %s", msg_id, kind, error)

    def _send(self, kind: str, channel: str | None, payload: dict[str, Any]) -> str | None:
        if kind == "post":
            thread_ts = payload.get("thread_ts")
            if payload.get("thread_of"):
                found = self._posted(payload["thread_of"])
                if found is None or found[1] is None:
                    raise RetryLater(None, f"parent message {payload['thread_of']} not posted yet")
                channel, thread_ts = found
            if payload.get("remember_as") and self._posted(payload["remember_as"]) is not None:
                return self._posted(payload["remember_as"])[1]  # type: ignore[index]
            resp = self.client.chat_postMessage(channel=channel, text=payload["text"], blocks=payload.get("blocks"),
                                                thread_ts=thread_ts, unfurl_links=False)
            ts = resp["ts"]
            if payload.get("remember_as"):
                self._remember(payload["remember_as"], resp["channel"], ts)
            return ts
        if kind == "dm":
            if payload.get("remember_as") and self._posted(payload["remember_as"]) is not None:
                return self._posted(payload["remember_as"])[1]  # type: ignore[index]
            opened = self.client.conversations_open(users=channel)
            resp = self.client.chat_postMessage(channel=opened["channel"]["id"], text=payload["text"],
                                                blocks=payload.get("blocks"), unfurl_links=False)
            if payload.get("remember_as"):
                self._remember(payload["remember_as"], resp["channel"], resp["ts"])
            return resp["ts"]
        if kind == "update":
            found = self._posted(payload["key"])
            if found is None or found[1] is None:
                raise RetryLater(None, f"message {payload['key']} not posted yet")
            resp = self.client.chat_update(channel=found[0], ts=found[1], text=payload["text"], blocks=payload.get("blocks"))
            return resp["ts"]
        if kind == "board":
            return self._upsert_board(payload["board"], date.fromisoformat(payload["date"]))
        if kind == "upload":
            return self._upload(payload)
        raise Undeliverable(f"unknown outbox kind {kind}")

    def _upload(self, payload: dict[str, Any]) -> str | None:
        """Render the file from the database now and upload it into the remembered message's thread."""
        found = self._posted(payload["thread_of"])
        if found is None or found[1] is None:
            raise RetryLater(None, f"parent message {payload['thread_of']} not posted yet")
        renderer = self.files.get(payload["renderer"])
        if renderer is None:
            raise Undeliverable(f"no renderer for file {payload['renderer']}")
        with self.db.read() as s:
            content = renderer(s, payload["args"])
        resp = self.client.files_upload_v2(channel=found[0], thread_ts=found[1], content=content,
                                           filename=payload["filename"], title=payload["title"])
        files = resp.get("files") or [resp.get("file") or {}]
        return str(files[0].get("id") or "") or None

    # -- messages edited in place ----------------------------------------------------------
    def _posted(self, key: str) -> tuple[str, str | None] | None:
        with self.db.read() as s:
            row = s.scalar(select(PostedMessage).where(PostedMessage.key == key))
            return (row.channel, row.ts) if row else None

    def _remember(self, key: str, channel: str, ts: str) -> None:
        now = clock.now()
        with self.db.transaction() as s:
            row = s.scalar(select(PostedMessage).where(PostedMessage.key == key))
            if row is None:
                s.add(PostedMessage(key=key, channel=channel, ts=ts, claimed_at=now, updated_at=now))
            else:
                row.channel, row.ts, row.updated_at = channel, ts, now

    def _upsert_board(self, board: str, day: date) -> str | None:
        """Render the board fresh and edit its message, posting it the first time (once, across processes)."""
        renderer = self.boards.get(board)
        if renderer is None:
            raise Undeliverable(f"no renderer for board {board}")
        now = clock.now()
        key = f"{board}:{day.isoformat()}"
        with self.db.read() as s:
            posted = s.scalar(select(PostedMessage).where(PostedMessage.key == key))
            # Edit a board at most once per interval: the edits in between fold into the next one
            # (refresh_board adds nothing while one is waiting), which keeps us inside Slack's limits.
            if posted is not None and posted.ts is not None and now - posted.updated_at < self.board_min_interval:
                raise Defer((self.board_min_interval - (now - posted.updated_at)).total_seconds(), f"{key} edited moments ago")
            rendered = renderer(s, day, now)
        if not rendered.channel:
            return None  # no channel configured: nothing to show
        if posted is not None and posted.ts is not None:
            self.client.chat_update(channel=posted.channel, ts=posted.ts, text=rendered.text, blocks=rendered.blocks)
            with self.db.transaction() as s:
                s.execute(update(PostedMessage).where(PostedMessage.key == key).values(updated_at=now))
            return posted.ts
        if not self._claim_post(key, rendered.channel, now):
            raise RetryLater(2, f"{key} is being posted by another notifier")
        try:
            resp = self.client.chat_postMessage(channel=rendered.channel, text=rendered.text, blocks=rendered.blocks)
        except Exception:
            with self.db.transaction() as s:  # let the next attempt post it
                s.execute(PostedMessage.__table__.delete().where(PostedMessage.key == key, PostedMessage.ts.is_(None)))
            raise
        with self.db.transaction() as s:
            s.execute(update(PostedMessage).where(PostedMessage.key == key).values(ts=resp["ts"], channel=resp["channel"], updated_at=now))
        return resp["ts"]

    def _claim_post(self, key: str, channel: str, now: datetime) -> bool:
        """Insert the placeholder row; the unique key lets exactly one notifier post the first message."""
        try:
            with self.db.transaction() as s:
                s.add(PostedMessage(key=key, channel=channel, ts=None, claimed_at=now, updated_at=now))
            return True
        except IntegrityError:
            with self.db.transaction() as s:  # take over a claim whose poster died
                res = s.execute(update(PostedMessage).where(
                    PostedMessage.key == key, PostedMessage.ts.is_(None),
                    PostedMessage.claimed_at < now - POSTED_CLAIM_STALE).values(claimed_at=now))
                return res.rowcount == 1


def _backoff(attempts: int) -> float:
    """2, 4, 8 ... seconds, capped at a minute: no fixed budget, the horizon decides when to give up."""
    return float(min(2 ** min(attempts, 10) * 2, MAX_BACKOFF))
