"""Every Slack listener, registered in one place, grouped by kind."""

from __future__ import annotations

from slack_bolt import App

from bot.handlers import (actions, briefs, claims, clips, coaching, commands, creators, escalations, events, invoices,
                          messages, metrics, payroll, reporting, run_of_show, schedule, swaps, talent, uploads, views)
from bot.runtime import Runtime


LISTENER_MODULES = (commands, actions, views, events, briefs, claims, schedule, escalations, swaps, metrics,
                    run_of_show, uploads, talent, coaching, reporting, creators, clips, payroll, invoices, messages)
"""Each module's `register(app, rt)` adds its listeners; the order is the order Bolt tries them (`messages` last:
it answers any DM the others did not take)."""


def register_all(app: App, rt: Runtime) -> None:
    for module in LISTENER_MODULES:
        module.register(app, rt)
