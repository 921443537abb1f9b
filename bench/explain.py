"""EXPLAIN (PostgreSQL) of the slowest statements on the paths bench/studio.py times.

`python bench/explain.py postgresql+psycopg://...` against a database bench/studio.py seeded (it is not wiped):
runs each path once with every statement timed, then prints EXPLAIN ANALYZE for the five slowest kinds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import studio  # noqa: E402
from sqlalchemy import event  # noqa: E402


def main() -> int:
    url = sys.argv[1]
    captured: dict[str, tuple[float, int, str, object]] = {}

    def before(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        conn.info["t0"] = time.perf_counter()

    def after(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if executemany or not statement.lstrip().upper().startswith("SELECT"):
            return
        ms = (time.perf_counter() - conn.info["t0"]) * 1000
        key = " ".join(statement.split())[:200]
        total, n, _, _ = captured.get(key, (0.0, 0, statement, params))
        captured[key] = (total + ms, n + 1, statement, params)

    def hook(db):  # type: ignore[no-untyped-def]
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)

    paths = studio.run_paths(url, runs=1, on_db=hook)
    top = sorted(captured.items(), key=lambda kv: -kv[1][0])[:5]
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        for n, (key, (total, count, statement, params)) in enumerate(top, 1):
            print(f"-- {n}. {total:.1f} ms in {count} run(s): {key[:160]}")
            for (line,) in conn.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + statement, params):  # type: ignore[arg-type]
                print("   ", line)
            print()
    del paths
    return 0


if __name__ == "__main__":
    sys.exit(main())
