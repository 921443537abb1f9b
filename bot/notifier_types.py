"""What the notifier hands around (rendered messages, retry signals) and the messages it edits in place.

Boards and remembered messages live in posted_messages by a stable key; the first post of a board
is claimed through a unique key so two processes never post it twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import OutboxMessage, PostedMessage
from bot.db.session import Database

POSTED_CLAIM_STALE = timedelta(seconds=60)


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


class EditedInPlace:
    """Where remembered messages are, and boards rendered fresh and edited in place (a Notifier mixin)."""

    db: Database
    client: WebClient
    boards: dict[str, BoardRenderer]
    board_min_interval: timedelta

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
            # Two punches committing at once can each queue a refresh of this board. Any refresh visible now
            # was committed before the render below reads the database, so this edit shows its change too.
            covered = list(s.scalars(select(OutboxMessage.id).where(
                OutboxMessage.chain == key, OutboxMessage.kind == "board", OutboxMessage.status == "pending")))
            rendered = renderer(s, day, now)
        if not rendered.channel:
            return None  # no channel configured: nothing to show
        if posted is not None and posted.ts is not None:
            self.client.chat_update(channel=posted.channel, ts=posted.ts, text=rendered.text, blocks=rendered.blocks)
            with self.db.transaction() as s:
                s.execute(update(PostedMessage).where(PostedMessage.key == key).values(updated_at=now))
                _fold(s, covered, now)
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
            _fold(s, covered, now)
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


def _fold(session: Session, ids: list[int], now: datetime) -> None:
    """Refreshes of a board that the edit just made already shows: done, with no edit of their own."""
    if ids:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.status == "pending")
                        .values(status="sent", sent_at=now, last_error="folded into the board edit before it", claimed_until=None))
