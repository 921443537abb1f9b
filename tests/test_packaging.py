"""The package as shipped: a wheel carries its migrations, the pinned requirements match pyproject.toml."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPSBOT_", "DATABASE_URL"))}


def test_every_package_under_bot_is_listed_for_the_wheel():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = set(find_packages(str(ROOT), include=["bot*"]))
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages in pyproject.toml"
    assert {"bot.migrations", "bot.migrations.versions"} <= listed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    [whl] = out.glob("opsbot-*.whl")
    return whl


def test_the_wheel_ships_the_migrations_inside_bot(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/migrations/env.py" in names and "bot/migrations/script.py.mako" in names
    revisions = {Path(n).name for n in names if n.startswith("bot/migrations/versions/") and n.endswith(".py")}
    assert {p.name for p in (ROOT / "migrations" / "versions").glob("*.py")} == revisions
    assert not [n for n in names if n.startswith("migrations/")], "no generic top-level migrations package"


def test_migrate_works_from_the_unpacked_wheel_away_from_the_checkout(wheel, tmp_path):
    """Installed code finds its migrations through the package, not two folders above the module."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    env = {**BASE_ENV, "PYTHONPATH": str(site), "DATABASE_URL": f"sqlite:///{work}/w.db"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "bot", *a], capture_output=True, text=True, cwd=work, env=env, timeout=120)  # noqa: E731
    before = run("outbox")
    assert before.returncode == 2 and "run `opsbot migrate`" in before.stderr and "Traceback" not in before.stderr
    migrated = run("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "up to date" in migrated.stdout
    after = run("outbox")
    assert after.returncode == 0 and "Nothing waiting" in after.stdout, after.stderr


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line == ".":
            continue  # the project itself
        if line:
            m = re.fullmatch(r"([A-Za-z0-9_.\[\]-]+)==([^\s;]+)", line)
            assert m, f"requirements.txt line {line!r} is not NAME==VERSION"
            pins[re.sub(r"\[.*\]", "", m.group(1)).lower().replace("_", "-")] = m.group(2)
    return pins


def test_requirements_txt_pins_every_dependency_within_its_range():
    pins = _pins()
    for spec in PYPROJECT["project"]["dependencies"]:
        req = Requirement(spec)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{req.name} is in pyproject.toml but not pinned in requirements.txt"
        assert req.specifier.contains(pins[name]), f"{req.name}=={pins[name]} does not satisfy {req.specifier}"


def test_every_dependency_has_an_upper_bound():
    for spec in PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["test"]:
        req = Requirement(spec)
        if req.name == "tzdata":
            continue  # calendar data, versioned by year: always take the newest
        assert any(s.operator in ("<", "<=", "~=", "==") for s in req.specifier), f"{spec} has no upper bound"


def test_requirements_txt_installs_opsbot_itself():
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    assert "." in lines, "a Procfile host installs requirements.txt only: it must install the app too"


def test_python_dotenv_is_declared():
    names = {Requirement(s).name.lower() for s in PYPROJECT["project"]["dependencies"]}
    assert "python-dotenv" in names
