"""The shared Block Kit helpers keep every section inside Slack's limits."""

from __future__ import annotations

from bot.blocks.common import chunk_lines


def test_chunk_lines_respects_char_and_line_limits():
    chunks = chunk_lines([f"line {i}" for i in range(60)], max_lines=25)
    assert [c.count("\n") + 1 for c in chunks] == [25, 25, 10]
    assert chunk_lines(["x" * 1000] * 5, max_chars=2900, max_lines=None) == ["\n".join(["x" * 1000] * 2)] * 2 + ["x" * 1000]


def test_chunk_lines_clips_a_single_overlong_line():
    [only] = chunk_lines(["word " * 2000], max_chars=2900)
    assert len(only) <= 2900 and only.endswith("…")
