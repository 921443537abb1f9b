"""Every Slack listener, registered in one place, grouped by kind."""

from __future__ import annotations

from slack_bolt import App

from bot.handlers import (actions, briefs, claims, clips, commands, creators, escalations, events, invoices, messages,
                          metrics, payroll, reporting, run_of_show, schedule, swaps, uploads, views)
from bot.runtime import Runtime


LISTENER_MODULES = (commands, actions, views, events, briefs, claims, schedule, escalations, swaps, metrics,
                    run_of_show, uploads, messages, reporting, creators, clips, payroll, invoices)
"""Each module's `register(app, rt)` adds its listeners; the order is the order Bolt tries them."""


def register_all(app: App, rt: Runtime) -> None:
    for module in LISTENER_MODULES:
        module.register(app, rt)
