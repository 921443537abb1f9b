"""The audit log: every state change records who, what, when, and the record before and after."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import AuditRecord


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """A JSON-safe copy of some attributes of a record."""
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """Write one audit row now, in the session's transaction (rolled back with it).

    A plain INSERT on the session's connection rather than an ORM object: the log is append-only and
    nothing reads the row back in the same unit of work, so the unit-of-work bookkeeping was pure cost
    on every state change (a third of a check-in's CPU went to flushing objects)."""
    session.connection().execute(_INSERT, {
        "at": clock.now(),
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "before": _jsonable(before) if before is not None else None,
        "after": _jsonable(after) if after is not None else None,
        "reason": reason,
    })


_INSERT = insert(AuditRecord.__table__)
