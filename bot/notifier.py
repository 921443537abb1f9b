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
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from bot import clock, slack_errors
from bot.db.models import OutboxMessage
from bot.db.outage import unreachable as db_unreachable
from bot.db.session import Database
from bot.logs import DATABASE, SLACK
from bot.notifier_types import (  # noqa: F401 - BoardRenderer, FileRenderer, Rendered are imported from here
    BoardRenderer, Defer, EditedInPlace, FileRenderer, Rendered, RetryLater, Undeliverable,
)
from bot.outbox_alerts import alert_failed

log = logging.getLogger("opsbot.notifier")

CLAIM_FOR = timedelta(seconds=60)
MAX_BACKOFF = 60.0  # seconds: after an outage, everything goes out within a minute of Slack's return
DEFAULT_HORIZON = timedelta(hours=24)
PERMANENT_ERRORS = slack_errors.PERMANENT_ERRORS  # kept for callers that imported it from here
SENT, DONE, WAITING, DOWN = "sent", "done", "waiting", "down"


class Notifier(EditedInPlace):
    def __init__(self, db: Database, client: WebClient, boards: dict[str, BoardRenderer] | None = None,
                 poll_seconds: float = 2.0, board_min_interval: float = 3.0,
                 files: dict[str, FileRenderer] | None = None, retry_horizon: timedelta = DEFAULT_HORIZON,
                 channel_pace: float = 0.0, claim_seconds: float = CLAIM_FOR.total_seconds()) -> None:
        self.db = db
        # How long a claimed message is this notifier's: if its process dies mid-send, another takes it after that.
        self.claim_for = timedelta(seconds=claim_seconds)
        # chat.postMessage allows about one message per second per channel: messages to a channel posted to
        # less than `channel_pace` seconds ago (or that answered 429) wait their turn, in order, uncounted.
        self.channel_pace = timedelta(seconds=channel_pace)
        self._next_ok: dict[str, datetime] = {}
        self._soonest: datetime | None = None
        self._pace_key: str | None = None
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
                self._wake.wait(self._idle_seconds())
                self._wake.clear()

    def _idle_seconds(self) -> float:
        """Until the next poll, or sooner when a paced message's turn comes first."""
        if self._soonest is None:
            return self.poll_seconds
        left = (self._soonest - clock.now()).total_seconds()
        self._soonest = None
        return min(self.poll_seconds, max(0.05, left))

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
                    .values(status="sending", claimed_until=now + self.claim_for))
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
        self._pace_key = self._paced_channel(kind, channel, payload) if self.channel_pace else None
        turn = self._next_ok.get(self._pace_key) if self._pace_key else None
        if turn is not None and clock.now() < turn:
            self._reschedule(msg_id, attempts, (turn - clock.now()).total_seconds(), None, give_up_at)
            self._soonest = min(self._soonest or turn, turn)
            return WAITING
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
        if self._pace_key:
            self._next_ok[self._pace_key] = clock.now() + self.channel_pace
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
            if self._pace_key:  # the rest of this channel's queue waits too, instead of asking (and failing) one by one
                self._next_ok[self._pace_key] = clock.now() + timedelta(seconds=delay)
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

    def _paced_channel(self, kind: str, channel: str | None, payload: dict[str, Any]) -> str | None:
        """The channel a chat.postMessage (or upload) lands in, for pacing; None for edits and boards (spaced apart)."""
        if kind == "dm":
            return f"dm:{channel}"
        if kind not in ("post", "upload"):
            return None
        parent = payload.get("thread_of")
        if parent:
            found = self._posted(parent)
            return found[0] if found else None
        return channel

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

def _backoff(attempts: int) -> float:
    """2, 4, 8 ... seconds, capped at a minute: no fixed budget, the horizon decides when to give up."""
    return float(min(2 ** min(attempts, 10) * 2, MAX_BACKOFF))
