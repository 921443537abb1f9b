"""`opsbot demo` is something to trust: names without doubled roles, plurals, one time format (12-hour, as on set),
real text hashes, no decision after now, and briefs in a real mix of states (issue 14)."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone

from cli_helpers import cli  # noqa: F401 (fixture)
from freezegun import freeze_time
from sqlalchemy import func, select

from bot.db.briefs import Brief, BriefDecision, BriefVersion
from bot.db.session import Database
from bot.timefmt import ensure_utc

NOW = datetime(2026, 12, 3, 20, 0, tzinfo=timezone.utc)  # a Thursday, noon in Los Angeles
TWENTY_FOUR_HOUR = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):[0-5]\d(?!:)(?! ?[AP]M)")


def test_demo_output_and_data_are_believable(cli, tmp_path):
    url = f"sqlite:///{tmp_path}/demo.db"
    with freeze_time(NOW):
        code, out = cli(["demo", "--database-url", url, "--out", str(tmp_path / "out")], url)
    assert code == 0, out
    shown = "\n".join(line for line in out.splitlines() if " INFO " not in line)  # log lines have their own clock
    assert "PA PA" not in shown and "Host Host" not in shown
    for crew in re.findall(r"Host (\w+ \w+), PA (\w+ \w+)", shown):
        assert crew[0] != crew[1], crew  # a PA is not a host's namesake
    assert not re.search(r"\b1 sessions\b", shown) and not re.search(r"\b1 hours\b", shown)
    assert TWENTY_FOUR_HOUR.findall(shown) == [], TWENTY_FOUR_HOUR.findall(shown)[:5]
    db = Database(url)
    try:
        with db.read() as s:
            for v in s.scalars(select(BriefVersion)):
                assert v.text_sha256 == hashlib.sha256(v.text.encode("utf-8")).hexdigest()
            latest = s.scalar(select(func.max(BriefDecision.at)))
            assert ensure_utc(latest) <= NOW
            assert all(ensure_utc(b.created_at) <= NOW for b in s.scalars(select(Brief)))
            statuses = {b.status for b in s.scalars(select(Brief))}
            decisions = {d.decision for d in s.scalars(select(BriefDecision))}
    finally:
        db.dispose()
    assert {"pending", "changes_requested", "approved"} <= statuses, statuses
    assert {"approve", "request_changes"} <= decisions
