"""Logging to stdout, one line per event, with secrets scrubbed from every message."""

from __future__ import annotations

import logging
import re
import sys

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


def setup(level: str = "INFO", secrets: list[str] | None = None) -> None:
    handler = logging.StreamHandler(sys.stdout)
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
