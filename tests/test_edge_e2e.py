"""Malformed requests to /slack/events: 401 unsigned, 400 signed garbage, 413 oversize; never 500, no traceback."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import io
import logging
import time
from urllib.parse import urlsplit

import pytest
from conftest import HOST, SIGNING_SECRET
from slack_signing import command_body
from sqlalchemy import func, select

from bot.db.models import AuditRecord, Person, TimeEntry


def _signed_headers(raw: bytes, content_type: str, timestamp: str | None = None) -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": content_type}


def _post(server, raw: bytes, headers: dict[str, str]) -> tuple[int, str]:
    url = urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request("POST", "/slack/events", body=raw, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _nothing_written(db) -> None:
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(TimeEntry)) == 0
        assert s.scalar(select(func.count()).select_from(Person).where(Person.slack_user_id == HOST)) == 0
        assert s.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.actor == HOST)) == 0


FORM = "application/x-www-form-urlencoded"

SIGNED_GARBAGE = [
    pytest.param(b"payload=x", FORM, id="payload-not-json"),
    pytest.param(b"payload=%5B%5D", FORM, id="payload-a-list"),
    pytest.param(b"payload=%22text%22", FORM, id="payload-a-string"),
    pytest.param(b"command=/checkin&user_id=UHOST001", "application/json", id="json-type-form-body"),
    pytest.param(b"{not json", "application/json", id="broken-json"),
    pytest.param(b"[1, 2]", "application/json", id="json-list"),
    pytest.param(b"payload=%7B%22type%22%3A%22block_actions%22%7D\xff\xfe", FORM, id="invalid-utf8"),
    pytest.param(b"\xc3\x28", FORM, id="invalid-utf8-only"),
    pytest.param(b"[" * 100_000, "application/json", id="deeply-nested-json"),
    pytest.param(b"command=%2Fcheckin&text=&user_id=U" + b"A" * 40, FORM, id="overlong-user-id"),
]


@pytest.mark.parametrize(("raw", "content_type"), SIGNED_GARBAGE)
def test_signed_garbage_is_400_without_traceback(server, db, caplog, raw, content_type):
    caplog.set_level(logging.INFO)
    status, text = _post(server, raw, _signed_headers(raw, content_type))
    assert status == 400
    assert "Traceback" not in text
    refusals = [r for r in caplog.records if r.name == "opsbot.http" and "refused" in r.getMessage()]
    assert len(refusals) == 1 and "status=400" in refusals[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    _nothing_written(db)


@pytest.mark.parametrize("raw", [b"payload=x", b"payload=%5B%5D", b"\xff\xfe", command_body("/checkin", "", HOST).encode()])
def test_unsigned_garbage_is_401(server, db, caplog, raw):
    caplog.set_level(logging.INFO)
    status, text = _post(server, raw, {"Content-Type": FORM})
    assert status == 401 and "Traceback" not in text
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    _nothing_written(db)


@pytest.mark.parametrize("timestamp", ["abc", "1e9", "-5", "99999999999999999999"])
def test_non_numeric_or_absurd_timestamp_is_401(server, db, caplog, timestamp):
    raw = command_body("/checkin", "", HOST).encode()
    status, text = _post(server, raw, _signed_headers(raw, FORM, timestamp=timestamp))
    assert status == 401 and "Traceback" not in text
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    _nothing_written(db)


def test_oversize_body_is_413_before_reading(server, db):
    """A 30 MB Content-Length is refused from the header alone."""
    url = urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.putrequest("POST", "/slack/events")
        for name, value in _signed_headers(b"", FORM).items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(30 * 1024 * 1024))
        conn.endheaders()
        resp = conn.getresponse()
        assert resp.status == 413
        assert "Traceback" not in resp.read().decode()
    finally:
        conn.close()
    _nothing_written(db)


class _CountingStream(io.RawIOBase):
    """A 30 MB request body that counts how much of it the app reads."""

    def __init__(self, size: int) -> None:
        self.size, self.read_bytes = size, 0

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.read_bytes if n is None or n < 0 else min(n, self.size - self.read_bytes)
        self.read_bytes += n
        return b"a" * n


def test_wsgi_app_never_reads_past_the_cap(server, db):
    """Even when Content-Length understates the body, at most cap + 1 bytes are read."""
    from bot.app import create_app
    from bot.edge import MAX_BODY_BYTES
    from bot.server import OpsbotWSGI

    app = OpsbotWSGI(create_app(server.rt), db, SIGNING_SECRET)
    for declared in (30 * 1024 * 1024, MAX_BODY_BYTES):
        stream = _CountingStream(30 * 1024 * 1024)
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "SERVER_PROTOCOL": "HTTP/1.1",
                   "CONTENT_LENGTH": str(declared), "CONTENT_TYPE": FORM, "wsgi.input": stream,
                   **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in _signed_headers(b"x", FORM).items()
                      if k != "Content-Type"}}
        statuses: list[str] = []
        body = b"".join(app(environ, lambda status, headers: statuses.append(status)))
        assert stream.read_bytes <= MAX_BODY_BYTES + 1
        assert statuses[0].split()[0] in ("413", "401") and b"Traceback" not in body
    _nothing_written(db)


def test_signed_command_still_works_and_payload_word_kept(server, db, roster):
    status, body = server.command("/checkin", "payload=fixing the payload cable", HOST)
    assert status == 200 and "Clocked in" in body["text"]
    with db.read() as s:
        assert s.scalars(select(TimeEntry)).one().note_in == "payload=fixing the payload cable"
