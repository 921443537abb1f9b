"""The listener shapes many handlers repeat, registered from a table instead of written out each time.

- `buttons`: a button that makes one change as the clicker and answers them privately (ack first, one
  transaction, then the answer; the shared message is edited through the outbox by the service).
- `openers`: a button that opens a modal built from the database (refusals answered privately, no modal).
Both run inside `guarded("action")`, so a refusal or a bug reaches the clicker in plain words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import App
from sqlalchemy.orm import Session

from bot.blocks.common import section
from bot.db.models import Person
from bot.handlers.common import guarded
from bot.runtime import Runtime
from bot.services import people

Step = Callable[[Session, Person, dict[str, Any]], str]
"""The service call of a button, as the clicker: returns the sentence that confirms it."""
Build = Callable[[Session, Person, dict[str, Any]], dict[str, Any]]
"""The modal a button opens, read in one transaction as the clicker."""
Answer = Callable[[dict[str, Any], Any, Any, str], None]


def confirm(body: dict[str, Any], client: Any, respond: Any, text: str) -> None:
    """A private 'done' to the clicker, where they clicked: an ephemeral reply on the message, or a DM."""
    if body.get("response_url") and respond is not None:
        respond(text=text, blocks=[section(text)], response_type="ephemeral", replace_original=False)
    else:
        client.chat_postMessage(channel=body["user"]["id"], text=text, blocks=[section(text)])


def buttons(app: App, rt: Runtime, table: Mapping[str, Step], *, answer: Answer = confirm,
            learn_clicker: bool = False) -> None:
    """Register `action_id -> step` for each row: ack, run the step in one transaction, answer the clicker.

    learn_clicker: fill in the clicker's Slack profile afterwards (for buttons a new person may press first).
    """
    for action_id, step in table.items():
        app.action(action_id)(guarded("action")(_button(rt, step, answer, learn_clicker)))


def openers(app: App, rt: Runtime, table: Mapping[str, Build]) -> None:
    """Register `action_id -> build` for each row: build the modal, ack, open it on the click's trigger."""
    for action_id, build in table.items():
        app.action(action_id)(guarded("action")(_opener(rt, build)))


def _button(rt: Runtime, step: Step, answer: Answer, learn_clicker: bool) -> Callable[..., None]:
    def listener(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ack()
        user_id = body["user"]["id"]
        with rt.db.transaction() as s:
            text = step(s, people.get_or_create(s, user_id), body)
        rt.after_change(user_id if learn_clicker else None)
        answer(body, client, respond, text)

    listener.__name__ = getattr(step, "__name__", "button")
    return listener


def _opener(rt: Runtime, build: Build) -> Callable[..., None]:
    def listener(ack: Any, body: dict, client: Any, respond: Any) -> None:
        with rt.db.transaction() as s:
            view = build(s, people.get_or_create(s, body["user"]["id"]), body)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    listener.__name__ = getattr(build, "__name__", "opener")
    return listener
