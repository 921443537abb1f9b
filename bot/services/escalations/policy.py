"""The re-escalation policy: when an unacknowledged escalation is re-notified, to whom, and how often
an owned but unresolved one is nagged. Pure functions of minutes since raising, so the job can be
re-run at any time (after a restart, from two processes) and reach the same answer.

Setting grammar (ESCALATION_POLICY), one entry per severity separated by `;`, clauses by `,`:
    SEV1=every 5, widen 10, nag 15; SEV2=at 10 30, widen 30, nag 30; SEV3=at 60; SEV4=none
- `at M1 M2 ...`  remind at these minutes after raising (ascending)
- `every N`       remind every N minutes (after the last `at` minute, if any) until acknowledged
- `widen W`       reminders from minute W on also go to all leadership (before: the associates)
- `nag N`         once acknowledged, remind the owner every N minutes until resolved (snoozable)
- `none`          no reminders
A severity left out keeps its default.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_POLICY = "SEV1=every 5, widen 10, nag 15; SEV2=at 10 30, widen 30, nag 30; SEV3=at 60; SEV4=none"
MAX_MINUTES = 24 * 60


@dataclass(frozen=True)
class SeverityPolicy:
    at: tuple[int, ...] = ()
    every: int | None = None
    widen: int | None = None
    nag: int | None = None

    def reminder_minute(self, level: int) -> int | None:
        """Minutes after raising that reminder number `level` (1-based) is due, or None if there is none."""
        if level < 1:
            return 0
        if level <= len(self.at):
            return self.at[level - 1]
        if self.every is None:
            return None
        base = self.at[-1] if self.at else 0
        return base + (level - len(self.at)) * self.every

    def due_level(self, elapsed_minutes: float) -> int:
        """The highest reminder level whose minute has come (0: none yet)."""
        level = sum(1 for m in self.at if m <= elapsed_minutes)
        if self.every is not None and level == len(self.at):
            base = self.at[-1] if self.at else 0
            if elapsed_minutes >= base:
                level += int((elapsed_minutes - base) // self.every)
        return level

    def widened(self, minute: int) -> bool:
        return self.widen is not None and minute >= self.widen

    def describe(self) -> str:
        parts = []
        if self.at:
            parts.append("reminders at " + ", ".join(f"{m}" for m in self.at) + " min")
        if self.every:
            parts.append(f"every {self.every} min" + (" after that" if self.at else "") + " until acknowledged")
        if self.widen is not None:
            parts.append(f"leadership from {self.widen} min")
        if self.nag:
            parts.append(f"owner reminded every {self.nag} min until resolved")
        return "; ".join(parts) or "no reminders"


def _minutes(word: str, clause: str) -> int:
    if not word.isdigit() or not 1 <= int(word) <= MAX_MINUTES:
        raise ValueError(f"'{clause}' needs whole minutes between 1 and {MAX_MINUTES}")
    return int(word)


def _parse_entry(body: str) -> SeverityPolicy:
    at: tuple[int, ...] = ()
    every = widen = nag = None
    for clause in (c.strip() for c in body.split(",")):
        words = clause.lower().split()
        if not words:
            continue
        head, args = words[0], words[1:]
        if head == "none" and not args:
            continue
        if head == "at" and args:
            at = tuple(_minutes(a, clause) for a in args)
            if list(at) != sorted(set(at)):
                raise ValueError(f"'{clause}' must list minutes in increasing order")
        elif head in ("every", "widen", "nag") and len(args) == 1:
            value = _minutes(args[0], clause)
            every, widen, nag = (value if head == "every" else every, value if head == "widen" else widen,
                                 value if head == "nag" else nag)
        else:
            raise ValueError(f"'{clause}' is not understood (use at, every, widen, nag or none)")
    return SeverityPolicy(at=at, every=every, widen=widen, nag=nag)


def parse_policy(text: str, *, fill_defaults: bool = True) -> dict[int, SeverityPolicy]:
    """Severity (1-4) to its policy; raises ValueError naming the bad part."""
    result = parse_policy(DEFAULT_POLICY, fill_defaults=False) if fill_defaults else {}
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        name, sep, body = entry.partition("=")
        name = name.strip().upper()
        if not sep or name not in ("SEV1", "SEV2", "SEV3", "SEV4"):
            raise ValueError(f"'{entry}' should start with SEV1=, SEV2=, SEV3= or SEV4=")
        result[int(name[3])] = _parse_entry(body)
    return result
