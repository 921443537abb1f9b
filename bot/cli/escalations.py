"""`opsbot escalations tick`: run the re-escalation check once by hand (it normally runs every minute)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    esc = sub.add_parser("escalations", help="escalation housekeeping")
    esc_sub = esc.add_subparsers(dest="escalations_command", metavar="ACTION", required=True)
    tick = esc_sub.add_parser("tick", help="send the re-escalation reminders due now, and deliver them")
    tick.set_defaults(func=cmd_tick)


def cmd_tick(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.cli.core import settings_or_exit
    from bot.jobs import escalations
    from bot.runtime import Runtime

    rt = Runtime.build(settings_or_exit())
    paged = escalations.run(rt, clock.now())
    sent = rt.notifier.deliver_due()
    print(f"Escalation reminders: {paged} page(s) queued, {sent} message(s) delivered.")
    return 0
