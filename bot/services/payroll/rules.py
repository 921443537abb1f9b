"""Reading the pay rules file (`bot/data/payroll/california.toml` by default) into exact numbers.

Every threshold the engine uses comes from here, so another state's rules are a different file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path

from bot.services.errors import Invalid


class PayRulesError(Invalid):
    """The rules file is missing, not TOML, or a value is wrong; one sentence naming it."""


@dataclass(frozen=True)
class PayRules:
    name: str
    daily_ot_after: int  # seconds
    daily_dt_after: int
    weekly_ot_after: int
    seventh_day: bool
    seventh_day_ot_first: int
    ot_multiplier: Decimal
    dt_multiplier: Decimal
    meal_first_after: int
    meal_second_after: int
    meal_minimum: int
    meal_waivable_up_to: int
    meal_second_waivable_up_to: int
    meal_premium_hours: Decimal
    rest_premium_hours: Decimal
    rest_min_gap: int


def default_path() -> str:
    return str(resources.files("bot").joinpath("data", "payroll", "california.toml"))


def _get(data: dict, section: str, key: str) -> object:
    try:
        return data[section][key]
    except (KeyError, TypeError):
        raise PayRulesError(f"The pay rules file has no [{section}] {key}.") from None


def _hours(data: dict, section: str, key: str) -> int:
    value = _get(data, section, key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 24 * 7:
        raise PayRulesError(f"[{section}] {key} in the pay rules file must be a number of hours, not {value!r}.")
    return int(round(float(value) * 3600))


def _decimal(data: dict, section: str, key: str) -> Decimal:
    value = _get(data, section, key)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise PayRulesError(f"[{section}] {key} in the pay rules file must be a number, not {value!r}.") from None
    if not Decimal(0) <= number <= Decimal(10):
        raise PayRulesError(f"[{section}] {key} in the pay rules file is out of range ({value!r}).")
    return number


def parse_rules(text: str) -> PayRules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PayRulesError(f"The pay rules file is not valid TOML: {exc}.") from None
    return PayRules(
        name=str(data.get("name", "pay rules")),
        daily_ot_after=_hours(data, "daily", "overtime_after_hours"),
        daily_dt_after=_hours(data, "daily", "double_time_after_hours"),
        weekly_ot_after=_hours(data, "weekly", "overtime_after_hours"),
        seventh_day=bool(_get(data, "seventh_day", "enabled")),
        seventh_day_ot_first=_hours(data, "seventh_day", "overtime_first_hours"),
        ot_multiplier=_decimal(data, "multipliers", "overtime"),
        dt_multiplier=_decimal(data, "multipliers", "double_time"),
        meal_first_after=_hours(data, "meal", "first_after_hours"),
        meal_second_after=_hours(data, "meal", "second_after_hours"),
        meal_minimum=_hours(data, "meal", "minimum_minutes") // 60,
        meal_waivable_up_to=_hours(data, "meal", "waivable_up_to_hours"),
        meal_second_waivable_up_to=_hours(data, "meal", "second_waivable_up_to_hours"),
        meal_premium_hours=_decimal(data, "meal", "premium_hours"),
        rest_premium_hours=_decimal(data, "rest", "premium_hours"),
        rest_min_gap=_hours(data, "rest", "min_gap_hours"),
    )


@lru_cache(maxsize=8)
def load_rules(path: str | None = None) -> PayRules:
    """The rules at `path` (default: the shipped California rules)."""
    target = path or default_path()
    try:
        text = Path(target).read_text(encoding="utf-8")
    except OSError as exc:
        raise PayRulesError(f"Can't read the pay rules file {target}: {exc.strerror or exc}.") from None
    return parse_rules(text)
