"""A tiny PNG bar-and-line chart, in pure Python (zlib + struct), so the stack needs no plotting library.

It draws GMV as bars and conversion as a line with dots, one slot per day; the labels live in the
Slack file title and in the message, which keeps this drawing code small.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from decimal import Decimal

RGB = tuple[int, int, int]
BACKGROUND: RGB = (255, 255, 255)
AXIS: RGB = (120, 120, 120)
GRID: RGB = (232, 232, 232)
BAR: RGB = (37, 99, 235)
LINE: RGB = (234, 88, 12)


class Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(BACKGROUND) * width * height)

    def dot(self, x: int, y: int, color: RGB) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            i = (y * self.width + x) * 3
            self.pixels[i:i + 3] = bytes(color)

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: RGB) -> None:
        for y in range(max(0, min(y0, y1)), min(self.height, max(y0, y1) + 1)):
            for x in range(max(0, min(x0, x1)), min(self.width, max(x0, x1) + 1)):
                self.dot(x, y, color)

    def line(self, x0: int, y0: int, x1: int, y1: int, color: RGB, thickness: int = 2) -> None:
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for i in range(steps + 1):
            x, y = round(x0 + (x1 - x0) * i / steps), round(y0 + (y1 - y0) * i / steps)
            self.rect(x - thickness // 2, y - thickness // 2, x + thickness // 2, y + thickness // 2, color)

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(self.pixels[y * self.width * 3:(y + 1) * self.width * 3]) for y in range(self.height))

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)  # 8-bit RGB
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def bar_line_chart(bars: Sequence[int | Decimal], points: Sequence[Decimal | None], *, width: int = 700, height: int = 320) -> bytes:
    """Bars (scaled to the largest bar) and a line (scaled to its largest point); a None point breaks the line."""
    c = Canvas(width, height)
    left, right, top, bottom = 40, width - 40, 20, height - 30
    for i in range(5):
        y = bottom - (bottom - top) * i // 4
        c.rect(left, y, right, y, GRID)
    c.rect(left, top, left, bottom, AXIS)
    c.rect(left, bottom, right, bottom, AXIS)
    n = max(len(bars), 1)
    slot = (right - left) // n
    top_bar = max((Decimal(b) for b in bars), default=Decimal(0)) or Decimal(1)
    top_point = max((p for p in points if p is not None), default=Decimal(0)) or Decimal(1)
    prev: tuple[int, int] | None = None
    for i in range(n):
        x = left + slot * i + slot // 2
        if i < len(bars) and bars[i]:
            h = int((bottom - top) * Decimal(bars[i]) / top_bar)
            c.rect(x - slot // 3, bottom - h, x + slot // 3, bottom - 1, BAR)
        c.rect(x, bottom, x, bottom + 5, AXIS)  # day tick
        p = points[i] if i < len(points) else None
        if p is None:
            prev = None
            continue
        y = bottom - int((bottom - top) * p / top_point)
        if prev is not None:
            c.line(prev[0], prev[1], x, y, LINE)
        c.rect(x - 4, y - 4, x + 4, y + 4, LINE)
        prev = (x, y)
    return c.png()
