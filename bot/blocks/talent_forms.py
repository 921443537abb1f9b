"""Small form elements the talent modals share (inputs, selects, options)."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import Block, clip, plain


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(clip(text, 75)), "value": value[:150]}


def select(options: list[dict[str, Any]], initial: str | None = None, placeholder: str = "Choose") -> dict[str, Any]:
    el: dict[str, Any] = {"type": "static_select", "action_id": "value", "placeholder": plain(placeholder),
                          "options": options[:100]}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen:
        el["initial_option"] = chosen
    return el


def text(initial: str | None = None, *, multiline: bool = False, max_length: int = 3000,
         placeholder: str | None = None) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": multiline,
                          "max_length": max_length}
    if initial:
        el["initial_value"] = initial[:max_length]
    if placeholder:
        el["placeholder"] = plain(clip(placeholder, 150))
    return el


def field(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None) -> Block:
    block: Block = {"type": "input", "block_id": block_id, "label": plain(clip(label, 2000)), "element": element,
                    "optional": optional}
    if hint:
        block["hint"] = plain(clip(hint, 2000))
    return block


def date_picker(initial: str | None = None) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
    if initial:
        el["initial_date"] = initial
    return el


def time_picker(initial: str | None = None) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "timepicker", "action_id": "value"}
    if initial:
        el["initial_time"] = initial
    return el


def users(initial: list[str] | None = None, *, multi: bool = False) -> dict[str, Any]:
    if multi:
        el: dict[str, Any] = {"type": "multi_users_select", "action_id": "value", "max_selected_items": 8}
        if initial:
            el["initial_users"] = initial
        return el
    el = {"type": "users_select", "action_id": "value"}
    if initial:
        el["initial_user"] = initial[0]
    return el
