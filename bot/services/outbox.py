"""The outbox: Slack messages owed, written in the same transaction as the change that caused them.

The notifier (bot/notifier.py) delivers them; if Slack is down they wait, nothing is lost.
A `dedupe_key` makes an enqueue idempotent: the same key twice is one message.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, exists, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from bot import clock
from bot.db.models import OutboxMessage

KINDS = ("post", "dm", "update", "board", "upload")


def enqueue(
    session: Session,
    kind: str,
    *,
    channel: str | None,
    payload: dict[str, Any],
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Queue a message; returns None when `dedupe_key` was already queued (a retry or double click)."""
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    now = clock.now()
    values = dict(kind=kind, channel=channel, payload=payload, dedupe_key=dedupe_key, status="pending", attempts=0,
                  next_attempt_at=now, created_at=now, chain=chain_of(kind, payload))
    if dedupe_key is None:
        msg = OutboxMessage(**values)
        session.add(msg)  # written with the rest of the transaction
        return msg
    keyed = _keyed_insert(session.get_bind().dialect.name)
    if keyed is None:  # a database without INSERT ... ON CONFLICT: look, then insert in a savepoint
        return _enqueue_keyed_slowly(session, values)
    # One statement: the unique key decides, also against a concurrent transaction (no look-up, no savepoint).
    session.flush()  # messages queued before this one keep the lower ids (the notifier sends in id order)
    row = session.connection().execute(keyed, values).first()
    if row is None:
        return None  # already queued: a retry or a double click
    session.info["outbox_written"] = True  # wakes the notifier after commit, as an ORM-added row does
    msg = OutboxMessage(id=row[0], **values, claimed_until=None, last_error=None, sent_at=None, result_ts=None, give_up_at=None)
    make_transient_to_detached(msg)
    session.add(msg)  # the row as the session would have loaded it
    return msg


_KEYED: dict[str, Any] = {}


def _keyed_insert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, built once per dialect."""
    if dialect not in _KEYED:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            _KEYED[dialect] = None
            return None
        _KEYED[dialect] = (dialect_insert(OutboxMessage.__table__).on_conflict_do_nothing(index_elements=["dedupe_key"])
                           .returning(OutboxMessage.__table__.c.id))
    return _KEYED[dialect]


def _enqueue_keyed_slowly(session: Session, values: dict[str, Any]) -> OutboxMessage | None:
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == values["dedupe_key"])) is not None:
        return None
    msg = OutboxMessage(**values)
    try:
        with session.begin_nested():
            session.add(msg)
    except IntegrityError:
        return None  # another transaction queued the same key first
    return msg


def chain_of(kind: str, payload: dict[str, Any]) -> str | None:
    """The remembered message this one depends on or creates: the notifier sends a chain in order
    (the escalation post, then its edits and thread replies), however long the parent takes."""
    if kind == "update":
        return payload.get("key")
    if kind in ("post", "upload") and payload.get("thread_of"):
        return payload["thread_of"]
    if kind == "board":
        return f"{payload['board']}:{payload['date']}"
    return payload.get("remember_as") if kind in ("post", "dm") else None


def post(session: Session, channel: str | None, text: str, blocks: list[dict] | None = None, *,
         key: str | None = None, remember_as: str | None = None, thread_of: str | None = None,
         thread_ts: str | None = None, notice: str | None = None) -> OutboxMessage | None:
    """A channel message. `remember_as` stores its ts under that key (to edit or thread on it later);
    `thread_of` posts in the thread of a remembered message, `thread_ts` in the thread of a message
    someone else posted (e.g. a file share)."""
    if not channel:
        return None
    payload: dict[str, Any] = {"text": text, "blocks": blocks}
    if notice:
        payload["notice"] = notice  # which plain notice (bot/services/notices.py) this message carries
    if remember_as:
        payload["remember_as"] = remember_as
    if thread_of:
        payload["thread_of"] = thread_of
    if thread_ts:
        payload["thread_ts"] = thread_ts
    return enqueue(session, "post", channel=channel, payload=payload, dedupe_key=key)


def dm(session: Session, user_id: str, text: str, blocks: list[dict] | None = None, *, key: str | None = None,
       remember_as: str | None = None, notice: str | None = None) -> OutboxMessage | None:
    """A direct message to one person (the notifier opens the DM channel); `remember_as` as for `post`."""
    payload: dict[str, Any] = {"text": text, "blocks": blocks}
    if notice:
        payload["notice"] = notice
    if remember_as:
        payload["remember_as"] = remember_as
    return enqueue(session, "dm", channel=user_id, payload=payload, dedupe_key=key)


def update(session: Session, remembered: str, text: str, blocks: list[dict] | None = None, *,
           notice: str | None = None) -> OutboxMessage | None:
    """Edit a remembered message in place (chat.update)."""
    payload: dict[str, Any] = {"key": remembered, "text": text, "blocks": blocks}
    if notice:
        payload["notice"] = notice
    return enqueue(session, "update", channel=None, payload=payload)


def refresh_board(session: Session, board: str, day: date) -> bool:
    """Ask for a live board (e.g. 'onset') to be re-rendered from the database and edited in place.

    Rendering happens at delivery, so while one refresh is still waiting, asking again adds nothing:
    a burst of check-ins becomes one up-to-date edit (and stays inside Slack's rate limits).
    True when a refresh was queued, False when one was already waiting.
    """
    key = f"{board}:{day.isoformat()}"
    now = clock.now()
    # One statement (it runs on every check-in): insert unless a refresh of this board is already waiting.
    res = session.connection().execute(_BOARD_INSERT, {
        "kind": "board", "channel": key, "payload": {"board": board, "date": day.isoformat()}, "now": now})
    if res.rowcount == 1:
        session.info["outbox_written"] = True  # wakes the notifier after commit, as an ORM-added row does
        return True
    return False


def upload(session: Session, renderer: str, args: dict[str, Any], *, filename: str, title: str, thread_of: str,
           key: str | None = None) -> OutboxMessage | None:
    """A file posted in the thread of a remembered message (files_upload_v2).

    Only the renderer's name and arguments are stored: the notifier builds the bytes from the database
    at delivery time (like boards), so the outbox row stays small."""
    payload = {"renderer": renderer, "args": args, "filename": filename, "title": title, "thread_of": thread_of}
    return enqueue(session, "upload", channel=None, payload=payload, dedupe_key=key)


def pending_and_failed(session: Session, limit: int = 200) -> list[OutboxMessage]:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status.in_(("pending", "sending", "failed")))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def _board_insert():  # type: ignore[no-untyped-def]
    """INSERT INTO outbox (...) SELECT ... WHERE NOT EXISTS (a pending refresh of the same board)."""
    t = OutboxMessage.__table__
    cols = t.c

    kind, channel = bindparam("kind", type_=cols.kind.type), bindparam("channel", type_=cols.channel.type)
    now = bindparam("now", type_=cols.created_at.type)
    waiting = exists().where(cols.kind == kind, cols.channel == channel, cols.status == "pending")
    row = select(kind, channel, bindparam("payload", type_=cols.payload.type), literal("pending"), literal(0), now, now,
                 channel).where(~waiting)
    # chain = the board's key: a refresh waits while an older one of the same board is being sent, so two
    # notifiers (two processes) never edit the board out of order.
    return insert(t).from_select(
        ["kind", "channel", "payload", "status", "attempts", "next_attempt_at", "created_at", "chain"], row)


_BOARD_INSERT = _board_insert()
