"""Run the Slack Web API stand-in (tests/slack_stub.py) on its own, for smoke runs of an installed opsbot.

    python tests/slack_stub_cli.py --port-file /tmp/stub.port

Serves on 127.0.0.1 only; GET /_stub/calls shows what it saw. Stops on SIGTERM or Ctrl-C and exits 1 if
anything Slack would have refused happened.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from slack_stub import SlackStub  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Serve the stub alone until SIGTERM or Ctrl-C (for smoke runs of an installed opsbot); exit 1 on violations."""
    parser = argparse.ArgumentParser(description="A local stand-in for the Slack Web API (loopback only).")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--port-file", help="write the chosen port to this file once serving")
    args = parser.parse_args(argv)
    stub = SlackStub().start(args.port)
    port = stub.root_url.rsplit(":", 1)[1].strip("/")
    if args.port_file:
        Path(args.port_file).write_text(port)
    print(f"Slack stub serving {stub.base_url}", flush=True)
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    stub.stop()
    methods = sorted({c.method for c in stub.calls})
    print(f"Slack stub stopped after {len(stub.calls)} calls ({', '.join(methods) or 'none'})", flush=True)
    for violation in stub.violations:
        print(f"VIOLATION {violation}", file=sys.stderr)
    return 1 if stub.violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
