"""Double taps and parallel requests never clock anyone in twice (the partial unique index holds)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from conftest import HOST, HOST2, PA, give_roles
from sqlalchemy import select

from bot.db.models import Person, TimeEntry


def test_parallel_checkins_of_one_person_make_one_entry(server, db, roster):
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: server.command("/checkin", "", HOST), range(8)))
    assert all(status == 200 for status, _ in results)
    texts = [body["text"] for _, body in results]
    assert sum("Clocked in at" in t for t in texts) == 1
    assert sum("already clocked in" in t for t in texts) == 7
    with db.read() as s:
        assert len(s.scalars(select(TimeEntry)).all()) == 1
        assert len(s.scalars(select(Person).where(Person.slack_user_id == HOST)).all()) == 1


def test_parallel_checkins_of_different_people_all_succeed(server, db, roster):
    crew = [f"UCREW{i:04d}" for i in range(9)]
    give_roles(db, dict.fromkeys(crew, "pa"))
    users = [HOST, HOST2, PA] + crew
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda u: server.command("/checkin", "", u), users))
    assert all("Clocked in at" in body["text"] for _, body in results)
    with db.read() as s:
        assert len(s.scalars(select(TimeEntry)).all()) == len(users)
