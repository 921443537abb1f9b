"""Logging to stdout, one line per event, with secrets scrubbed from every message."""

from __future__ import annotations

import logging
import re
import sys
import threading
from datetime import datetime, timedelta

from bot import clock

_TOKEN_RE = re.compile(r"\b(xox[abposr]-|xapp-)[A-Za-z0-9-]+")


class SecretScrubber(logging.Filter):
    """Replace known secret values and anything shaped like a Slack token."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        clean = _TOKEN_RE.sub(lambda m: m.group(1) + "****", msg)
        for secret in self.secrets:
            clean = clean.replace(secret, "****")
        if clean != msg:
            record.msg, record.args = clean, None
        return True


class _CurrentStdout(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout is at the time of the record, not the one there when logging was set up
    (an in-process CLI run under a test harness, or a redirected stdout, would otherwise write to a closed file)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property  # type: ignore[override]
    def stream(self):  # type: ignore[no-untyped-def]
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:  # type: ignore[no-untyped-def]
        pass


def setup(level: str = "INFO", secrets: list[str] | None = None) -> None:
    handler = _CurrentStdout()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(SecretScrubber(secrets or []))
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("slack_bolt").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("slack_sdk").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))


class OutageLog:
    """Says "X is unreachable" once per outage, then at most once per interval, and when X is back.

    A Slack or database outage otherwise logs one traceback per message and per request (115 in
    50 s was seen); one line a minute tells the operator the same and keeps the log readable.
    """

    def __init__(self, what: str, logger: logging.Logger | None = None, every: timedelta = timedelta(minutes=1)) -> None:
        self.what = what
        self.log = logger or logging.getLogger("opsbot.outage")
        self.every = every
        self._since: datetime | None = None
        self._last: datetime | None = None
        self._lock = threading.Lock()

    @property
    def down_since(self) -> datetime | None:
        return self._since

    def down(self, detail: str) -> bool:
        """Note a failure; returns True when it was logged (the first of an outage, or one a minute)."""
        now = clock.now()
        with self._lock:
            if self._since is None:
                self._since = self._last = now
                self.log.warning("%s unreachable (%s); nothing is lost, will keep trying", self.what, detail)
                return True
            if self._last is not None and now - self._last < self.every:
                return False
            self._last = now
            minutes = int((now - self._since).total_seconds() // 60)
            self.log.warning("%s still unreachable after %d min (%s)", self.what, minutes, detail)
            return True

    def reset(self) -> None:
        """Forget any outage without a line (tests: each starts with Slack and the database up)."""
        with self._lock:
            self._since = self._last = None

    def up(self) -> None:
        """Note a success: logs once that the outage ended."""
        with self._lock:
            if self._since is None:
                return
            seconds = int((clock.now() - self._since).total_seconds())
            self._since = self._last = None
        self.log.warning("%s reachable again after %d s", self.what, seconds)


#: Shared by the notifier and the handlers, so one outage is one stream of lines per process.
SLACK = OutageLog("Slack")
DATABASE = OutageLog("database")
