"""The hostile-input sweep: every slash command in manifest.yml and every modal the bot registers, driven through
the signed endpoint with what a hostile tester types (out-of-range years, forged dates and times, huge, negative
and Unicode numbers, empty and 5,000-character text, mrkdwn injection, NUL bytes). Bad input gets a plain answer:
no 500, and never the generic "Something went wrong", which is for bugs only."""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ADMIN, HOST, HOST2, LEADER, LEGAL, PA
from schedule_helpers import at, new_session, person, seed
from talent_helpers import sweep_world

from bot import clock
from bot.db.models import TimeEntry
from bot.services import people
from bot.services.escalations import lifecycle
from bot.services.briefs import drafting
from bot.services.schedule import calendar
from bot.services.briefs.records import BriefInput, BriefPolicy
from bot.services.escalations.core import EscalationConfig, RaiseForm
from bot.services.schedule.rules import Rules
from bot.timefmt import local_date

ROOT = Path(__file__).resolve().parent.parent
OOPS = "Something went wrong"
NUL = "bad\x00byte"

TEXT = {"empty": "", "long": "x" * 5000, "mrkdwn": "<!channel> <@U0000BAD> &amp; *bold*", "unicode": "٣٤ ²",
        "negative": "-5", "huge": "3000000000", "googol": "1" + "0" * 30}
DATES = {"year9999": "9999-12-31", "year1": "0001-01-01", "feb30": "2026-02-30", "unicode": "٢٠٢٦-١١-٢٠",
         "garbage": "<!channel>", "long": "9" * 5000}
TIMES = {"25:99": "25:99", "24:00": "24:00", "unicode": "١٢:٣٠", "garbage": "noon", "long": "1" * 5000}
WEEKS = {"w9999": "9999-W52", "w0001": "0001-W01", "w99": "2026-W99", "unicode": "٢٠٢٦-W01"}
NUMBERS = {**{k: TEXT[k] for k in ("empty", "unicode", "negative", "huge", "googol")}, "sup": "²", "exp": "1e9",
           "long": "9" * 5000, "money": "$1e30", "fraction": "0.0001"}
IDS = {"zero": "0", "negative": "-1", "huge": "99999999999", "unicode": "٣", "word": "abc", "long": "1" * 5000}
USERS = {"nobody": "U0000NOBODY", "long": "U" + "X" * 300, "mrkdwn": "<!channel>", "empty": ""}
KINDS = {"text": TEXT, "date": DATES, "time": TIMES, "number": NUMBERS, "option": IDS, "user": USERS}


def _element(kind: str, value: Any) -> dict[str, Any]:
    if kind == "date":
        return {"type": "datepicker", "selected_date": value}
    if kind == "time":
        return {"type": "timepicker", "selected_time": value}
    if kind == "option":
        return {"type": "static_select", "selected_option": {"value": value} if value is not None else None}
    if kind == "options":
        return {"type": "multi_static_select", "selected_options": [{"value": v} for v in value or []]}
    if kind == "user":
        return {"type": "users_select", "selected_user": value}
    if kind == "users":
        return {"type": "multi_users_select", "selected_users": [value] if isinstance(value, str) else value or []}
    if kind == "checks":
        return {"type": "checkboxes", "selected_options": [{"value": v} for v in value or []]}
    if kind == "number":
        return {"type": "number_input", "is_decimal_allowed": False, "value": value}
    return {"type": "plain_text_input", "value": value}


