"""Run the Web API stand-in in its own process for benchmarks (so it does not share the client's CPU)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from slack_stub import SlackStub  # noqa: E402

if __name__ == "__main__":
    stub = SlackStub(validate=False).start()
    print(stub.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stub.stop()
