"""Job `brief-digest`: once a day, the list of briefs waiting for legal, posted to LEGAL_CHANNEL.

The outbox key names the team-local day, so several processes (or a rerun) still post it once.
Nothing is posted on a day with nothing waiting.
"""

from __future__ import annotations

from datetime import datetime

from bot.runtime import Runtime
from bot.services import briefs

JOB_NAME = "brief-digest"


def run(rt: Runtime, now: datetime) -> bool:
    """Queue today's digest; False when nothing is waiting or it was already queued today."""
    with rt.db.transaction() as s:
        queued = briefs.post_digest(s, now, briefs.BriefPolicy.from_settings(rt.settings))
    if queued:
        rt.after_change()
    return queued
