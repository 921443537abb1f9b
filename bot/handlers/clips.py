"""/clip (ask for a highlight clip; `queue` and `views` for the editor), the "Ask for a clip" message action on the
run-of-show post, and the editor queue's Cut / Publish / Reject forms."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks import clips as blocks
from bot.blocks.common import escape, modal, section
from bot.handlers.common import guarded, input_value
from bot.handlers.listeners import openers
from bot.runtime import Runtime
from bot.services import people, validation
from bot.services.creators import clips
from bot.services.creators.common import CreatorPolicy, require_associate
from bot.services.errors import Invalid

CLIP_SHORTCUT = "clip_from_message"
HELP = ("`/clip 12:34 why` asks for a clip of the LIVE on now (or the one that just ended); `/clip #12 1:02:03 why` "
        "names the session. `/clip` opens the form; `/clip queue` is the editor queue; `/clip views 7 12000` enters views.")


def _done(title: str, text: str) -> dict[str, Any]:
    return modal(title, [section(text)])


def register(app: App, rt: Runtime) -> None:
    def policy() -> CreatorPolicy:
        return CreatorPolicy.from_settings(rt.settings)

    def open_request(body: dict, client: Any, ack: Any, user_id: str, chosen: int | None) -> None:
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            people.require_role(actor, *clips.REQUESTERS, doing="ask for highlight clips")
            view = blocks.request_modal(clips.mine_now(s, actor, clock.now()), rt.tz, chosen)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.command("/clip")
    @guarded("command")
    def clip_cmd(ack: Any, body: dict, client: Any, respond: Any) -> None:
        text = (body.get("text") or "").replace("\x00", "").strip()
        user_id = body["user_id"]
        first = text.split()[0].lower() if text else ""
        if not text:
            open_request(body, client, ack, user_id, None)
            return
        if first == "help":
            ack(text=HELP)
            return
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, user_id)
            if first == "queue":
                require_associate(actor, "work the clip queue")
                msg = blocks.queue_message(clips.queue(s), rt.tz)
            elif first == "views":
                parts = text.split()
                if len(parts) != 3:
                    raise Invalid("Enter views as `/clip views 7 12000` (clip number, then views).")
                c = clips.set_views(s, actor, validation.parse_id(parts[1], what="clip"), parts[2], clock.now())
                msg = (f"Clip #{c.id}: {c.views:,} views recorded.", [section(f"Clip #{c.id}: {c.views:,} views recorded.")])
            else:
                cmd = clips.parse_command(text)
                c = clips.request(s, actor, session_id=cmd.session_id, offset=cmd.offset, note=cmd.note, now=clock.now(),
                                  tz=rt.tz, request_key=f"clip:{body.get('trigger_id') or ''}" if body.get("trigger_id") else None)
                line = blocks.requested_text(c, rt.tz)
                msg = (line, [section(line)])
        ack(text=msg[0], blocks=msg[1])
        rt.after_change(user_id)

    @app.shortcut(CLIP_SHORTCUT)
    @guarded("action")
    def clip_shortcut(ack: Any, body: dict, client: Any, respond: Any) -> None:
        channel = (body.get("channel") or {}).get("id")
        ts = (body.get("message") or {}).get("ts") or body.get("message_ts")
        with rt.db.read() as s:
            chosen = clips.session_of_post(s, channel, ts)
        open_request(body, client, ack, body["user"]["id"], chosen)

    @app.view("clip_submit")
    @guarded("view")
    def clip_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        picked = input_value(body, "session")
        if not picked:
            raise Invalid("Pick the session.", {"session": "Pick the LIVE session."})
        raw = str(input_value(body, "stamp") or "").strip()
        if not raw:
            raise Invalid("Give the time.", {"stamp": "Give the time in the LIVE, like 12:34 or 1:02:03."})
        offset = clips.parse_stamp(raw)
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            c = clips.request(s, actor, session_id=validation.parse_id(picked, field="session", what="LIVE session"),
                              offset=offset, note=input_value(body, "note"), now=clock.now(), tz=rt.tz,
                              sku=input_value(body, "sku"), request_key=f"clipview:{body['view'].get('id', '')}")
            text = blocks.requested_text(c, rt.tz)
        ack(response_action="update", view=_done("Clip asked for", text))

    def editor(make: Any) -> Any:
        """The modal one clip-queue button opens (associate only), built from the clip."""
        def build(s: Any, actor: Any, body: dict) -> dict:
            require_associate(actor, "work the clip queue")
            return make(clips.get(s, validation.parse_id(body["actions"][0]["value"], what="clip")), rt.tz)
        return build

    openers(app, rt, {"clip_cut": editor(blocks.cut_modal), "clip_publish": editor(blocks.publish_modal),
                      "clip_reject": editor(blocks.reject_modal)})

    def editor_submit(body: dict, ack: Any, run: Any, title: str) -> None:
        clip_id = validation.parse_id(body["view"].get("private_metadata"), what="clip")
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            text = run(s, actor, clip_id)
        ack(response_action="update", view=_done(title, text))

    @app.view("clip_cut_submit")
    @guarded("view")
    def clip_cut_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        claims = input_value(body, "claims")

        def run(s: Any, actor: Any, clip_id: int) -> str:
            c = clips.cut(s, actor, clip_id, input_value(body, "link"), input_value(body, "words"),
                          isinstance(claims, list) and "yes" in claims, clock.now(), policy())
            if c.status == "in_legal":
                return f"Clip #{c.id} is cut and has claims: it went to legal as brief #{c.brief_id}."
            return f"Clip #{c.id} is cut: no claims found, so it can be published."
        editor_submit(body, ack, run, "Clip cut")

    @app.view("clip_publish_submit")
    @guarded("view")
    def clip_publish_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        def run(s: Any, actor: Any, clip_id: int) -> str:
            c = clips.publish(s, actor, clip_id, input_value(body, "placement"), input_value(body, "link"), clock.now(),
                              views=input_value(body, "views"))
            return f"Clip #{c.id} is published ({c.placement})."
        editor_submit(body, ack, run, "Clip published")

    @app.view("clip_reject_submit")
    @guarded("view")
    def clip_reject_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        def run(s: Any, actor: Any, clip_id: int) -> str:
            c = clips.reject(s, actor, clip_id, input_value(body, "reason"), clock.now())
            return f"Clip #{c.id} rejected: {escape(c.reason)}"
        editor_submit(body, ack, run, "Clip rejected")
