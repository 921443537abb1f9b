"""check_text: normalise, match every rule, drop what context turns off, map spans back to the original."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from bot.services.claims.context import Layout, apply_contexts, excused, negated
from bot.services.claims.finding import Finding
from bot.services.claims.rules import Context, RuleSet, load_rules

_NEWLINE = re.compile(r"\n")


def check_text(text: str, rules: RuleSet | None = None, allow: Sequence[Context] = ()) -> list[Finding]:
    """Flag restricted claims in `text`, sorted by position; `allow` adds legal's allow-list entries.

    Overlapping matches of one category give one finding (the earliest, then the longest);
    different categories on the same words are all kept, since each needs its own fix.
    """
    rules = rules if rules is not None else load_rules()
    if not text or not text.strip():
        return []
    norm = rules.normaliser(text)
    layout = Layout(norm.text)
    candidates: dict[str, list[tuple[int, int, int]]] = {}
    for index, rule in enumerate(rules.rules):
        spans = rule.pattern.spans(layout.index)
        if not spans:
            continue
        if rule.unless is not None:
            spans = excused(spans, rule.unless, rule.unless_scope, layout)
        if rule.negatable:
            spans = [(s, e) for s, e in spans if not negated(s, layout, rules)]
        candidates.setdefault(rule.category, []).extend((s, e, index) for s, e in spans)
    if not candidates:
        return []
    fixed = {c: [it for it in items if not rules.rules[it[2]].contextual] for c, items in candidates.items()}
    candidates = {c: [it for it in items if rules.rules[it[2]].contextual] for c, items in candidates.items()}
    candidates = apply_contexts(candidates, (*rules.contexts, *allow), layout)
    for c, items in fixed.items():
        candidates.setdefault(c, []).extend(items)

    line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
    findings: list[Finding] = []
    for category, items in candidates.items():
        for start, end, index in _merged(items, norm.text):
            o_start, o_end = norm.span(start, end)
            while o_end > o_start and text[o_end - 1].isspace():
                o_end -= 1
            while o_start < o_end and text[o_start].isspace():
                o_start += 1
            rule = rules.rules[index]
            line = bisect.bisect_right(line_starts, o_start) - 1
            findings.append(Finding(
                category=category, text=text[o_start:o_end], start=o_start, end=o_end, severity=rule.severity,
                rule=rule.source, suggestion=rule.suggestion, line=line + 1, column=o_start - line_starts[line] + 1,
                reason=rule.reason,
            ))
    findings.sort(key=lambda f: (f.start, -f.end, f.category))
    return findings


_JOINER = re.compile(r"[\s\-]*")


def _merged(items: list[tuple[int, int, int]], text: str) -> list[tuple[int, int, int]]:
    """One category's matches, with overlapping or adjacent ones ("money-back" + "guarantee") joined."""
    out: list[list[int]] = []
    for start, end, index in sorted(items, key=lambda c: (c[0], -c[1], c[2])):
        if out and (start < out[-1][1] or (start - out[-1][1] <= 2 and _JOINER.fullmatch(text, out[-1][1], start))):
            out[-1][1] = max(out[-1][1], end)
            continue
        out.append([start, end, index])
    return [(s, e, i) for s, e, i in out]
