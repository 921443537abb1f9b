"""Edits of an existing row from a modal: lock the row, then check it is what the form showed.

A modal is drawn from a row and submitted seconds or minutes later, sometimes twice at once (a
double click on Save, Slack retrying, two associates). Each edit therefore takes the row with
SELECT ... FOR UPDATE (SQLite: the process's single writer) and compares the row's `version`
(a short hash of the fields the form edits) with the one the modal carried in its private_metadata.
The first submit wins; every later one is refused with Conflict and changes nothing, so twenty
parallel submits record one edit and send one message.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.services.audit import snapshot
from bot.services.errors import Conflict, NotFound

T = TypeVar("T")

STALE = ("{what} was changed since this form was opened (perhaps by a second click on Save), so nothing "
         "more was saved. Open it again to see the current values.")


def version(row: Any, fields: list[str]) -> str:
    """A short fingerprint of the row's `fields`, carried by the modal that edits them."""
    return fingerprint(snapshot(row, fields))


def fingerprint(value: Any) -> str:
    """A short fingerprint of any JSON-able value (for a form that edits a set of rows)."""
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def lock(session: Session, model: type[T], row_id: Any, what: str) -> T:
    """The row, locked for the rest of the transaction and read fresh (not from the session's cache)."""
    row = session.get(model, row_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(f"{what} no longer exists. Nothing was changed.")
    return row


def require_current(row: Any, fields: list[str], seen: str | None, what: str) -> None:
    """Refuse when the row no longer has the values the form was drawn from (`seen` None: not checked)."""
    require_version(version(row, fields), seen, what)


def require_version(current: str, seen: str | None, what: str) -> None:
    if seen is not None and current != seen:
        raise Conflict(STALE.format(what=what))


def lock_current(session: Session, model: type[T], row_id: Any, fields: list[str], seen: str | None, what: str) -> T:
    """`lock` then `require_current`: the one call a service makes before editing a row from a modal."""
    row = lock(session, model, row_id, what)
    require_current(row, fields, seen, what)
    return row


def form_ref(row_id: Any, row_version: str, **extra: Any) -> str:
    """private_metadata for a modal that edits one row."""
    return json.dumps({"id": row_id, "v": row_version, **extra}, separators=(",", ":"))


def parse_form_ref(metadata: str | None) -> tuple[Any, str | None, dict[str, Any]]:
    """(row id, version or None, other keys) from `form_ref` output, or from a bare id (older modals)."""
    raw = (metadata or "").strip()
    try:
        data = json.loads(raw) if raw.startswith("{") else {"id": raw}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    rest = {k: v for k, v in data.items() if k not in ("id", "v")}
    seen = data.get("v")
    return data.get("id"), seen if isinstance(seen, str) else None, rest
