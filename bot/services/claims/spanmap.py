"""Where each character of the normalised text came from in the original, without per-character lists.

Normalisation rewrites the text several times (leet, spelled-out letters, repeated letters, blanks,
spellings). Copying a start and an end offset for every character at every step cost more than the
matching itself on a 10,000-word text, so each step keeps only its edits and an offset is mapped
back, step by step, when a finding asks for it (a few hundred lookups instead of a million copies).
"""

from __future__ import annotations

import bisect


class SpanMap:
    """Maps normalised offsets to original offsets: base per-character tables (None: identity) + edit steps.

    Each step is (edit starts in its output, edits): an edit (new_start, new_end, old_start, old_end) says
    output [new_start, new_end) replaced input [old_start, old_end); every character of a replacement
    stands for the whole replaced span, as before.
    """

    __slots__ = ("_base", "_steps")

    def __init__(self, base: tuple[list[int], list[int]] | None = None,
                 steps: tuple[tuple[list[int], list[tuple[int, int, int, int]]], ...] = ()) -> None:
        self._base = base
        self._steps = steps

    def then(self, edits: list[tuple[int, int, int, int]]) -> SpanMap:
        """This map followed by one more rewrite step."""
        return SpanMap(self._base, (*self._steps, ([e[0] for e in edits], edits)))

    def start(self, pos: int) -> int:
        """Original offset where normalised character `pos` starts."""
        for keys, edits in reversed(self._steps):
            i = bisect.bisect_right(keys, pos) - 1
            if i >= 0:
                new_start, new_end, old_start, old_end = edits[i]
                pos = old_start if pos < new_end else pos - new_end + old_end
        return pos if self._base is None else self._base[0][pos]

    def end(self, pos: int) -> int:
        """Original offset just after normalised character `pos`."""
        for keys, edits in reversed(self._steps):
            i = bisect.bisect_right(keys, pos) - 1
            if i >= 0:
                new_start, new_end, old_start, old_end = edits[i]
                pos = old_end - 1 if pos < new_end else pos - new_end + old_end
        return pos + 1 if self._base is None else self._base[1][pos]
