"""Benchmark: claim check of a 10,000-word talk track (median of 20 runs). `python bench/claims_check.py`"""

from __future__ import annotations

import statistics
import time

from bot.services.claims import check_text

DENSE = ("Treat yourself to the serum that cures dryness, the #1 toner [1], and our bundle. "
         "Lowest price ever, only 3 left! Step #1: cleanse, then apply for best results. "
         "Use my code GLOW10. Tap the orange cart. This texture is light and layers well.\n\n")
CLEAN = "This texture is light and layers well under makeup. Tap the orange cart to add the bundle.\n\n"


def run(label: str, paragraph: str) -> None:
    text = paragraph * (10_000 // len(paragraph.split()) + 1)
    check_text(text)
    times = []
    for _ in range(20):
        t = time.perf_counter()
        findings = check_text(text)
        times.append(time.perf_counter() - t)
    print(f"{label:<6} {len(text.split()):>6} words {len(findings):>5} findings  median {statistics.median(times) * 1000:.1f} ms  max {max(times) * 1000:.1f} ms")


if __name__ == "__main__":
    run("dense", DENSE)
    run("clean", CLEAN)
