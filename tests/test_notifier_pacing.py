"""The notifier keeps to Slack's pace: about one chat.postMessage a second per channel, in order, no 429 storm,
and a restart in the middle of a queue loses and repeats nothing."""

from __future__ import annotations

import time

from conftest import make_settings

from bot.notifier import Notifier
from bot.runtime import make_client
from bot.services import outbox

PACE = 0.3  # seconds; the production default is CHANNEL_PACE_SECONDS=1


def queue(db, channel: str, texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as s:
        for text in texts:
            outbox.post(s, channel, text, key=f"pace:{channel}:{text}")


def notifier(db, stub, db_url: str, pace: float = PACE) -> Notifier:  # type: ignore[no-untyped-def]
    client = make_client(make_settings(db_url, stub.base_url), retry_rate_limits=False)
    return Notifier(db, client, poll_seconds=0.2, channel_pace=pace)


def posts(stub, channel: str | None = None) -> list:  # type: ignore[no-untyped-def]
    return [c for c in stub.calls_to("chat.postMessage") if c.ok and (channel is None or c.params["channel"] == channel)]


def wait_for_posts(stub, count: int, timeout: float = 10) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while len(posts(stub)) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def test_one_channel_is_paced_in_order_and_another_is_not_held_up(db, stub, db_url):
    queue(db, "C0BUSY", [f"m{i}" for i in range(5)])
    queue(db, "C0CALM", ["other"])
    n = notifier(db, stub, db_url)
    n.start()
    try:
        wait_for_posts(stub, 6)
    finally:
        n.stop()
    busy = posts(stub, "C0BUSY")
    assert [c.params["text"] for c in busy] == [f"m{i}" for i in range(5)]  # every one, once, in order
    gaps = [b.time - a.time for a, b in zip(busy, busy[1:])]
    assert min(gaps) >= PACE * 0.9, gaps
    [calm] = posts(stub, "C0CALM")
    assert calm.time < busy[1].time  # a quiet channel does not queue behind a busy one


def test_a_rate_limit_holds_the_channel_instead_of_a_429_storm(db, stub, db_url):
    queue(db, "C0BUSY", [f"m{i}" for i in range(4)])
    stub.fail_next("chat.postMessage", error="ratelimited", status=429, retry_after=1)
    n = notifier(db, stub, db_url)
    n.start()
    try:
        wait_for_posts(stub, 4)
    finally:
        n.stop()
    refused = [c for c in stub.calls_to("chat.postMessage") if not c.ok]
    assert len(refused) == 1  # asked once, told to wait, waited: the other three were not tried meanwhile
    assert sorted(c.params["text"] for c in posts(stub)) == [f"m{i}" for i in range(4)]
    first_ok = posts(stub)[0]
    assert first_ok.time - refused[0].time >= 0.9  # Retry-After honoured for the whole channel


def test_a_restart_mid_queue_loses_and_repeats_nothing(db, stub, db_url):
    texts = [f"m{i}" for i in range(6)]
    queue(db, "C0BUSY", texts)
    first = notifier(db, stub, db_url)
    first.start()
    wait_for_posts(stub, 2)
    first.stop()  # the process goes away with four messages still waiting
    assert 2 <= len(posts(stub)) < 6
    second = notifier(db, stub, db_url)  # the next process: its pacing starts afresh, the queue is in the database
    second.start()
    try:
        wait_for_posts(stub, 6)
        time.sleep(PACE * 2)  # nothing more comes
    finally:
        second.stop()
    assert [c.params["text"] for c in posts(stub)] == texts
