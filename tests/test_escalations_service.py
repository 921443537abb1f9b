"""Escalation rules tested directly: the policy grammar, its settings, and the scorecard numbers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from conftest import ADMIN, HOST, HOST2, LEADER, make_settings
from escalation_helpers import add_session, grant
from freezegun import freeze_time

from bot.config import ConfigError, load_settings
from bot.services import people
from bot.services.escalations import lifecycle, record
from bot.services.errors import Conflict, Invalid
from bot.services.escalations.policy import DEFAULT_POLICY, parse_policy
from bot.services.escalations.core import EscalationConfig, RaiseForm

T0 = datetime(2026, 11, 24, 18, 0, tzinfo=timezone.utc)


def test_default_policy_minutes():
    p = parse_policy(DEFAULT_POLICY)
    assert [p[1].reminder_minute(k) for k in (1, 2, 3)] == [5, 10, 15]
    assert [p[1].due_level(m) for m in (4.9, 5, 14, 22)] == [0, 1, 2, 4]
    assert not p[1].widened(5) and p[1].widened(10)
    assert [p[2].reminder_minute(k) for k in (1, 2, 3)] == [10, 30, None] and p[2].nag == 30
    assert p[3].due_level(600) == 1 and p[4].due_level(10_000) == 0


def test_policy_at_then_every_and_defaults_kept():
    p = parse_policy("SEV2=at 2 7, every 10")
    assert [p[2].reminder_minute(k) for k in (1, 2, 3, 4)] == [2, 7, 17, 27]
    assert p[2].due_level(17) == 3
    assert p[1] == parse_policy(DEFAULT_POLICY)[1]


@pytest.mark.parametrize("bad, words", [
    ("SEV1=every 0", "between 1 and 1440"), ("SEV1=at 10 5", "increasing"), ("SEV9=none", "SEV1="),
    ("SEV1=often", "not understood"),
])
def test_bad_policy_stops_start_up_with_one_sentence(bad, words):
    with pytest.raises(ConfigError, match="ESCALATION_POLICY") as err:
        load_settings(_env_file=None, escalation_policy=bad)
    assert words in str(err.value)


def test_unknown_responder_role_refused():
    with pytest.raises(ConfigError, match="ESCALATION_RESPONDER_ROLES"):
        load_settings(_env_file=None, escalation_responder_roles="associate,boss")


def _raise(db, cfg, user, at, severity, session=None, key=None):
    with freeze_time(at), db.transaction() as s:
        esc, _ = lifecycle.raise_escalation(
            s, people.get(s, user), RaiseForm("Price shows $0", str(severity), str(session) if session else None, "pricing"),
            key or f"k{at.timestamp()}{severity}", at, cfg)
        return esc.id


def test_scorecard_counts_and_times_per_session_and_host(db, db_url):
    cfg = EscalationConfig.from_settings(make_settings(db_url))
    with freeze_time(T0):
        for uid, role in ((ADMIN, "associate"), (LEADER, "leadership"), (HOST, "host"), (HOST2, "host")):
            grant(db, uid, role)
        live = add_session(db, "Hero bundle LIVE", T0 - timedelta(hours=1), crew={HOST: "host", HOST2: "cohost"})
    a = _raise(db, cfg, HOST, T0, 1, live)
    b = _raise(db, cfg, HOST, T0 + timedelta(minutes=5), 1, live)
    _raise(db, cfg, HOST, T0 + timedelta(minutes=6), 3)
    _raise(db, cfg, HOST, T0 - timedelta(days=3), 2)  # outside the range
    with db.transaction() as s:
        admin = people.get(s, ADMIN)
        lifecycle.acknowledge(s, admin, a, T0 + timedelta(minutes=4), cfg)
        lifecycle.resolve(s, admin, a, "Relisted", "product", T0 + timedelta(minutes=20), cfg)
        lifecycle.acknowledge(s, people.get(s, LEADER), b, T0 + timedelta(minutes=13), cfg)
    with db.transaction() as s, pytest.raises(Conflict, match="already owns"):
        lifecycle.acknowledge(s, people.get(s, ADMIN), b, T0 + timedelta(minutes=14), cfg)
    with db.read() as s:
        card = record.scorecard(s, T0 - timedelta(hours=1), T0 + timedelta(days=1))
    assert card.total == 3 and card.by_severity == {1: 2, 3: 1}
    assert card.minutes_to_ack == {1: 6.0}  # median of 4 and 8
    assert card.minutes_to_resolve == {1: 20.0}
    assert card.unacknowledged == 1 and card.unresolved == 2
    assert card.by_session == [(f"Hero bundle LIVE (#{live})", 2)]
    assert sorted(card.by_host) == [(HOST, 2), (HOST2, 2)]  # no Slack profile yet: shown by user ID
    assert card.by_cause == {"product": 1}


def test_scorecard_statements_do_not_grow_with_escalations(db, db_url):
    """The weekly scorecard of a busy studio asked two questions per escalation (its timeline, its session's
    hosts): 128 statements for 64 escalations in bench/studio.py. It now loads them for all at once."""
    from test_checkin_cost import counted

    cfg = EscalationConfig.from_settings(make_settings(db_url))
    with freeze_time(T0):
        for uid, role in ((ADMIN, "associate"), (HOST, "host"), (HOST2, "host")):
            grant(db, uid, role)
        one = add_session(db, "Hero bundle LIVE", T0 - timedelta(hours=1), crew={HOST: "host"})
        two = add_session(db, "Night drop LIVE", T0 + timedelta(hours=3), crew={HOST2: "host"})

    def statements() -> tuple[int, record.Scorecard]:
        with db.read() as s, counted(db) as seen:
            card = record.scorecard(s, T0 - timedelta(hours=1), T0 + timedelta(days=1))
        return len(seen), card

    _raise(db, cfg, HOST, T0, 1, one)
    few, _ = statements()
    for minute, live in ((2, one), (3, two), (4, two), (5, None)):
        _raise(db, cfg, HOST, T0 + timedelta(minutes=minute), 2, live)
    many, card = statements()
    assert card.total == 5 and sorted(card.by_host) == [(HOST, 2), (HOST2, 2)]
    assert many == few <= 3


def test_validation_names_each_field(db, db_url):
    cfg = EscalationConfig.from_settings(make_settings(db_url))
    grant(db, HOST, "host")
    with db.transaction() as s, pytest.raises(Invalid) as err:
        lifecycle.raise_escalation(s, people.get(s, HOST), RaiseForm("x" * 151, "7", "abc", "weather"), "k", T0, cfg)
    assert set(err.value.fields) == {"summary", "severity", "session", "affected"}


def test_cli_tick_sends_due_reminders(db, db_url, stub, monkeypatch, capsys):
    from conftest import BOT_TOKEN, SIGNING_SECRET

    from bot import clock
    from bot.cli import main

    for key, value in {"DATABASE_URL": db_url, "SLACK_API_URL": stub.base_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
                       "SLACK_SIGNING_SECRET": SIGNING_SECRET, "ESCALATION_CHANNEL": "C0ESC", "OPSBOT_ADMINS": ADMIN}.items():
        monkeypatch.setenv(key, value)
    cfg = EscalationConfig.from_settings(make_settings(db_url))
    grant(db, ADMIN, "associate")
    grant(db, HOST, "host")
    _raise(db, cfg, HOST, clock.now() - timedelta(minutes=61), 3)
    assert main(["escalations", "tick"]) == 0
    assert "1 page(s) queued" in capsys.readouterr().out
    assert [c.params["channel"] for c in stub.calls_to("chat.postMessage") if c.params["channel"].startswith("D")] == ["D" + ADMIN]
    assert main(["escalations", "tick"]) == 0
    assert "0 page(s) queued" in capsys.readouterr().out
