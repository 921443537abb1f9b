"""A local stand-in for the Slack Web API, for end-to-end tests.

Point a real ``slack_sdk.WebClient(base_url=stub.base_url)`` (or a Bolt ``App``'s
client) at it. Every request is recorded as a :class:`Call`; anything Slack
itself would refuse (unknown or retired methods, bad tokens, invalid Block Kit)
is answered with Slack's error and recorded in ``stub.violations`` so a test
can assert ``stub.violations == []``.

Usage::

    with SlackStub() as stub:
        client = WebClient(token="xoxb-test", base_url=stub.base_url)
        client.chat_postMessage(channel="C0OPS", text="hi")
        (call,) = stub.calls_to("chat.postMessage")
        assert stub.violations == []
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

#: Every Web API method name (copied from the project's shared Slack reference data; see the file's header).
METHODS_FILE = Path(__file__).resolve().parent / "data" / "slack_web_api_methods.txt"

#: Methods Slack has retired even though they still appear in the method list.
RETIRED_METHODS = frozenset({"files.upload"})
MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"})
VIEW_METHODS = frozenset({"views.open", "views.push", "views.update", "views.publish"})
#: Parameters that carry JSON inside a form body (or as a string inside a JSON body).
JSON_PARAMS = frozenset({"blocks", "view", "attachments", "metadata", "files"})

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000

#: The scopes auth.test reports (header X-OAuth-Scopes): the manifest's, unless a test sets ``stub.scopes``.
DEFAULT_SCOPES = ("commands", "chat:write", "im:write", "users:read", "users:read.email", "files:write", "files:read",
                  "channels:join", "im:history")

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"
TEAM_NAME = "Studio"
APP_ID = "A0OPSBOT"


@dataclass
class Call:
    """One request the stub received.

    ``headers`` keys are lower-cased. ``status``/``error`` describe the stub's answer.
    """

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    time: float
    status: int = 200
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the stub answered ``{"ok": true}``."""
        return self.status == 200 and self.error is None


@dataclass
class _Fault:
    error: str
    status: int
    retry_after: int | None
    remaining: int


@dataclass
class _Reply:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


