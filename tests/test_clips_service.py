"""Highlight clips at the service layer: timestamps, the current or named session, the editor queue with claims
through brief approval, and the plain data the scorecard reads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import HOST, LEGAL, PA
from creators_helpers import (
    CLAIMS,
    CLEAN,
    LAUNCH,
    POLICY,
    actor,
    launch_session,
    people_and_catalog,
)
from sqlalchemy import select

from bot.db.briefs import Brief
from bot.db.models import AuditRecord
from bot.services.briefs import decisions
from bot.services.creators import clips
from bot.services.errors import Conflict, Invalid, NotAllowed

TZ = POLICY.tz


@pytest.fixture
def live(db):
    people_and_catalog(db)
    with db.transaction() as s:
        return launch_session(s).id


def _when(db, live_id, minutes):
    from bot.db.models import LiveSession

    with db.read() as s:
        return s.get(LiveSession, live_id).starts_at + timedelta(minutes=minutes)


@pytest.mark.parametrize("text,seconds", [("12:34", 754), ("0:05", 5), ("1:02:03", 3723), ("95:00", 5700)])
def test_timestamps(text, seconds):
    assert clips.parse_stamp(text) == seconds
    assert clips.parse_stamp(clips.stamp(seconds)) == seconds


@pytest.mark.parametrize("text", ["12:60", "1:60:00", "١٢:٣٠", "noon", "1:2:3:4", ""])
def test_bad_timestamps_are_refused(text):
    with pytest.raises(Invalid):
        clips.parse_stamp(text)


def test_command_parsing():
    assert clips.parse_command("#12 1:02:03 serum demo") == clips.ClipCommand(12, 3723, "serum demo")
    assert clips.parse_command("12:34 the hook") == clips.ClipCommand(None, 754, "the hook")
    assert clips.parse_command("great laugh") == clips.ClipCommand(None, None, "great laugh")
    with pytest.raises(Invalid, match="why this moment"):
        clips.parse_command("12:34")


def test_request_against_the_current_session_and_past_the_end(db, live):
    during = _when(db, live, 30)
    with db.transaction() as s:
        c = clips.request(s, actor(s, HOST), session_id=None, offset=None, note="Mia's GLOW-01 swatch", now=during, tz=TZ)
        assert (c.session_id, c.offset_seconds, c.sku, c.status) == (live, 1800, "GLOW-01", "requested")
        with pytest.raises(Invalid) as past:
            clips.request(s, actor(s, PA), session_id=None, offset=clips.parse_stamp("2:10:00"), note="x", now=during, tz=TZ)
        assert "2:10:00 is past the end" in past.value.message and "which is 2:00:00 long" in past.value.message
        with pytest.raises(NotAllowed):
            clips.request(s, actor(s, LEGAL), session_id=live, offset=10, note="x", now=during, tz=TZ)
    after = _when(db, live, 180)
    with db.transaction() as s:
        c2 = clips.request(s, actor(s, PA), session_id=None, offset=clips.parse_stamp("1:59:59"), note="close",
                           now=after, tz=TZ, request_key="k1")
        assert c2.session_id == live
        again = clips.request(s, actor(s, PA), session_id=None, offset=1, note="close", now=after, tz=TZ, request_key="k1")
        assert again.id == c2.id  # the same request twice is one clip
        with pytest.raises(Invalid, match="is over; say where"):
            clips.request(s, actor(s, PA), session_id=None, offset=None, note="late", now=after, tz=TZ)
    with db.transaction() as s, pytest.raises(Invalid, match="No LIVE is on now"):
        clips.request(s, actor(s, HOST), session_id=None, offset=10, note="x", now=after + timedelta(days=1), tz=TZ)


def test_editor_queue_to_published_with_claims_through_legal(db, live):
    now = _when(db, live, 150)
    with db.transaction() as s:
        a = clips.request(s, actor(s, HOST), session_id=live, offset=600, note="demo", now=now, tz=TZ)
        b = clips.request(s, actor(s, HOST), session_id=live, offset=900, note="bloopers", now=now, tz=TZ)
        c = clips.request(s, actor(s, HOST), session_id=live, offset=1200, note="testimonial", now=now, tz=TZ)
        assert [x.id for x in clips.queue(s)] == [a.id, b.id, c.id]
        with pytest.raises(Conflict, match="can't be published"):
            clips.publish(s, actor(s), a.id, "paid", "https://ads.test/1", now)
        assert clips.cut(s, actor(s), a.id, "https://drive.test/a", CLEAN, False, now, POLICY).status == "cut"
        done = clips.publish(s, actor(s), a.id, "Organic", "https://www.tiktok.com/@studio/video/9", now, views="1,200")
        assert (done.status, done.placement, done.views) == ("published", "organic", 1200)
        legal = clips.cut(s, actor(s), c.id, "https://drive.test/c", CLAIMS, False, now, POLICY)
        assert legal.status == "in_legal" and s.get(Brief, legal.brief_id).session_id == live
        with pytest.raises(Conflict, match="legal hasn't approved"):
            clips.publish(s, actor(s), c.id, "paid", "https://ads.test/2", now)
        decisions.decide(s, actor(s, LEGAL), legal.brief_id, 1, "approve", None, now, POLICY.briefs)
        assert clips.publish(s, actor(s), c.id, "paid", "https://ads.test/2", now).status == "published"
        clips.reject(s, actor(s), b.id, "Out of focus", now)
        with pytest.raises(Conflict):
            clips.reject(s, actor(s), b.id, "again", now)
        assert clips.set_views(s, actor(s), c.id, "5000", now).views == 5000
        assert clips.queue(s) == []
    with db.read() as s:
        week = clips.clips_for_week(s, LAUNCH - timedelta(days=LAUNCH.weekday()), tz=TZ)
        assert [(x["timestamp"], x["status"], x["placement"], x["views"]) for x in week] == [
            ("10:00", "published", "organic", 1200), ("15:00", "rejected", None, None), ("20:00", "published", "paid", 5000)]
        assert clips.clips_for_week(s, date(2026, 11, 2), tz=TZ) == []
        actions = list(s.scalars(select(AuditRecord.action).where(AuditRecord.entity_type == "clip",
                                                                  AuditRecord.entity_id == str(c.id))))
        assert actions == ["clip.requested", "clip.cut", "clip.published", "clip.views_entered"]

