"""Live boards: messages re-rendered from the database and edited in place by the notifier."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks.timeclock import onset_board
from bot.config import Settings
from bot.notifier import BoardRenderer, FileRenderer, Rendered
from bot.services.timeclock import on_set_board


def board_renderers(settings: Settings) -> dict[str, BoardRenderer]:
    def render_onset(session: Session, day: date, now: datetime) -> Rendered:
        text, blocks = onset_board(on_set_board(session, day, settings.tz, now), settings.tz, now)
        return Rendered(channel=settings.ops_channel, text=text, blocks=blocks)

    return {"onset": render_onset}


def file_renderers(settings: Settings) -> dict[str, FileRenderer]:
    """Files the notifier builds at delivery time from the database (the outbox stores only their arguments)."""
    from bot import clock
    from bot.services.scorecard import compute
    from bot.services.scorecard.chart import card_chart, heatmap
    from bot.services.scorecard.model import Scorecard, ScorecardConfig
    from bot.services.scorecard.xlsx import build_workbook

    def card(session: Session, args: dict[str, Any]) -> Scorecard:
        return compute.build(session, date.fromisoformat(args["monday"]), ScorecardConfig.from_settings(settings),
                               clock.now())

    def chart(session: Session, args: dict[str, Any]) -> bytes:
        return card_chart(card(session, args), settings.tz)

    def workbook(session: Session, args: dict[str, Any]) -> bytes:
        return build_workbook(card(session, args), settings.tz)

    def slots_heatmap(session: Session, args: dict[str, Any]) -> bytes:
        cfg = ScorecardConfig.from_settings(settings)
        return heatmap(card(session, args), cfg.min_slot_sessions, cfg.slot_weeks)

    return {"scorecard_chart": chart, "scorecard_xlsx": workbook, "scorecard_heatmap": slots_heatmap}
