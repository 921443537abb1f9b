"""First contacts' profiles are filled on one thread, each once, after the answers (bot/profile_filler.py)."""

from __future__ import annotations

import threading
import time

from conftest import HOST

from bot.profile_filler import ProfileFiller


class Recorder:
    def __init__(self, gate: threading.Event | None = None) -> None:
        self.calls: list[tuple[str, str]] = []
        self.gate = gate

    def fill(self, user_id: str) -> None:
        if self.gate is not None:
            assert self.gate.wait(5)
        self.calls.append((user_id, threading.current_thread().name))


def wait_until(check, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return False


def test_a_crew_of_first_contacts_is_filled_once_each_on_one_thread():
    gate = threading.Event()
    rec = Recorder(gate)
    filler = ProfileFiller(rec.fill)
    crew = [f"UCREW{i:04d}" for i in range(30)]
    for uid in crew + crew:  # everyone twice (a double tap, a check-out soon after): still one lookup each
        filler.ask(uid)
    gate.set()
    assert wait_until(lambda: len(rec.calls) == len(crew))
    time.sleep(0.05)
    assert sorted(uid for uid, _ in rec.calls) == sorted(crew)
    assert {name for _, name in rec.calls} == {"opsbot-profiles"}
    filler.close()


def test_a_closed_filler_takes_no_more_work():
    rec = Recorder()
    filler = ProfileFiller(rec.fill)
    filler.close()
    filler.ask(HOST)
    time.sleep(0.05)
    assert rec.calls == []


def test_a_failed_lookup_does_not_stop_the_next():
    seen: list[str] = []

    class Flaky:
        def fill(self, user_id: str) -> None:
            seen.append(user_id)
            if user_id == "UBROKEN01":
                raise RuntimeError("users.info blew up")

    flaky = Flaky()
    filler = ProfileFiller(flaky.fill)
    filler.ask("UBROKEN01")
    filler.ask(HOST)
    assert wait_until(lambda: seen == ["UBROKEN01", HOST])
    filler.ask("UBROKEN01")  # asked again later: tried again (it was not left marked as queued)
    assert wait_until(lambda: seen == ["UBROKEN01", HOST, "UBROKEN01"])
    filler.close()
