"""`opsbot check-config`'s Slack part: the token (auth.test) and each configured channel, in plain lines."""

from __future__ import annotations

from bot.config import Settings
from bot.slack_checks import check_channels, check_token, startup_client


def print_slack_report(settings: Settings) -> int:
    """Print what Slack says of the token and channels; the number of problems (Slack unreachable is not one)."""
    client = startup_client(settings)
    token = check_token(settings, client, settings.socket_mode)
    print("\nSlack")
    if token.refusal:
        print(f"  token    REFUSED  {token.refusal}")
        return 1
    if token.warning:
        print(f"  token    not checked  {token.warning}")
        return 0
    print(f"  token    ok       bot {token.bot_user} in workspace {token.team or '?'}")
    report = check_channels(settings, client, token)
    for check in report.checks:
        status = "ok      " if check.ok else "PROBLEM "
        print(f"  {check.setting:<19} {check.channel:<12} {status} {check.message}")
    if not report.checks:
        print("  channels none set (OPS_CHANNEL, LEGAL_CHANNEL, LEADERSHIP_CHANNEL, ESCALATION_CHANNEL): posts have nowhere to go")
    return len(report.problems)
