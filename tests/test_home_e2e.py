"""The App Home tab: status and one-tap Check in / Check out."""

from __future__ import annotations

from conftest import HOST
from sqlalchemy import select

from bot.db.models import TimeEntry


def test_home_opened_publishes_and_buttons_clock_in_and_out(server, db, roster):
    status, _ = server.slack.event({"type": "app_home_opened", "user": HOST, "channel": "D123", "tab": "home"})
    assert status == 200
    [published] = server.stub.wait_for("views.publish")
    assert "not clocked in" in str(published.params["view"]["blocks"])

    server.slack.action("home_checkin", None, HOST, view={"id": "VHOME", "type": "home"})
    server.stub.wait_for("views.publish", count=2)
    with db.read() as s:
        assert s.scalars(select(TimeEntry)).one().clock_out_at is None
    server.slack.action("home_checkout", None, HOST, view={"id": "VHOME", "type": "home"})
    server.stub.wait_for("views.publish", count=3)
    with db.read() as s:
        assert s.scalars(select(TimeEntry)).one().clock_out_at is not None


def test_home_checkout_when_not_clocked_in_tells_privately(server, db, roster):
    server.slack.action("home_checkout", None, HOST, view={"id": "VHOME", "type": "home"})
    [dm] = server.stub.wait_for("chat.postMessage")
    assert "not clocked in" in dm.params["text"]
    with db.read() as s:
        assert s.scalars(select(TimeEntry)).all() == []


def test_event_retry_is_harmless(server):
    event = {"type": "app_home_opened", "user": HOST, "channel": "D123", "tab": "home"}
    server.slack.event(event, event_id="Ev1")
    server.slack.event(event, event_id="Ev1", retry_num=1)
    server.stub.wait_for("views.publish", count=2)  # publishing the same view twice is idempotent for the user
