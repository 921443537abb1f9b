"""The README and .env.example stay true: every setting is documented in both."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_readme_and_env_example():
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in readme, f"{name.upper()} missing from the README table"
        assert f"{name.upper()}=" in example, f"{name.upper()} missing from .env.example"


def test_manifest_declares_every_slash_command_the_app_handles():
    import re

    manifest = (ROOT / "manifest.yml").read_text()
    declared = set(re.findall(r"- command: (/\w+)", manifest))
    handled = set()
    for path in (ROOT / "bot" / "handlers").glob("*.py"):
        handled |= set(re.findall(r'\.command\("(/\w+)"\)', path.read_text()))
    assert handled and handled == declared
