"""Hand-made workbook files for the spreadsheet-safety tests: zip bombs, damaged XML, non-workbooks."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook


def xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite(content: bytes, part: str, new: bytes | None = None, *, pad_mb: int = 0, add: bytes | None = None) -> bytes:
    """The same workbook with one part replaced (or padded with `pad_mb` MB of whitespace before its last tag),
    or with `add` stored as a new part named `part`."""
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        if add is not None:
            dst.writestr(part, add)
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != part:
                dst.writestr(info, data)
                continue
            if new is not None:
                dst.writestr(part, new)
                continue
            cut = data.rindex(b"</")
            big = zipfile.ZipInfo(part)
            big.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(big, "w", force_zip64=True) as f:
                f.write(data[:cut])
                chunk = b" " * 1_048_576
                for _ in range(pad_mb):
                    f.write(chunk)
                f.write(data[cut:])
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def bomb(rows, mb: int = 60) -> bytes:
    """A real workbook whose sheet XML unpacks to `mb` MB more than it looks (whitespace compresses ~1000x)."""
    return rewrite(xlsx_bytes(rows), SHEET, pad_mb=mb)


def damaged(rows) -> bytes:
    """A valid zip whose sheet XML is cut off halfway: openpyxl's parser fails while reading rows."""
    content = xlsx_bytes(rows)
    xml = zipfile.ZipFile(io.BytesIO(content)).read(SHEET)
    return rewrite(content, SHEET, xml[: len(xml) // 2])


def not_a_workbook_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return out.getvalue()
