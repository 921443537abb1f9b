"""/casting and its forms: the pipeline, adding and moving candidates, auditions and the blind scorecard,
onboarding progress and the template. Feedback, tier decisions and checklist ticks: bot/handlers/coaching.py."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks import talent as blocks
from bot.db.talent import CLOSED, CRITERIA
from bot.handlers.common import guarded, input_value, view_meta
from bot.handlers.home import refresh_talent_homes
from bot.runtime import Runtime
from bot.services import people, validation
from bot.services.errors import Invalid
from bot.services.talent import auditions, casting, onboarding
from bot.services.talent.access import require_talent
from bot.timefmt import local_date, local_to_utc

USAGE = ("Use `/casting` for the pipeline, `/casting add`, `/casting NAME` or `/casting #ID`, `/casting closed`, "
         "`/casting onboarding`, `/casting template`.")



def register(app: App, rt: Runtime) -> None:
    def today() -> date:
        return local_date(clock.now(), rt.tz)

    def pipeline_view(s: Any, actor: Any, notice: str | None = None) -> dict[str, Any]:
        by_stage = casting.pipeline(s, actor)
        counts = casting.stage_counts(s)
        return blocks.pipeline_modal(by_stage, sum(counts.get(c, 0) for c in CLOSED), notice=notice)

    def detail_view(s: Any, actor: Any, cand_id: int) -> dict[str, Any]:
        cand = casting.get(s, actor, cand_id)
        return blocks.candidate_detail(cand, casting.allowed_moves(cand), auditions.for_candidate(s, cand.id), rt.tz, today())

    def show(client: Any, body: dict, view: dict[str, Any]) -> None:
        """Push over a modal the click came from, otherwise open one."""
        if (body.get("view") or {}).get("type") == "modal":
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)

    def audition_view(s: Any, actor: Any, cand_id: int) -> dict[str, Any]:
        cand = casting.get(s, actor, cand_id)
        return blocks.audition_modal(cand, today() + timedelta(days=1), None, auditions.booked(s, clock.now()), rt.tz)

    @app.command("/casting")
    @guarded("command")
    def casting_cmd(ack: Any, body: dict, client: Any, respond: Any) -> None:
        text = (body.get("text") or "").replace("\x00", "").strip()
        word = text.lower()
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user_id"])
            require_talent(actor, "use the casting pipeline")
            if word == "add":
                view = blocks.candidate_modal()
            elif word == "template":
                view = blocks.template_modal(onboarding.template_text(onboarding.template(s)))
            elif word == "onboarding":
                view = blocks.progress_modal(onboarding.progress(s, actor, today()), today())
            elif word in ("", "help"):
                view = pipeline_view(s, actor)
            elif word in ("closed", "declined", "withdrawn"):
                closed = {k: v for k, v in casting.pipeline(s, actor, include_closed=True).items() if k in CLOSED}
                view = blocks.pipeline_modal(closed, sum(len(v) for v in closed.values()), title="Casting: closed",
                                             notice="Declined and withdrawn candidates, newest first; open one to reopen it.")
            else:
                found = casting.search(s, actor, text)
                if len(found) == 1:
                    view = detail_view(s, actor, found[0].id)
                else:
                    by_stage: dict[str, list[Any]] = {}
                    for c in found:
                        by_stage.setdefault(c.stage, []).append(c)
                    note = f"{len(found)} candidate(s) match '{text[:60]}'." + ("" if found else " " + USAGE)
                    view = blocks.pipeline_modal(by_stage, 0, title="Casting search", notice=note)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)
        rt.after_change(body["user_id"])

    @app.action("talent_add")
    @guarded("action")
    def talent_add(ack: Any, body: dict, client: Any, respond: Any) -> None:
        with rt.db.transaction() as s:
            require_talent(people.get_or_create(s, body["user"]["id"]), "add candidates")
        ack()
        show(client, body, blocks.candidate_modal())

    @app.action("talent_open_casting")
    @guarded("action")
    def talent_open_casting(ack: Any, body: dict, client: Any, respond: Any) -> None:
        with rt.db.transaction() as s:
            view = pipeline_view(s, people.get_or_create(s, body["user"]["id"]))
        ack()
        show(client, body, view)

    @app.action("talent_progress")
    @guarded("action")
    def talent_progress(ack: Any, body: dict, client: Any, respond: Any) -> None:
        with rt.db.transaction() as s:
            view = blocks.progress_modal(onboarding.progress(s, people.get_or_create(s, body["user"]["id"]), today()), today())
        ack()
        show(client, body, view)

    @app.action("talent_template")
    @guarded("action")
    def talent_template(ack: Any, body: dict, client: Any, respond: Any) -> None:
        with rt.db.transaction() as s:
            require_talent(people.get_or_create(s, body["user"]["id"]), "edit the onboarding template")
            view = blocks.template_modal(onboarding.template_text(onboarding.template(s)))
        ack()
        show(client, body, view)

    @app.action("talent_cand_menu")
    @guarded("action")
    def talent_cand_menu(ack: Any, body: dict, client: Any, respond: Any) -> None:
        verb, _, raw = body["actions"][0]["selected_option"]["value"].partition(":")
        cand_id = validation.parse_id(raw, what="candidate")
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            if verb == "audition":
                view = audition_view(s, actor, cand_id)
            else:
                view = detail_view(s, actor, cand_id)
        ack()
        show(client, body, view)

    @app.action("talent_audition_open")
    @guarded("action")
    def audition_open(ack: Any, body: dict, client: Any, respond: Any) -> None:
        cand_id = validation.parse_id(body["actions"][0]["value"], what="candidate")
        with rt.db.transaction() as s:
            view = audition_view(s, people.get_or_create(s, body["user"]["id"]), cand_id)
        ack()
        show(client, body, view)

    @app.action("talent_audition_cancel")
    @guarded("action")
    def audition_cancel(ack: Any, body: dict, client: Any, respond: Any) -> None:
        aud_id = validation.parse_id(body["actions"][0]["value"], what="audition")
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            aud = auditions.cancel(s, actor, aud_id, rt.tz)
            view = detail_view(s, actor, aud.candidate_id)
        ack()
        if (body.get("view") or {}).get("type") == "modal":
            client.views_update(view_id=body["view"]["id"], view=view)
        refresh_talent_homes(rt)

    def form_input(body: dict) -> casting.CandidateInput:
        return casting.CandidateInput(name=input_value(body, "name"), handle=input_value(body, "handle"),
                                      email=input_value(body, "email"), source=input_value(body, "source"),
                                      link=input_value(body, "link"), languages=input_value(body, "languages"),
                                      notes=input_value(body, "notes"))

    @app.action("talent_candidate_edit_open")
    @guarded("action")
    def candidate_edit_open(ack: Any, body: dict, client: Any, respond: Any) -> None:
        cand_id = validation.parse_id(body["actions"][0]["value"], what="candidate")
        with rt.db.transaction() as s:
            view = blocks.candidate_modal(casting.get(s, people.get_or_create(s, body["user"]["id"]), cand_id))
        ack()
        show(client, body, view)

    @app.view("talent_candidate_edit")
    @guarded("view")
    def candidate_edit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        cand_id = validation.parse_id(view_meta(body).get("candidate"), what="candidate")
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            casting.edit(s, actor, cand_id, form_input(body))
            view = detail_view(s, actor, cand_id)
        ack(response_action="update", view=view)
        refresh_talent_homes(rt)

    @app.view("talent_candidate_submit")
    @guarded("view")
    def candidate_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        data = form_input(body)
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            cand = casting.add(s, actor, data)
            view = detail_view(s, actor, cand.id)
        ack(response_action="update", view=view)
        refresh_talent_homes(rt)

    @app.view("talent_move_submit")
    @guarded("view")
    def move_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        cand_id = validation.parse_id(view_meta(body).get("candidate"), what="candidate")
        stage = input_value(body, "stage")
        if not stage:
            raise Invalid("Pick where the candidate moves.", {"stage": "Pick a stage."})
        raw_start = input_value(body, "start")
        start = validation.parse_date(raw_start, field="start", label="The start date", today=today()) if raw_start else None
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            cand = casting.move(s, actor, cand_id, stage, input_value(body, "reason"), start_on=start, tz_today=today())
            person_uid = cand.person.slack_user_id if cand.person else None
            view = detail_view(s, actor, cand.id)
        ack(response_action="update", view=view)
        refresh_talent_homes(rt, [person_uid])

    @app.view("talent_audition_submit")
    @guarded("view")
    def audition_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        cand_id = validation.parse_id(view_meta(body).get("candidate"), what="candidate")
        day = validation.parse_date(input_value(body, "date"), field="date", label="The day", today=today())
        start = local_to_utc(day, validation.parse_time(input_value(body, "start"), field="start", label="The start"), rt.tz)
        end = local_to_utc(day, validation.parse_time(input_value(body, "end"), field="end", label="The end"), rt.tz)
        picked = input_value(body, "reviewers")
        picked = [picked] if isinstance(picked, str) else picked if isinstance(picked, list) else []
        reviewers = [validation.slack_user_id(u, field="reviewers") for u in picked]
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            for uid in reviewers:
                people.get_or_create(s, uid, actor=actor.slack_user_id)
            auditions.schedule(s, actor, cand_id, start, end, input_value(body, "room"), reviewers, rt.tz)
            view = detail_view(s, actor, cand_id)
        ack(response_action="update", view=view)
        refresh_talent_homes(rt, reviewers)

    @app.action("talent_score_open")
    @guarded("action")
    def score_open(ack: Any, body: dict, client: Any, respond: Any) -> None:
        aud_id = validation.parse_id(body["actions"][0]["value"], what="audition")
        with rt.db.transaction() as s:
            viewer = people.get_or_create(s, body["user"]["id"])
            card = auditions.scorecard(s, viewer, aud_id)
            mine_due = card.mine is None and viewer.slack_user_id in (card.audition.reviewers or [])
            view = blocks.score_modal(card.audition, rt.tz) if mine_due else blocks.scorecard_modal(card, rt.tz)
        ack()
        show(client, body, view)

    @app.view("talent_score_submit")
    @guarded("view")
    def score_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        aud_id = validation.parse_id(view_meta(body).get("audition"), what="audition")
        scores = {c: input_value(body, c) for c in CRITERIA}
        with rt.db.transaction() as s:
            reviewer = people.get_or_create(s, body["user"]["id"])
            auditions.submit(s, reviewer, aud_id, scores, input_value(body, "notes"))
            view = blocks.scorecard_modal(auditions.scorecard(s, reviewer, aud_id), rt.tz)
        ack(response_action="update", view=view)
        refresh_talent_homes(rt)

    @app.view("talent_template_submit")
    @guarded("view")
    def template_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            items = onboarding.edit_template(s, actor, input_value(body, "items") or "")
        ack(response_action="update", view=blocks.done_modal("Onboarding template",
                                                             f":white_check_mark: Saved: {len(items)} item(s). New hires get this checklist."))
