"""Reading `claim_rules.toml`: categories, phrase rules, context that turns a match off, and the
normalisation tables. Everything the checker knows is data here; a mistake in the file stops the
checker at start with the file and line named, rather than silently checking less.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bot.services.claims.cache import cached_compile
from bot.services.claims.normalise import Normaliser
from bot.services.claims.scan import Matcher

SEVERITIES = ("block", "warn")
SCOPES = ("span", "clause", "sentence", "line", "paragraph", "text")
_TOP_KEYS = {"categories", "rule", "allow", "context", "negation", "normalise"}
_CATEGORY_KEYS = {"reason", "severity", "rule", "suggestion"}
_RULE_KEYS = {"category", "phrases", "regex", "reason", "severity", "rule", "suggestion", "negatable", "contextual",
              "unless", "unless_regex", "unless_scope"}
_CONTEXT_KEYS = {"phrases", "regex", "categories", "why", "scope", "name"}
_SPACE = r"(?:\s*-\s*|\s+)"
_HYPHEN = r"[\s\-]?"
_INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")


class ClaimRulesError(ValueError):
    """The rules file cannot be used; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class Category:
    name: str
    reason: str
    severity: str
    rule: str
    suggestion: str


@dataclass(frozen=True)
class Rule:
    """One [[rule]]: all its phrases in one regex, so a text is scanned once per rule."""

    category: str
    reason: str
    severity: str
    source: str
    suggestion: str
    pattern: Matcher
    negatable: bool = True
    contextual: bool = True
    unless: Matcher | None = None
    unless_scope: str = "sentence"


@dataclass(frozen=True)
class Context:
    """A [[context]] or [[allow]] entry: where it matches, findings of its categories in its scope are dropped."""

    pattern: Matcher
    categories: frozenset[str] | None
    scope: str
    why: str


