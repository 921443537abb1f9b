"""Opening a spreadsheet someone gave us, safely: one helper for every import (calendar, run-of-show, metrics, DMs, CLI).

An .xlsx is a zip archive, and a small one can unpack to gigabytes (a "zip bomb"). So before openpyxl sees the
file, the zip's directory is read and the declared uncompressed sizes are checked: the total, each part, and how
much each large part expands. Python's zipfile never yields more than a part's declared size (a lying header ends
in a CRC error), so the declared sizes are a real bound. Workbooks are opened read-only (streamed, formulas as
their last values). Every refusal is one plain sentence naming the file and the limit; no exception class names.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from bot.services.errors import Invalid

MB = 1_048_576
DEFAULT_MAX_UNCOMPRESSED_MB = 50
MAX_PARTS = 2_000
"""A workbook with more parts than this is not a calendar or an export."""
RATIO_CHECK_BYTES = MB
"""Parts smaller than this unpacked are never refused for their ratio (tiny XML compresses very well)."""
MAX_RATIO = 100
"""Real sheet XML unpacks to 5-30 times its compressed size; a zip bomb to thousands."""
DAMAGED = (ParseError, SyntaxError, zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, TypeError,
           IndexError, AttributeError, EOFError, OSError, NotImplementedError, UnicodeDecodeError)
"""What openpyxl and zipfile raise on a damaged or hand-made workbook (while opening or while reading rows)."""


class UnreadableWorkbook(Invalid):
    """The file is refused as a whole; the message is the plain sentence for the person who sent it."""


@dataclass(frozen=True)
class Limits:
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_MB * MB
    max_parts: int = MAX_PARTS
    max_ratio: int = MAX_RATIO

    @classmethod
    def from_mb(cls, mb: int | None) -> Limits:
        return cls(max_uncompressed_bytes=(mb or DEFAULT_MAX_UNCOMPRESSED_MB) * MB)


def _not_xlsx(name: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(f"Could not open {name}: it isn't an .xlsx workbook opsbot can read (it may be damaged, "
                              "password-protected or another format); save it again as Excel Workbook (.xlsx) and "
                              "try again. Nothing was imported.")


def check_archive(path: Path, name: str, limits: Limits) -> None:
    """Refuse a file whose zip directory promises too much, before anything is decompressed."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _not_xlsx(name) from None
    limit_mb = limits.max_uncompressed_bytes // MB
    if len(parts) > limits.max_parts:
        raise UnreadableWorkbook(f"{name} has {len(parts):,} parts inside; opsbot reads workbooks of up to "
                                 f"{limits.max_parts:,} parts. Copy the sheets you need into a new workbook.")
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > limits.max_uncompressed_bytes or total > limits.max_uncompressed_bytes:
            raise UnreadableWorkbook(f"{name} unpacks to more than {limit_mb} MB; opsbot imports workbooks of up to "
                                     f"{limit_mb} MB unpacked (MAX_UPLOAD_UNCOMPRESSED_MB). Nothing was imported.")
        if part.file_size >= RATIO_CHECK_BYTES and part.file_size > limits.max_ratio * max(part.compress_size, 1):
            raise UnreadableWorkbook(f"{name} holds a part that unpacks to {part.file_size / max(part.compress_size, 1):,.0f} "
                                     f"times its size (more than {limits.max_ratio} times is refused as a likely zip bomb). "
                                     "Nothing was imported.")


@contextmanager
def open_workbook(path: Path, *, name: str | None = None, limits: Limits | None = None) -> Iterator[Any]:
    """The workbook, read-only and checked; closed on the way out. Read its rows with `rows()` so that damage
    found while streaming a sheet is refused in the same plain words."""
    from openpyxl import load_workbook  # imported here: the checks above need no openpyxl

    name = name or path.name
    limits = limits or Limits()
    check_archive(path, name, limits)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except DAMAGED:
        raise _not_xlsx(name) from None
    except Exception as exc:  # openpyxl's own InvalidFileException and friends
        if exc.__class__.__module__.startswith(("openpyxl", "zipfile", "xml")):
            raise _not_xlsx(name) from None
        raise
    try:
        yield wb
    finally:
        wb.close()


def rows(ws: Any, name: str, **kwargs: Any) -> Iterator[tuple[Any, ...]]:
    """A sheet's rows as value tuples; a sheet whose XML is damaged is UnreadableWorkbook, not a traceback.

    Only errors raised while openpyxl parses the sheet are translated; the caller's own errors pass through."""
    it = ws.iter_rows(values_only=True, **kwargs)
    while True:
        try:
            values = next(it)
        except StopIteration:
            return
        except DAMAGED:
            raise UnreadableWorkbook(f"Part of {name} is damaged and can't be read (the sheet '{ws.title}' is not valid "
                                     "Excel data); open it in Excel, save it again as .xlsx and try again. "
                                     "Nothing was imported.") from None
        yield values
