"""The Slack Web API stand-in and the request signer behave like Slack."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

try:  # works whether or not tests/ is a package
    from tests.slack_signing import (
        SlackClient,
        block_action_body,
        command_body,
        event_body,
        sign,
        url_verification_body,
        view_submission_body,
    )
    from tests.slack_stub import SlackStub
except ModuleNotFoundError:
    from slack_signing import (  # type: ignore[no-redef]
        SlackClient,
        block_action_body,
        command_body,
        event_body,
        sign,
        url_verification_body,
        view_submission_body,
    )
    from slack_stub import SlackStub  # type: ignore[no-redef]

SECRET = "test-signing-secret"


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    with SlackStub() as s:
        yield s


@pytest.fixture
def client(stub: SlackStub) -> WebClient:
    return WebClient(token="xoxb-test", base_url=stub.base_url)


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str, action_id: str = "go", value: str = "1") -> dict:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id, "value": value}


def test_post_message_is_recorded_with_decoded_blocks(stub: SlackStub, client: WebClient) -> None:
    blocks = [section("*Shift* started"), {"type": "actions", "elements": [button("Stop")]}]
    r1 = client.chat_postMessage(channel="C0OPS", text="Shift started", blocks=blocks)
    r2 = client.chat_postMessage(channel="U123", text="dm")
    assert r1["ok"] and r1["channel"] == "C0OPS" and r1["message"]["blocks"] == blocks
    assert r2["channel"] == "DU123"
    assert float(r2["ts"]) > float(r1["ts"])
    (call, _) = stub.wait_for("chat.postMessage", count=2)
    assert call.params["blocks"] == blocks and call.params["channel"] == "C0OPS"
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert stub.violations == []


def test_form_encoded_blocks_are_decoded_and_validated(stub: SlackStub, client: WebClient) -> None:
    resp = client.api_call(
        "chat.postMessage", params={"channel": "C0OPS", "text": "x", "blocks": json.dumps([section("hi")])}
    )
    assert resp["ok"]
    assert stub.calls_to("chat.postMessage")[0].params["blocks"] == [section("hi")]


@pytest.mark.parametrize(
    ("blocks", "reason"),
    [
        ([section("x" * 3001)], "3000"),
        ([{"type": "actions", "elements": [button("x" * 76)]}], "75"),
        ([{"type": "fancy_table"}], "unknown block type"),
        ([section("ok")] * 51, "at most 50"),
        ([{**section("ok"), "colour": "red"}], "unknown property"),
    ],
)
def test_invalid_blocks_are_refused(stub: SlackStub, client: WebClient, blocks: list, reason: str) -> None:
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C0OPS", text="x", blocks=blocks)
    assert err.value.response["error"] == "invalid_blocks"
    assert stub.violations and reason in stub.violations[0]


def test_message_text_limit_and_channel_required(stub: SlackStub, client: WebClient) -> None:
    with pytest.raises(SlackApiError, match="msg_too_long"):
        client.chat_postMessage(channel="C0OPS", text="x" * 40_001)
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.api_call("chat.postMessage", json={"text": "no channel"})
    assert len(stub.violations) == 2


def test_unknown_and_retired_methods_are_refused(stub: SlackStub, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("chat.postMesage", json={"channel": "C0OPS", "text": "typo"})
    assert err.value.response.status_code == 404 and err.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError, match="method_deprecated"), pytest.warns(UserWarning):
        client.files_upload(content="a,b\n", filename="report.csv", channels="C0OPS")
    assert [v.split(":")[0] for v in stub.violations] == ["chat.postMesage", "files.upload"]


def test_bad_tokens_are_refused(stub: SlackStub) -> None:
    with pytest.raises(SlackApiError, match="not_authed"):
        WebClient(base_url=stub.base_url).auth_test()
    with pytest.raises(SlackApiError, match="invalid_auth"):
        WebClient(token="xoxp-user", base_url=stub.base_url).auth_test()
    assert len(stub.violations) == 2


def test_plausible_answers(stub: SlackStub, client: WebClient) -> None:
    auth = client.auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == ("UBOT", "BBOT", "T0001")
    stub.users["U1"] = {"real_name": "Ana Host", "email": "ana@studio.test", "tz": "Asia/Ho_Chi_Minh", "display_name": "ana"}
    stub.missing_users.add("U404")
    u1 = client.users_info(user="U1")["user"]
    assert u1["profile"]["email"] == "ana@studio.test" and u1["tz_offset"] == 7 * 3600
    assert client.users_info(user="U2")["user"]["tz"] == "America/Los_Angeles"
    with pytest.raises(SlackApiError, match="user_not_found"):
        client.users_info(user="U404")
    assert client.conversations_open(users="U1")["channel"]["id"] == "DU1"
    eph = client.chat_postEphemeral(channel="C0OPS", user="U1", text="only you")
    assert eph["message_ts"]
    assert client.chat_update(channel="C0OPS", ts="1700000000.000100", text="edited")["ts"] == "1700000000.000100"
    assert client.reactions_add(channel="C0OPS", timestamp="1.2", name="white_check_mark")["ok"]
    with pytest.raises(SlackApiError, match="already_reacted"):
        client.reactions_add(channel="C0OPS", timestamp="1.2", name="white_check_mark")
    assert client.conversations_info(channel="C0OPS")["channel"]["is_channel"]
    assert client.chat_delete(channel="C0OPS", ts="1.2")["ok"]
    assert stub.violations == []


def test_files_upload_v2_end_to_end(stub: SlackStub, client: WebClient) -> None:
    resp = client.files_upload_v2(channel="C0OPS", content="date,gmv\n2025-01-01,100\n", filename="gmv.csv", title="GMV")
    assert resp["file"]["name"] == "gmv.csv" and resp["file"]["title"] == "GMV"
    (upload,) = stub.calls_to("upload")
    assert upload.params["content"] == b"date,gmv\n2025-01-01,100\n" and upload.params["length"] == 24
    (complete,) = stub.calls_to("files.completeUploadExternal")
    assert complete.params["files"][0]["id"] == upload.params["file_id"]
    assert complete.params["channel_id"] == "C0OPS"
    assert stub.violations == []


def test_rate_limit_without_and_with_retry_handler(stub: SlackStub, client: WebClient) -> None:
    stub.fail_next("chat.postMessage", retry_after=0)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C0OPS", text="x")
    assert err.value.response.status_code == 429 and err.value.response["error"] == "ratelimited"
    assert err.value.response.headers["Retry-After"] == "0"

    retrying = WebClient(token="xoxb-test", base_url=stub.base_url, retry_handlers=[RateLimitErrorRetryHandler(2)])
    stub.fail_next("chat.postMessage", retry_after=0, times=2)
    assert retrying.chat_postMessage(channel="C0OPS", text="x")["ok"]
    assert [c.status for c in stub.calls_to("chat.postMessage")] == [429, 429, 429, 200]


def test_other_faults_and_down(stub: SlackStub, client: WebClient) -> None:
    stub.fail_next("users.info", error="fatal_error", status=500)
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U1")
    assert err.value.response.status_code == 500
    stub.fail_next("chat.postMessage", error="channel_not_found", status=200)
    with pytest.raises(SlackApiError, match="channel_not_found"):
        client.chat_postMessage(channel="C0GONE", text="x")
    stub.down = True
    with pytest.raises(SlackApiError) as err:
        client.auth_test()
    assert err.value.response.status_code == 503
    stub.down = False
    assert client.auth_test()["ok"]
    assert stub.violations == []


def test_wait_for_times_out_with_listing(stub: SlackStub, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match=r"auth.test"):
        stub.wait_for("chat.postMessage", timeout=0.05)


def test_views_are_validated(stub: SlackStub, client: WebClient) -> None:
    view = {
        "type": "modal",
        "callback_id": "shift_report",
        "title": {"type": "plain_text", "text": "Shift report"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "gmv",
                "label": {"type": "plain_text", "text": "GMV"},
                "element": {"type": "number_input", "is_decimal_allowed": True, "action_id": "value"},
            }
        ],
    }
    opened = client.views_open(trigger_id="1.2.abc", view=view)["view"]
    assert opened["id"].startswith("V") and opened["hash"]
    client.views_update(view_id=opened["id"], hash=opened["hash"], view=view)
    home = {"type": "home", "blocks": [section("Welcome")]}
    client.views_publish(user_id="U1", view=home)
    assert stub.violations == []

    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.views_open(trigger_id="1.2.abc", view={**view, "title": {"type": "plain_text", "text": "x" * 25}})
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.views_open(trigger_id="1.2.abc", view={**view, "submit": None})
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("x")] * 101})
    assert [v.split(":")[0] for v in stub.violations[:2]] == ["views.open", "views.open"]
    assert all("100" in v for v in stub.violations[2:]) and len(stub.violations) >= 3


def test_signatures_verify() -> None:
    verifier = SignatureVerifier(SECRET)
    for body in (command_body("/shift", "start", "U1"), block_action_body("go", "1", "U1"), event_body({"type": "app_mention"})):
        headers = sign(body, SECRET)
        assert verifier.is_valid_request(body, headers)
    old = sign("x", SECRET, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request("x", old)
    assert not verifier.is_valid_request("x", sign("x", "other-secret"))


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def test_signed_requests_drive_a_real_bolt_app(stub: SlackStub) -> None:
    app = App(token="xoxb-test", signing_secret=SECRET, client=WebClient(token="xoxb-test", base_url=stub.base_url))

    @app.command("/shift")
    def shift(ack, command, client) -> None:  # type: ignore[no-untyped-def]
        ack(f"got {command['text']}")
        client.chat_postMessage(channel=command["channel_id"], text="started", blocks=[section("started")])

    @app.action("stop")
    def stop(ack, body, client) -> None:  # type: ignore[no-untyped-def]
        ack()
        client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"], text="stopped")

    @app.view("report")
    def report(ack, view) -> None:  # type: ignore[no-untyped-def]
        ack(response_action="errors", errors={"gmv": "bad"} if view["state"]["values"]["gmv"]["v"]["value"] == "x" else {})

    @app.event("app_mention")
    def mention(event, say) -> None:  # type: ignore[no-untyped-def]
        say("hi")

    server = make_server("127.0.0.1", 0, SlackRequestHandler(app), handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        slack = SlackClient(f"http://127.0.0.1:{server.server_port}/slack/events", SECRET)
        assert slack.command("/shift", "start", "U1") == (200, "got start")
        stub.wait_for("chat.postMessage")
        assert slack.action("stop", "1", "U1", channel_id="C0OPS")[0] == 200
        assert stub.wait_for("chat.update")[0].params["channel"] == "C0OPS"
        status, body = slack.submit("report", "U1", {"gmv": {"v": {"type": "plain_text_input", "value": "x"}}})
        assert (status, body) == (200, {"response_action": "errors", "errors": {"gmv": "bad"}})
        assert slack.event({"type": "app_mention", "user": "U1", "text": "<@UBOT>", "channel": "C0OPS", "ts": "1.1"})[0] == 200
        assert stub.wait_for("chat.postMessage", count=2)[1].params["text"] == "hi"
        assert slack._parsed(url_verification_body("abc")) == (200, {"challenge": "abc"})
        assert slack.post(command_body("/shift", "x", "U1"), signature="v0=bad")[0] == 401
        assert slack.post(command_body("/shift", "x", "U1"), timestamp=int(time.time()) - 600)[0] == 401
        assert view_submission_body("report", "U1", {}).startswith("payload=")
    finally:
        server.shutdown()
        server.server_close()
    assert stub.violations == []


def test_files_info_and_download_serve_registered_files_to_the_bot_token_only(stub: SlackStub, client: WebClient) -> None:
    import urllib.error
    import urllib.request

    stub.bot_token = "xoxb-test"
    stub.add_file("F1", "plan.xlsx", b"PK\x03\x04 bytes", "xlsx", user="U1")
    info = client.files_info(file="F1")["file"]
    assert (info["name"], info["filetype"], info["size"]) == ("plan.xlsx", "xlsx", 10)
    with pytest.raises(SlackApiError):
        client.files_info(file="F404")

    def get(token: str) -> tuple[int, bytes]:
        req = urllib.request.Request(info["url_private_download"], headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:  # noqa: S310 - local stub
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    assert get("xoxb-test") == (200, b"PK\x03\x04 bytes")
    assert get("xoxb-someone-else")[0] == 403
    assert [(c.params["file_id"], c.status) for c in stub.calls_to("download")] == [("F1", 200), ("F1", 403)]
    assert stub.violations == ["download: Authorization header was 'Bearer xoxb-someone-else', not the bot token"]


def test_method_list_ships_inside_the_repository() -> None:
    """A fresh clone has no ../shared: the list the stub checks methods against lives in tests/data."""
    import slack_stub  # conftest puts tests/ on sys.path

    repo = Path(__file__).resolve().parents[1]
    assert slack_stub.METHODS_FILE.is_relative_to(repo / "tests")
    names = slack_stub.load_method_names()
    assert {"chat.postMessage", "conversations.join", "apps.connections.open"} <= names
    assert not any(n.startswith("#") for n in names)


def test_a_missing_method_list_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="method list"):
        SlackStub(methods_file=tmp_path / "nope.txt")
