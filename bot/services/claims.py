"""Claim checker: finds phrases in a talk track or brief that live-selling rules restrict.

Pure Python on purpose (no Slack, no database) so the same check runs in the brief
submission flow, in the CLI and in tests. The phrase list lives in
`bot/data/claim_rules.toml`, which the associate extends without touching code; its
header documents the phrase syntax, the citation rule and the allow-list.
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

SCOPES = ("line", "paragraph", "text")
_DEFAULT_SCOPE = "paragraph"
_RULE_KEYS = {"category", "phrases", "regex", "reason", "unless", "unless_regex", "unless_scope"}
_ALLOW_KEYS = {"phrases", "regex", "categories", "why"}
_TOP_KEYS = {"categories", "rule", "allow"}
_APOSTROPHES = "'\u2019"
# A space in a phrase: any whitespace run or a hyphen ("best seller" ~ "best-seller").
_SPACE = r"(?:\s*-\s*|\s+)"
# A hyphen inside a word: hyphen, space or nothing ("risk-free" ~ "risk free" ~ "riskfree").
_HYPHEN = r"[\s\-]?"
_INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")


class ClaimRulesError(ValueError):
    """The rules file cannot be used; the message names the file and the problem in plain words."""


@dataclass(frozen=True)
class Finding:
    """One flagged phrase. `line` and `column` are 1-based; `phrase` is the text as written."""

    line: int
    column: int
    category: str
    phrase: str
    reason: str


@dataclass(frozen=True)
class Rule:
    """One compiled [[rule]]: a single regex for all its phrases, so a text is scanned once per rule."""

    category: str
    reason: str
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None
    unless_scope: str = _DEFAULT_SCOPE


@dataclass(frozen=True)
class Allow:
    """One compiled [[allow]] entry; `categories` None means it suppresses every category."""

    pattern: re.Pattern[str]
    categories: frozenset[str] | None
    why: str


@dataclass(frozen=True)
class RuleSet:
    """A compiled rules file, ready for `check_text`. Build it with `load_rules`."""

    categories: tuple[str, ...]
    rules: tuple[Rule, ...]
    allow: tuple[Allow, ...]
    source: str


# ----------------------------------------------------------------------------- loading


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Compile the rules at `path`, or the packaged `bot/data/claim_rules.toml` (cached) when None."""
    if path is None:
        return _default_rules()
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ClaimRulesError(f"cannot read claim rules file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ClaimRulesError(f"claim rules file {path} is not UTF-8 text") from None
    return parse_rules(content, str(path))


@functools.lru_cache(maxsize=1)
def _default_rules() -> RuleSet:
    """The packaged rules, compiled once per process: every brief check uses them."""
    data_file = resources.files("bot").joinpath("data", "claim_rules.toml")
    return parse_rules(data_file.read_text(encoding="utf-8"), "claim_rules.toml")


def parse_rules(content: str, source: str = "claim rules") -> RuleSet:
    """Compile rules from TOML text; `source` names the file in error messages."""
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        raise ClaimRulesError(f"{source}: not valid TOML: {exc}") from None
    _no_unknown_keys(data, _TOP_KEYS, source)

    categories = data.get("categories")
    if not isinstance(categories, dict) or not categories:
        raise ClaimRulesError(f"{source}: missing [categories] table (category = \"reason\")")
    for name, reason in categories.items():
        if not isinstance(reason, str) or not reason.strip():
            raise ClaimRulesError(f"{source}: category {name!r} needs a reason (a non-empty string)")

    raw_rules = data.get("rule")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise ClaimRulesError(f"{source}: no [[rule]] entries")
    rules = tuple(_compile_rule(raw, categories, f"{source}: rule #{n}") for n, raw in enumerate(raw_rules, 1))

    raw_allow = data.get("allow", [])
    if not isinstance(raw_allow, list):
        raise ClaimRulesError(f"{source}: 'allow' must be [[allow]] entries")
    allow = tuple(_compile_allow(raw, categories, f"{source}: allow #{n}") for n, raw in enumerate(raw_allow, 1))
    return RuleSet(categories=tuple(categories), rules=rules, allow=allow, source=source)


def _compile_rule(raw: Any, categories: dict[str, str], where: str) -> Rule:
    if not isinstance(raw, dict):
        raise ClaimRulesError(f"{where}: must be a table")
    category = raw.get("category")
    if not isinstance(category, str) or category not in categories:
        known = ", ".join(categories)
        raise ClaimRulesError(f"{where}: category {category!r} is not one of [categories] ({known})")
    where = f"{where} ({category})"
    _no_unknown_keys(raw, _RULE_KEYS, where)
    reason = raw.get("reason", categories[category])
    if not isinstance(reason, str) or not reason.strip():
        raise ClaimRulesError(f"{where}: reason must be a non-empty string")
    pattern = _compile_patterns(raw, "phrases", "regex", where, required=True)
    assert pattern is not None  # required=True raises instead
    unless = _compile_patterns(raw, "unless", "unless_regex", where, required=False)
    scope = raw.get("unless_scope", _DEFAULT_SCOPE)
    if scope not in SCOPES:
        raise ClaimRulesError(f"{where}: unless_scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    return Rule(category=category, reason=reason.strip(), pattern=pattern, unless=unless, unless_scope=scope)


def _compile_allow(raw: Any, categories: dict[str, str], where: str) -> Allow:
    if not isinstance(raw, dict):
        raise ClaimRulesError(f"{where}: must be a table")
    _no_unknown_keys(raw, _ALLOW_KEYS, where)
    why = raw.get("why")
    if not isinstance(why, str) or not why.strip():
        raise ClaimRulesError(f"{where}: needs a 'why' explaining why this use is not a claim")
    scoped: frozenset[str] | None = None
    if "categories" in raw:
        names = _strings(raw, "categories", where)
        unknown = [n for n in names if n not in categories]
        if unknown or not names:
            raise ClaimRulesError(f"{where}: categories {unknown or names} are not in [categories]")
        scoped = frozenset(names)
    pattern = _compile_patterns(raw, "phrases", "regex", where, required=True)
    assert pattern is not None  # required=True raises instead
    return Allow(pattern=pattern, categories=scoped, why=why.strip())


def _compile_patterns(
    raw: dict[str, Any], phrase_key: str, regex_key: str, where: str, *, required: bool
) -> re.Pattern[str] | None:
    """One case-insensitive alternation of a table's phrases and regexes (longest phrase first)."""
    phrases = _strings(raw, phrase_key, where)
    regexes = _strings(raw, regex_key, where)
    if not phrases and not regexes:
        if required:
            raise ClaimRulesError(f"{where}: needs at least one entry in '{phrase_key}' or '{regex_key}'")
        return None
    alternatives = _phrase_alternatives(phrases, where)
    for expr in regexes:
        try:
            compiled = re.compile(expr, re.IGNORECASE)
        except re.error as exc:
            raise ClaimRulesError(f"{where}: bad regex {expr!r} in '{regex_key}': {exc}") from None
        if compiled.match("") is not None:
            raise ClaimRulesError(f"{where}: regex {expr!r} in '{regex_key}' matches empty text")
        alternatives.append(f"(?:{expr})")
    try:
        return re.compile("|".join(alternatives), re.IGNORECASE)
    except re.error as exc:  # e.g. inline flags that are legal alone but not inside an alternation
        raise ClaimRulesError(f"{where}: cannot combine '{regex_key}' patterns: {exc}") from None


def _phrase_alternatives(phrases: list[str], where: str) -> list[str]:
    """Regex alternatives for plain phrases, longest first.

    Phrases starting with a letter or digit share one guard (a word boundary, then a class of
    their first letters): the scan skips most positions after one or two cheap checks instead
    of trying every phrase, about 5x faster than a lookbehind on each phrase.
    """
    worded: list[str] = []
    firsts: set[str] = set()
    other: list[str] = []
    for phrase in sorted(phrases, key=len, reverse=True):
        body = _phrase_regex(phrase, where)
        if re.match(r"\w", phrase):
            worded.append(body)
            firsts.update({phrase[0].lower(), phrase[0].upper()})
        else:
            other.append(body)
    if worded:
        guard = "".join(re.escape(c) for c in sorted(firsts))
        other.insert(0, rf"\b(?=[{guard}])(?:{'|'.join(worded)})")
    return other


def _phrase_regex(phrase: str, where: str) -> str:
    """Translate the plain phrase syntax (see the TOML header) into a regex; the caller adds the
    leading word boundary, this adds the trailing one."""
    words = phrase.split()
    if not words or any(w == "~" for w in words):
        raise ClaimRulesError(f"{where}: empty or malformed phrase {phrase!r}")
    parts = []
    for word in words:
        inflect = word.endswith("~")
        pieces = _INNER_HYPHEN.split(word.rstrip("~"))
        body = [_literal(p) for p in pieces]
        if inflect:
            body[-1] = "(?:" + "|".join(_literal(f) for f in _inflections(pieces[-1])) + ")"
        parts.append(_HYPHEN.join(body))
    plain = phrase.replace("~", "").strip()
    tail = r"(?!\w)" if re.match(r"\w", plain[-1]) else ""
    return f"{_SPACE.join(parts)}{tail}"


def _literal(text: str) -> str:
    return "".join(f"[{_APOSTROPHES}]" if ch in _APOSTROPHES else re.escape(ch) for ch in text)


def _inflections(word: str) -> list[str]:
    """Regular English verb forms, longest first: cure -> curing, cures, cured, cure."""
    low = word.lower()
    if low.endswith("ee"):
        forms = [word, word + "s", word + "d", word + "ing"]
    elif low.endswith("e"):
        forms = [word, word + "s", word + "d", word[:-1] + "ing"]
    elif len(low) > 1 and low.endswith("y") and low[-2] not in "aeiou":
        forms = [word, word[:-1] + "ies", word[:-1] + "ied", word + "ing"]
    elif low.endswith(("s", "x", "z", "ch", "sh")):
        forms = [word, word + "es", word + "ed", word + "ing"]
    else:
        forms = [word, word + "s", word + "ed", word + "ing"]
    return sorted(set(forms), key=len, reverse=True)


def _strings(raw: dict[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ClaimRulesError(f"{where}: '{key}' must be a list of non-empty strings")
    return [v.strip() for v in value]


def _no_unknown_keys(raw: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ClaimRulesError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")


# ----------------------------------------------------------------------------- checking


class _Layout:
    """Offset -> line and paragraph numbers, computed once per text."""

    def __init__(self, text: str) -> None:
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.paragraph_of_line: list[int] = []
        paragraph, previous_blank = 0, True
        for start, end in zip(self.line_starts, self.line_starts[1:] + [len(text) + 1]):
            blank = not text[start:end].strip()
            if blank and not previous_blank:
                paragraph += 1
            self.paragraph_of_line.append(paragraph)
            previous_blank = blank

    def line(self, offset: int) -> int:
        """0-based line index of an offset."""
        return bisect.bisect_right(self.line_starts, offset) - 1

    def scope_id(self, offset: int, scope: str) -> int:
        line = self.line(offset)
        return line if scope == "line" else self.paragraph_of_line[line]


# A candidate: (start, end, rule order, rule).
_Candidate = tuple[int, int, int, Rule]


def check_text(text: str, rules: RuleSet | None = None) -> list[Finding]:
    """Flag restricted phrases in `text`, sorted by (line, column); overlapping matches give one finding."""
    rules = rules if rules is not None else load_rules()
    if not text:
        return []
    layout = _Layout(text)
    candidates: list[_Candidate] = []
    for order, rule in enumerate(rules.rules):
        spans = [(m.start(), m.end()) for m in rule.pattern.finditer(text) if m.end() > m.start()]
        if spans and rule.unless is not None:
            spans = _not_excused(spans, rule, text, layout)
        candidates.extend((start, end, order, rule) for start, end in spans)
    if candidates and rules.allow:
        candidates = _not_allowed(candidates, rules.allow, text)

    findings: list[Finding] = []
    last_end = -1
    # Leftmost first; at the same start the longest, then the earlier rule.
    for start, end, _order, rule in sorted(candidates, key=lambda c: (c[0], -c[1], c[2])):
        if start < last_end:
            continue
        last_end = end
        line = layout.line(start)
        findings.append(
            Finding(
                line=line + 1,
                column=start - layout.line_starts[line] + 1,
                category=rule.category,
                phrase=text[start:end],
                reason=rule.reason,
            )
        )
    return findings


def _not_excused(spans: list[tuple[int, int]], rule: Rule, text: str, layout: _Layout) -> list[tuple[int, int]]:
    """Drop matches with an `unless` marker (citation, disclosure tag) in the rule's scope."""
    assert rule.unless is not None
    markers = [m.start() for m in rule.unless.finditer(text)]
    if not markers:
        return spans
    if rule.unless_scope == "text":
        return []
    excused = {layout.scope_id(pos, rule.unless_scope) for pos in markers}
    return [(s, e) for s, e in spans if layout.scope_id(s, rule.unless_scope) not in excused]


def _not_allowed(candidates: list[_Candidate], allow: Iterable[Allow], text: str) -> list[_Candidate]:
    """Drop candidates overlapping an allow-listed phrase that covers their category."""
    present = {c[3].category for c in candidates}
    for entry in allow:
        if entry.categories is not None and not (entry.categories & present):
            continue
        spans = [(m.start(), m.end()) for m in entry.pattern.finditer(text) if m.end() > m.start()]
        if not spans:
            continue
        ends = [e for _, e in spans]  # finditer spans do not overlap, so ends are sorted too
        kept = []
        for cand in candidates:
            start, end, _order, rule = cand
            if entry.categories is None or rule.category in entry.categories:
                i = bisect.bisect_right(ends, start)
                if i < len(spans) and spans[i][0] < end:
                    continue
            kept.append(cand)
        candidates = kept
    return candidates


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    """Number of findings per category (sorted by category), for a one-line summary."""
    return dict(sorted(Counter(f.category for f in findings).items()))
