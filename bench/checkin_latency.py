"""Benchmark: /checkin ack latency over HTTP at 1 and 50 concurrent users, opsbot vs a bare Bolt app.

Both run under gunicorn with the same worker settings, at the same time, against a local stand-in of the Slack
Web API; the 50-user load goes to each in turn, over several rounds, so both are measured on the same machine state.
Usage: python bench/checkin_latency.py [--requests 400] [--database-url URL] [--repeat N]

Check-in is open to everyone here (OPEN_CHECKIN=true), so every request is a real check-in or check-out
(one entry written, the board refreshed), including the first contact of a person the bot has never seen.
Goals (issue 15), each a ratio inside one run, so a busy machine moves both sides alike:
  server CPU per /checkin <= 2x the bare app's; p99 at 50 concurrent users <= 2x the bare app's;
  first-contact p99 (50 new people at once) <= 2x opsbot's steady p99 at 50 users.
"""

from __future__ import annotations

import argparse
import os
import re
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
    if total < users:
        users = total
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


def database_cpu_seconds() -> float:
    """User + system CPU of the local PostgreSQL server's processes (0 when there is none, as with SQLite)."""
    pids = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout.split()
    return sum(process_cpu_seconds_of(int(p)) for p in pids)


def process_cpu_seconds_of(pid: int) -> float:
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summary(values: list[float]) -> str:
    return f"n={len(values):4d}  p50={pct(values, 50):7.1f} ms  p95={pct(values, 95):7.1f} ms  p99={pct(values, 99):7.1f} ms  mean={statistics.mean(values):6.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (both apps)")
    parser.add_argument("--threads", type=int, default=16, help="threads per worker (both apps)")
    parser.add_argument("--first-rounds", type=int, default=4, help="rounds of 50 first contacts")
    parser.add_argument("--rounds", type=int, default=3, help="turns each app takes at 50 users (the requests split between them)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="whole runs, each with fresh servers; then each ratio's median over the runs (a noisy VM moves one run's)")
    args = parser.parse_args()
    if args.repeat > 1:
        return repeat(args)
    tmp = tempfile.mkdtemp(prefix="opsbot-bench-")
    db_url = args.database_url or f"sqlite:///{tmp}/bench.db"
    standin = subprocess.Popen([sys.executable, str(ROOT / "bench" / "slack_standin.py")], stdout=subprocess.PIPE, text=True)
    api_url = standin.stdout.readline().strip()  # type: ignore[union-attr]
    try:
        env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url,
               "DATABASE_URL": db_url, "OPS_CHANNEL": "C0OPS", "OPSBOT_ADMINS": "UADMIN01", "LOG_LEVEL": "WARNING",
               "OPEN_CHECKIN": "true",
               "WEB_CONCURRENCY": str(args.workers), "WEB_THREADS": str(args.threads),
               "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
        env.pop("SLACK_APP_TOKEN", None)
        results: dict[str, tuple[list[float], list[float], list[float]]] = {}
        cpu: dict[str, float] = {}
        run_tag = f"{int(time.time()) % 100000:05d}"  # first-contact users are new even on a reused database
        procs: dict[str, tuple[subprocess.Popen, str]] = {}
        try:
            for name, cmd in (
                ("opsbot", [sys.executable, "-m", "bot", "run", "--http", "--no-scheduler"]),
                ("bare Bolt", [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-k", "gthread", "--threads",
                               str(args.threads), "--log-level", "warning", "bench.bare_app:app"]),
            ):
                port = free_port()
                if name == "bare Bolt":
                    cmd = [*cmd, "-b", f"127.0.0.1:{port}"]
                proc = subprocess.Popen(cmd, env={**env, "PORT": str(port)}, cwd=ROOT, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
                procs[name] = (proc, f"http://127.0.0.1:{port}")
            for name, (proc, base) in procs.items():
                wait_ready(f"{base}/healthz")
                # Warm up: the benchmark's steady users have used opsbot before (their profile is filled).
                measure(f"{base}/slack/events", 50, 100, "W")
                results[name] = (measure(f"{base}/slack/events", 1, args.requests // 2, "W"), [], [])
            time.sleep(4)  # let after-ack work (board edits, profiles) settle so it is not counted below
            # Both apps run side by side and take turns, round by round (order swapped each round), so a
            # machine that speeds up or slows down during the run moves both figures alike.
            spent = dict.fromkeys(procs, 0.0)
            db_spent = dict.fromkeys(procs, 0.0)
            per_round: dict[str, list[float]] = {name: [] for name in procs}
            for r in range(args.rounds):
                for name in (list(procs) if r % 2 == 0 else list(reversed(procs))):
                    proc, base = procs[name]
                    cpu_before, db_before = process_cpu_seconds(proc.pid), database_cpu_seconds()
                    done = measure(f"{base}/slack/events", 50, args.requests // args.rounds, "W")
                    time.sleep(3)  # its after-ack work (board edit, profiles) counts for it
                    used = process_cpu_seconds(proc.pid) - cpu_before
                    db_spent[name] += database_cpu_seconds() - db_before
                    results[name][1].extend(done)
                    spent[name] += used
                    per_round[name].append(used / len(done) * 1000)
            for name in procs:
                cpu[name] = spent[name] / len(results[name][1]) * 1000
            # First contact: rounds of 50 people the bot has never seen, all checking in at once.
            for r in range(args.first_rounds):
                for name, (proc, base) in procs.items():
                    results[name][2].extend(measure(f"{base}/slack/events", 50, 50, f"F{r}{run_tag}"))
                    time.sleep(1)
        finally:
            for proc, _ in procs.values():
                proc.terminate()
            for proc, _ in procs.values():
                proc.wait(10)
        backend = db_url.split(':')[0]
        print(f"/checkin ack latency over HTTP (gunicorn {args.workers} workers x {args.threads} threads, {backend})")
        for name, (one, fifty, first) in results.items():
            print(f"  {name:<10} 1 user   {summary(one)}")
            print(f"  {name:<10} 50 users {summary(fifty)}")
            print(f"  {name:<10} first    {summary(first)}  (50 new people at once, {args.first_rounds} rounds)")
        for name, ms in cpu.items():
            rounds = " ".join(f"{v:.2f}" for v in per_round[name])
            print(f"  {name:<10} server CPU per request at 50 users (incl. after-ack work): {ms:.2f} ms  (rounds: {rounds})")
            if db_url.startswith("postgresql"):
                print(f"  {name:<10} PostgreSQL server CPU per request (same machine, not in the ratio): "
                      f"{db_spent[name] / len(results[name][1]) * 1000:.2f} ms")
        ops, bare = results["opsbot"], results["bare Bolt"]
        ratios = [
            ("server CPU per /checkin, opsbot / bare", cpu["opsbot"] / cpu["bare Bolt"]),
            ("p99 at 50 users, opsbot / bare", pct(ops[1], 99) / pct(bare[1], 99)),
            ("first-contact p99 / steady p99 (opsbot)", pct(ops[2], 99) / pct(ops[1], 99)),
        ]
        print(f"  ratios ({backend}, goal <= 2x each):")
        for label, value in ratios:
            print(f"    {label:<42} x{value:5.2f}  {'met' if value <= 2 else 'NOT met'}")
        print(f"  opsbot p50 at 50 users x{pct(ops[1], 50) / pct(bare[1], 50):.2f} of bare; "
              f"p99 {pct(ops[1], 99):.0f} ms ({'under' if pct(ops[1], 99) < 300 else 'over'} 300 ms)")
    finally:
        standin.terminate()
        standin.wait(10)
    return 0


RATIO_LINE = re.compile(r"^ {4}(\S.*?)\s+x\s*([0-9.]+)\s+(?:met|NOT met)$")


def repeat(args: argparse.Namespace) -> int:
    """Run the benchmark `args.repeat` times in fresh processes, print each run, then the median of each ratio."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--requests", str(args.requests), "--workers", str(args.workers),
            "--threads", str(args.threads), "--first-rounds", str(args.first_rounds), "--rounds", str(args.rounds)]
    if args.database_url:
        argv += ["--database-url", args.database_url]
    seen: dict[str, list[float]] = {}
    for n in range(1, args.repeat + 1):
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        print(f"-- run {n} of {args.repeat}\n{out}", end="", flush=True)
        for line in out.splitlines():
            match = RATIO_LINE.match(line)
            if match:
                seen.setdefault(match.group(1), []).append(float(match.group(2)))
    print(f"  median of {args.repeat} runs (goal <= 2x each):")
    for label, values in seen.items():
        value = statistics.median(values)
        met = sum(v <= 2 for v in values)
        print(f"    {label:<42} x{value:5.2f}  {'met' if value <= 2 else 'NOT met'}  (met in {met} of {len(values)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
