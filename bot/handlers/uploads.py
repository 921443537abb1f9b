"""A spreadsheet DMed to the bot (or shared in a channel it is in) is imported: the calendar or a LIVE metrics export.

Events API `file_shared`: ack at once, then files.info, download, and the same all-or-nothing import as the CLI.
Each file is handled once (key file:<id> in processed_requests), whatever Slack retries or repeats.
In channels the bot stays quiet about files that aren't for it (other people's, or not spreadsheets);
in a DM it always says why it won't import something.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from slack_bolt import App
from sqlalchemy.orm import Session

from bot import clock, slack_files
from bot.blocks.uploads import refusal_message, report_message
from bot.blocks.common import escape
from bot.handlers.common import OOPS, tell
from bot.runtime import Runtime
from bot.services import audit, outbox, people, uploads, workbooks
from bot.services.metrics import store as metrics
from bot.services.errors import Invalid, OpsError
from bot.services.schedule.rules import Rules

log = logging.getLogger("opsbot.uploads")

Reply = tuple[str, list[dict[str, Any]]]


def _share_ts(info: dict[str, Any], channel_id: str) -> str | None:
    """The ts of the message that shared the file in `channel_id` (files.info `shares`), to answer in its thread."""
    for scope in ("public", "private"):
        for share in (info.get("shares") or {}).get(scope, {}).get(channel_id, []):
            if share.get("ts"):
                return str(share["ts"])
    return None


class _Upload:
    def __init__(self, rt: Runtime, event: dict[str, Any]) -> None:
        self.rt = rt
        self.file_id = str(event.get("file_id") or (event.get("file") or {}).get("id") or "")
        self.user_id = str(event.get("user_id") or "")
        self.channel_id = str(event.get("channel_id") or "")
        self.in_dm = not self.channel_id or self.channel_id.startswith("D")
        self.thread_ts: str | None = None

    def finish(self, make_reply: Callable[[Session], Reply]) -> None:
        """Claim the file and answer, in one transaction; a second delivery of the same file stops here."""
        with self.rt.db.transaction() as s:
            if not uploads.claim(s, self.file_id, clock.now()):
                return
            text, blocks = make_reply(s)
            key = f"file-reply:{self.file_id}"
            if self.in_dm:
                outbox.dm(s, self.user_id, text, blocks, key=key)
            else:
                outbox.post(s, self.channel_id, text, blocks, key=key, thread_ts=self.thread_ts)
        self.rt.after_change(self.user_id)

    def refuse(self, message: str) -> None:
        self.finish(lambda _s: refusal_message(message))

    def run(self) -> None:
        with self.rt.db.read() as s:
            if uploads.seen(s, self.file_id):
                return
            allowed = uploads.may_import(people.get(s, self.user_id))
        if not allowed:
            if self.in_dm:
                self.refuse(uploads.NOT_ASSOCIATE)
            return
        info = self.rt.client.files_info(file=self.file_id)["file"]
        name = str(info.get("name") or self.file_id)
        self.thread_ts = None if self.in_dm else _share_ts(info, self.channel_id)
        if not self.in_dm and not uploads.is_spreadsheet(name, info.get("filetype")):
            return  # in a channel, a PDF or a photo is simply not for opsbot
        try:
            local_name = uploads.check_file(name, info.get("filetype"), info.get("size"))
        except Invalid as exc:
            self.refuse(exc.message)
            return
        self._say_importing(name)
        try:
            data = slack_files.download(info.get("url_private_download"), token=self.rt.settings.slack_bot_token or "",
                                        api_url=self.rt.settings.slack_api_url, max_bytes=uploads.MAX_BYTES)
        except Invalid as exc:
            self.refuse(exc.message)
            return
        with tempfile.TemporaryDirectory(prefix="opsbot-upload-") as tmp:
            path = Path(tmp) / local_name
            path.write_bytes(data)
            self.finish(lambda s: self._import(s, path, name))

    def _say_importing(self, name: str) -> None:
        """In a DM, a note before the download and import (they take a while); ephemeral: it is progress, not a record."""
        if not self.in_dm or not self.channel_id:
            return
        try:
            self.rt.client.chat_postEphemeral(channel=self.channel_id, user=self.user_id,
                                              text=f"Importing {escape(name)}... the report follows here.")
        except Exception as exc:  # the report itself goes through the outbox and arrives anyway
            log.info("could not say 'importing' to %s: %s", self.user_id, type(exc).__name__)

    def _import(self, s: Session, path: Path, name: str) -> Reply:
        """The import runs in a savepoint: a refusal undoes it, while the claim and the answer still commit."""
        actor = people.get(s, self.user_id)
        assert actor is not None
        try:
            with s.begin_nested():
                outcome = uploads.import_file(s, actor, path, rules=Rules.from_settings(self.rt.settings),
                                              tolerance=metrics.match_tolerance(self.rt.settings), now=clock.now(),
                                              file_name=name, limits=workbooks.Limits.from_mb(
                                                  self.rt.settings.max_upload_uncompressed_mb))
        except OpsError as exc:
            return refusal_message(exc.message)
        audit.record(s, actor=self.user_id, action="file.imported" if outcome.ok else "file.rejected",
                     entity_type="slack_file", entity_id=self.file_id,
                     after={"name": name, "kind": outcome.kind, "ok": outcome.ok, "report": outcome.lines[:1]})
        return report_message(name, outcome)


def register(app: App, rt: Runtime) -> None:
    @app.event("file_shared")
    def file_shared(ack: Any, body: dict, client: Any, context: Any) -> None:
        ack()
        event = body.get("event") or {}
        upload = _Upload(rt, event)
        if not upload.file_id or not upload.user_id or upload.user_id == context.get("bot_user_id"):
            return  # the bot's own uploads (scorecard files) are not imports
        try:
            upload.run()
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("file %s from %s failed (ref %s)", upload.file_id, upload.user_id, ref)
            if upload.in_dm:
                tell({"user_id": upload.user_id}, client, None, OOPS.format(ref=ref))
