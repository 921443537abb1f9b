"""The person a command names (`/ops role add @user`, `/schedule tier @user`): typed, known, real.

A typed ID that opsbot has never seen is checked with users.info before anything is created for it,
so a made-up or mistyped ID gets a plain refusal instead of a person record nobody can ever be.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.runtime import Runtime
from bot.services import people
from bot.services.errors import Invalid, NotFound

log = logging.getLogger("opsbot.handlers")

_NOT_A_USER = {"user_not_found", "user_not_visible", "invalid_user"}


def resolve(rt: Runtime, text: str) -> str:
    """The Slack user ID `text` names; refuses one Slack does not know. An unreachable Slack does not refuse."""
    with rt.db.read() as s:
        user_id = people.parse_user_ref(s, text)
        if people.get(s, user_id) is not None:
            return user_id
    try:
        user = rt.client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else None
        if error in _NOT_A_USER:
            raise NotFound(f"Slack has no user {user_id} in this workspace, so nothing was changed. "
                           "Mention the person, like @name.") from None
        log.warning("users.info for %s failed (%s); taking the ID as typed", user_id, error)
        return user_id
    except Exception as exc:  # Slack unreachable: the associate's command still works
        log.warning("users.info for %s failed (%s); taking the ID as typed", user_id, type(exc).__name__)
        return user_id
    if user.get("deleted"):
        raise Invalid(f"{user_id} is a deactivated Slack account, so nothing was changed.")
    return user_id
