"""The README and .env.example stay true: every setting is documented in both."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_readme_and_env_example():
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in readme, f"{name.upper()} missing from the README table"
        assert f"{name.upper()}=" in example, f"{name.upper()} missing from .env.example"


MANIFESTS = ("manifest.http.yml", "manifest.socket.yml")


@pytest.mark.parametrize("name", MANIFESTS)
def test_manifest_declares_every_slash_command_the_app_handles(name):
    import re

    manifest = (ROOT / name).read_text()
    declared = set(re.findall(r"- command: (/\w+)", manifest))
    handled = set()
    for path in (ROOT / "bot" / "handlers").glob("*.py"):
        handled |= set(re.findall(r'\.command\("(/\w+)"\)', path.read_text()))
    assert handled and handled == declared


def test_one_manifest_per_mode_matching_how_opsbot_is_served():
    """The Procfile serves HTTP: manifest.http.yml has request URLs and Socket Mode off; manifest.socket.yml the opposite."""
    http, socket = ((ROOT / n).read_text() for n in MANIFESTS)
    assert "socket_mode_enabled: false" in http and http.count("url: https://opsbot.example.com/slack/events") >= 3
    assert "socket_mode_enabled: true" in socket and "example.com" not in socket
    assert "opsbot run --http" in (ROOT / "Procfile").read_text()
    assert not (ROOT / "manifest.yml").exists()
    readme = (ROOT / "README.md").read_text()
    assert all(n in readme for n in MANIFESTS)


@pytest.mark.parametrize("name", MANIFESTS)
def test_manifest_scopes_and_events_match_what_opsbot_uses(name):
    import re

    from slack_stub import DEFAULT_SCOPES

    manifest = (ROOT / name).read_text()
    scopes = re.search(r"    bot:\n((?:      - .*\n)+)", manifest).group(1)
    assert {line.split()[1] for line in scopes.splitlines()} == set(DEFAULT_SCOPES)
    for event in ("app_home_opened", "file_shared", "message.im"):
        assert f"- {event}" in manifest
