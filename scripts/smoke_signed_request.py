#!/usr/bin/env python3
"""Send Slack-signed slash commands to a running opsbot, as Slack would, and check the answers (smoke runs).

    scripts/smoke_signed_request.py URL SECRET

URL is the bot's base (http://127.0.0.1:PORT). The associate puts a host on the roster (`/ops role add`), the host
runs /checkin and must be told "Clocked in"; the request is signed with SECRET (v0 HMAC-SHA256), and an unsigned
copy must be refused with 401. Standard library only; exits 1 with the reason on any surprise.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from slack_signing import SlackClient, command_body  # noqa: E402

ADMIN, HOST = "USMOKEADM", "USMOKEHST"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    base, secret = argv[1].rstrip("/"), argv[2]
    with urllib.request.urlopen(f"{base}/healthz", timeout=5) as resp:
        health = json.loads(resp.read())
    if health.get("database") != "ok":
        return fail(f"/healthz says {health}")
    slack = SlackClient(f"{base}/slack/events", secret)
    status, body = slack.command("/ops", f"role add <@{HOST}|hana> host", ADMIN)
    if status != 200 or "Host" not in str(body):
        return fail(f"/ops role add answered {status} {body}")
    status, body = slack.command("/checkin", "smoke test", HOST)
    if status != 200 or "Clocked in" not in str(body):
        return fail(f"/checkin answered {status} {body}")
    request = urllib.request.Request(f"{base}/slack/events", data=command_body("/checkin", "", HOST).encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.urlopen(request, timeout=5)
        return fail("an unsigned request was accepted")
    except urllib.error.HTTPError as exc:
        if exc.code != 401:
            return fail(f"an unsigned request got {exc.code}, not 401")
    print(f"signed /checkin answered: {body['text'][:80]}")
    return 0


def fail(reason: str) -> int:
    print(f"smoke: {reason}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
