"""Rules are compiled once per rules file, and an edit to the file still takes effect without a restart."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.services.claims.rules import ClaimRulesError, load_rules
from bot.services.claims.match import check_text

EXTRA = '\n[[rule]]\ncategory = "guarantee"\nphrases = ["works like a charm"]\n'


def _packaged() -> str:
    return Path(load_rules().source).read_text(encoding="utf-8")


def test_a_rules_file_is_compiled_once_until_it_changes(tmp_path: Path) -> None:
    custom = tmp_path / "rules.toml"
    custom.write_text(_packaged(), encoding="utf-8")
    first = load_rules(custom)
    assert load_rules(str(custom)) is first  # same file, unchanged: no second compile
    assert check_text("It works like a charm", first) == []

    custom.write_text(_packaged() + EXTRA, encoding="utf-8")
    stat = custom.stat()
    os.utime(custom, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # an edit within the same tick still counts
    edited = load_rules(custom)
    assert edited is not first
    assert [f.category for f in check_text("It works like a charm", edited)] == ["guarantee"]
    assert load_rules(custom) is edited


def test_a_broken_edit_keeps_the_last_good_rules_and_a_fixed_one_loads(tmp_path: Path,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    custom = tmp_path / "rules.toml"
    broken = _packaged() + '\n[[rule]]\ncategory = "nope"\nphrases = ["x"]\n'
    custom.write_text(broken, encoding="utf-8")
    with pytest.raises(ClaimRulesError):
        load_rules(custom)  # never compiled before: the error, naming the file
    custom.write_text(_packaged(), encoding="utf-8")
    good = load_rules(custom)
    custom.write_text(broken + " ", encoding="utf-8")
    with caplog.at_level("ERROR"):
        assert load_rules(custom) is good  # a running bot keeps checking with the last good rules
    assert f"{custom}:" in caplog.text and "category 'nope'" in caplog.text
    custom.write_text(_packaged() + EXTRA, encoding="utf-8")
    fixed = load_rules(custom)
    assert fixed is not good and [f.category for f in check_text("It works like a charm", fixed)] == ["guarantee"]


def test_the_packaged_rules_are_one_compiled_copy() -> None:
    assert load_rules() is load_rules()
    assert load_rules(load_rules().source) is load_rules(load_rules().source)
