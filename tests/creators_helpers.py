"""Shared set-up for the creator tests: people with roles, a catalog product, a LIVE on launch day, a campaign."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conftest import ADMIN, HOST, HOST2, LEADER, LEGAL, PA
from schedule_helpers import LA, RULES, new_session, person, seed

from bot.services.briefs import decisions, drafting
from bot.services.schedule import calendar, catalog as schedule_catalog
from bot.services.briefs.records import BriefInput, BriefPolicy
from bot.services.creators import campaigns, roster
from bot.services.creators.common import CreatorPolicy

NOW = datetime(2026, 11, 5, 17, 0, tzinfo=UTC)  # Thursday 09:00 in Los Angeles
LAUNCH = date(2026, 11, 12)  # one week later
CLAIMS = "This serum cures acne, guaranteed results in 3 days."
CLEAN = "Our glow serum in a new bottle, swatched on camera."
BRIEFS = BriefPolicy(tz=LA, legal_channel="C0LEGAL")
POLICY = CreatorPolicy(tz=LA, ops_channel="C0OPS", leadership_channel="C0LEAD", briefs=BRIEFS)


def people_and_catalog(db) -> None:
    seed(db)
    with db.transaction() as s:
        person(s, ADMIN, "associate", name="ava")
        person(s, LEGAL, "legal", name="lee")
        person(s, LEADER, "leadership", name="lou")
        person(s, HOST, "host", tier="Lead", name="hana")
        person(s, HOST2, "host", tier="Lead", name="hugo")
        person(s, PA, "pa", name="pat")
        schedule_catalog.add_product(s, "cli", "GLOW-01", "Glow serum", "B")


def actor(s, user_id: str = ADMIN):
    from bot.services import people

    return people.get_or_create(s, user_id)


def add_creator(s, name: str = "Mia Glow", handle: str = "@MiaGlow", **kw) -> roster.Creator:
    return roster.save(s, actor(s), roster.CreatorInput(name=name, handle=handle, contact="mia@agency.test",
                                                        agency="Bright Talent", commission="12.5", flat_fee="$1,500",
                                                        audience_notes="skincare, 18-34", status=kw.pop("status", "active"),
                                                        **kw), NOW)


def approved_brief(s, title: str = "Glow Week creative") -> int:
    saved = drafting.save(s, actor(s, HOST), BriefInput(title=title, kind="creative_brief", text=CLEAN, campaign="Glow Week",
                                                      due_on=date(2026, 11, 9)),
                        brief_id=None, based_on=None, draft=False, now=NOW, policy=BRIEFS)
    decisions.decide(s, actor(s, LEGAL), saved.brief.id, 1, "approve", None, NOW, BRIEFS)
    return saved.brief.id


def launch_session(s, staffed: bool = True):
    live = new_session(s, LAUNCH.isoformat(), "10:00", "12:00", "Glow Week launch LIVE")
    if staffed:
        calendar.assign(s, "cli", live.id, {"host": HOST, "cohost": HOST2, "pa": PA}, RULES, override=True)
    return live


def glow_campaign(s, **overrides) -> campaigns.Campaign:
    data = {"name": "Glow Week", "starts_on": LAUNCH.isoformat(), "ends_on": "2026-11-18", "budget": "5000",
                "discount_codes": "GLOW10\nglow-vip", "skus": ["GLOW-01"]}
    data.update(overrides)
    return campaigns.save(s, actor(s), campaigns.CampaignInput(**data), NOW)
