"""argparse types for dates and weeks, on the shared validation layer: a bad value exits 2 with one sentence."""

from __future__ import annotations

import argparse
from datetime import date

from bot import clock
from bot.services import validation


def _today() -> date:
    return clock.now().date()


def _argument(parse, text: str):  # type: ignore[no-untyped-def]
    """Run one validation parser; its plain sentence becomes argparse's error (exit 2, no traceback)."""
    try:
        return parse(text)
    except validation.InputError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def week(text: str) -> date:
    """--week YYYY-Www -> that week's Monday, within a year back and two years ahead."""
    return _argument(lambda t: validation.parse_week(t, today=_today()), text)


def week_label(text: str) -> str:
    """--week YYYY-Www, checked like `week`, kept as the canonical label (e.g. '2026-w5' -> '2026-W05')."""
    return validation.week_label(week(text))


def day(text: str) -> date:
    """--date YYYY-MM-DD, a real day within a year back and two years ahead."""
    return _argument(lambda t: validation.parse_date(t, today=_today()), text)


def archive_day(text: str) -> date:
    """A report's --from/--to: a real day, up to ten years back."""
    return _argument(lambda t: validation.parse_date(t, today=_today(), window=validation.ARCHIVE_WINDOW), text)


def count(low: int, high: int):  # type: ignore[no-untyped-def]
    """An argparse type for a whole number from `low` to `high` (ASCII digits)."""

    def parse(text: str) -> int:
        return _argument(lambda t: validation.parse_int(t, label="The number", minimum=low, maximum=high), text)

    return parse
