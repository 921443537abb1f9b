"""Benchmark: /checkin ack latency over HTTP at 1 and 50 concurrent users, opsbot vs a bare Bolt app.

Both run under gunicorn with the same worker settings, against a local stand-in of the Slack Web API.
Usage: python bench/checkin_latency.py [--requests 400] [--database-url URL]
Goal (issue 3): p99 under 300 ms at 50 concurrent users and within 2x of the bare app.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from slack_signing import command_body, sign  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # the server answers (404/405 is fine for the bare app)
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


def post(url: str, user: str, text: str = "") -> float:
    body = command_body("/checkin", text, user)
    req = urllib.request.Request(url, data=body.encode(), headers=sign(body, SECRET), method="POST")
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()
        assert resp.status == 200, resp.status
    return (time.perf_counter() - t) * 1000


def measure(url: str, users: int, total: int, run_id: str) -> list[float]:
    """`users` people each sending /checkin (then /checkout, alternately) as fast as answers come back."""
    per_user = max(1, total // users)
    latencies: list[float] = []
    lock = threading.Lock()

    def one_user(i: int) -> None:
        uid = f"UB{run_id}{i:03d}"
        for n in range(per_user):
            cmd_url = url
            ms = post(cmd_url, uid) if n % 2 == 0 else post_checkout(url, uid)
            with lock:
                latencies.append(ms)

    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(one_user, range(users)))
    return latencies


def post_checkout(url: str, user: str) -> float:
    body = command_body("/checkout", "", user)
    req = urllib.request.Request(url, data=body.encode(), headers=sign(body, SECRET), method="POST")
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()
    return (time.perf_counter() - t) * 1000


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn workers), from /proc (Linux)."""
    total = 0.0
    pids = [pid] + [int(c) for c in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
    for p in pids:
        try:
            fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def summary(values: list[float]) -> str:
    return f"n={len(values):4d}  p50={pct(values, 50):7.1f} ms  p95={pct(values, 95):7.1f} ms  p99={pct(values, 99):7.1f} ms  mean={statistics.mean(values):6.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (both apps)")
    parser.add_argument("--threads", type=int, default=16, help="threads per worker (both apps)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="opsbot-bench-")
    db_url = args.database_url or f"sqlite:///{tmp}/bench.db"
    standin = subprocess.Popen([sys.executable, str(ROOT / "bench" / "slack_standin.py")], stdout=subprocess.PIPE, text=True)
    api_url = standin.stdout.readline().strip()  # type: ignore[union-attr]
    try:
        env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url,
               "DATABASE_URL": db_url, "OPS_CHANNEL": "C0OPS", "OPSBOT_ADMINS": "UADMIN01", "LOG_LEVEL": "WARNING",
               "WEB_CONCURRENCY": str(args.workers), "WEB_THREADS": str(args.threads), "PYTHONPATH": str(ROOT)}
        env.pop("SLACK_APP_TOKEN", None)
        results = {}
        cpu: dict[str, float] = {}
        for name, cmd in (
            ("opsbot", [sys.executable, "-m", "bot", "run", "--http", "--no-scheduler"]),
            ("bare Bolt", [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-k", "gthread", "--threads", str(args.threads),
                           "--log-level", "warning", "bench.bare_app:app"]),
        ):
            port = free_port()
            proc_env = {**env, "PORT": str(port)}
            if name == "bare Bolt":
                cmd = [*cmd, "-b", f"127.0.0.1:{port}"]
            proc = subprocess.Popen(cmd, env=proc_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                wait_ready(f"http://127.0.0.1:{port}/healthz")
                url = f"http://127.0.0.1:{port}/slack/events"
                # Warm up: every benchmark user has used opsbot before (first contact, which also reads
                # users.info, happens once per person ever and is measured separately).
                first = measure(url, 50, 100, "W")
                one = measure(url, 1, args.requests // 2, "W")
                time.sleep(4)  # let after-ack work (board edits) settle so it is not counted below
                cpu_before = process_cpu_seconds(proc.pid)
                fifty = measure(url, 50, args.requests, "W")
                time.sleep(4)
                cpu[name] = (process_cpu_seconds(proc.pid) - cpu_before) / len(fifty) * 1000
                results[name + " first"] = (first, first)
                results[name] = (one, fifty)
            finally:
                proc.terminate()
                proc.wait(10)
        print(f"/checkin ack latency over HTTP (gunicorn {args.workers} workers x {args.threads} threads, {db_url.split(':')[0]})")
        for name, (one, fifty) in results.items():
            if name.endswith(" first"):
                print(f"  {name.removesuffix(' first'):<10} 50 users, first contact  {summary(one)}")
                continue
            print(f"  {name:<10} 1 user   {summary(one)}")
            print(f"  {name:<10} 50 users {summary(fifty)}")
        for name, ms in cpu.items():
            print(f"  {name:<10} server CPU per request at 50 users (incl. after-ack work): {ms:.2f} ms")
        ratio = pct(results["opsbot"][1], 99) / pct(results["bare Bolt"][1], 99)
        ratio50 = pct(results["opsbot"][1], 50) / pct(results["bare Bolt"][1], 50)
        print(f"  opsbot / bare at 50 users: p99 x{ratio:.2f}, p50 x{ratio50:.2f}")
        ok = pct(results["opsbot"][1], 99) < 300
        print(f"  goal p99 < 300 ms at 50 users: {'met' if ok else 'NOT met'}; within 2x of bare: {'met' if ratio <= 2 else 'NOT met'}")
    finally:
        standin.terminate()
        standin.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
