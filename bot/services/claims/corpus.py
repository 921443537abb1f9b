"""The labelled corpus format (id, text, flag, category, why) and the scores legal cares about.

Shared by bench/claims_check.py, the floor test and `opsbot claims feedback --export`, so the
numbers in the README, the bench and the test are computed one way.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.services.claims.finding import Finding, top_finding

CATEGORIES = ("health", "guarantee", "superlative", "price_scarcity", "earnings", "before_after", "disclosure")
KEYS = ("id", "text", "flag", "category", "why")


def read_corpus(path: Path | str) -> list[dict]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            if set(row) != set(KEYS):
                raise ValueError(f"{path}:{n}: corpus lines have exactly the keys {', '.join(KEYS)}")
            rows.append(row)
    return rows


def corpus_line(row_id: str, text: str, flag: bool, category: str | None, why: str) -> str:
    """One corpus line, UTF-8 literal (emoji and accents as written)."""
    return json.dumps({"id": row_id, "text": text, "flag": flag, "category": category if flag else None,
                       "why": why}, ensure_ascii=False)


@dataclass
class Score:
    flagged: int = 0
    caught: int = 0
    clean: int = 0
    false_alarms: int = 0
    agree_loose: int = 0
    agree_strict: int = 0
    per_category: Counter = field(default_factory=Counter)
    per_category_caught: Counter = field(default_factory=Counter)
    misses: list[tuple[dict, list[Finding]]] = field(default_factory=list)
    alarms: list[tuple[dict, list[Finding]]] = field(default_factory=list)
    disagreements: list[tuple[dict, list[Finding]]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.flagged if self.flagged else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.clean if self.clean else 0.0

    @property
    def agreement(self) -> float:
        return self.agree_loose / self.caught if self.caught else 1.0

    @property
    def strict_agreement(self) -> float:
        return self.agree_strict / self.caught if self.caught else 1.0


def score(rows: Iterable[dict], check: Callable[[str], list[Finding]]) -> Score:
    """Per-line scoring as the corpus README defines it."""
    s = Score()
    for row in rows:
        findings = check(row["text"])
        if row["flag"]:
            s.flagged += 1
            s.per_category[row["category"]] += 1
            if not findings:
                s.misses.append((row, findings))
                continue
            s.caught += 1
            s.per_category_caught[row["category"]] += 1
            if row["category"] in {f.category for f in findings}:
                s.agree_loose += 1
            else:
                s.disagreements.append((row, findings))
            top = top_finding(findings)
            if top is not None and top.category == row["category"]:
                s.agree_strict += 1
        else:
            s.clean += 1
            if findings:
                s.false_alarms += 1
                s.alarms.append((row, findings))
    return s
