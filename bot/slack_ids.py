"""The shape of Slack IDs, checked once for settings, typed mentions and incoming requests."""

from __future__ import annotations

import re

# U/W and upper-case letters or digits; Slack's IDs are 9 to 11 characters today, test IDs shorter.
# Anything longer than 15 is not a Slack user (and would not fit where IDs are stored).
USER_ID_RE = re.compile(r"^[UW][A-Z0-9]{2,14}$")
CHANNEL_ID_RE = re.compile(r"^[CGD][A-Z0-9]{2,}$")
