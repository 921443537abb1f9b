"""Leadership's targets: GMV per week, GMV per live hour, conversion, average viewing duration, punctuality.

Read from SCORECARD_TARGETS_FILE (TOML, a `[targets]` table) and overridden by what leadership sets with
`/scorecard targets key=value ...` (stored, audited). Money is kept in cents, rates as fractions, durations
in seconds; `parse` reads the words people type ("$20,000", "2.5%", "1:30").
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import Person
from bot.db.reporting import TARGET_KEYS, ScorecardTarget
from bot.services import audit, people
from bot.services.metrics.values import parse_duration_seconds, parse_money_cents, parse_rate
from bot.services.scorecard.definitions import fmt_value
from bot.services.validation import InputError, check_column

# key -> (label, kind of value)
LABELS: dict[str, tuple[str, str]] = {
    "gmv_week": ("GMV per week", "money"),
    "gmv_per_live_hour": ("GMV per live hour", "money"),
    "conversion": ("Conversion", "pct"),
    "avg_view_duration": ("Avg. viewing duration", "duration"),
    "punctuality": ("On-time check-ins", "pct"),
}
assert set(LABELS) == set(TARGET_KEYS)
USAGE = ("Use `/scorecard targets gmv_week=$20,000 gmv_per_live_hour=$800 conversion=2.5% avg_view_duration=1:30 "
         "punctuality=95%` (any of them; `key=` with nothing clears one).")


@dataclass
class Targets:
    values: dict[str, Decimal] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)  # key -> "file" | "Slack (<@U...>)"

    def get(self, key: str) -> Decimal | None:
        return self.values.get(key)

    def lines(self) -> list[str]:
        return [f"{LABELS[k][0]}: {fmt_value(LABELS[k][1], v)} ({self.source.get(k, '')})"
                for k, v in sorted(self.values.items(), key=lambda kv: TARGET_KEYS.index(kv[0]))]


def parse(key: str, text: Any) -> Decimal | None:
    """One target as stored: cents, a fraction or seconds; None for an empty value (clear it)."""
    if key not in LABELS:
        raise InputError(f"There is no target called `{key}`. The targets are {', '.join(TARGET_KEYS)}.")
    if text is None or str(text).strip() == "":
        return None
    kind = LABELS[key][1]
    try:
        if kind == "money":
            value = Decimal(parse_money_cents(text) or 0)
        elif kind == "pct":
            value = parse_rate(text) or Decimal(0)
        else:
            value = parse_duration_seconds(text) or Decimal(0)
    except ValueError as exc:
        raise InputError(f"The {LABELS[key][0]} target `{text}` {exc}.") from None
    if value <= 0:
        raise InputError(f"The {LABELS[key][0]} target must be more than zero.")
    check_column(ScorecardTarget.value, value, label=f"The {LABELS[key][0]} target",
                 scale=100 if kind == "money" else 1, unit=" dollars" if kind == "money" else "")
    return value


def from_file(path: str | None) -> dict[str, Decimal]:
    """The `[targets]` table of the settings file; a missing file has no targets, a broken one says why."""
    if not path:
        return {}
    p = Path(path)
    if not p.exists():
        return {}
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"SCORECARD_TARGETS_FILE {path} cannot be read: {exc}") from None
    out: dict[str, Decimal] = {}
    for key, raw in (data.get("targets") or {}).items():
        value = parse(key, str(raw))
        if value is not None:
            out[key] = value
    return out


def current(s: Session, path: str | None) -> Targets:
    t = Targets()
    for key, value in from_file(path).items():
        t.values[key], t.source[key] = value, "settings file"
    for row in s.scalars(select(ScorecardTarget)):
        t.values[row.key], t.source[row.key] = Decimal(row.value), f"set by <@{row.set_by}>"
    return t


def parse_assignments(text: str) -> dict[str, Decimal | None]:
    """`gmv_week=$20,000 conversion=2.5%` -> {key: value or None to clear}; refuses anything else."""
    found: dict[str, Decimal | None] = {}
    for word in text.split():
        key, eq, value = word.partition("=")
        if not eq:
            raise InputError(f"`{word}` is not key=value. {USAGE}")
        found[key.strip().lower()] = parse(key.strip().lower(), value)
    if not found:
        raise InputError(USAGE)
    return found


def set_targets(s: Session, actor: Person, text: str) -> dict[str, Decimal | None]:
    """Leadership or the associate sets targets; one audit record per changed target. Same value twice: no change."""
    people.require_role(actor, people.ADMIN, "leadership", doing="set scorecard targets")
    changes = parse_assignments(text)
    now = clock.now()
    for key, value in changes.items():
        row = s.get(ScorecardTarget, key)
        before = None if row is None else {"value": str(row.value)}
        if value is None:
            if row is not None:
                s.delete(row)
                audit.record(s, actor=actor.slack_user_id, action="scorecard.target_cleared", entity_type="scorecard_target",
                             entity_id=key, before=before)
            continue
        if row is not None and Decimal(row.value) == value:
            continue
        if row is None:
            row = ScorecardTarget(key=key, value=value, set_by=actor.slack_user_id, set_at=now)
            s.add(row)
        else:
            row.value, row.set_by, row.set_at = value, actor.slack_user_id, now
        audit.record(s, actor=actor.slack_user_id, action="scorecard.target_set", entity_type="scorecard_target",
                     entity_id=key, before=before, after={"value": str(value)})
    s.flush()
    return changes
