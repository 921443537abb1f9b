"""Normalisation before matching: hosts disguise claims ("c.u.r.e.s", "gu@ranteed", "sooo", 💊).

Every step keeps, for each character of the normalised text, the span of the ORIGINAL text it
came from, so a finding found in the normalised text is reported at its place in what the host
wrote. The tables (emoji, misspellings) come from the rules file; the steps are fixed here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.services.claims.spanmap import SpanMap

_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00b4": "'"}
_APOSTROPHE_TABLE = str.maketrans(_APOSTROPHES)
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
# A token that mixes letters with leet characters; numbers with units and promo codes are left alone.
_TOKEN = re.compile(r"(?<![a-z0-9@$])(?:[a-z]+[0-9@$]|[0-9@$]+[a-z])[a-z0-9@$]*")
_UNIT = re.compile(
    r"\$?\d[\d,.]*(?:k|m|x|h|hr|hrs|min|mins|lb|lbs|kg|oz|ml|mg|g|st|nd|rd|th|s|am|pm|yo|ft|in|mo|am|pm|pk|fig|ish)?$"
)
_CODE = re.compile(r"[a-z]{3,}\d+$|\d+[a-z]{3,}\d+$")
# Three or more single letters joined by one repeated separator: "c u r e s", "f.d.a", "h-e-a-l-s".
_SPELLED = re.compile(r"(?<![a-z0-9])([a-z])([. \-])(?:[a-z]\2){1,}[a-z](?![a-z0-9])\.?")
_RUNS = re.compile(r"([a-z])\1{2,}")
_BLANKS = re.compile(r"[ \t\r\f\v]{2,}|[\t\r\f\v]")


@dataclass(frozen=True)
class Normalised:
    """Normalised text plus where each of its characters came from in the original (see spanmap.py)."""

    text: str
    origin: SpanMap

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original span of normalised [start, end)."""
        return self.origin.start(start), self.origin.end(end - 1)


def _rewrite(norm: Normalised, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str | None]) -> Normalised:
    """Replace each match by repl(match) (None keeps it); replaced characters map to the whole matched span."""
    text = norm.text
    out: list[str] = []
    edits: list[tuple[int, int, int, int]] = []
    last = 0
    size = 0  # length of the output so far
    for m in pattern.finditer(text):
        new = repl(m)
        if new is None or new == m.group(0) or m.end() == m.start():
            continue
        out.append(text[last:m.start()])
        size += m.start() - last
        out.append(new)
        edits.append((size, size + len(new), m.start(), m.end()))
        size += len(new)
        last = m.end()
    if not edits:
        return norm
    out.append(text[last:])
    return Normalised("".join(out), norm.origin.then(edits))


class Normaliser:
    """Built once per rules file: the emoji and spelling tables compiled into single regexes."""

    def __init__(self, emoji: Mapping[str, str], spellings: Mapping[str, str]) -> None:
        self._emoji = {k: f" {v.strip().lower()} " for k, v in emoji.items()}
        self._char_cache: dict[str, str] = {}
        self._spellings = {k.lower(): v.lower() for k, v in spellings.items()}
        keys = sorted(self._spellings, key=len, reverse=True)
        self._spelling_re = (
            re.compile(r"(?:" + "|".join(re.escape(k) for k in keys) + r")(?![\w])") if keys else None
        )
        digit_keys = [k for k in keys if any(not c.isalpha() and not c.isspace() for c in k)]
        self._digit_spelling_re = (
            re.compile(r"(?:" + "|".join(re.escape(k) for k in digit_keys) + r")(?![\w])") if digit_keys else None
        )
        emoji_keys = sorted((k for k in self._emoji if len(k) > 1), key=len, reverse=True)
        self._emoji_seq = re.compile("|".join(re.escape(k) for k in emoji_keys)) if emoji_keys else None

    def _char(self, ch: str) -> str:
        """Lower case, accents off, curly quotes straight, emoji as words, other symbols kept."""
        cached = self._char_cache.get(ch)
        if cached is not None:
            return cached
        if ch in self._emoji:
            out = self._emoji[ch]
        elif ch in _APOSTROPHES:
            out = _APOSTROPHES[ch]
        else:
            decomposed = unicodedata.normalize("NFKD", ch)
            base = "".join(c for c in decomposed if not unicodedata.combining(c))
            cat = unicodedata.category(ch)
            if cat in ("So", "Sk", "Cf", "Mn", "Cs") or ch in "\ufe0f\u200d":
                out = " " if cat == "So" else ""
            else:
                out = base.lower() if base else ""
        self._char_cache[ch] = out
        return out

    def _respell(self, m: re.Match[str]) -> str | None:
        """A misspelling or slang word at a word start (not inside a word, #hashtag or @handle)."""
        before = m.string[m.start() - 1] if m.start() else " "
        if before.isalnum() or before in "#@_":
            return None
        return self._spellings.get(m.group(0))

    def _non_ascii(self, original: str) -> Normalised:
        """ASCII stretches in bulk (lower case keeps their length); other characters one by one, as edits."""
        pieces: list[str] = []
        edits: list[tuple[int, int, int, int]] = []
        size = 0  # length of the output so far
        last = 0
        seq = self._emoji_seq
        for m in _NON_ASCII.finditer(original):
            if m.start() > last:
                pieces.append(original[last:m.start()].lower())
                size += m.start() - last
            i, stop = m.start(), m.end()
            while i < stop:
                found = seq.match(original, i) if seq is not None else None
                if found:
                    piece, j = self._emoji[found.group(0)], found.end()
                else:
                    piece, j = self._char(original[i]), i + 1
                pieces.append(piece)
                edits.append((size, size + len(piece), i, j))
                size += len(piece)
                i = j
            last = stop
        if last < len(original):
            pieces.append(original[last:].lower())
        return Normalised("".join(pieces), SpanMap().then(edits))

    def __call__(self, original: str) -> Normalised:
        if original.isascii():
            norm = Normalised(original.lower().translate(_APOSTROPHE_TABLE), SpanMap())
        else:
            norm = self._non_ascii(original)
        if self._digit_spelling_re is not None:  # before leet too: "b4" is a word, not "ba"
            norm = _rewrite(norm, self._digit_spelling_re, self._respell)
        norm = _rewrite(norm, _TOKEN, _unleet)
        norm = _rewrite(norm, _SPELLED, _join_letters)
        norm = _rewrite(norm, _RUNS, lambda m: m.group(1) * 2)
        if "  " in norm.text or any(c in norm.text for c in "\t\r\f\v"):
            norm = _rewrite(norm, _BLANKS, lambda m: " ")
        if self._spelling_re is not None:
            norm = _rewrite(norm, self._spelling_re, self._respell)
        return norm


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _unleet(m: re.Match[str]) -> str | None:
    token = m.group(0)
    if token[0] == "@" and token[1:2].isalpha():  # an @handle, not a disguised word
        return None
    if token.isalpha() or _UNIT.match(token) or _CODE.match(token):
        return None
    if token[0] == "$" and len(token) > 1 and token[1].isdigit():
        return None
    return "".join(_LEET.get(c, c) for c in token)


def _join_letters(m: re.Match[str]) -> str:
    return re.sub(r"[. \-]", "", m.group(0))
