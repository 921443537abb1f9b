"""Plain answers for a person whose request met an outage: Slack or the database out of reach,
a rate limit, or a form's 3-second trigger gone. Not bugs, so never "something went wrong"."""

from __future__ import annotations

from bot import slack_errors
from bot.db.outage import unreachable as db_unreachable
from bot.logs import DATABASE, SLACK

FORM_BUSY = "Slack is busy right now (too many requests), so the form didn't open. Try again in a few seconds."
FORM_EXPIRED = "Slack gave the form only 3 seconds to open and that time ran out. Try again."
FORM_DOWN = ("Slack isn't answering right now, so the form couldn't open and nothing was recorded. "
             "Try again in a minute; if it's urgent, call the associate.")
SLACK_DOWN = ("Slack isn't answering right now, so that couldn't finish (no form can open while it's down). "
              "Try again in a minute; whatever was already saved is kept and its messages go out when Slack is back.")
SLACK_BUSY = "Slack is busy right now (too many requests). Try again in a few seconds."
DB_DOWN = "The database isn't answering right now, so nothing was changed. Try again in a minute."


def answer_for(exc: BaseException) -> str | None:
    """The words for an outage-shaped failure (and one rate-limited log line), or None for a bug."""
    if db_unreachable(exc):
        DATABASE.down(f"request: {type(exc).__name__}")
        return DB_DOWN
    failure = slack_errors.classify(exc)
    if failure is None:
        return None
    form = _method(exc).startswith("views.")
    if failure.error in slack_errors.TRIGGER_ERRORS:
        return FORM_EXPIRED
    if failure.rate_limited:
        return FORM_BUSY if form else SLACK_BUSY
    if failure.unreachable:
        SLACK.down(f"request: {failure.error}")
        return FORM_DOWN if form else SLACK_DOWN  # a network error names no method: the general words
    return None  # a permanent Slack error in a handler is a bug of ours: the generic answer, with a ref


def _method(exc: BaseException) -> str:
    """The Web API method of a failed call (views.open ...), when slack_sdk kept it."""
    url = str(getattr(getattr(exc, "response", None), "api_url", "") or "")
    return url.rstrip("/").rsplit("/", 1)[-1]
