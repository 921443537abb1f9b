"""Fast matching for many regexes over long texts.

Scanning a 10,000-word talk track with every rule's regex at every position is far too slow in
Python's `re`. Instead each regex alternative is analysed once for the literal text any match
must start with ("cur", "treat", "#1", "$"); the text is split into tokens once, and an
alternative is tried with `match()` only at tokens that start with one of its prefixes. An
alternative without such a prefix falls back to an ordinary scan.
"""

from __future__ import annotations

import re
from collections import defaultdict
from re import _parser as sre  # type: ignore[attr-defined]

_START = re.compile(r"(?<!\w)\w|[#$@%\[]")
_TOKEN_START = re.compile(r"[\w#$@%\[]")
_MAX_PREFIXES = 400
_FIND_ABOVE = 150  # positions per prefix above which str.find beats slicing every position
_SKIP = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}


class TokenIndex:
    """Positions where a word or a #, $, @, % starts, keyed by the first 1, 2 and 3 characters there."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Prefixes are checked against a copy with line breaks as spaces (same length, same offsets).
        self.flat = flat = text.replace("\n", " ")
        # Built with list comprehensions and a plain dict: this runs once per check over every token.
        positions = [m.start() for m in _START.finditer(flat)]
        by: dict[str, list[int]] = {}
        get = by.get
        for key, pos in zip([flat[p:p + 3] for p in positions], positions):
            same = get(key)
            if same is None:
                by[key] = [pos]
            else:
                same.append(pos)
        self._by = by
        self._shorter: dict[int, dict[str, list[int]]] = {}
        self._all: set[int] | None = None

    def starting(self, key: str, group: frozenset[str], n: int) -> list[int]:
        """Token starts under `key` whose next `n` characters are one of `group` (prefixes of length n).

        A key with many positions ("the", "you") is cheaper the other way round: find each prefix with
        str.find and keep the hits that are token starts. Both ways give the same positions.
        """
        positions = self.starts(key)
        if n <= len(key):  # every position of the key already starts with the (shorter) prefix
            return positions
        flat = self.flat
        if len(positions) < _FIND_ABOVE * len(group):
            return [pos for pos in positions if flat[pos:pos + n] in group]
        if self._all is None:
            self._all = {pos for same in self._by.values() for pos in same}
        is_start = self._all
        hits = []
        for prefix in group:
            i = flat.find(prefix)
            while i >= 0:
                if i in is_start:
                    hits.append(i)
                i = flat.find(prefix, i + 1)
        return hits

    def starts(self, key: str) -> list[int]:
        """Start positions whose text begins with `key` (at most 3 characters)."""
        if len(key) >= 3:
            return self._by.get(key[:3], [])
        table = self._shorter.get(len(key))
        if table is None:
            table = defaultdict(list)
            for k, positions in self._by.items():
                table[k[:len(key)]].extend(positions)
            self._shorter[len(key)] = table
        return table.get(key, [])


def _prefixes(ops: list) -> set[str] | None:
    """Literal strings one of which every match of `ops` starts with; None when there is no such set."""
    found, _complete = _expand(list(ops))
    return _done(found)


_SPACE_ONLY = [(sre.IN, [(sre.CATEGORY, sre.CATEGORY_SPACE)])]


def _expand(ops: list) -> tuple[set[str], bool]:
    """(prefixes, complete): complete means the set is every whole match of `ops` (all literal)."""
    out = {""}
    for i, (op, av) in enumerate(ops):
        if len(out) > _MAX_PREFIXES:
            return out, False
        if op in _SKIP:
            if op is sre.AT and av is sre.AT_BEGINNING:
                return set(), False
            continue
        if op is sre.LITERAL:
            out = {p + chr(av) for p in out}
            continue
        if op is sre.IN:
            chars = _charset(av)
            if chars is None:
                return out, False
            out = {p + c for p in out for c in chars}
            continue
        if op is sre.SUBPATTERN or op is sre.BRANCH:
            branches = [av[-1]] if op is sre.SUBPATTERN else av[1]
            subs: set[str] = set()
            complete = True
            for branch in branches:
                found, whole = _expand(list(branch))
                if not found or "" in found and not whole:
                    return out, False
                subs |= found
                complete = complete and whole
            out = {p + s for p in out for s in subs}
            if not complete:
                return out, False
            continue
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, body = av
            if list(body) == _SPACE_ONLY and low <= 1:
                # The normaliser collapses runs of spaces, so \s+ is one space (or a line break).
                tails = {" "} | ({""} if low == 0 else set())
                out = {p + t for p in out for t in tails}
                continue
            found, whole = _expand(list(body))
            if low == 0:
                rest, _ = _expand(list(ops[i + 1:]))
                if not found or not rest:
                    return out, False
                return {p + s for p in out for s in found | rest}, False
            if not found:
                return out, False
            return {p + s for p in out for s in found}, False
        return out, False
    return out, True


def _charset(items: list) -> set[str] | None:
    """The characters of a small character class ([0-9], \\d, [#$]); None for large ones like \\w."""
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            chars.add(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < 12:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op is sre.CATEGORY and av is sre.CATEGORY_DIGIT:
            chars.update("0123456789")
        else:
            return None
    return chars


def _done(out: set[str]) -> set[str] | None:
    if not out or any(not p or not _TOKEN_START.match(p[0]) for p in out):
        return None
    return out


class Matcher:
    """Several regex alternatives found through a TokenIndex; `spans` returns every match."""

    def __init__(self, sources: list[str]) -> None:
        # Per alternative: first-3-characters key -> (prefixes with that key, cut to one length; that length).
        self._indexed: list[tuple[re.Pattern[str], dict[str, tuple[frozenset[str], int]]]] = []
        fallback = []
        for source in sources:
            compiled = re.compile(source)
            try:
                prefixes = _prefixes(list(sre.parse(source)))
            except Exception:  # noqa: BLE001 - analysis is an optimisation only
                prefixes = None
            if prefixes is None:
                fallback.append(source)
            else:
                groups: dict[str, set[str]] = defaultdict(set)
                for prefix in prefixes:
                    groups[prefix[:3]].add(prefix)
                # One length per group (the shortest): a position is then one slice and one set lookup;
                # a few more positions reach match(), which decides.
                trimmed = {}
                for key, group in groups.items():
                    n = min(len(p) for p in group)
                    trimmed[key] = (frozenset(p[:n] for p in group), n)
                self._indexed.append((compiled, trimmed))
        self._scan = re.compile("|".join(f"(?:{s})" for s in fallback)) if fallback else None
        self.combined = re.compile("|".join(f"(?:{s})" for s in sources))

    def spans(self, index: TokenIndex) -> list[tuple[int, int]]:
        text = index.text
        found: set[tuple[int, int]] = set()
        for compiled, groups in self._indexed:
            for key, (group, n) in groups.items():
                # Each position has one 3-character key, so no position is tried twice per alternative.
                for pos in index.starting(key, group, n):
                    m = compiled.match(text, pos)
                    if m and m.end() > m.start():
                        found.add((m.start(), m.end()))
        if self._scan is not None:
            found.update((m.start(), m.end()) for m in self._scan.finditer(text) if m.end() > m.start())
        return sorted(found)

    def search(self, text: str) -> bool:
        """Whether any alternative matches anywhere in a short text (negation windows)."""
        return self.combined.search(text) is not None