@dataclass
class Form:
    """A modal: its callback, private_metadata, and each input as (block_id, action_id, kind, valid value)."""

    callback: str
    metadata: str
    inputs: list[tuple[str, str, str, Any]]
    user: str = ADMIN
    hostile: dict[str, str] = field(default_factory=dict)  # block_id -> kind of hostile values to try

    def state(self, block: str | None = None, value: Any = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for b, action, kind, valid in self.inputs:
            v = value if b == block else valid
            k = self.hostile.get(b, kind) if b == block else kind
            if k in ("options", "checks") and b == block:
                v = [] if value is None else [value]
            out[b] = {action: _element(k, v)}
        return out


@dataclass
class World:
    session_id: int
    shift_id: int
    other_shift_id: int
    entry_id: int
    esc_id: int
    brief_id: int
    monday: date
    today: date
    creators: dict[str, int] = field(default_factory=lambda: {"campaign": 1, "deliverable": 1, "clip": 1})
    talent: dict[str, int] = field(default_factory=lambda: {"candidate": 1, "audition": 1, "proposal": 1})


@pytest.fixture
def world(server, db) -> World:
    seed(db)
    rt = server.rt
    today = local_date(clock.now(), rt.tz)
    day = (today + timedelta(days=2)).isoformat()
    rules = Rules.from_settings(rt.settings)
    with db.transaction() as s:
        person(s, ADMIN, "associate")
        person(s, HOST, "host", tier="Lead", name="hana")
        person(s, HOST2, "host", tier="Lead", name="hugo")
        person(s, PA, "pa", name="pat")
        person(s, LEADER, "leadership")
        person(s, LEGAL, "legal")
        live = new_session(s, day, "10:00", "12:00")
        other = new_session(s, day, "14:00", "16:00")
        calendar.assign(s, "cli", live.id, {"host": HOST, "cohost": None, "pa": None}, rules, override=True)
        calendar.assign(s, "cli", other.id, {"host": HOST2, "cohost": None, "pa": None}, rules, override=True)
        host = people.get_or_create(s, HOST)
        mine = next(sh for sh in live.shifts if sh.person_id == host.id)
        theirs = next(sh for sh in other.shifts if sh.person_id is not None)
        start = at(today.isoformat(), "00:30") - timedelta(days=1)
        entry = TimeEntry(person_id=host.id, clock_in_at=start, clock_out_at=start + timedelta(hours=4), created_at=start)
        s.add(entry)
        esc, _ = lifecycle.raise_escalation(s, host, RaiseForm("Checkout link dead", "3", None, "product"),
                                              f"sweep:{uuid.uuid4().hex}", clock.now(), EscalationConfig.from_settings(rt.settings))
        saved = drafting.save(s, host, BriefInput(title="Glow talk track", kind="talk_track", text="Feels light on skin.", campaign="Glow",
                                                due_on=today + timedelta(days=3)),
                            brief_id=None, based_on=None, draft=False, now=clock.now(),
                            policy=BriefPolicy.from_settings(rt.settings))
        s.flush()
        ids = (live.id, mine.id, theirs.id, entry.id, esc.id, saved.brief.id)
        talent = sweep_world(s, ADMIN, [LEADER, HOST])
    with db.transaction() as s:
        creators = _creator_world(s, rt, ids[0], today)
    server.drain()
    server.stub.clear()
    return World(*ids, monday=today - timedelta(days=today.weekday()), today=today, creators=creators,
                 talent=talent)


def _creator_world(s: Any, rt: Any, session_id: int, today: date) -> dict[str, int]:
    """A creator on a campaign with one deliverable, and a clip, for the creator and clip forms."""
    from bot.services.creators import campaigns, clips, deliverables, roster
    from bot.services.creators.common import CreatorPolicy

    admin, now = people.get_or_create(s, ADMIN), clock.now()
    mia = roster.save(s, admin, roster.CreatorInput(name="Mia", handle="@mia"), now)
    c = campaigns.save(s, admin, campaigns.CampaignInput(name="Glow", starts_on=today.isoformat(), creator_ids=[mia.id]), now)
    d = deliverables.add(s, admin, c.id, mia.id, "video", today.isoformat(), now, CreatorPolicy.from_settings(rt.settings))
    clip = clips.request(s, admin, session_id=session_id, offset=60, note="hook", now=now, tz=rt.tz)
    return {"campaign": c.id, "deliverable": d.id, "clip": clip.id}


def forms(w: World) -> dict[str, Form]:
    """Every modal the bot registers, with valid values around the one hostile field."""
    day = (w.today + timedelta(days=2)).isoformat()
    week_meta = {"week": w.monday.isoformat(), "plan": "VPLAN"}
    seg = [("kind", "value", "option", "product"), ("title", "value", "text", "Hook"), ("offset", "value", "number", "0"),
           ("duration", "value", "number", "10"), ("sku", "value", "text", None), ("offer", "value", "text", None),
           ("points", "value", "text", None), ("lead", "value", "option", "host")]
    session_inputs = [("title", "value", "text", "Glow LIVE"), ("date", "value", "date", day),
                      ("start", "value", "time", "18:00"), ("end", "value", "time", "20:00"),
                      ("overnight", "value", "checks", []), ("room", "value", "text", "Studio A"),
                      ("tier", "value", "option", "B"), ("skus", "value", "options", []), ("notes", "value", "text", None),
                      ("override", "value", "checks", [])]
    metric_fields = ["gmv_cents", "orders", "units_sold", "unique_viewers", "views", "avg_view_duration_seconds",
                     "peak_viewers", "product_impressions", "product_clicks", "new_followers", "comments", "shares"]
    entry_day = (w.today - timedelta(days=1)).isoformat()
    return {
        "sched_session_submit": Form("sched_session_submit", json.dumps(week_meta), session_inputs,
                                     hostile={"skus": "options", "overnight": "text", "override": "text"}),
        "sched_session_edit": Form("sched_session_submit", json.dumps({**week_meta, "session": w.session_id}), session_inputs,
                                   hostile={"skus": "options", "overnight": "text", "override": "text"}),
        "sched_assign_submit": Form("sched_assign_submit", json.dumps({**week_meta, "session": w.session_id}),
                                    [("host", "value", "user", HOST), ("cohost", "value", "user", None),
                                     ("pa", "value", "user", None), ("override", "value", "checks", [])]),
        "shift_decline_submit": Form("shift_decline_submit", json.dumps({"shift": w.shift_id}),
                                     [("reason", "value", "text", "sick")], user=HOST),
        "avail_submit": Form("avail_submit", json.dumps({"user": HOST}),
                             [*((f"day_{wd}", "value", "text", "9:00-17:00") for wd in range(7)),
                              ("off_first", "value", "date", None), ("off_last", "value", "date", None),
                              ("off_reason", "value", "text", None)], user=HOST),
        "timesheet_edit_submit": Form("timesheet_edit_submit", str(w.entry_id),
                                      [("clock_in_date", "date", "date", entry_day), ("clock_in_time", "time", "time", "09:00"),
                                       ("clock_out_date", "date", "date", entry_day), ("clock_out_time", "time", "time", "12:00"),
                                       ("reason", "value", "text", "forgot to clock out")]),
        "metrics_submit": Form("metrics_submit", "", [("session", "value", "option", str(w.session_id)),
                                                      *((m, "value", "number", "10") for m in metric_fields),
                                                      ("skus", "value", "text", "GLOW-01 3 $30.00 10")],
                               hostile={m: "number" for m in metric_fields}),
        "ros_segment_submit": Form("ros_segment_submit", json.dumps({"session": w.session_id}), seg),
        "swap_submit": Form("swap_submit", "", [("shift", "value", "option", str(w.shift_id)),
                                                ("mode", "value", "option", "direct"), ("target", "value", "user", HOST2),
                                                ("note", "value", "text", None)], user=HOST),
        "swap_trade_submit": Form("swap_trade_submit", json.dumps({"shift": w.shift_id, "target": HOST2, "note": None}),
                                  [("return", "value", "option", str(w.other_shift_id))], user=HOST),
        "swap_deny_submit": Form("swap_deny_submit", json.dumps({"swap": 999}), [("reason", "value", "text", "no cover")]),
        "escalation_raise": Form("escalation_raise", json.dumps({"nonce": "n1"}),
                                 [("summary", "value", "text", "Stream froze"), ("severity", "value", "option", "2"),
                                  ("session", "value", "option", str(w.session_id)), ("affected", "value", "option", "product"),
                                  ("details", "value", "text", None), ("legal", "value", "checks", [])], user=HOST),
        "escalation_update": Form("escalation_update", str(w.esc_id),
                                  [("note", "value", "text", "Link fixed"), ("severity", "value", "option", "3")]),
        "escalation_resolve": Form("escalation_resolve", str(w.esc_id),
                                   [("note", "value", "text", "Fixed"), ("cause", "value", "option", "other")]),
        "brief_submit": Form("brief_submit", "", [("title", "value", "text", "Glow"), ("kind", "value", "option", "talk_track"),
                                                   ("skus", "value", "text", None), ("text", "value", "text", "Feels light."),
                                                   ("text_2", "value", "text", None), ("text_3", "value", "text", None),
                                                   ("link", "value", "text", None), ("session", "value", "option", None),
                                                   ("campaign", "value", "text", "Glow"),
                                                   ("due", "value", "date", (w.today + timedelta(days=3)).isoformat()),
                                                   ("note", "value", "text", None), ("draft", "value", "checks", [])],
                             user=HOST),
        "brief_decision": Form("brief_decision", f"{w.brief_id}:1:request_changes", [("reason", "value", "text", "Remove the claim")],
                               user=LEGAL),
        "claim_allow": Form("claim_allow", f"{w.brief_id}:0", [("scope", "value", "option", "global"),
                                                              ("why", "value", "text", "A candle, not a cure")], user=LEGAL),
        **creator_forms(w),
        "invoice_submit": Form("invoice_submit", "", [("person", "value", "user", ADMIN), ("period", "value", "date", entry_day),
                                                      ("amount", "value", "number", "100.00"), ("number", "value", "text", "INV-1"),
                                                      ("link", "value", "text", None)]),
        "invoice_decide": Form("invoice_decide", "1:1:approve", [("note", "value", "text", "ok")], user=LEADER),
        "payroll_unlock_submit": Form("payroll_unlock_submit", f"{HOST}|{w.today.isoformat()}",
                                      [("reason", "value", "text", "Monday was 5 h, not 4")]),
        "claim_missed": Form("claim_missed", f"{w.brief_id}", [("text", "value", "text", "Feels light."),
                                                              ("category", "value", "option", "health"),
                                                              ("why", "value", "text", None)], user=LEGAL),
        "meeting_submit": Form("meeting_submit", json.dumps({"nonce": "m1"}),
                               [("title", "value", "text", "Ops sync"), ("attendees", "value", "users", [HOST]),
                                ("length", "value", "option", "30"), ("first_day", "value", "date", day),
                                ("last_day", "value", "date", day)], hostile={"attendees": "user"}),
        **talent_forms(w, day),
    }


def talent_forms(w: World, day: str) -> dict[str, Form]:
    t = w.talent
    scores = [(c, "value", "option", "4") for c in ("energy", "product", "selling", "compliance", "reliability")]
    return {
        "talent_candidate_submit": Form("talent_candidate_submit", "", [
            ("name", "value", "text", "Nia"), ("handle", "value", "text", "nia.live"), ("email", "value", "text", None),
            ("source", "value", "option", "referral"), ("link", "value", "text", None),
            ("languages", "value", "text", None), ("notes", "value", "text", None)]),
        "talent_candidate_edit": Form("talent_candidate_edit", json.dumps({"candidate": t["candidate"]}), [
            ("name", "value", "text", "Nia"), ("handle", "value", "text", "nia.live"), ("email", "value", "text", None),
            ("source", "value", "option", "referral"), ("link", "value", "text", None),
            ("languages", "value", "text", None), ("notes", "value", "text", None)]),
        "talent_move_submit": Form("talent_move_submit", json.dumps({"candidate": t["candidate"]}), [
            ("stage", "value", "option", "declined"), ("reason", "value", "text", "not a fit"), ("start", "value", "date", None)]),
        "talent_audition_submit": Form("talent_audition_submit", json.dumps({"candidate": t["candidate"]}), [
            ("date", "value", "date", day), ("start", "value", "time", "19:00"), ("end", "value", "time", "19:30"),
            ("room", "value", "text", "Audition room 2"), ("reviewers", "value", "user", LEADER)]),
        "talent_score_submit": Form("talent_score_submit", json.dumps({"audition": t["audition"]}),
                                    [*scores, ("notes", "value", "text", None)], user=LEADER),
        "talent_template_submit": Form("talent_template_submit", "", [("items", "value", "text", "host, +1, Training")]),
        "talent_feedback_submit": Form("talent_feedback_submit", json.dumps({"nonce": "sweep"}), [
            ("host", "value", "user", HOST), ("session", "value", "option", str(w.session_id)),
            ("well", "value", "text", "Hook"), ("improve", "value", "text", "Pace"), ("clip", "value", "text", None)]),
        "talent_tier_decide_submit": Form("talent_tier_decide_submit", json.dumps({"proposal": t["proposal"], "approve": False}),
                                          [("note", "value", "text", "Not yet")], user=LEADER),
    }


def creator_forms(w: World) -> dict[str, Form]:
    """The creator, campaign, deliverable and clip modals."""
    day = (w.today + timedelta(days=2)).isoformat()
    d, c, clip = (str(w.creators[k]) for k in ("deliverable", "campaign", "clip"))
    claims = ("claims", "value", "checks", [])
    return {
        "creator_submit": Form("creator_submit", "", [("name", "value", "text", "Noor"), ("handle", "value", "text", "@noor"),
                                                      ("contact", "value", "text", None), ("agency", "value", "text", None),
                                                      ("commission", "value", "text", "10"), ("fee", "value", "text", "100"),
                                                      ("notes", "value", "text", None), ("status", "value", "option", "active")]),
        "campaign_submit": Form("campaign_submit", "", [("name", "value", "text", "Mask week"), ("starts", "value", "date", day),
                                                        ("ends", "value", "date", day), ("products", "value", "options", []),
                                                        ("creators", "value", "options", []), ("briefs", "value", "options", []),
                                                        ("sessions", "value", "options", []), ("codes", "value", "text", "MASK5"),
                                                        ("budget", "value", "text", "100")],
                                hostile={k: "options" for k in ("products", "creators", "briefs", "sessions")}),
        "deliv_add_submit": Form("deliv_add_submit", c, [("creator", "value", "option", "1"), ("kind", "value", "option", "post"),
                                                         ("due", "value", "date", day), ("note", "value", "text", None)]),
        "deliv_ship_submit": Form("deliv_ship_submit", d, [("carrier", "value", "text", "UPS"), ("tracking", "value", "text", "1Z")]),
        "deliv_draft_submit": Form("deliv_draft_submit", d, [("link", "value", "text", "https://d.test/1"),
                                                             ("words", "value", "text", None), claims]),
        "deliv_post_submit": Form("deliv_post_submit", d, [("link", "value", "text", "https://t.test/1")]),
        "deliv_due_submit": Form("deliv_due_submit", d, [("due", "value", "date", day)]),
        "deliv_remove_submit": Form("deliv_remove_submit", d, [("reason", "value", "text", "dropped out")]),
        "clip_submit": Form("clip_submit", "", [("session", "value", "option", str(w.session_id)), ("stamp", "value", "text", "1:00"),
                                                ("note", "value", "text", "hook"), ("sku", "value", "text", None)], user=HOST),
        "clip_cut_submit": Form("clip_cut_submit", clip, [("link", "value", "text", "https://d.test/c"),
                                                          ("words", "value", "text", None), claims]),
        "clip_publish_submit": Form("clip_publish_submit", clip, [("placement", "value", "option", "paid"),
                                                                  ("link", "value", "text", "https://a.test/1"),
                                                                  ("views", "value", "text", None)]),
        "clip_reject_submit": Form("clip_reject_submit", clip, [("reason", "value", "text", "blurry")]),
    }


def _registered_modals() -> set[str]:
    found = set()
    for path in (ROOT / "bot" / "handlers").glob("*.py"):
        found |= set(re.findall(r'@app\.view\("([a-z_]+)"\)', path.read_text()))
    from bot.blocks.metrics import MODAL_CALLBACK
    return found | {MODAL_CALLBACK}


def _manifest_commands() -> list[str]:
    return re.findall(r"- command: (/[a-z]+)", (ROOT / "manifest.http.yml").read_text())


# Each command with the places its text is read: the value goes where {} is.
COMMANDS = {
    "/checkin": ["{}"], "/checkout": ["{}"], "/myshifts": ["{}"], "/swap": ["{}"], "/availability": ["{}"],
    "/escalate": ["{}"], "/metrics": ["{}", "#{}"], "/scorecard": ["{}", "targets {}", "targets gmv_week={}"],
    "/ops": ["{}", "timesheet {}", "role add {} host", f"role add <@{HOST}> {{}}", "help {}", "sync {}",
             "pay rate {} 25.00", f"pay rate <@{HOST}> {{}}", f"pay rate <@{HOST}> 25.00 from {{}}", "pay waiver {} on"],
    "/timesheets": ["{}"], "/invoice": ["{}"],
    "/schedule": ["{}", "tier {} Lead", f"tier <@{HOST}> {{}}"],
    "/brief": ["{}", "check {}", "list {}"],
    "/creators": ["{}", "export {}"], "/campaigns": ["{}"],
    "/clip": ["{}", "#{} 1:00 why", "queue {}", "views {} 5", "views 1 {}"],
    "/casting": ["{}", "#{}"], "/feedback": ["{}", f"<@{HOST}> {{}}"],
}


class Sweep:
    """Sends requests, and collects every answer that is a 500 or the generic error."""

    def __init__(self, server: Any, caplog: Any) -> None:
        self.server, self.caplog, self.problems = server, caplog, []

    def send(self, what: str, request: Any) -> None:
        seen = len(self.server.stub.calls)
        status, body = request()
        if status >= 500 or OOPS in json.dumps(body):
            self.problems.append(f"{what}: HTTP {status} {json.dumps(body)[:200]}")
        for call in self.server.stub.calls[seen:]:
            if OOPS in json.dumps(call.params, default=str):  # an upload carries bytes
                self.problems.append(f"{what}: {call.method} said {OOPS}")

    def finish(self) -> None:
        time.sleep(0.5)  # listeners that answer after the ack
        self.send("after the acks", lambda: (200, ""))
        self.problems += [r.getMessage() for r in self.caplog.records if "failed (ref" in r.getMessage()]
        assert self.problems == [], "\n".join(self.problems[:40])


def test_the_sweep_covers_every_command_and_modal(server, db):
    assert set(_manifest_commands()) == set(COMMANDS)
    w = World(1, 1, 1, 1, 1, 1, date(2026, 1, 5), date(2026, 1, 5))
    assert {f.callback for f in forms(w).values()} == _registered_modals()


def _command_cases(values: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(cmd, tpl, v) for cmd, tpls in COMMANDS.items() for tpl in tpls for v in values.values()]


ALL_TEXT = {**TEXT, **DATES, **WEEKS, **{f"id_{k}": v for k, v in IDS.items()}}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_slash_commands_answer_hostile_text_in_plain_words(world, server, caplog, command):
    sweep = Sweep(server, caplog)
    for user in (ADMIN, HOST):
        for tpl in COMMANDS[command]:
            for name, value in ALL_TEXT.items():
                sweep.send(f"{command} {tpl} [{name}] as {user}",
                           lambda: server.command(command, tpl.format(value), user))
    sweep.finish()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_slash_commands_answer_nul_bytes_in_plain_words(world, server, caplog, command):
    sweep = Sweep(server, caplog)
    for tpl in COMMANDS[command]:
        sweep.send(f"{command} {tpl} [nul]", lambda: server.command(command, tpl.format(NUL), ADMIN))
    sweep.finish()


FORM_NAMES = sorted(forms(World(1, 1, 1, 1, 1, 1, date(2026, 1, 5), date(2026, 1, 5))))


@pytest.mark.parametrize("name", FORM_NAMES)
def test_modal_submissions_answer_hostile_values_in_plain_words(world, server, caplog, name):
    form = forms(world)[name]
    sweep = Sweep(server, caplog)
    for block, _, kind, _ in form.inputs:
        hostile_kind = form.hostile.get(block, kind)
        values = KINDS.get("option" if hostile_kind == "options" else hostile_kind, TEXT)
        for label, value in {**values, "missing": None}.items():
            sweep.send(f"{name} {block}=[{label}]",
                       lambda: server.slack.submit(form.callback, form.user, form.state(block, value),
                                                   private_metadata=form.metadata))
    sweep.finish()


@pytest.mark.parametrize("name", FORM_NAMES)
def test_modal_submissions_answer_nul_bytes_in_plain_words(world, server, caplog, name):
    form = forms(world)[name]
    sweep = Sweep(server, caplog)
    for block, _, kind, _ in form.inputs:
        if kind in ("text", "number"):
            sweep.send(f"{name} {block}=[nul]", lambda: server.slack.submit(
                form.callback, form.user, form.state(block, NUL), private_metadata=form.metadata))
    sweep.finish()
