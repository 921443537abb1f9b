"""The one cell sanitiser every spreadsheet the bot writes goes through (schedule, run-of-show, scorecard, approvals).

Two dangers in user text: characters XML 1.0 forbids (a vertical tab, PowerPoint's line break, made openpyxl refuse
the whole file) and text that a spreadsheet would run as a formula (= + - @, or a leading tab or CR).
Line-break-like controls become real line breaks, the other forbidden ones are dropped, and formula-leading text
is quoted with an apostrophe, which the importers strip again on the way back in.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32_000  # Excel's cell limit is 32,767 characters
CUT_NOTE = " [cut: over Excel's cell limit]"
_LINE_BREAKS = re.compile("[\x0b\x0c\u2028\u2029]")
# XML 1.0 forbids C0 controls other than tab, LF and CR, lone surrogates, and U+FFFE/U+FFFF.
_ILLEGAL = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Text a workbook can hold: no characters XML forbids, line-break controls as newlines, within Excel's limit."""
    text = _ILLEGAL.sub("", _LINE_BREAKS.sub("\n", text))
    if len(text) > MAX_CELL:
        text = text[:MAX_CELL] + CUT_NOTE
    return text


def safe(value: Any) -> Any:
    """A cell value that can't become a formula or break the file; non-text values pass through unchanged."""
    if not isinstance(value, str):
        return value
    value = clean(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unquote(text: str) -> str:
    """The importers' inverse of `safe`'s apostrophe: "'=x" read back is "=x"."""
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1] in "=+-@" else text
