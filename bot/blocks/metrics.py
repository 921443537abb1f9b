"""Block Kit for metrics capture: the after-LIVE prompt and the Log metrics modal."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.blocks.common import Block, actions, button, context, escape, modal, plain, section
from bot.db.models import LiveSession
from bot.services.edits import form_ref
from bot.services.metrics.store import FORM_FIELDS
from bot.timefmt import fmt_span

MODAL_CALLBACK = "metrics_submit"


def session_label(live: LiveSession, tz: ZoneInfo) -> str:
    return f"{live.title} · {fmt_span(live.starts_at, live.ends_at, tz)}"[:75]


def prompt_message(live: LiveSession, tz: ZoneInfo) -> tuple[str, list[Block]]:
    text = f"{live.title} has ended: log its metrics"
    return text, [
        section(f":bar_chart: *{escape(live.title)}* has ended ({fmt_span(live.starts_at, live.ends_at, tz)}).\n"
                "Log its numbers from Seller Center now, or import the export later with `opsbot import metrics FILE`."),
        actions(button("Log metrics", "metrics_log", str(live.id), style="primary")),
    ]


def _option(live: LiveSession, tz: ZoneInfo) -> dict:
    return {"text": plain(session_label(live, tz)), "value": str(live.id)}


def metrics_modal(sessions: list[LiveSession], selected: LiveSession | None, defaults: dict[str, str], tz: ZoneInfo,
                  version: str | None = None) -> dict:
    """Session picker plus the totals; blank means 'not reported', never zero."""
    choices = list(sessions)
    if selected is not None and all(s.id != selected.id for s in choices):
        choices.insert(0, selected)
    picker: dict = {"type": "static_select", "action_id": "value", "placeholder": plain("Pick a LIVE session"),
                    "options": [_option(s, tz) for s in choices[:100]] or [{"text": plain("(no recent sessions)"), "value": "none"}]}
    if selected is not None:
        picker["initial_option"] = _option(selected, tz)
    blocks: list[Block] = [
        {"type": "input", "block_id": "session", "label": plain("LIVE session"), "element": picker},
        context("Leave a box empty when Seller Center doesn't report it: unknown is not zero. "
                "Rates (conversion, CTR, CTOR, retention) are computed from these counts."),
    ]
    for name, label, kind in FORM_FIELDS:
        element = {"type": "plain_text_input", "action_id": "value", "placeholder": plain(
            "e.g. $1,205.33" if kind == "money" else "e.g. 1m28s or 88" if kind == "duration" else "e.g. 1,234 or 1.7K")}
        if defaults.get(name):
            element["initial_value"] = defaults[name]
        blocks.append({"type": "input", "block_id": name, "optional": True, "label": plain(label), "element": element})
    skus = {"type": "plain_text_input", "action_id": "value", "multiline": True,
            "placeholder": plain("One per line: SKU units [GMV] [stock left], e.g. GLOW-01 12 $240.00 30")}
    if defaults.get("skus"):
        skus["initial_value"] = defaults["skus"]
    blocks.append({"type": "input", "block_id": "skus", "optional": True, "label": plain("Units and GMV per SKU"), "element": skus})
    return modal("Log metrics", blocks, callback_id=MODAL_CALLBACK, submit="Save",
                 private_metadata=form_ref(selected.id, version) if selected and version else "")


def saved_modal(live: LiveSession, created: bool, tz: ZoneInfo) -> dict:
    verb = "saved" if created else "updated"
    return modal("Metrics saved", [section(f":white_check_mark: Metrics {verb} for *{escape(live.title)}* "
                                           f"({fmt_span(live.starts_at, live.ends_at, tz)}). They count in the next scorecard.")])
