"""A bare Bolt app that only acks /checkin: the baseline the opsbot benchmark compares against."""

from __future__ import annotations

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
bolt = App(signing_secret=os.environ["SLACK_SIGNING_SECRET"], client=client, token_verification_enabled=False)


@bolt.command("/checkin")
@bolt.command("/checkout")
def clock(ack):  # type: ignore[no-untyped-def]
    ack(text="ok")


app = SlackRequestHandler(bolt)
