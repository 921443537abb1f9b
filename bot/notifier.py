"""The one notifier: delivers outbox messages to Slack, with retries, backoff and Retry-After.

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
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import OutboxMessage, PostedMessage
from bot.db.session import Database

log = logging.getLogger("opsbot.notifier")

MAX_ATTEMPTS = 10
CLAIM_FOR = timedelta(seconds=60)
POSTED_CLAIM_STALE = timedelta(seconds=60)
# Errors that retrying cannot fix: fail the message at once and show it in `opsbot outbox`.
PERMANENT_ERRORS = {
    "channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "invalid_blocks_format",
    "msg_too_long", "no_text", "user_not_found", "cannot_dm_bot", "invalid_auth", "not_authed",
    "account_inactive", "token_revoked", "missing_scope", "message_not_found", "cant_update_message",
    "unknown_method", "method_deprecated", "invalid_arguments",
}


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
    def __init__(self, delay: float, reason: str) -> None:
        super().__init__(reason)
        self.delay = delay


class Defer(RetryLater):
    """Not a failure: try again later without counting an attempt (e.g. a board edited moments ago)."""


class Notifier:
    def __init__(self, db: Database, client: WebClient, boards: dict[str, BoardRenderer] | None = None,
                 poll_seconds: float = 2.0, board_min_interval: float = 3.0,
                 files: dict[str, FileRenderer] | None = None) -> None:
        self.db = db
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
            try:
                self.deliver_due()
            except Exception:  # the loop must survive a bad row or a database blip
                log.exception("notifier pass failed")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    # -- delivery --------------------------------------------------------------------------
    def deliver_due(self, limit: int = 50) -> int:
        """Deliver every due message once; returns how many were sent. Safe to call from anywhere."""
        with self._lock:
            sent = 0
            for msg_id in self._claim(limit):
                if self._deliver_one(msg_id):
                    sent += 1
            return sent

    def _claim(self, limit: int) -> list[int]:
        now = clock.now()
        with self.db.read() as s:  # most wake-ups find nothing due: look before taking the write lock
            ids = list(s.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.next_attempt_at <= now,
                       (OutboxMessage.status == "pending")
                       | ((OutboxMessage.status == "sending") & (OutboxMessage.claimed_until < now)))
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

    def _deliver_one(self, msg_id: int) -> bool:
        with self.db.read() as s:
            msg = s.get(OutboxMessage, msg_id)
            assert msg is not None
            kind, channel, payload, attempts = msg.kind, msg.channel, dict(msg.payload), msg.attempts
        started = time.monotonic()
        try:
            ts = self._send(kind, channel, payload)
        except Defer as exc:
            self._reschedule(msg_id, attempts, exc.delay, None)
            return False
        except RetryLater as exc:
            self._reschedule(msg_id, attempts + 1, exc.delay, str(exc))
            log.warning("outbox %s %s retry in %.0fs: %s", msg_id, kind, exc.delay, exc)
            return False
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown")) if exc.response is not None else "unknown"
            status = exc.response.status_code if exc.response is not None else 0
            if status == 429:
                delay = float(exc.response.headers.get("Retry-After", 1) or 1)
                self._reschedule(msg_id, attempts + 1, delay, "ratelimited")
                log.warning("outbox %s %s rate limited, retry in %.0fs", msg_id, kind, delay)
            elif error in PERMANENT_ERRORS:
                self._fail(msg_id, attempts + 1, error)
                log.error("outbox %s %s failed for good: %s", msg_id, kind, error)
            else:
                self._reschedule(msg_id, attempts + 1, _backoff(attempts), error)
                log.warning("outbox %s %s slack error %s (status %s), will retry", msg_id, kind, error, status)
            return False
        except Exception as exc:  # network down, timeouts: retry with backoff
            self._reschedule(msg_id, attempts + 1, _backoff(attempts), f"{type(exc).__name__}: {exc}"[:500])
            log.warning("outbox %s %s could not reach Slack (%s), will retry", msg_id, kind, type(exc).__name__)
            return False
        with self.db.transaction() as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id == msg_id).values(
                status="sent", sent_at=clock.now(), attempts=attempts + 1, result_ts=ts, last_error=None, claimed_until=None))
        log.info("outbox %s %s delivered in %.0f ms", msg_id, kind, (time.monotonic() - started) * 1000)
        return True

    def _reschedule(self, msg_id: int, attempts: int, delay: float, error: str | None) -> None:
        with self.db.transaction() as s:
            status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
            s.execute(update(OutboxMessage).where(OutboxMessage.id == msg_id).values(
                status=status, attempts=attempts, last_error=error, claimed_until=None,
                next_attempt_at=clock.now() + timedelta(seconds=delay)))

    def _fail(self, msg_id: int, attempts: int, error: str) -> None:
        with self.db.transaction() as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id == msg_id).values(
                status="failed", attempts=attempts, last_error=error, claimed_until=None))

    def _send(self, kind: str, channel: str | None, payload: dict[str, Any]) -> str | None:
        if kind == "post":
            thread_ts = payload.get("thread_ts")
            if payload.get("thread_of"):
                found = self._posted(payload["thread_of"])
                if found is None or found[1] is None:
                    raise RetryLater(5, f"parent message {payload['thread_of']} not posted yet")
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
                raise RetryLater(5, f"message {payload['key']} not posted yet")
            resp = self.client.chat_update(channel=found[0], ts=found[1], text=payload["text"], blocks=payload.get("blocks"))
            return resp["ts"]
        if kind == "board":
            return self._upsert_board(payload["board"], date.fromisoformat(payload["date"]))
        if kind == "upload":
            return self._upload(payload)
        raise ValueError(f"unknown outbox kind {kind}")

    def _upload(self, payload: dict[str, Any]) -> str | None:
        """Render the file from the database now and upload it into the remembered message's thread."""
        found = self._posted(payload["thread_of"])
        if found is None or found[1] is None:
            raise RetryLater(5, f"parent message {payload['thread_of']} not posted yet")
        renderer = self.files.get(payload["renderer"])
        if renderer is None:
            raise ValueError(f"no renderer for file {payload['renderer']}")
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
            raise ValueError(f"no renderer for board {board}")
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
    return float(min(2 ** attempts * 2, 300))
