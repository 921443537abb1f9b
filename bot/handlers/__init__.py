"""Every Slack listener, registered in one place, grouped by kind."""

from __future__ import annotations

from slack_bolt import App

from bot.handlers import (actions, briefs, claims, coaching, commands, escalations, events, messages, metrics,
                          run_of_show, schedule, swaps, talent, uploads, views)
from bot.runtime import Runtime


def register_all(app: App, rt: Runtime) -> None:
    commands.register(app, rt)
    actions.register(app, rt)
    views.register(app, rt)
    events.register(app, rt)
    briefs.register(app, rt)
    claims.register(app, rt)
    schedule.register(app, rt)
    escalations.register(app, rt)
    swaps.register(app, rt)
    metrics.register(app, rt)
    run_of_show.register(app, rt)
    uploads.register(app, rt)
    talent.register(app, rt)
    coaching.register(app, rt)
    messages.register(app, rt)
