"""One compiled RuleSet per rules file, recompiled when the file changes.

Compiling the rules (TOML, a few hundred regexes, their prefix analysis) costs far more than
checking a long text, so it must not happen per check; but legal edits the rules file and the
issue requires that edits take effect without code changes. The cache key is therefore the
file's path plus its modification time and size: an edited file is compiled on its next use.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_lock = threading.Lock()
_compiled: dict[str, tuple[tuple[int, int], object]] = {}


def cached_compile(path: Path, compile_file: Callable[[Path], T]) -> T:
    """compile_file(path), reused while the file's mtime and size stay the same; errors are not cached."""
    key = os.path.abspath(path)
    try:
        stat = os.stat(key)
    except OSError:
        return compile_file(path)  # let the compiler report the unreadable file in its own words
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        hit = _compiled.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]  # type: ignore[return-value]
    result = compile_file(path)
    with _lock:
        _compiled[key] = (stamp, result)
    return result
