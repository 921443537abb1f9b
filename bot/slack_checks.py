"""Before serving, and in `opsbot check-config`: is the bot token real, and can the bot post in each configured channel?

A token copied unchanged from .env.example, or one Slack refuses, would otherwise be found out only later, as every
queued message failing with invalid_auth while people see "Clocked in". Slack being merely unreachable is not a
reason to refuse: the outbox delivers once it is back.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings

log = logging.getLogger("opsbot.slack_checks")

# Words that only a template value contains (.env.example's xoxb-your-bot-token, your-signing-secret, ...).
_PLACEHOLDER = re.compile(r"your[-_]|example|placeholder|change[-_]?me|[<>]", re.IGNORECASE)
# auth.test errors that mean the token itself is wrong (anything else: Slack trouble, not ours).
TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                          "no_permission", "org_login_required", "ekm_access_denied"})
# What the bot needs in every channel it posts to; channels:join lets it join public channels itself.
POST_SCOPE, JOIN_SCOPE = "chat:write", "channels:join"
CHANNEL_SETTINGS = ("OPS_CHANNEL", "LEGAL_CHANNEL", "LEADERSHIP_CHANNEL", "ESCALATION_CHANNEL")


def is_placeholder(value: str | None) -> bool:
    return bool(value) and bool(_PLACEHOLDER.search(value or ""))


@dataclass
class TokenCheck:
    """The verdict on SLACK_BOT_TOKEN: refused (one sentence), unreachable (a warning), or fine."""

    refusal: str | None = None
    warning: str | None = None
    team: str = ""
    bot_user: str = ""
    scopes: frozenset[str] | None = None  # None when Slack didn't say

    @property
    def verified(self) -> bool:
        return self.refusal is None and self.warning is None


def startup_client(settings: Settings) -> WebClient:
    """A client for the checks alone: short timeout, no retries, so a start with Slack down doesn't hang."""
    return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=5)


def placeholder_refusal(settings: Settings, socket_mode: bool) -> str | None:
    """A secret still holding .env.example's template value; checked without asking Slack."""
    names = ["SLACK_BOT_TOKEN"] + (["SLACK_APP_TOKEN"] if socket_mode else ["SLACK_SIGNING_SECRET"])
    for name in names:
        value = getattr(settings, name.lower())
        if is_placeholder(value):
            where = {"SLACK_BOT_TOKEN": "the Bot User OAuth Token from your app's OAuth & Permissions page",
                     "SLACK_SIGNING_SECRET": "the Signing Secret from your app's Basic Information page",
                     "SLACK_APP_TOKEN": "an App-Level Token from your app's Basic Information page"}[name]
            return f"Setting {name} is still the placeholder from .env.example ({value}): replace it with {where}."
    token = settings.slack_bot_token or ""
    if token and not token.startswith("xoxb-"):
        return "Setting SLACK_BOT_TOKEN is not a bot token (they start with xoxb-): use the Bot User OAuth Token."
    return None


def check_token(settings: Settings, client: WebClient, socket_mode: bool = False) -> TokenCheck:
    """auth.test with the configured token: Slack's answer decides, a network failure only warns."""
    refusal = placeholder_refusal(settings, socket_mode)
    if refusal:
        return TokenCheck(refusal=refusal)
    try:
        resp = client.auth_test()
    except SlackApiError as exc:
        error = str(exc.response.get("error") or exc.response.status_code) if exc.response is not None else "error"
        if error in TOKEN_ERRORS:
            return TokenCheck(refusal=f"Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token again "
                                      "from your app's OAuth & Permissions page (reinstall the app if it was revoked).")
        return TokenCheck(warning=f"Slack answered auth.test with {error}; the token was not checked.")
    except Exception as exc:  # URLError, timeout, refused connection: Slack is unreachable, not wrong
        return TokenCheck(warning=f"Slack at {settings.slack_api_url} could not be reached ({type(exc).__name__}); "
                                  "the token was not checked.")
    header = (resp.headers or {}).get("x-oauth-scopes") or (resp.headers or {}).get("X-OAuth-Scopes")
    scopes = frozenset(s.strip() for s in header.split(",") if s.strip()) if header else None
    return TokenCheck(team=str(resp.get("team") or ""), bot_user=str(resp.get("user_id") or ""), scopes=scopes)


@dataclass
class ChannelCheck:
    setting: str
    channel: str
    ok: bool
    message: str
    joined: bool = False


@dataclass
class ChannelReport:
    checks: list[ChannelCheck] = field(default_factory=list)

    @property
    def problems(self) -> list[ChannelCheck]:
        return [c for c in self.checks if not c.ok]


def _invite(name: str) -> str:
    return f"type `/invite @opsbot` in #{name}" if name else "type `/invite @opsbot` in that channel"


def check_channel(client: WebClient, setting: str, channel: str, token: TokenCheck, *, join: bool) -> ChannelCheck:
    """Exists, not archived, the bot is a member (joining a public channel itself when it may), and may post."""
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else "error"
        if error == "channel_not_found":
            return ChannelCheck(setting, channel, False, "no such channel, or a private one the bot is not in: "
                                "check the ID, or type `/invite @opsbot` in that channel")
        return ChannelCheck(setting, channel, False, f"Slack answered conversations.info with {error}")
    name = str(info.get("name") or "")
    label = f"#{name}" if name else channel
    if info.get("is_archived"):
        return ChannelCheck(setting, channel, False, f"{label} is archived: pick another channel")
    if token.scopes is not None and POST_SCOPE not in token.scopes:
        return ChannelCheck(setting, channel, False, f"the app lacks the {POST_SCOPE} scope: reinstall it from the manifest")
    if info.get("is_member"):
        return ChannelCheck(setting, channel, True, f"{label}: the bot is a member")
    if not join:
        return ChannelCheck(setting, channel, False, f"the bot is not in {label}: {_invite(name)}")
    if info.get("is_private"):
        return ChannelCheck(setting, channel, False, f"the bot is not in private channel {label}: {_invite(name)}")
    try:
        client.conversations_join(channel=channel)
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else "error"
        return ChannelCheck(setting, channel, False, f"the bot could not join {label} ({error}): {_invite(name)}")
    return ChannelCheck(setting, channel, True, f"{label}: the bot joined it", joined=True)


def check_channels(settings: Settings, client: WebClient, token: TokenCheck, *, join: bool = True) -> ChannelReport:
    """Each configured channel, in settings order. Only a verified token gets this far."""
    report = ChannelReport()
    for setting in CHANNEL_SETTINGS:
        channel = getattr(settings, setting.lower())
        if channel:
            try:
                report.checks.append(check_channel(client, setting, channel, token, join=join))
            except Exception as exc:  # Slack unreachable mid-check
                report.checks.append(ChannelCheck(setting, channel, False, f"not checked ({type(exc).__name__})"))
    return report


def startup_refusal(settings: Settings, socket_mode: bool) -> str | None:
    """At start: a sentence when the token is refused; otherwise join public channels and warn about the rest."""
    client = startup_client(settings)
    token = check_token(settings, client, socket_mode)
    if token.refusal:
        return token.refusal
    if token.warning:
        log.warning("%s opsbot starts anyway; messages wait in the outbox until Slack answers.", token.warning)
        return None
    for check in check_channels(settings, client, token).checks:
        if check.joined:
            log.info("%s %s: joined", check.setting, check.channel)
        elif not check.ok:
            log.warning("%s %s: %s", check.setting, check.channel, check.message)
    return None