def load_method_names(path: Path = METHODS_FILE) -> frozenset[str]:
    """The known Web API method names. A missing list is an error: without it no unknown method would be refused."""
    if not path.is_file():
        raise FileNotFoundError(f"Slack Web API method list {path} is missing; the stub cannot check method names")
    lines = (line.strip() for line in path.read_text().splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _dropped_keys(given: Any, rendered: Any, where: str) -> list[str]:
    """Keys present in ``given`` that slack_sdk's model did not keep (i.e. unknown to Block Kit)."""
    out: list[str] = []
    if isinstance(given, dict) and isinstance(rendered, dict):
        for key, value in given.items():
            if value is None:
                continue
            if key not in rendered:
                out.append(f"{where}/{key}")
            else:
                out.extend(_dropped_keys(value, rendered[key], f"{where}/{key}"))
    elif isinstance(given, list) and isinstance(rendered, list) and len(given) == len(rendered):
        for i, (g, r) in enumerate(zip(given, rendered)):
            out.extend(_dropped_keys(g, r, f"{where}/{i}"))
    return out


def block_problems(blocks: Any, limit: int, *, strict_keys: bool = True) -> list[str]:
    """Return reasons why ``blocks`` is not a valid Block Kit list (empty list if valid)."""
    if not isinstance(blocks, list):
        return [f"blocks must be a JSON array, got {type(blocks).__name__}"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks, at most {limit} allowed")
    for i, raw in enumerate(blocks):
        if not isinstance(raw, dict):
            problems.append(f"block[{i}] is not an object")
            continue
        kind = raw.get("type")
        try:
            parsed = Block.parse(raw)
            if parsed is None or type(parsed) is Block:
                problems.append(f"block[{i}]: unknown block type {kind!r}")
                continue
            parsed.validate_json()
            rendered = parsed.to_dict()  # validates nested elements too
        except Exception as exc:  # noqa: BLE001 - any model error is a payload error
            problems.append(f"block[{i}] ({kind}): {type(exc).__name__}: {exc}")
            continue
        if strict_keys:
            for key in _dropped_keys(raw, rendered, f"block[{i}]"):
                problems.append(f"{key}: unknown property for a {kind} block")
    return problems


def view_problems(view: Any, *, strict_keys: bool = True) -> list[str]:
    """Return reasons why ``view`` is not a valid modal/Home tab view (empty list if valid)."""
    if not isinstance(view, dict):
        return [f"view must be a JSON object, got {type(view).__name__}"]
    blocks = view.get("blocks")
    problems = block_problems(blocks if blocks is not None else [], MAX_VIEW_BLOCKS, strict_keys=strict_keys)
    try:
        View(**view).validate_json()
    except Exception as exc:  # noqa: BLE001
        problems.append(f"view: {type(exc).__name__}: {exc}")
    if strict_keys:
        unknown = sorted(set(view) - View.attributes - {"submit_disabled"})
        problems.extend(f"view/{key}: unknown view property" for key in unknown)
    if view.get("type") == "modal":
        if not view.get("title"):
            problems.append("view: a modal needs a title")
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks or [])
        if has_input and not view.get("submit"):
            problems.append("view: a modal with input blocks needs a submit button")
    return problems


class SlackStub:
    """A threaded local HTTP server that imitates the Slack Web API."""

    def __init__(self, *, strict_keys: bool = True, methods_file: Path = METHODS_FILE, validate: bool = True) -> None:
        self.strict_keys = strict_keys
        self.validate = validate  # benchmarks turn Block Kit validation off: Slack's servers are not on our CPU
        self.known_methods = load_method_names(methods_file)
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.missing_users: set[str] = set()
        #: channel_id -> conversations.info fields (is_member, is_private, is_archived, name) overriding the defaults.
        self.channels: dict[str, dict[str, Any]] = {}
        #: Channel IDs conversations.info and conversations.join answer channel_not_found for.
        self.missing_channels: set[str] = set()
        #: Bot tokens Slack no longer accepts (answered invalid_auth like any non-xoxb token).
        self.revoked_tokens: set[str] = set()
        self.scopes: tuple[str, ...] = DEFAULT_SCOPES
        self.uploads: dict[str, bytes] = {}
        self.down = False
        self._faults: dict[str, list[_Fault]] = {}
        self._reactions: set[tuple[str, str, str]] = set()
        self._issued_files: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}  # file_id -> files.info object (see add_file)
        self.file_contents: dict[str, bytes] = {}
        #: When set, GET /download/<id> insists on exactly this bot token (else any xoxb- token).
        self.bot_token: str | None = None
        self._lock = threading.RLock()
        self._seq = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self, port: int = 0) -> SlackStub:
        """Start serving on 127.0.0.1 on ``port`` (default: a free one)."""
        if self._server is not None:
            return self
        stub = self

        class Handler(_Handler):
            owner = stub

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-stub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the server and its thread."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> SlackStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT/``."""
        if self._server is None:
            raise RuntimeError("SlackStub is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def base_url(self) -> str:
        """The ``base_url`` for ``WebClient``: ``http://127.0.0.1:PORT/api/``."""
        return self.root_url + "api/"

    # ------------------------------------------------------------------ test helpers
    def calls_to(self, method: str) -> list[Call]:
        """All recorded calls to ``method`` (e.g. ``"chat.postMessage"`` or ``"upload"``)."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        """Forget recorded calls, violations and pending faults (keeps users/channels)."""
        with self._lock:
            self.calls.clear()
            self.violations.clear()
            self._faults.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until at least ``count`` calls to ``method`` were seen; return them.

        Raises AssertionError listing every call seen when ``timeout`` passes first.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                with self._lock:
                    seen = "\n".join(f"  {c.method} {c.status} {c.error or 'ok'} {c.params!r:.200}" for c in self.calls)
                raise AssertionError(
                    f"expected {count} call(s) to {method} within {timeout}s, got {len(found)}; calls seen:\n"
                    + (seen or "  (none)")
                )
            time.sleep(0.01)

    def fail_next(
        self,
        method: str,
        error: str = "ratelimited",
        status: int = 429,
        retry_after: int | None = 1,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail.

        ``status=429`` answers with ``Retry-After``; ``status=200`` answers ``{"ok": false, "error": error}``;
        5xx answers that status.
        """
        with self._lock:
            self._faults.setdefault(method, []).append(_Fault(error, status, retry_after, times))

    def add_file(
        self,
        file_id: str,
        name: str,
        content: bytes,
        filetype: str,
        *,
        user: str = "",
        size: int | None = None,
        url: str | None = None,
        shares: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Register a file someone shared: ``files.info`` describes it and ``GET /download/<file_id>`` serves it.

        ``size`` overrides the reported size, ``url`` the ``url_private_download`` (to point it elsewhere),
        ``shares`` is files.info's ``shares`` object (``{"public": {channel: [{"ts": ...}]}}``).
        """
        info: dict[str, Any] = {
            "id": file_id,
            "name": name,
            "title": name,
            "filetype": filetype,
            "size": len(content) if size is None else size,
            "user": user,
            "url_private": url or f"{self.root_url}download/{file_id}",
            "url_private_download": url or f"{self.root_url}download/{file_id}",
            "shares": shares or {},
        }
        with self._lock:
            self.files[file_id] = info
            self.file_contents[file_id] = content
        return info

    def handle_download(self, file_id: str, headers: dict[str, str]) -> tuple[int, bytes]:
        """Serve a registered file's bytes to the bot token; recorded as method ``"download"``."""
        call = Call("download", {"file_id": file_id}, headers, time.time())
        auth = headers.get("authorization", "")
        good = auth == f"Bearer {self.bot_token}" if self.bot_token else auth.startswith("Bearer xoxb-")
        with self._lock:
            data = self.file_contents.get(file_id)
        if not good:
            self._violation("download", f"Authorization header was {auth!r}, not the bot token")
            call.status, call.error = 403, "forbidden"
        elif data is None:
            call.status, call.error = 404, "file_not_found"
        self._record(call)
        return call.status, data if call.ok and data is not None else call.error.encode()  # type: ignore[union-attr]

    # ------------------------------------------------------------------ request handling
    def _violation(self, method: str, reason: str) -> None:
        with self._lock:
            self.violations.append(f"{method}: {reason}")

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _take_fault(self, method: str) -> _Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.pop(0)
            return fault

    def _next_ts(self) -> str:
        n = next(self._seq)
        return f"{1_700_000_000 + n // 10_000}.{(n % 10_000) * 100:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._seq):08d}"

    def handle_api(self, method: str, params: dict[str, Any], headers: dict[str, str]) -> _Reply:
        """Answer one Web API call (also records it)."""
        call = Call(method=method, params=params, headers=headers, time=time.time())
        reply = self._answer(method, params, headers)
        if isinstance(reply.body, dict):
            call.error = None if reply.body.get("ok") else str(reply.body.get("error"))
        else:
            call.error = f"http_{reply.status}"
        call.status = reply.status
        self._record(call)
        return reply

    def _answer(self, method: str, params: dict[str, Any], headers: dict[str, str]) -> _Reply:
        if self.down:
            return _Reply(503, {"ok": False, "error": "service_unavailable"})
        if method not in self.known_methods:
            self._violation(method, "unknown Web API method")
            return _Reply(404, {"ok": False, "error": "unknown_method"})
        if method in RETIRED_METHODS:
            self._violation(method, "retired by Slack (November 2025); use files_upload_v2")
            return _Reply(200, {"ok": False, "error": "method_deprecated"})
        auth_error = self._app_token_error(headers) if method == "apps.connections.open" else self._auth_error(headers, params)
        if not auth_error and self._token_of(headers, params) in self.revoked_tokens:
            auth_error = "invalid_auth"
        if auth_error:
            self._violation(method, f"{auth_error}: Authorization header was {headers.get('authorization')!r}")
            return _Reply(200, {"ok": False, "error": auth_error})
        fault = self._take_fault(method)
        if fault is not None:
            extra = {"Retry-After": str(fault.retry_after)} if fault.status == 429 and fault.retry_after is not None else {}
            return _Reply(fault.status, {"ok": False, "error": fault.error}, extra)
        problems, error = self._payload_problems(method, params) if self.validate else ([], "")
        if problems:
            for p in problems:
                self._violation(method, p)
            return _Reply(200, {"ok": False, "error": error, "response_metadata": {"messages": problems}})
        handler: Callable[[dict[str, Any]], dict[str, Any]] | None = self._handlers().get(method)
        body = handler(params) if handler else {"ok": True}
        extra = {"X-OAuth-Scopes": ",".join(self.scopes)} if method == "auth.test" else {}
        return _Reply(200, body, extra)

    @staticmethod
    def _token_of(headers: dict[str, str], params: dict[str, Any]) -> str | None:
        auth = headers.get("authorization", "")
        if auth.startswith("Bearer "):
            return auth[len("Bearer "):]
        return params.get("token") if isinstance(params.get("token"), str) else None

    @staticmethod
    def _auth_error(headers: dict[str, str], params: dict[str, Any]) -> str | None:
        auth = headers.get("authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
        if token is None:
            token = params.get("token") if isinstance(params.get("token"), str) else None
        if not token:
            return "not_authed"
        if not token.startswith("xoxb-"):
            return "invalid_auth"
        return None

    @staticmethod
    def _app_token_error(headers: dict[str, str]) -> str | None:
        """apps.connections.open takes the app-level token (xapp-...), not the bot token."""
        auth = headers.get("authorization", "")
        return None if auth.startswith("Bearer xapp-") else "invalid_auth"

    def _payload_problems(self, method: str, params: dict[str, Any]) -> tuple[list[str], str]:
        if params.get("__invalid_json__"):
            return [f"invalid JSON in {', '.join(params['__invalid_json__'])}"], "invalid_blocks_format"
        if method in MESSAGE_METHODS:
            required = {"chat.update": ("channel", "ts"), "chat.postEphemeral": ("channel", "user")}
            required_sc = {"chat.scheduleMessage": ("channel", "post_at")}
            missing = [k for k in required.get(method, required_sc.get(method, ("channel",))) if not params.get(k)]
            if missing:
                return [f"missing required argument(s): {', '.join(missing)}"], "invalid_arguments"
            if method != "chat.update" and not any(params.get(k) for k in ("text", "blocks", "attachments")):
                return ["no text, blocks or attachments"], "no_text"
            problems = []
            text = params.get("text")
            if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
                problems.append(f"text is {len(text)} characters, at most {MAX_MESSAGE_TEXT} allowed")
                return problems, "msg_too_long"
            if params.get("blocks") is not None:
                problems += block_problems(params["blocks"], MAX_MESSAGE_BLOCKS, strict_keys=self.strict_keys)
            for i, att in enumerate(params.get("attachments") or []):
                if isinstance(att, dict) and att.get("blocks") is not None:
                    sub = block_problems(att["blocks"], MAX_MESSAGE_BLOCKS, strict_keys=self.strict_keys)
                    problems += [f"attachments[{i}].{p}" for p in sub]
            return problems, "invalid_blocks"
        if method in VIEW_METHODS:
            required = {
                "views.open": ("trigger_id", "view"),
                "views.push": ("trigger_id", "view"),
                "views.publish": ("user_id", "view"),
                "views.update": ("view",),
            }[method]
            missing = [k for k in required if not params.get(k)]
            if method == "views.update" and not (params.get("view_id") or params.get("external_id")):
                missing.append("view_id or external_id")
            if missing:
                return [f"missing required argument(s): {', '.join(missing)}"], "invalid_arguments"
            view = params["view"]
            if method == "views.publish" and isinstance(view, dict) and view.get("type") != "home":
                return [f"views.publish needs a home view, got {view.get('type')!r}"], "invalid_arguments"
            return view_problems(view, strict_keys=self.strict_keys), "invalid_blocks"
        return [], "ok"

    # ------------------------------------------------------------------ method answers
    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "chat.postMessage": self._post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": lambda p: {"ok": True, "message_ts": self._next_ts()},
            "chat.delete": lambda p: {"ok": True, "channel": p.get("channel"), "ts": p.get("ts")},
            "chat.scheduleMessage": self._schedule_message,
            "views.open": self._view,
            "views.push": self._view,
            "views.update": self._view,
            "views.publish": self._view,
            "reactions.add": self._reactions_add,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "files.info": self._files_info,
        }

    def _files_info(self, p: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            info = self.files.get(str(p.get("file", "")))
        return {"ok": True, "file": dict(info)} if info is not None else {"ok": False, "error": "file_not_found"}

    def _auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://studio.slack.com/",
            "team": TEAM_NAME,
            "user": "opsbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        uid = str(p.get("user", ""))
        if not uid or uid in self.missing_users:
            return {"ok": False, "error": "user_not_found"}
        info = {
            "real_name": f"User {uid}",
            "display_name": uid.lower(),
            "email": f"{uid.lower()}@example.com",
            "tz": "America/Los_Angeles",
            **self.users.get(uid, {}),
        }
        tz = info["tz"]
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
        profile = {
            "real_name": info["real_name"],
            "real_name_normalized": info["real_name"],
            "display_name": info["display_name"],
            "display_name_normalized": info["display_name"],
            "email": info["email"],
            "team": TEAM_ID,
        }
        return {
            "ok": True,
            "user": {
                "id": uid,
                "team_id": TEAM_ID,
                "name": info["display_name"] or uid.lower(),
                "deleted": bool(info.get("deleted", False)),
                "real_name": info["real_name"],
                "tz": tz,
                "tz_label": tz,
                "tz_offset": int(offset.total_seconds()) if offset else 0,
                "is_bot": bool(info.get("is_bot", False)),
                "is_admin": bool(info.get("is_admin", False)),
                "profile": profile,
            },
        }

    def _conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("channel"):
            return {"ok": True, "channel": {"id": p["channel"]}}
        users = [u for u in str(p.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        cid = "D" + users[0] if len(users) == 1 else "G" + "".join(u[-3:] for u in users)
        return {"ok": True, "channel": {"id": cid}}

    def _conversations_join(self, p: dict[str, Any]) -> dict[str, Any]:
        """Joins a public channel; private channels and DMs need an /invite (as in Slack)."""
        info = self._conversations_info(p)
        if not info.get("ok"):
            return info
        channel = info["channel"]
        if channel["is_private"] or not channel["is_channel"]:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        if channel["is_archived"]:
            return {"ok": False, "error": "is_archived"}
        with self._lock:
            self.channels.setdefault(channel["id"], {})["is_member"] = True
        return {"ok": True, "channel": {**channel, "is_member": True}}

    def _conversations_info(self, p: dict[str, Any]) -> dict[str, Any]:
        cid = str(p.get("channel", ""))
        if not cid or cid in self.missing_channels:
            return {"ok": False, "error": "channel_not_found"}
        base = {
            "id": cid,
            "name": cid.lower(),
            "is_channel": cid.startswith("C"),
            "is_im": cid.startswith("D"),
            "is_private": not cid.startswith("C"),
            "is_member": True,
            "is_archived": False,
        }
        return {"ok": True, "channel": {**base, **self.channels.get(cid, {})}}

    @staticmethod
    def _channel_of(p: dict[str, Any]) -> str:
        ch = str(p.get("channel", ""))
        return "D" + ch if ch[:1] in ("U", "W") else ch

    def _message(self, p: dict[str, Any], ts: str) -> dict[str, Any]:
        msg: dict[str, Any] = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "team": TEAM_ID, "ts": ts}
        for key in ("text", "blocks", "attachments", "thread_ts", "metadata"):
            if p.get(key) is not None:
                msg[key] = p[key]
        return msg

    def _post_message(self, p: dict[str, Any]) -> dict[str, Any]:
        ts = self._next_ts()
        return {"ok": True, "channel": self._channel_of(p), "ts": ts, "message": self._message(p, ts)}

    def _chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        ts = str(p["ts"])
        return {"ok": True, "channel": p["channel"], "ts": ts, "text": p.get("text", ""), "message": self._message(p, ts)}

    def _schedule_message(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "channel": self._channel_of(p),
            "scheduled_message_id": self._next_id("Q"),
            "post_at": p.get("post_at"),
            "message": self._message(p, ""),
        }

    def _view(self, p: dict[str, Any]) -> dict[str, Any]:
        view = dict(p["view"])
        vid = str(p.get("view_id") or self._next_id("V"))
        view.update(
            {
                "id": vid,
                "team_id": TEAM_ID,
                "app_id": APP_ID,
                "bot_id": BOT_ID,
                "hash": f"{int(time.time())}.{next(self._seq):08x}",
                "state": {"values": {}},
                "root_view_id": vid,
                "previous_view_id": None,
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "external_id": view.get("external_id") or p.get("external_id") or "",
            }
        )
        return {"ok": True, "view": view}

    def _reactions_add(self, p: dict[str, Any]) -> dict[str, Any]:
        key = (str(p.get("channel")), str(p.get("timestamp")), str(p.get("name")))
        with self._lock:
            if key in self._reactions:
                return {"ok": False, "error": "already_reacted"}
            self._reactions.add(key)
        return {"ok": True}

    def _get_upload_url(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("filename") or not p.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        fid = self._next_id("F")
        with self._lock:
            self._issued_files[fid] = {"filename": p["filename"], "length": int(p["length"])}
        return {"ok": True, "upload_url": f"{self.root_url}upload/{fid}", "file_id": fid}

    def _complete_upload(self, p: dict[str, Any]) -> dict[str, Any]:
        files = p.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        out = []
        for f in files:
            fid = f.get("id") if isinstance(f, dict) else None
            with self._lock:
                issued = self._issued_files.get(str(fid))
                data = self.uploads.get(str(fid))
            if issued is None or data is None:
                self._violation("files.completeUploadExternal", f"file {fid!r} was never issued/uploaded")
                return {"ok": False, "error": "file_not_found"}
            out.append(
                {
                    "id": fid,
                    "name": issued["filename"],
                    "title": f.get("title") or issued["filename"],
                    "size": len(data),
                    "user": BOT_USER_ID,
                    "permalink": f"https://studio.slack.com/files/{BOT_USER_ID}/{fid}/{issued['filename']}",
                }
            )
        return {"ok": True, "files": out}

    def response_url(self, name: str = "r") -> str:
        """A response_url that points back here, so `respond()` calls are recorded as method 'response_url'."""
        return f"{self.root_url}response/{name}"

    def handle_response_url(self, name: str, data: bytes, headers: dict[str, str]) -> _Reply:
        """Record a POST to a response_url and validate its blocks like a message."""
        try:
            params = json.loads(data.decode() or "{}")
        except ValueError as exc:
            self._violation("response_url", f"undecodable body: {exc}")
            return _Reply(400, "invalid_payload")
        problems = block_problems(params.get("blocks") or [], 50, strict_keys=self.strict_keys) if params.get("blocks") else []
        for problem in problems:
            self._violation("response_url", problem)
        self._record(Call("response_url", {"name": name, **params}, headers, time.time()))
        return _Reply(200 if not problems else 400, "ok" if not problems else "invalid_blocks")

    def handle_upload(self, file_id: str, data: bytes, headers: dict[str, str]) -> _Reply:
        """Accept the raw bytes POSTed to an ``upload_url``; recorded as method ``"upload"``."""
        call = Call("upload", {"file_id": file_id, "length": len(data), "content": data}, headers, time.time())
        with self._lock:
            issued = self._issued_files.get(file_id)
        if issued is None:
            self._violation("upload", f"upload to unknown file id {file_id!r}")
            call.status, call.error = 404, "file_not_found"
            self._record(call)
            return _Reply(404, "file not found")
        if issued["length"] != len(data):
            self._violation("upload", f"{file_id}: announced length {issued['length']} but got {len(data)} bytes")
        with self._lock:
            self.uploads[file_id] = data
        self._record(call)
        return _Reply(200, f"OK - {len(data)}")


def _decode_params(raw: bytes, content_type: str, query: str) -> dict[str, Any]:
    """Decode a Web API request body (form, JSON or multipart) into a dict."""
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/json":
        body = json.loads(raw or b"{}")
        if isinstance(body, dict):
            params.update(body)
    elif ctype == "multipart/form-data":
        msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if name:
                params[str(name)] = payload if part.get_filename() else payload.decode("utf-8", "replace")
    elif raw:
        form = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
        params.update({k: v[-1] for k, v in form.items()})
    bad: list[str] = []
    for key in JSON_PARAMS & params.keys():
        if isinstance(params[key], str) and params[key]:
            try:
                params[key] = json.loads(params[key])
            except json.JSONDecodeError:
                bad.append(key)
    if bad:
        params["__invalid_json__"] = bad
    return params


class _Handler(BaseHTTPRequestHandler):
    owner: SlackStub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence request logging
        pass

    def _headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers.items()}

    def _send(self, reply: _Reply) -> None:
        if isinstance(reply.body, dict):
            data = json.dumps(reply.body).encode()
            ctype = "application/json; charset=utf-8"
        else:
            data = reply.body.encode()
            ctype = "text/plain; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        headers = self._headers()
        if len(parts) == 2 and parts[0] == "api":
            try:
                params = _decode_params(raw, headers.get("content-type", ""), url.query)
            except (ValueError, UnicodeDecodeError) as exc:
                self.owner._violation(parts[1], f"undecodable body: {exc}")
                self._send(_Reply(400, {"ok": False, "error": "invalid_form_data"}))
                return
            self._send(self.owner.handle_api(parts[1], params, headers))
        elif len(parts) >= 2 and parts[0] == "response":
            self._send(self.owner.handle_response_url("/".join(parts[1:]), raw, headers))
        elif len(parts) == 2 and parts[0] == "download" and self.command == "GET":
            status, data = self.owner.handle_download(parts[1], headers)
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream" if status == 200 else "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif parts == ["_stub", "calls"] and self.command == "GET":
            # For a standalone stub (``python tests/slack_stub.py``): what it saw, for a smoke script to check.
            with self.owner._lock:
                seen = {"calls": [{"method": c.method, "ok": c.ok, "error": c.error} for c in self.owner.calls],
                        "violations": list(self.owner.violations)}
            self._send(_Reply(200, seen))
        elif len(parts) == 2 and parts[0] == "upload":
            if self.owner.down:
                self._send(_Reply(503, "Service Unavailable"))
                return
            self._send(self.owner.handle_upload(parts[1], raw, headers))
        else:
            self._send(_Reply(404, "not found"))

    do_POST = _handle
    do_GET = _handle

