"""Shared set-up for the talent tests: the team with roles, candidates and a state dict for modal submissions."""

from __future__ import annotations

from typing import Any

from conftest import ADMIN, HOST, HOST2, LEADER, LEGAL, PA
from schedule_helpers import person, seed

from bot.services.talent import casting

REVIEWER = "UREVIEW01"


def team(db) -> None:
    seed(db)
    with db.transaction() as s:
        person(s, ADMIN, "associate", name="ava")
        person(s, LEADER, "leadership", name="lee")
        person(s, LEGAL, "legal", name="lou")
        person(s, HOST, "host", name="hana", tier="Core")
        person(s, HOST2, "host", name="hugo", tier="Rookie")
        person(s, PA, "pa", name="pat")
        person(s, REVIEWER, "host", name="rev", tier="Lead")


def add_candidate(db, name: str = "Mia Moreno", handle: str | None = "mia.sells", email: str | None = "mia@example.com",
                  **kw: Any) -> int:
    from bot.services import people

    with db.transaction() as s:
        actor = people.get(s, ADMIN)
        return casting.add(s, actor, casting.CandidateInput(name=name, handle=handle, email=email, **kw)).id


def state(**values: Any) -> dict[str, Any]:
    """A view_submission state: text by default; ('select', v), ('date', v), ('time', v), ('users', [..]), ('user', v)."""
    out: dict[str, Any] = {}
    for block, value in values.items():
        kind, v = value if isinstance(value, tuple) else ("text", value)
        if kind == "select":
            el = {"type": "static_select", "selected_option": {"value": v} if v is not None else None}
        elif kind == "date":
            el = {"type": "datepicker", "selected_date": v}
        elif kind == "time":
            el = {"type": "timepicker", "selected_time": v}
        elif kind == "users":
            el = {"type": "multi_users_select", "selected_users": v}
        elif kind == "user":
            el = {"type": "users_select", "selected_user": v}
        else:
            el = {"type": "plain_text_input", "value": v}
        out[block] = {"value": el}
    return out


def eventually(check, timeout: float = 5.0):  # type: ignore[no-untyped-def]
    """Poll `check()` until it returns something truthy (listeners run after the ack)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got or time.monotonic() > deadline:
            assert got, "condition never became true"
            return got
        time.sleep(0.05)


def sweep_world(s, admin_uid: str, reviewer_uids: list[str]) -> dict[str, int]:
    """A candidate with an audition and a pending tier proposal, for the hostile-input sweep's talent forms."""
    from datetime import timedelta

    from bot import clock
    from bot.db.talent import TierProposal
    from bot.services import people
    from bot.services.talent import auditions
    from bot.timefmt import local_date

    admin = people.get(s, admin_uid)
    cand = casting.add(s, admin, casting.CandidateInput(name="Sweep Candidate", handle="sweep.cand", email="sweep@example.com"))
    start = clock.now() + timedelta(days=5)
    aud, _ = auditions.schedule(s, admin, cand.id, start, start + timedelta(minutes=45), "Audition room", reviewer_uids,
                                __import__("zoneinfo").ZoneInfo("America/Los_Angeles"))
    host = people.get(s, reviewer_uids[-1])
    prop = TierProposal(person_id=host.id, week="2026-W01", kind="promote", from_tier="Rookie", to_tier="Core", numbers={},
                        reasons=[], status="pending", created_at=clock.now())
    s.add(prop)
    s.flush()
    assert local_date
    return {"candidate": cand.id, "audition": aud.id, "proposal": prop.id}
