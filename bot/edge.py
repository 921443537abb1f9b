"""The HTTP edge: read, verify and parse a Slack request before anything else looks at it.

Bolt parses the body before it checks the signature, so a malformed body (``payload=x``, invalid
UTF-8, a JSON content type over a form body) raised inside Bolt and answered 500. Here the order is
Slack's own: cap the size, check the v0 signature over the raw bytes, then parse. Anything wrong is
one ``Refused`` with the HTTP status to answer and a short reason for the log: 413 oversize,
401 unsigned or badly signed, 400 signed but unparseable.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier

from bot.slack_ids import USER_ID_RE

MAX_BODY_BYTES = 1_000_000  # Slack's own payloads are far smaller; a view with 100 blocks is ~100 kB
_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")  # NUL (PostgreSQL refuses it) and lone surrogates


class Refused(Exception):
    """The request is answered `status` without reaching Bolt; `reason` is for the log line."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class SignedRequest:
    raw_body: str
    body: dict[str, Any]


def read_body(environ: Mapping[str, Any], limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, never reading more than `limit` + 1 bytes."""
    length_text = str(environ.get("CONTENT_LENGTH") or "0").strip()
    if not length_text.isdigit() or not length_text.isascii():
        raise Refused(400, "bad Content-Length")
    length = int(length_text)
    if length > limit:
        raise Refused(413, f"body of {length} bytes is over the {limit}-byte limit")
    stream = environ.get("wsgi.input")
    if stream is None or length == 0:
        return b""
    data = stream.read(min(length, limit + 1))
    if len(data) > limit:
        raise Refused(413, f"body over the {limit}-byte limit")
    return data


def verify(verifier: SignatureVerifier, raw: bytes, headers: Mapping[str, Any]) -> None:
    """401 unless the v0 signature over the raw bytes is valid and the timestamp within 5 minutes."""
    timestamp = _header(headers, "x-slack-request-timestamp")
    signature = _header(headers, "x-slack-signature")
    if not timestamp or not signature:
        raise Refused(401, "unsigned request")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        raise Refused(401, "non-numeric X-Slack-Request-Timestamp")
    try:
        valid = verifier.is_valid(body=raw.decode("utf-8"), timestamp=timestamp, signature=signature)
    except UnicodeDecodeError:  # not text, so not Slack's; still tell a signed sender (400) from anyone (401)
        digest = hmac.new(verifier.signing_secret.encode(), b"v0:%s:%s" % (timestamp.encode(), raw), hashlib.sha256)
        fresh = abs(verifier.clock.now() - int(timestamp)) <= 300
        valid = fresh and hmac.compare_digest(f"v0={digest.hexdigest()}", signature)
    if not valid:
        raise Refused(401, "bad signature or stale timestamp")


def parse(raw: bytes, content_type: str | None) -> SignedRequest:
    """The body as Slack meant it: a JSON object, a form, or a form whose `payload` is a JSON object."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    if not text:
        return SignedRequest(text, {})
    media = (content_type or "").split(";")[0].strip().lower()
    if media == "application/json" or text.lstrip().startswith("{"):
        body = _json_object(text, "JSON body")
    else:
        form = dict(parse_qsl(text, keep_blank_values=True))
        if not form:
            raise Refused(400, "form body has no fields")
        body = _json_object(form["payload"], "payload") if "payload" in form else form
    body = clean(body)
    _check_actor(body)
    return SignedRequest(text, body)


def clean(value: Any) -> Any:
    """Strip NUL bytes and lone surrogates from every string, at any depth (no table can store them)."""
    if isinstance(value, str):
        return _UNSAFE_TEXT.sub("", value) if _UNSAFE_TEXT.search(value) else value
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise Refused(400, f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Refused(400, f"{what} is not a JSON object")
    return value


def _check_actor(body: dict[str, Any]) -> None:
    """The acting user of a command or interaction must have the shape of a Slack user ID."""
    if "command" in body:
        actor = body.get("user_id")
    elif isinstance(body.get("user"), dict):
        actor = body["user"].get("id")
    else:
        return
    if not isinstance(actor, str) or not USER_ID_RE.match(actor):
        raise Refused(400, "acting user is not a Slack user ID")


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    value = headers.get(name)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return value if isinstance(value, str) else None
