"""The one clock opsbot reads. Tests freeze it with freezegun; nothing else calls datetime.now."""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)
