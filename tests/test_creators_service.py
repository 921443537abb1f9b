"""Creators at the service layer: the roster, the xlsx round trip, campaigns, the deliverable status machine with
claims through brief approval and leadership's payment approval, readiness from data, nudges once, the digest."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from conftest import ADMIN, HOST, LEADER, LEGAL
from creators_helpers import (
    CLAIMS,
    CLEAN,
    NOW,
    POLICY,
    actor,
    add_creator,
    approved_brief,
    glow_campaign,
    launch_session,
    people_and_catalog,
)
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.db.briefs import Brief
from bot.db.creators import Creator, Deliverable
from bot.db.models import AuditRecord, OutboxMessage
from bot.services.run_of_show import plan as run_of_show_plan, segments
from bot.services.briefs import decisions
from bot.services.creators import (
    campaigns,
    deliverables,
    digest,
    readiness,
    roster,
    xlsx,
)
from bot.services.errors import Conflict, Invalid, NotAllowed
from bot.services.run_of_show.segments import SegmentInput


@pytest.fixture
def world(db):
    people_and_catalog(db)
    return db


def test_roster_add_edit_and_duplicate_handle_refused(world):
    with world.transaction() as s:
        mia = add_creator(s)
        assert (mia.handle, mia.commission_pct, mia.flat_fee_cents, mia.status) == ("miaglow", Decimal("12.50"), 150000, "active")
        with pytest.raises(Invalid) as dup:
            add_creator(s, name="Someone else", handle="@MIAGLOW")
        assert "already on the roster as Mia Glow" in dup.value.fields["handle"]
        edited = roster.save(s, actor(s), roster.CreatorInput(name="Mia G.", handle="miaglow", status="paused"), NOW,
                             creator_id=mia.id, seen=roster.version_of(mia))
        assert (edited.name, edited.status, edited.flat_fee_cents) == ("Mia G.", "paused", None)
        with pytest.raises(Conflict):  # a form opened before that edit
            roster.save(s, actor(s), roster.CreatorInput(name="Old form", handle="miaglow"), NOW, creator_id=mia.id,
                        seen="0000000000000000")
        with pytest.raises(NotAllowed):
            roster.save(s, actor(s, HOST), roster.CreatorInput(name="X", handle="xx"), NOW)
        with pytest.raises(Invalid) as bad:
            roster.save(s, actor(s), roster.CreatorInput(name="", handle="no spaces!", commission="120", flat_fee="lots",
                                                         status="famous"), NOW)
        assert set(bad.value.fields) == {"name", "handle", "commission", "fee", "status"}
    with world.read() as s:
        actions = list(s.scalars(select(AuditRecord.action).where(AuditRecord.entity_type == "creator")))
        assert actions == ["creator.added", "creator.edited"]


def test_xlsx_round_trip_and_all_or_nothing(world, tmp_path):
    with world.transaction() as s:
        add_creator(s)
        add_creator(s, name="=cmd|' /C calc'!A0", handle="formula_fan")
        xlsx.export(s, tmp_path / "roster.xlsx")
    wb = load_workbook(tmp_path / "roster.xlsx")
    ws = wb.active
    assert [c.value for c in ws[1]] == xlsx.HEADER
    assert ws["A2"].value.startswith("'=")  # through cells.safe: never a formula
    ws.append(["Noor", "@noor.makeup", None, None, "10%", "250", "K-beauty", "prospect"])
    ws["H3"] = "paused"  # Mia (rows sort by name)
    wb.save(tmp_path / "edited.xlsx")
    with world.transaction() as s:
        report = xlsx.import_file(s, actor(s), tmp_path / "edited.xlsx", NOW)
        assert report.ok and (report.added, report.updated, report.unchanged) == (1, 1, 1), report.lines()
    with world.read() as s:
        assert roster.by_handle(s, "formula_fan").name == "=cmd|' /C calc'!A0"  # the apostrophe came off again
        assert roster.by_handle(s, "noor.makeup").flat_fee_cents == 25000
        assert roster.by_handle(s, "miaglow").status == "paused"
    bad = Workbook()
    bad.active.append(xlsx.HEADER)
    bad.active.append(["Zed", "@zed", None, None, None, None, None, "active"])
    bad.active.append(["Zed again", "ZED", None, None, None, None, None, "active"])
    bad.active.append(["", "@x", None, None, "abc", None, None, None])
    bad.save(tmp_path / "bad.xlsx")
    with world.transaction() as s:
        report = xlsx.import_file(s, actor(s), tmp_path / "bad.xlsx", NOW)
    assert not report.ok and "Row 3: @zed is also on row 2" in report.lines()[1]
    assert report.lines()[2].startswith("Row 4: The name is missing.")
    with world.read() as s:
        assert roster.by_handle(s, "zed") is None and len(roster.listing(s)) == 3


def test_campaign_deliverable_from_planned_to_paid_with_claims_through_brief_approval(world):
    with world.transaction() as s:
        mia = add_creator(s)
        c = glow_campaign(s, creator_ids=[mia.id], brief_ids=[approved_brief(s)])
        assert campaigns.codes(c) == ["GLOW10", "GLOW-VIP"] and [p.product.sku for p in c.products] == ["GLOW-01"]
        d = deliverables.add(s, actor(s), c.id, mia.id, "video", "2026-11-10", NOW, POLICY)
        did = d.id
        with pytest.raises(Conflict, match="must be sample shipped"):
            deliverables.sample_delivered(s, actor(s), did, NOW)
        with pytest.raises(Invalid):
            deliverables.ship_sample(s, actor(s), did, "", "", NOW)
        deliverables.ship_sample(s, actor(s), did, "UPS", "1Z999AA10123456784", NOW)
        with pytest.raises(Conflict, match="already sample shipped"):  # a double click
            deliverables.ship_sample(s, actor(s), did, "UPS", "1Z999AA10123456784", NOW)
        deliverables.sample_delivered(s, actor(s), did, NOW)
        r = deliverables.draft_received(s, actor(s), did, "https://drive.test/draft1", CLAIMS, False, NOW, POLICY)
        assert r.findings >= 2 and r.brief_id is not None
        brief = s.get(Brief, r.brief_id)
        assert (brief.kind, brief.status, brief.campaign) == ("creative_brief", "pending", "Glow Week")
        with pytest.raises(Conflict, match="with legal"):
            deliverables.approve(s, actor(s), did, NOW)
        decisions.decide(s, actor(s, LEGAL), r.brief_id, 1, "approve", None, NOW, POLICY.briefs)
        deliverables.approve(s, actor(s), did, NOW)
        deliverables.post(s, actor(s), did, "https://www.tiktok.com/@miaglow/video/1", NOW, POLICY)
        with pytest.raises(NotAllowed):
            deliverables.approve_payment(s, actor(s), did, NOW, POLICY)  # the associate can't approve a payment
        paid = deliverables.approve_payment(s, actor(s, LEADER), did, NOW + timedelta(hours=1), POLICY)
        assert (paid.status, paid.payment_approved_by, paid.payment_approved_at) == ("paid", LEADER, NOW + timedelta(hours=1))
        with pytest.raises(Conflict, match="already paid"):
            deliverables.approve_payment(s, actor(s, LEADER), did, NOW, POLICY)
    with world.read() as s:
        d = s.get(Deliverable, did)
        assert [x["kind"] for x in d.links] == ["draft", "posted"] and set(d.steps) == set(deliverables.NEXT) | {"paid"}
        trail = list(s.scalars(select(AuditRecord.action).where(AuditRecord.entity_type == "deliverable")))
        assert trail == ["deliverable.added", "deliverable.sample_shipped", "deliverable.sample_delivered",
                         "deliverable.draft_received", "deliverable.approved", "deliverable.posted", "deliverable.paid"]
        notes = [m.payload.get("notice") for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
        assert notes.count("creators.payment_request") == 2  # the card, then its edit once approved
        assert "briefs.legal_request" in notes


def test_without_a_leadership_channel_leadership_gets_the_payment_card_by_dm(world):
    from dataclasses import replace

    policy = replace(POLICY, leadership_channel=None)
    with world.transaction() as s:
        mia = add_creator(s, name="Mia <!here>")
        c = glow_campaign(s, creator_ids=[mia.id])
        d = deliverables.add(s, actor(s), c.id, mia.id, "post", "2026-11-10", NOW, policy)
        deliverables.ship_sample(s, actor(s), d.id, "UPS", "1Z", NOW)
        deliverables.sample_delivered(s, actor(s), d.id, NOW)
        deliverables.draft_received(s, actor(s), d.id, "https://d.test/1", CLEAN, False, NOW, policy)
        deliverables.approve(s, actor(s), d.id, NOW)
        deliverables.post(s, actor(s), d.id, "https://t.test/v/1", NOW, policy)
        deliverables.approve_payment(s, actor(s, LEADER), d.id, NOW, policy)
    with world.read() as s:
        rows = {m.channel: m.payload for m in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "dm"))}
        assert "creator_pay_approve" in str(rows[LEADER]["blocks"])
        assert "&lt;!here&gt;" in str(rows[ADMIN]["blocks"]) and "<!here>" not in str(rows[ADMIN]["blocks"])


def test_draft_without_claims_needs_no_brief(world):
    with world.transaction() as s:
        mia = add_creator(s)
        c = glow_campaign(s, creator_ids=[mia.id])
        d = deliverables.add(s, actor(s), c.id, mia.id, "post", "2026-11-10", NOW, POLICY)
        deliverables.ship_sample(s, actor(s), d.id, "USPS", "9400 1000", NOW)
        deliverables.sample_delivered(s, actor(s), d.id, NOW)
        r = deliverables.draft_received(s, actor(s), d.id, None, CLEAN, False, NOW, POLICY)
        assert r.brief_id is None
        assert deliverables.approve(s, actor(s), d.id, NOW).status == "approved"
        with pytest.raises(Invalid, match="legal must see its words"):
            other = deliverables.add(s, actor(s), c.id, mia.id, "video", "2026-11-10", NOW, POLICY)
            deliverables.ship_sample(s, actor(s), other.id, "UPS", "1Z", NOW)
            deliverables.sample_delivered(s, actor(s), other.id, NOW)
            deliverables.draft_received(s, actor(s), other.id, "https://drive.test/x", None, True, NOW, POLICY)


def test_readiness_is_computed_from_the_data(world):
    with world.transaction() as s:
        mia = add_creator(s)
        c = glow_campaign(s, discount_codes="", creator_ids=[mia.id])
        deliverables.add(s, actor(s), c.id, mia.id, "cohost", "2026-11-12", NOW, POLICY)
        r = readiness.compute(s, c, POLICY.tz)
        assert {i.key: i.ok for i in r.items} == {"briefs": False, "samples": False, "creators": False,
                                                   "sessions": False, "codes": False}
        assert r.percent == 0
        live = launch_session(s)
        c = campaigns.save(s, actor(s), campaigns.CampaignInput(
            name="Glow Week", starts_on="2026-11-12", ends_on="2026-11-18", discount_codes="GLOW10", skus=["GLOW-01"],
            creator_ids=[mia.id], brief_ids=[approved_brief(s)], session_ids=[live.id]), NOW,
            campaign_id=c.id, seen=campaigns.version_of(c))
        campaigns.confirm_creator(s, actor(s), c.id, mia.id, NOW)
        r = readiness.compute(s, c, POLICY.tz)
        state = {i.key: i.ok for i in r.items}
        assert state == {"briefs": True, "samples": False, "creators": True, "sessions": False, "codes": True,
                         "run_of_show": False}
        sessions_item = next(i for i in r.items if i.key == "sessions")
        assert any("still a draft" in m for m in sessions_item.missing)
        assert r.percent == 50 and next(i for i in r.items if i.key == "samples").owner == ADMIN
        segments.save_segment(s, "cli", live.id, None, SegmentInput("hook", 0, 10, "Mia says hi"))
        d = c.deliverables[0]
        deliverables.ship_sample(s, actor(s), d.id, "UPS", "1Z1", NOW)
        deliverables.sample_delivered(s, actor(s), d.id, NOW)
        live.status = "published"
        s.flush()
        assert readiness.compute(s, c, POLICY.tz).ready


def test_nudges_seven_days_and_one_day_before_launch_once_each(world):
    with world.transaction() as s:
        mia = add_creator(s)
        glow_campaign(s, creator_ids=[mia.id])
    for when, expected in ((NOW - timedelta(days=1), 0), (NOW, 1), (NOW + timedelta(minutes=1), 0),
                           (NOW + timedelta(days=3), 0), (NOW + timedelta(days=6), 1), (NOW + timedelta(days=6, hours=2), 0)):
        with world.transaction() as s:
            assert readiness.send_nudges(s, when, POLICY) == expected, when
    with world.read() as s:
        rows = list(s.scalars(select(OutboxMessage).where(OutboxMessage.channel == ADMIN)))
        assert [m.payload["notice"] for m in rows] == ["creators.readiness_nudge"] * 2
        assert "launches in 7 days" in rows[0].payload["text"] and "launches tomorrow" in rows[1].payload["text"]


def test_digest_due_late_posted_and_samples(world):
    with world.transaction() as s:
        mia = add_creator(s)
        noor = add_creator(s, name="Noor", handle="noor")
        c = glow_campaign(s, starts_on="2026-11-05", creator_ids=[mia.id, noor.id])
        late = deliverables.add(s, actor(s), c.id, mia.id, "video", "2026-11-05", NOW, POLICY)
        due = deliverables.add(s, actor(s), c.id, noor.id, "post", "2026-11-13", NOW, POLICY)
        done = deliverables.add(s, actor(s), c.id, noor.id, "video", "2026-11-06", NOW, POLICY)
        for step in ("ship", "deliver", "draft", "approve", "post"):
            {"ship": lambda: deliverables.ship_sample(s, actor(s), done.id, "UPS", "1Z", NOW),
             "deliver": lambda: deliverables.sample_delivered(s, actor(s), done.id, NOW),
             "draft": lambda: deliverables.draft_received(s, actor(s), done.id, "https://d.test/1", CLEAN, False, NOW, POLICY),
             "approve": lambda: deliverables.approve(s, actor(s), done.id, NOW),
             "post": lambda: deliverables.post(s, actor(s), done.id, "https://t.test/v/1", NOW, POLICY)}[step]()
        deliverables.ship_sample(s, actor(s), due.id, "FedEx", "7712", NOW)
    later = NOW + timedelta(days=4)  # Monday 2026-11-09
    with world.transaction() as s:
        d = digest.build(s, later.date(), later)
        assert [x.id for x in d.due] == [due.id]
        assert [(x.id, n) for x, n in d.late] == [(late.id, 4)]
        assert [(x.id, url) for x, url in d.posted] == [(done.id, "https://t.test/v/1")]
        assert {x.id for x in d.samples} == {late.id, due.id}
        digest.post(s, later.date(), later, POLICY, "2026-W46")
    with world.read() as s:
        msg = s.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == "creator-digest:2026-W46"))
        assert msg.channel == "C0OPS" and "4 days late" in str(msg.payload["blocks"])
        assert "FedEx 7712" in str(msg.payload["blocks"]) and "https://t.test/v/1" in str(msg.payload["blocks"])


def test_run_of_show_names_the_campaign_on_launch_day(world):
    with world.transaction() as s:
        mia = add_creator(s)
        live = launch_session(s)
        glow_campaign(s, creator_ids=[mia.id], session_ids=[live.id])
        [plan] = run_of_show_plan.day_plan(s, live.starts_at.astimezone(POLICY.tz).date(), POLICY.tz)
        assert [(n.name, n.launch_day, n.handles, n.codes) for n in plan.campaigns] == [
            ("Glow Week", True, ["miaglow"], ["GLOW10", "GLOW-VIP"])]
        from bot.blocks.run_of_show import session_message

        assert "Launch day:* Glow Week" in str(session_message(plan, POLICY.tz)[1])
        before = launch_session(s, staffed=False)
        before.starts_at -= timedelta(days=1)
        before.ends_at -= timedelta(days=1)
        campaigns.save(s, actor(s), campaigns.CampaignInput(name="Other", starts_on="2026-11-12", session_ids=[before.id]), NOW)
        s.flush()
        [early] = run_of_show_plan.day_plan(s, before.starts_at.astimezone(POLICY.tz).date(), POLICY.tz)
        assert early.campaigns == []  # before launch the run-of-show says nothing yet
        day = live.starts_at.astimezone(POLICY.tz).date()
        run_of_show_plan.post_day(s, day, POLICY.tz, "C0OPS", day.isoformat(), forced=False)
        c = campaigns.by_name(s, "Glow Week")
        campaigns.save(s, actor(s), campaigns.CampaignInput(name="Glow Week", starts_on="2026-11-12", creator_ids=[mia.id]),
                       NOW, campaign_id=c.id, tz=POLICY.tz)  # the session leaves the campaign: its posted plan is edited
        updates = list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "update")))
        assert any("Launch day" not in str(m.payload) and m.payload.get("notice") == "run_of_show.day" for m in updates)
    with world.read() as s:
        assert s.scalar(select(Creator.handle)) == "miaglow"


def test_reschedule_and_remove_until_posted(world):
    with world.transaction() as s:
        mia = add_creator(s)
        c = glow_campaign(s, creator_ids=[mia.id])
        keep = deliverables.add(s, actor(s), c.id, mia.id, "video", "2026-11-10", NOW, POLICY)
        drop = deliverables.add(s, actor(s), c.id, mia.id, "post", "2026-11-10", NOW, POLICY)
        assert deliverables.reschedule(s, actor(s), keep.id, "2026-11-14", NOW, POLICY).due_on.isoformat() == "2026-11-14"
        with pytest.raises(Invalid):
            deliverables.reschedule(s, actor(s), keep.id, "2026-02-30", NOW, POLICY)
        with pytest.raises(Invalid):
            deliverables.remove(s, actor(s), drop.id, " ", NOW)
        assert deliverables.remove(s, actor(s), drop.id, "Creator dropped out", NOW) == "Mia Glow's post for Glow Week"
        assert [d.id for d in campaigns.get(s, c.id).deliverables] == [keep.id]
        for step in (lambda: deliverables.ship_sample(s, actor(s), keep.id, "UPS", "1Z", NOW),
                     lambda: deliverables.sample_delivered(s, actor(s), keep.id, NOW),
                     lambda: deliverables.draft_received(s, actor(s), keep.id, "https://d.test/1", CLEAN, False, NOW, POLICY),
                     lambda: deliverables.approve(s, actor(s), keep.id, NOW),
                     lambda: deliverables.post(s, actor(s), keep.id, "https://t.test/v/1", NOW, POLICY)):
            step()
        with pytest.raises(Conflict, match="stays"):
            deliverables.remove(s, actor(s), keep.id, "oops", NOW)
        with pytest.raises(Conflict, match="due date stays"):
            deliverables.reschedule(s, actor(s), keep.id, "2026-11-20", NOW, POLICY)
    with world.read() as s:
        removed = s.scalar(select(AuditRecord).where(AuditRecord.action == "deliverable.removed"))
        assert removed.reason == "Creator dropped out" and removed.before["kind"] == "post"


def test_run_of_show_asks_for_a_days_campaigns_once(world):
    """bench/studio.py: a day of 40 LIVEs asked for each one's campaigns (80 statements per run-of-show)."""
    from creators_helpers import LAUNCH, new_session
    from test_checkin_cost import counted

    with world.transaction() as s:
        mia = add_creator(s)
        first, second = launch_session(s, staffed=False), new_session(s, LAUNCH.isoformat(), "14:00", "16:00", "Glow Week encore")
        glow_campaign(s, creator_ids=[mia.id], session_ids=[first.id, second.id])
    day = LAUNCH

    def plan() -> tuple[int, list]:
        with world.read() as s, counted(world) as seen:
            plans = run_of_show_plan.day_plan(s, day, POLICY.tz)
            names = [[n.name for n in p.campaigns] for p in plans]
        return len(seen), names

    two, names = plan()
    assert names == [["Glow Week"], ["Glow Week"]]
    with world.transaction() as s:
        for start, end in (("16:30", "17:30"), ("18:00", "19:00"), ("19:30", "20:30")):
            new_session(s, LAUNCH.isoformat(), start, end, f"More at {start}")
    five, names = plan()
    assert names[:2] == [["Glow Week"], ["Glow Week"]] and names[2:] == [[], [], []]
    assert five == two
