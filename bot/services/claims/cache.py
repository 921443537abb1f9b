"""One compiled RuleSet per rules file, recompiled when the file changes.

Compiling the rules (TOML, a few hundred regexes, their prefix analysis) costs far more than
checking a long text, so it must not happen per check; but legal edits the rules file and the
issue requires that edits take effect without code changes. The cache key is therefore the
file's path plus its modification time and size: an edited file is compiled on its next use.
A file that was good and is then saved broken keeps its last good copy in use (and the error is
logged, naming file and line) so a running bot never fails a brief check halfway through an edit;
a file never compiled before (start-up, the CLI) still fails with the error.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)
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
    try:
        result = compile_file(path)
    except ValueError as exc:
        if hit is None:
            raise
        log.error("claim rules file changed but cannot be used, still checking with its last good version: %s", exc)
        return hit[1]  # type: ignore[return-value]
    with _lock:
        _compiled[key] = (stamp, result)
    return result
