"""Realistic studio history from a seed: hosts, sessions, shifts, time entries, metrics, SKUs,
escalations and briefs. Used by `opsbot demo` (4 weeks) and bench/scorecard.py (a year, 60 hosts).

Magnitudes follow a real studio: sessions of 2 to 8 hours, a few thousand views each, average
viewing around a minute, CTR and CTOR between 2% and 6%. Rows go in with bulk inserts.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from bot.db.briefs import Brief, BriefDecision, BriefVersion
from bot.db.escalations import Escalation, EscalationEvent
from bot.db.metrics import SessionMetrics, SkuMetrics
from bot.db.models import LiveSession, Person, PersonRole, Shift, TimeEntry
from bot.db.run_of_show import RosSegment
from bot.db.schedule import HostTier, PersonHostTier, Product, ProductTier
from bot.services.schedule import catalog
from bot.timefmt import local_to_utc

DEMO_MARKER = "demo:opsbot"  # Person.slack_user_id of a marker row: `opsbot demo` only rewrites databases that carry it
FIRST = ["Ava", "Mia", "Leo", "Zoe", "Kai", "Noa", "Eli", "Ivy", "Max", "Ada", "Ray", "Lea", "Sam", "Uma", "Jay", "Rin"]
LAST = ["Park", "Nguyen", "Lopez", "Kim", "Chen", "Diaz", "Patel", "Reyes", "Cruz", "Ito", "Silva", "Khan"]
LINES = ["Glow Serum", "Hydra Mask", "Lip Tint", "Sun Shield", "Night Cream", "Brow Gel", "Body Oil", "Hair Mist"]
START_HOURS = (8, 10, 13, 16, 19, 21)


@dataclass(frozen=True)
class Plan:
    monday: date
    weeks: int = 4
    hosts: int = 8
    pas: int = 3
    sessions_per_day: int = 3
    skus_per_session: int = 6
    products: int = 24


def generate(s: Session, plan: Plan, tz: ZoneInfo, now: datetime, seed: int = 7) -> dict[str, int]:
    """Fill an empty (migrated) database; sessions after `now` are published plans without results. Returns row counts."""
    rng = random.Random(seed)
    catalog.seed_default_tiers(s)
    tiers = {t.name: t.id for t in s.scalars(select(HostTier).order_by(HostTier.rank))}
    rank = {t.name: t.rank for t in s.scalars(select(HostTier))}
    needs = {t.code: t.min_host_tier.rank for t in s.scalars(select(ProductTier))}
    ptiers = {t.code: t.id for t in s.scalars(select(ProductTier))}
    s.add(Person(slack_user_id=DEMO_MARKER, display_name="(demo data marker)", active=False, created_at=now))

    def person(uid: str, name: str, role: str) -> int:
        pid = s.execute(insert(Person).values(slack_user_id=uid, display_name=name, real_name=name, created_at=now)
                        .returning(Person.id)).scalar_one()
        s.execute(insert(PersonRole).values(person_id=pid, role=role, granted_at=now, granted_by="demo"))
        return pid

    person("UDEMOADM1", "Ava Associate", "associate")
    person("UDEMOLEAD", "Lee Leader", "leadership")
    person("UDEMOLGL1", "Lou Legal", "legal")
    tier_names = list(tiers)
    hosts = []
    for i in range(plan.hosts):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}" + (f" {i // len(FIRST) + 1}" if i >= len(FIRST) else "")
        pid = person(f"UDEMOH{i:03d}", name, "host")
        tier = tier_names[min(i % 5, 2) if i % 5 < 3 else 0]
        s.execute(insert(PersonHostTier).values(person_id=pid, host_tier_id=tiers[tier], set_at=now, set_by="demo"))
        hosts.append((pid, rng.uniform(0.7, 1.4), rng.uniform(0.0, 0.15), rank[tier]))  # skill, lateness tendency, tier rank
    # names are names: the role is shown next to them ("PA Noa Silva"), never part of them
    pas = [person(f"UDEMOP{i:03d}", f"{FIRST[(i + 8) % len(FIRST)]} {LAST[(i * 5 + 3) % len(LAST)]}", "pa")
           for i in range(plan.pas)]
    products = []
    for i in range(plan.products):
        code = f"{LINES[i % len(LINES)].split()[0].upper()}-{i + 1:02d}"
        pid = s.execute(insert(Product).values(sku=code, name=f"{LINES[i % len(LINES)]} {i // len(LINES) + 1}",
                                               product_tier_id=ptiers["ABC"[i % 3]]).returning(Product.id)).scalar_one()
        products.append((pid, code, Decimal(rng.choice([1299, 1999, 2499, 3499, 4999])), rng.uniform(0.5, 2.0)))
    stock = {code: rng.randint(80, 600) * plan.weeks for _, code, _, _ in products}

    sessions, shifts, entries, mrows, krows = [], [], [], [], []
    for day_index in range(plan.weeks * 7):
        day = plan.monday + timedelta(days=day_index)
        for slot in range(plan.sessions_per_day):
            hour = START_HOURS[slot % len(START_HOURS)]
            length = rng.choice([2, 2, 3, 3, 4, 5, 6, 8]) if plan.sessions_per_day <= 3 else rng.choice([2, 2, 3, 3, 4])
            # a studio holds one LIVE at a time: end an hour before the next LIVE in the same room
            same_room_next = START_HOURS[slot + 2] if slot + 2 < min(plan.sessions_per_day, len(START_HOURS)) else 24
            length = max(2, min(length, same_room_next - hour - 1, 23 - hour))
            start = local_to_utc(day, time(hour, 0), tz)
            sessions.append(dict(title=f"{LINES[(day_index + slot) % len(LINES)]} LIVE", starts_at=start,
                                 ends_at=start + timedelta(hours=length), room=f"Studio {'AB'[slot % 2]}",
                                 product_tier="ABC"[slot % 3], status="done" if start + timedelta(hours=length) <= now else "published",
                                 created_at=now))
    ids = list(s.execute(insert(LiveSession).returning(LiveSession.id, sort_by_parameter_order=True), sessions).scalars())
    busy: dict[int, list[tuple[datetime, datetime]]] = {}

    def free(pool: list[int], start: datetime, end: datetime) -> int:
        """Someone from `pool` with no shift overlapping [start, end) (the calendar would refuse an overlap)."""
        options = [pid for pid in pool if all(end <= a or start >= b for a, b in busy.get(pid, []))]
        pid = rng.choice(options or pool)
        busy.setdefault(pid, []).append((start, end))
        return pid

    segments = []
    for sid, sess in zip(ids, sessions):
        call, wrap = sess["starts_at"] - timedelta(minutes=30), sess["ends_at"] + timedelta(minutes=15)
        eligible = [h[0] for h in hosts if h[3] >= needs.get(sess["product_tier"], 0)]  # tier high enough for the products
        crew = [("host", free(eligible, call, wrap)), ("pa", free(pas, call, wrap))]
        for role, pid in crew:
            shifts.append(dict(session_id=sid, person_id=pid, role=role, starts_at=call, ends_at=wrap, cancelled=False,
                               created_at=now, state="confirmed"))
        segments.extend(_run_of_show(rng, sid, sess, products, now))
    s.execute(insert(RosSegment), segments)
    shift_ids = list(s.execute(insert(Shift).returning(Shift.id, sort_by_parameter_order=True), shifts).scalars())
    for shid, sh in zip(shift_ids, shifts):
        if sh["ends_at"] > now:
            continue
        tendency = next((h[2] for h in hosts if h[0] == sh["person_id"]), 0.05)
        roll = rng.random()
        if roll < tendency / 3:
            continue  # missed check-in
        late = rng.randint(6, 25) if roll < tendency else 0
        clock_in = sh["starts_at"] + timedelta(minutes=late or -rng.randint(0, 10))
        entries.append(dict(person_id=sh["person_id"], shift_id=shid, clock_in_at=clock_in,
                            clock_out_at=sh["ends_at"] + timedelta(minutes=rng.randint(0, 15)), late_minutes=late,
                            unscheduled=False, edited=False, source="demo", created_at=now))
    if entries:
        s.execute(insert(TimeEntry), entries)
    for sid, sess, sh in zip(ids, sessions, shifts[::2]):
        if rng.random() < 0.04 or sess["status"] != "done":
            continue  # metrics never logged: the scorecard lists these
        skill = next(h[1] for h in hosts if h[0] == sh["person_id"])
        hours = Decimal((sess["ends_at"] - sess["starts_at"]).total_seconds()) / 3600
        views = int(rng.randint(700, 1400) * hours * Decimal(skill))
        viewers = int(views * rng.uniform(0.55, 0.8))
        impressions = int(views * rng.uniform(8, 15))  # every product card shown counts
        clicks = int(impressions * rng.uniform(0.02, 0.06))
        orders = max(1, int(clicks * rng.uniform(0.02, 0.06) * min(skill, 1.0)))
        chosen = rng.sample(products, min(plan.skus_per_session, len(products)))
        weights = [p[3] for p in chosen]
        total_w = sum(weights)
        units_total, gmv_total = 0, 0
        for (pid, code, price, _), w in zip(chosen, weights):
            units = int(orders * 1.3 * w / total_w + rng.random())
            gmv = int(units * price)
            stock[code] = max(0, stock[code] - units)
            units_total += units
            gmv_total += gmv
            krows.append(dict(session_id=sid, sku=code, product_id=pid, units=units, gmv_cents=gmv, stock_after=stock[code],
                              updated_at=now, updated_by="demo"))
        mrows.append(dict(session_id=sid, gmv_cents=gmv_total, orders=min(orders, max(units_total, 1)),
                          units_sold=max(units_total, 1), buyers=None, unique_viewers=viewers, views=views,
                          avg_view_duration_seconds=Decimal(rng.randint(45, 95)), peak_viewers=int(viewers * 0.08),
                          product_impressions=impressions, product_clicks=clicks, new_followers=int(viewers * 0.02),
                          comments=int(views * 0.1), shares=int(views * 0.01), source="demo", created_at=now, updated_at=now,
                          updated_by="demo"))
    if mrows:
        s.execute(insert(SessionMetrics), mrows)
    if krows:
        s.execute(insert(SkuMetrics), krows)
    _escalations_and_briefs(s, rng, ids, sessions, now)
    return {"sessions": len(ids), "shifts": len(shift_ids), "time_entries": len(entries), "metrics": len(mrows), "sku_rows": len(krows)}


def _run_of_show(rng: random.Random, sid: int, sess: dict, products: list, now: datetime) -> list[dict]:
    """A plausible plan: hook, product blocks with talking points, a flash deal, Q&A, close."""
    minutes = int((sess["ends_at"] - sess["starts_at"]).total_seconds() // 60)
    picks = rng.sample(products, 3)
    plan = [dict(kind="hook", title="Welcome and today's deals", duration_min=10, lead_role="host",
                 talking_points="Say hi to returning viewers by name\nTease the flash deal at the half-way mark")]
    block = (minutes - 10 - 15 - 20 - 10) // 3
    for _, code, price, _ in picks:
        plan.append(dict(kind="product", title=None, sku_text=code, duration_min=block, lead_role="host",
                         offer=f"${price / 100:.2f}, free shipping over $35",
                         talking_points="Show the texture on camera\nRead the ingredients card, no medical claims"))
    plan += [dict(kind="flash_deal", title="Flash deal", sku_text=picks[0][1], duration_min=15, offer="20% off for 15 minutes",
                  lead_role="host", talking_points="Count down on screen; say the end time twice"),
             dict(kind="qa", title="Questions from chat", duration_min=20, lead_role="host"),
             dict(kind="close", title="Thanks and next LIVE", duration_min=10, lead_role="host")]
    offset, rows = 0, []
    for seg in plan:
        product_id = next((p[0] for p in products if p[1] == seg.get("sku_text")), None)
        rows.append(dict(session_id=sid, offset_min=offset, product_id=product_id, updated_at=now,
                         **{k: seg.get(k) for k in ("kind", "title", "duration_min", "sku_text", "offer", "talking_points", "lead_role")}))
        offset += seg["duration_min"]
    return rows


def _escalations_and_briefs(s: Session, rng: random.Random, ids: list[int], sessions: list[dict], now: datetime) -> None:
    past = [i for i, sess in enumerate(sessions) if sess["ends_at"] <= now] or [0]
    for n in range(max(1, len(ids) // 8)):
        i = rng.choice(past)  # an escalation belongs to a LIVE that already happened, and is resolved before now
        raised = sessions[i]["starts_at"] + timedelta(minutes=rng.randint(5, 90))
        sev = rng.choice([1, 2, 2, 3, 3, 3, 4])
        acked = raised + timedelta(minutes=rng.randint(1, 20))
        fixed = min(acked + timedelta(minutes=rng.randint(5, 120)), now)
        eid = s.execute(insert(Escalation).values(
            summary=f"Demo issue {n + 1}", severity=sev, session_id=ids[i], affected="stream", reporter="UDEMOADM1",
            owner="UDEMOADM1", status="resolved", escalated_at=raised, acknowledged_at=acked, resolved_at=fixed,
            cause="tech", idempotency_key=f"demo:{n}").returning(Escalation.id)).scalar_one()
        for kind, at in (("raised", raised), ("acknowledged", acked), ("resolved", fixed)):
            s.execute(insert(EscalationEvent).values(escalation_id=eid, kind=kind, actor="UDEMOADM1", at=at, detail={}))
    for n in range(max(1, len(ids) // 6)):
        _brief(s, rng, n, ids, sessions, now)


_TRACK = ("Welcome in! Today {product} is on the LIVE. Show the texture on camera and read the ingredients card. "
          "The offer runs until the end of the stream{claim}.")
_FIX = (", for a visible glow after two weeks", "; this cures dry skin overnight")


def _brief(s: Session, rng: random.Random, n: int, ids: list[int], sessions: list[dict], now: datetime) -> None:
    """One talk track in a real state: approved, sent back (and maybe approved on v2), or waiting for legal.
    Nothing is dated after `now`; each version's hash is the hash of its text, as legal's record needs."""
    i = rng.randrange(len(ids))
    title = f"Talk track {n + 1}: {sessions[i]['title']}"
    submitted = min(sessions[i]["starts_at"] - timedelta(days=2, hours=rng.randint(0, 30)),
                    now - timedelta(hours=rng.randint(1, 20)))
    outcome = rng.choices(["approved", "fixed", "changes_requested", "pending"], weights=[50, 20, 15, 15])[0]
    bad = rng.choice(_FIX)
    texts = [_TRACK.format(product=sessions[i]["title"].removesuffix(" LIVE"), claim=bad if outcome != "approved" else "")]
    steps: list[tuple[str | None, str | None]] = []  # (decision, reason) per version
    if outcome == "approved":
        steps = [("approve", None)]
    elif outcome == "pending":
        steps = [(None, None)]
    else:
        steps = [("request_changes", f"Remove the claim '{bad.strip(',; ')}': it is not substantiated.")]
        if outcome == "fixed":
            texts.append(_TRACK.format(product=sessions[i]["title"].removesuffix(" LIVE"), claim=""))
            steps.append(("approve", None))
    at, status, bid = submitted, "pending", None
    for number, (text, (decision, reason)) in enumerate(zip(texts, steps), start=1):
        decided = at + timedelta(hours=rng.randint(2, 40))
        if decision is not None and decided > now:
            decision = None  # legal has not got to it yet
        if bid is None:
            bid = s.execute(insert(Brief).values(
                title=title, kind="talk_track", session_id=ids[i], submitter="UDEMOADM1", status="pending",
                current_version=1, approvals_required=1, draft_text=text, created_at=submitted, updated_at=submitted,
                due_at=submitted + timedelta(days=1)).returning(Brief.id)).scalar_one()
        vid = s.execute(insert(BriefVersion).values(
            brief_id=bid, number=number, text=text, text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            submitted_by="UDEMOADM1", submitted_at=at, due_at=at + timedelta(days=1), findings=[]).returning(BriefVersion.id)).scalar_one()
        status = {"approve": "approved", "request_changes": "changes_requested", None: "pending"}[decision]
        s.execute(update(Brief).where(Brief.id == bid).values(current_version=number, draft_text=text, status=status,
                                                              updated_at=decided if decision else at))
        if decision is None:
            break
        s.execute(insert(BriefDecision).values(version_id=vid, decider="UDEMOLGL1", decision=decision, reason=reason, at=decided))
        at = decided + timedelta(hours=rng.randint(1, 6))
        if at > now:
            break


def is_demo(s: Session) -> bool:
    return s.scalar(select(Person.id).where(Person.slack_user_id == DEMO_MARKER)) is not None


def is_empty(s: Session) -> bool:
    return s.scalar(select(Person.id).limit(1)) is None and s.scalar(select(LiveSession.id).limit(1)) is None
