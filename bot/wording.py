"""Counting words people read: "1 session", "3 sessions" (never "1 sessions")."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 session', '2 sessions', '1,200 sessions'; `many` for irregular plurals ('1 person', '2 people')."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"