@dataclass(frozen=True)
class RuleSet:
    """A compiled rules file, ready for `check_text`. Build it with `load_rules`."""

    categories: tuple[str, ...]
    category_info: dict[str, Category]
    rules: tuple[Rule, ...]
    contexts: tuple[Context, ...]
    negators: Matcher | None
    negation_window: int
    normaliser: Normaliser
    source: str

    @property
    def allow(self) -> tuple[Context, ...]:
        return self.contexts


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Compile the rules at `path` (default: the packaged `bot/data/claim_rules.toml`).

    Compiled once per file and reused until the file's mtime or size changes (cache.py).
    """
    return cached_compile(Path(path) if path is not None else Path(default_rules_path()), _compile_file)


def _compile_file(path: Path) -> RuleSet:
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ClaimRulesError(f"cannot read claim rules file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ClaimRulesError(f"claim rules file {path} is not UTF-8 text") from None
    return parse_rules(content, str(path))


def default_rules_path() -> str:
    return str(resources.files("bot").joinpath("data", "claim_rules.toml"))


def _header_lines(content: str, table: str) -> list[int]:
    """1-based line of each `[[table]]` header, so an error names the line of its entry."""
    return [n for n, line in enumerate(content.splitlines(), 1) if re.match(rf"\s*\[\[\s*{table}\s*\]\]", line)]


def _table_line(content: str, table: str) -> int:
    for n, line in enumerate(content.splitlines(), 1):
        if re.match(rf"\s*\[\s*{re.escape(table)}\s*[\].]", line):
            return n
    return 1


def parse_rules(content: str, source: str = "claim rules") -> RuleSet:
    """Compile rules from TOML text; `source` names the file in error messages."""
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise ClaimRulesError(f"{source}:{found.group(1) if found else 1}: not valid TOML: {exc}") from None
    _no_unknown_keys(data, _TOP_KEYS, f"{source}:1")

    raw_categories = data.get("categories")
    if not isinstance(raw_categories, dict) or not raw_categories:
        raise ClaimRulesError(f"{source}:1: missing [categories] table (category = \"reason\")")
    cat_line = _table_line(content, "categories")
    categories = {name: _category(name, raw, f"{source}:{cat_line}: category {name!r}")
                  for name, raw in raw_categories.items()}

    raw_rules = data.get("rule")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise ClaimRulesError(f"{source}:1: no [[rule]] entries")
    rule_lines = _header_lines(content, "rule")
    rules = tuple(
        _compile_rule(raw, categories, f"{source}:{_nth(rule_lines, n)}: rule #{n + 1}") for n, raw in enumerate(raw_rules)
    )
    contexts: list[Context] = []
    for table, default_scope in (("allow", "span"), ("context", "sentence")):
        raw_list = data.get(table, [])
        if not isinstance(raw_list, list):
            raise ClaimRulesError(f"{source}:1: '{table}' must be [[{table}]] entries")
        lines = _header_lines(content, table)
        contexts += [_compile_context(raw, categories, f"{source}:{_nth(lines, n)}: {table} #{n + 1}", default_scope)
                     for n, raw in enumerate(raw_list)]

    negation = data.get("negation", {})
    neg_where = f"{source}:{_table_line(content, 'negation')}: [negation]"
    if not isinstance(negation, dict):
        raise ClaimRulesError(f"{neg_where} must be a table")
    _no_unknown_keys(negation, {"words", "regex", "window"}, neg_where)
    negators = _compile_patterns(negation, "words", "regex", neg_where, required=False)
    window = negation.get("window", 6)
    if not isinstance(window, int) or window < 1:
        raise ClaimRulesError(f"{neg_where}: window must be a positive whole number of words")

    norm = data.get("normalise", {})
    norm_where = f"{source}:{_table_line(content, 'normalise')}: [normalise]"
    if not isinstance(norm, dict):
        raise ClaimRulesError(f"{norm_where} must be a table")
    _no_unknown_keys(norm, {"emoji", "spellings"}, norm_where)
    tables = {}
    for key in ("emoji", "spellings"):
        value = norm.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(k, str) and k and isinstance(v, str) for k, v in value.items()):
            raise ClaimRulesError(f"{norm_where}: '{key}' must be a table of \"text\" = \"word\"")
        tables[key] = value
    return RuleSet(categories=tuple(categories), category_info=categories, rules=rules, contexts=tuple(contexts),
                   negators=negators, negation_window=window,
                   normaliser=Normaliser(tables["emoji"], tables["spellings"]), source=source)


def _nth(lines: list[int], n: int) -> int:
    return lines[n] if n < len(lines) else 1


def _category(name: str, raw: Any, where: str) -> Category:
    if isinstance(raw, str):
        raw = {"reason": raw}
    if not isinstance(raw, dict):
        raise ClaimRulesError(f"{where} must be a reason string or a table")
    _no_unknown_keys(raw, _CATEGORY_KEYS, where)
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ClaimRulesError(f"{where} needs a reason (a non-empty string)")
    severity = raw.get("severity", "block")
    if severity not in SEVERITIES:
        raise ClaimRulesError(f"{where}: severity must be block or warn, not {severity!r}")
    return Category(name, reason.strip(), severity, str(raw.get("rule", "")).strip(),
                    str(raw.get("suggestion", "")).strip())


def _compile_rule(raw: Any, categories: dict[str, Category], where: str) -> Rule:
    if not isinstance(raw, dict):
        raise ClaimRulesError(f"{where}: must be a table")
    category = raw.get("category")
    if not isinstance(category, str) or category not in categories:
        raise ClaimRulesError(f"{where}: category {category!r} is not one of [categories] ({', '.join(categories)})")
    where = f"{where} ({category})"
    _no_unknown_keys(raw, _RULE_KEYS, where)
    info = categories[category]
    values = {}
    for key, default in (("reason", info.reason), ("rule", info.rule), ("suggestion", info.suggestion),
                         ("severity", info.severity)):
        value = raw.get(key, default)
        if not isinstance(value, str) or (key == "reason" and not value.strip()):
            raise ClaimRulesError(f"{where}: {key} must be a non-empty string")
        values[key] = value.strip()
    if values["severity"] not in SEVERITIES:
        raise ClaimRulesError(f"{where}: severity must be block or warn, not {values['severity']!r}")
    negatable = raw.get("negatable", True)
    contextual = raw.get("contextual", True)
    if not isinstance(negatable, bool) or not isinstance(contextual, bool):
        raise ClaimRulesError(f"{where}: negatable and contextual must be true or false")
    pattern = _compile_patterns(raw, "phrases", "regex", where, required=True)
    assert pattern is not None
    unless = _compile_patterns(raw, "unless", "unless_regex", where, required=False)
    scope = raw.get("unless_scope", "sentence")
    if scope not in SCOPES[1:]:
        raise ClaimRulesError(f"{where}: unless_scope must be one of {', '.join(SCOPES[1:])}, not {scope!r}")
    return Rule(category=category, reason=values["reason"], severity=values["severity"], source=values["rule"],
                suggestion=values["suggestion"], pattern=pattern, negatable=negatable, contextual=contextual, unless=unless,
                unless_scope=scope)


def _compile_context(raw: Any, categories: dict[str, Category], where: str, default_scope: str) -> Context:
    if not isinstance(raw, dict):
        raise ClaimRulesError(f"{where}: must be a table")
    _no_unknown_keys(raw, _CONTEXT_KEYS, where)
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
    scope = raw.get("scope", default_scope)
    if scope not in SCOPES:
        raise ClaimRulesError(f"{where}: scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    pattern = _compile_patterns(raw, "phrases", "regex", where, required=True)
    assert pattern is not None
    return Context(pattern=pattern, categories=scoped, scope=scope, why=why.strip())


def _compile_patterns(raw: dict[str, Any], phrase_key: str, regex_key: str, where: str, *,
                      required: bool) -> Matcher | None:
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
            compiled = re.compile(expr)
        except re.error as exc:
            raise ClaimRulesError(f"{where}: bad regex {expr!r} in '{regex_key}': {exc}") from None
        if compiled.match("") is not None:
            raise ClaimRulesError(f"{where}: regex {expr!r} in '{regex_key}' matches empty text")
        alternatives.append(f"(?:{expr})")
    try:
        return Matcher(alternatives)
    except re.error as exc:
        raise ClaimRulesError(f"{where}: cannot combine '{regex_key}' patterns: {exc}") from None


def _phrase_alternatives(phrases: list[str], where: str) -> list[str]:
    """Regex alternatives for plain phrases, longest first, behind one shared word-start guard (fast scan)."""
    worded: list[str] = []
    firsts: set[str] = set()
    other: list[str] = []
    for phrase in sorted(phrases, key=len, reverse=True):
        body = _phrase_regex(phrase.lower(), where)
        if re.match(r"\w", phrase):
            worded.append(body)
            firsts.add(phrase[0].lower())
        else:
            other.append(body)
    if worded:
        guard = "".join(re.escape(c) for c in sorted(firsts))
        other.insert(0, rf"\b(?=[{guard}])(?:{'|'.join(worded)})")
    return other


def _phrase_regex(phrase: str, where: str) -> str:
    words = phrase.replace("\u2019", "'").split()
    if not words or any(w == "~" for w in words):
        raise ClaimRulesError(f"{where}: empty or malformed phrase {phrase!r}")
    parts = []
    for word in words:
        inflect = word.endswith("~")
        pieces = _INNER_HYPHEN.split(word.rstrip("~"))
        body = [re.escape(p) for p in pieces]
        if inflect:
            body[-1] = "(?:" + "|".join(re.escape(f) for f in _inflections(pieces[-1])) + ")"
        parts.append(_HYPHEN.join(body))
    plain = phrase.replace("~", "").strip()
    tail = r"(?!\w)" if re.match(r"\w", plain[-1]) else ""
    return f"{_SPACE.join(parts)}{tail}"


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
