"""A claim finding: what was matched, where in the ORIGINAL text, how bad, which rule, what to say instead."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

# Briefs saved before the categories were renamed kept the old name; legal reads the new one.
_RENAMED = {"medical": "health"}


@dataclass(frozen=True)
class Finding:
    """One flagged phrase. `start`/`end` index the checked text; `line`/`column` are 1-based."""

    category: str
    text: str
    start: int
    end: int
    severity: str
    rule: str
    suggestion: str
    line: int
    column: int
    reason: str

    @property
    def phrase(self) -> str:
        """The matched words as written (older name for `text`)."""
        return self.text

    def as_json(self) -> dict[str, Any]:
        """The CLI / export shape."""
        return {"category": self.category, "text": self.text, "start": self.start, "end": self.end,
                "severity": self.severity, "rule": self.rule, "suggestion": self.suggestion}

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """Read a stored finding, including ones saved before spans and suggestions existed."""
        return cls(
            category=_RENAMED.get(data.get("category", ""), data.get("category", "")),
            text=data.get("text", data.get("phrase", "")),
            start=int(data.get("start", -1)),
            end=int(data.get("end", -1)),
            severity=data.get("severity", "block"),
            rule=data.get("rule", ""),
            suggestion=data.get("suggestion", ""),
            line=int(data.get("line", 1)),
            column=int(data.get("column", 1)),
            reason=data.get("reason", ""),
        )


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    """Number of findings per category (sorted by category), for a one-line summary."""
    return dict(sorted(Counter(f.category for f in findings).items()))


def top_finding(findings: list[Finding]) -> Finding | None:
    """The finding a reviewer reads first: block before warn, then the earliest span."""
    if not findings:
        return None
    return min(findings, key=lambda f: (0 if f.severity == "block" else 1, f.start))
