"""Where a match sits: clause, sentence, line and paragraph of the normalised text, and the
checks that turn a match off (negation or hedge before it in the same clause, context entries
from the rules file, legal's allow-list). The words themselves are data in the rules file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from bot.services.claims.rules import Context, RuleSet
from bot.services.claims.scan import Matcher, TokenIndex

_SENTENCE_END = re.compile(r"[.!?\u2026]+(?=[\s\"')\]]|$)|\n")
_CLAUSE_END = re.compile(r"[.!?\u2026]+(?=[\s\"')\]]|$)|\n|[,;:()\u2014\u2013]|\s-\s")
_CLAUSE_WORDS = ("but", "pero", "jk", "though")  # a clause also ends before these words
_PARAGRAPH_END = re.compile(r"\n\s*\n")
_WORD = re.compile(r"[\w'#@$%]+")


class Layout:
    """Boundary offsets of one normalised text, computed lazily once per check."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = TokenIndex(text)
        self._cuts: dict[str, list[int]] = {}
        self._negators: list[int] | None = None
        self._words: list[int] | None = None

    def _boundaries(self, scope: str) -> list[int]:
        cuts = self._cuts.get(scope)
        if cuts is None:
            if scope == "text":
                cuts = []
            else:
                regex = {"clause": _CLAUSE_END, "sentence": _SENTENCE_END, "line": re.compile(r"\n"),
                         "paragraph": _PARAGRAPH_END}[scope]
                cuts = [m.end() for m in regex.finditer(self.text)]
                if scope == "clause":  # found through the token index: a regex for words scans every position
                    text = self.text
                    for word in _CLAUSE_WORDS:
                        n = len(word)
                        cuts += [p for p in self.index.starts(word) if text.startswith(word, p)
                                 and not text[p + n:p + n + 1].isalnum()]
                    cuts.sort()
            self._cuts[scope] = cuts
        return cuts

    def negator_starts(self, negators: Matcher) -> list[int]:
        if self._negators is None:
            self._negators = sorted({s for s, _ in negators.spans(self.index)})
        return self._negators

    def word_starts(self) -> list[int]:
        if self._words is None:
            self._words = [m.start() for m in _WORD.finditer(self.text)]
        return self._words

    def scope_id(self, offset: int, scope: str) -> int:
        return bisect.bisect_right(self._boundaries(scope), offset)

    def scope_start(self, offset: int, scope: str) -> int:
        cuts = self._boundaries(scope)
        i = bisect.bisect_right(cuts, offset)
        return cuts[i - 1] if i else 0


def negated(start: int, layout: Layout, rules: RuleSet) -> bool:
    """A negation or hedge among the `window` words before the match, in the same clause."""
    if rules.negators is None:
        return False
    found = layout.negator_starts(rules.negators)
    if not found:
        return False
    clause_start = layout.scope_start(start, "clause")
    i = bisect.bisect_left(found, clause_start)
    if i >= len(found) or found[i] >= start:
        return False
    words = layout.word_starts()
    here = bisect.bisect_left(words, start)
    # the last negator before the match decides: is it within `window` words?
    j = bisect.bisect_left(found, start) - 1
    return here - bisect.bisect_left(words, found[j]) <= rules.negation_window


def excused(spans: list[tuple[int, int]], pattern: Matcher | list[tuple[int, int]], scope: str,
            layout: Layout) -> list[tuple[int, int]]:
    """Drop spans whose scope (sentence, line...) holds a match of `pattern`; scope 'span' means overlapping it."""
    found = pattern if isinstance(pattern, list) else pattern.spans(layout.index)
    if not found:
        return spans
    if scope == "text":
        return []
    if scope == "span":
        return [(s, e) for s, e in spans if not any(fs < e and s < fe for fs, fe in found)]
    marked = {layout.scope_id(s, scope) for s, _ in found}
    return [(s, e) for s, e in spans if layout.scope_id(s, scope) not in marked]


def apply_contexts(candidates: dict[str, list[tuple[int, int, int]]], contexts: Iterable[Context],
                   layout: Layout) -> dict[str, list[tuple[int, int, int]]]:
    """candidates: category -> [(start, end, rule index)]; drops those a context entry covers."""
    for ctx in contexts:
        cats = [c for c in candidates if candidates[c] and (ctx.categories is None or c in ctx.categories)]
        if not cats:
            continue
        found = ctx.pattern.spans(layout.index)
        if not found:
            continue
        for cat in cats:
            items = candidates[cat]
            keep = set(excused([(s, e) for s, e, _ in items], found, ctx.scope, layout))
            candidates[cat] = [it for it in items if (it[0], it[1]) in keep]
    return candidates
