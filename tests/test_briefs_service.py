"""Brief rules tested at the service: approvals per kind, versions, due dates across DST, settings, migrations."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from conftest import HOST, LEGAL
from freezegun import freeze_time
from sqlalchemy import select

from bot.config import ConfigError, load_settings
from bot.db.briefs import Brief, BriefVersion
from bot.db.models import LiveSession, OutboxMessage
from bot.services import people
from bot.services.briefs import approved as briefs_approved, decisions as briefs_decisions, drafting
from bot.services.briefs.records import BriefInput, BriefPolicy
from bot.services.errors import Conflict, Invalid, NotAllowed

LA = ZoneInfo("America/Los_Angeles")
POLICY = BriefPolicy(tz=LA, legal_channel="C0LEGAL", approvals={"promo": 2})
NOW = datetime(2026, 3, 6, 18, 0, tzinfo=timezone.utc)  # Fri Mar 6, 10:00 AM PST; DST starts Sun Mar 8


def person(s, uid, *roles):
    p = people.get_or_create(s, uid)
    for r in roles:
        people.grant(s, p, r, actor="test")
    return p


def data(**kw) -> BriefInput:
    values = dict(title="Flash deal promo", kind="promo", text="Two for one, tonight only on this LIVE.",
                  campaign="March flash", due_on=date(2026, 3, 9))
    values.update(kw)
    return BriefInput(**values)


@freeze_time(NOW)
def test_promo_needs_two_legal_approvals_and_approvals_do_not_carry_over(db):
    with db.transaction() as s:
        host, legal1, legal2 = person(s, HOST), person(s, LEGAL, "legal"), person(s, "ULEGAL02", "legal")
        saved = drafting.save(s, host, data(), brief_id=None, based_on=None, draft=False, now=NOW, policy=POLICY)
        assert saved.brief.approvals_required == 2
        first = briefs_decisions.decide(s, legal1, saved.brief.id, 1, "approve", None, NOW, POLICY)
        assert not first.final and first.brief.status == "pending"
        changes = briefs_decisions.decide(s, legal2, saved.brief.id, 1, "request_changes", "Say until when.", NOW, POLICY)
        assert changes.final and changes.brief.status == "changes_requested"
        v2 = drafting.save(s, host, data(text="Two for one until 9 PM tonight."), brief_id=saved.brief.id, based_on=1,
                         draft=False, now=NOW, policy=POLICY)
        assert v2.version is not None and v2.version.number == 2 and v2.version.decisions == []
        assert not briefs_decisions.decide(s, legal1, saved.brief.id, 2, "approve", None, NOW, POLICY).final
        with pytest.raises(Conflict, match="already approved"):
            briefs_decisions.decide(s, legal1, saved.brief.id, 2, "approve", None, NOW, POLICY)
        done = briefs_decisions.decide(s, legal2, saved.brief.id, 2, "approve", None, NOW, POLICY)
        assert done.final and done.brief.status == "approved"


@freeze_time(NOW)
def test_due_date_is_end_of_team_day_across_dst(db):
    with db.transaction() as s:
        host = person(s, HOST)
        saved = drafting.save(s, host, data(due_on=date(2026, 3, 8)), brief_id=None, based_on=None, draft=False,
                            now=NOW, policy=POLICY)
        assert saved.brief.due_at == datetime(2026, 3, 9, 6, 59, tzinfo=timezone.utc)  # 11:59 PM PDT
        with pytest.raises(Invalid) as err:
            drafting.save(s, host, data(due_on=date(2026, 3, 5)), brief_id=None, based_on=None, draft=False, now=NOW,
                        policy=POLICY)
        assert "due" in err.value.fields


@freeze_time(NOW)
def test_submission_needs_session_or_campaign_and_a_legal_channel(db):
    with db.transaction() as s:
        host = person(s, HOST)
        with pytest.raises(Invalid) as err:
            drafting.save(s, host, data(campaign=None), brief_id=None, based_on=None, draft=False, now=NOW, policy=POLICY)
        assert "campaign" in err.value.fields
        with pytest.raises(Conflict, match="LEGAL_CHANNEL"):
            drafting.save(s, host, data(), brief_id=None, based_on=None, draft=False, now=NOW,
                        policy=BriefPolicy(tz=LA, legal_channel=None))
        draft = drafting.save(s, host, data(text=""), brief_id=None, based_on=None, draft=True, now=NOW,
                            policy=BriefPolicy(tz=LA, legal_channel=None))
        assert draft.version is None and draft.brief.status == "draft"
        assert s.scalar(select(OutboxMessage)) is None


@freeze_time(NOW)
def test_only_the_submitter_edits_and_legal_cannot_decide_a_draft(db):
    with db.transaction() as s:
        host, other, legal = person(s, HOST), person(s, "UHOST002"), person(s, LEGAL, "legal")
        draft = drafting.save(s, host, data(), brief_id=None, based_on=None, draft=True, now=NOW, policy=POLICY)
        with pytest.raises(NotAllowed):
            drafting.submit_draft(s, other, draft.brief.id, NOW, POLICY)
        with pytest.raises(Exception, match="no version 1"):
            briefs_decisions.decide(s, legal, draft.brief.id, 1, "approve", None, NOW, POLICY)


@freeze_time(NOW)
def test_approved_for_session_lists_only_approved_talk_tracks_and_bundle_sheets(db):
    with db.transaction() as s:
        host, legal = person(s, HOST), person(s, LEGAL, "legal")
        live = LiveSession(title="Friday LIVE", starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=1, hours=2),
                           status="published", created_at=NOW)
        s.add(live)
        s.flush()
        ids = {}
        for kind in ("talk_track", "bundle_sheet", "promo"):
            saved = drafting.save(s, host, data(kind=kind, title=kind, session_id=live.id, campaign=None), brief_id=None,
                                based_on=None, draft=False, now=NOW, policy=BriefPolicy(tz=LA, legal_channel="C0LEGAL"))
            briefs_decisions.decide(s, legal, saved.brief.id, 1, "approve", None, NOW, POLICY)
            ids[kind] = saved.brief.id
        pending = drafting.save(s, host, data(kind="talk_track", title="pending", session_id=live.id), brief_id=None,
                              based_on=None, draft=False, now=NOW, policy=POLICY)
        found = briefs_approved.approved_for_session(s, live.id)
        assert sorted(b.kind for b, _ in found) == ["bundle_sheet", "talk_track"]
        assert pending.brief.id not in {b.id for b, _ in found}
        assert all(isinstance(v, BriefVersion) and v.number == 1 for _, v in found)
        assert s.scalar(select(Brief).where(Brief.id == ids["promo"])).status == "approved"


def test_brief_approvals_setting(monkeypatch):
    monkeypatch.setenv("BRIEF_APPROVALS_REQUIRED", "talk_track=1, promo=2")
    assert load_settings(_env_file=None).brief_approvals_required == {"talk_track": 1, "promo": 2}
    for bad, says in [("promo", "KIND=NUMBER"), ("flyer=1", "not a brief kind"), ("promo=9", "1 to 5")]:
        monkeypatch.setenv("BRIEF_APPROVALS_REQUIRED", bad)
        with pytest.raises(ConfigError, match=says):
            load_settings(_env_file=None)


def test_models_and_migrations_agree(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.db.all_models import metadata

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []
