"""Score the claim checker on the labelled corpus, and time it on 10,000 words.

    python bench/claims_check.py [CORPUS.jsonl]     (default ../shared/claims/dev_corpus.jsonl)

Prints recall (overall, per category), false-alarm rate, category agreement (loose: the label is
among the findings' categories; strict: the top finding's category is the label), the odd/even
id split (each half scored alone: rules tuned on one half must hold on the other), every miss,
false alarm and category disagreement with the matched words, then the 10,000-word timing.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.services.claims.match import check_text  # noqa: E402
from bot.services.claims.corpus import CATEGORIES, Score, read_corpus, score  # noqa: E402

DEFAULT = REPO.parent / "shared" / "claims" / "dev_corpus.jsonl"


def _line(label: str, s: Score) -> str:
    return (f"{label:<10} recall {s.recall:6.1%} ({s.caught}/{s.flagged})  false alarms {s.false_alarm_rate:5.1%} "
            f"({s.false_alarms}/{s.clean})  agreement {s.agreement:6.1%} strict {s.strict_agreement:6.1%}")


def _words(findings) -> str:
    return "; ".join(f"{f.category}:{f.text!r}" for f in findings) or "-"


def report(path: Path) -> Score:
    rows = read_corpus(path)
    full = score(rows, check_text)
    odd = score([r for r in rows if int(r["id"][1:]) % 2], check_text)
    even = score([r for r in rows if not int(r["id"][1:]) % 2], check_text)
    print(f"corpus {path} ({len(rows)} lines)")
    print(_line("all", full))
    print(_line("odd ids", odd))
    print(_line("even ids", even))
    for cat in CATEGORIES:
        n = full.per_category[cat]
        print(f"  {cat:<15} recall {full.per_category_caught[cat] / n if n else 1:6.1%} ({full.per_category_caught[cat]}/{n})")
    for title, items in (("MISSES", full.misses), ("FALSE ALARMS", full.alarms),
                         ("CATEGORY DISAGREEMENTS", full.disagreements)):
        print(f"\n{title} ({len(items)})")
        for row, findings in items:
            print(f"  {row['id']} [{row['category'] or 'clean'}] {row['text']}\n      -> {_words(findings)}")
    return full


def timing() -> float:
    lines = [r["text"] for r in read_corpus(REPO / "tests" / "data" / "claims_dev_corpus.jsonl")]
    text, words = [], 0
    while words < 10_000:
        line = lines[len(text) % len(lines)]
        text.append(line)
        words += len(line.split())
    body = "\n".join(text)
    check_text(body)
    times, cpu = [], []
    for _ in range(15):
        t, c = time.perf_counter(), time.process_time()
        found = check_text(body)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    median = statistics.median(times) * 1000
    print(f"\ntiming: {len(body.split())} words of corpus lines, {len(found)} findings: median {median:.1f} ms, "
          f"best {min(times) * 1000:.1f} ms, CPU best {min(cpu) * 1000:.1f} ms (limit 100 ms; other load on the "
          f"machine inflates these, see `uptime`)")
    return median


if __name__ == "__main__":
    report(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
    timing()
