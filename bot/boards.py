"""Live boards: messages re-rendered from the database and edited in place by the notifier."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.blocks.timeclock import onset_board
from bot.config import Settings
from bot.notifier import BoardRenderer, Rendered
from bot.services.timeclock import on_set_board


def board_renderers(settings: Settings) -> dict[str, BoardRenderer]:
    def render_onset(session: Session, day: date, now: datetime) -> Rendered:
        text, blocks = onset_board(on_set_board(session, day, settings.tz, now), settings.tz, now)
        return Rendered(channel=settings.ops_channel, text=text, blocks=blocks)

    return {"onset": render_onset}
