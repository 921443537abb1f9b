"""The claim checker's floor on the labelled corpus, and the normalisation it relies on.

The corpus is a sample of the problem, not the test: rules are written for kinds of claim, and
the odd/even halves must each hold the floor on their own (rules tuned on one half generalise).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.claims.match import check_text
from bot.services.claims.rules import load_rules
from bot.services.claims.corpus import CATEGORIES, read_corpus, score

CORPUS = Path(__file__).parent / "data" / "claims_dev_corpus.jsonl"
ROWS = read_corpus(CORPUS)


@pytest.mark.parametrize("half", ["all", "odd", "even"])
def test_floor_on_the_corpus(half: str) -> None:
    rows = ROWS if half == "all" else [r for r in ROWS if int(r["id"][1:]) % 2 == (1 if half == "odd" else 0)]
    s = score(rows, check_text)
    misses = [r["id"] for r, _ in s.misses]
    alarms = [(r["id"], [f.text for f in f_]) for r, f_ in s.alarms]
    assert s.recall >= 0.97, misses
    assert s.false_alarm_rate <= 0.03, alarms
    assert s.agreement >= 0.95, [r["id"] for r, _ in s.disagreements]


def test_lines_written_apart_from_the_corpus_hold_the_floor_too() -> None:
    s = score(read_corpus(Path(__file__).parent / "data" / "claims_extra_lines.jsonl"), check_text)
    assert s.recall >= 0.97 and s.false_alarm_rate <= 0.03 and s.agreement >= 0.95, (
        [r["id"] for r, _ in s.misses], [r["id"] for r, _ in s.alarms])


def test_corpus_copy_is_complete() -> None:
    assert len(ROWS) == 320 and sum(r["flag"] for r in ROWS) == 190
    assert {r["category"] for r in ROWS if r["flag"]} == set(CATEGORIES)


def test_every_finding_names_its_rule_and_a_suggestion_and_spans_the_original_text() -> None:
    for row in ROWS:
        for f in check_text(row["text"]):
            assert f.category in CATEGORIES and f.severity in ("block", "warn")
            assert f.rule and f.suggestion and f.reason
            assert row["text"][f.start:f.end] == f.text and f.text.strip() == f.text


@pytest.mark.parametrize(
    ("text", "category", "matched"),
    [
        ("c u r e s headaches babe", "health", "c u r e s headaches"),
        ("c.u.r.e.s dandruff in ONE wash", "health", "c.u.r.e.s dandruff"),
        ("tr3ats yeast infections naturally", "health", "tr3ats yeast infections"),
        ("f.d.a approved formula", "health", "f.d.a approved"),
        ("gu@ranteed to stay on", "guarantee", "gu@ranteed"),
        ("sooo guaranteed, trust", "guarantee", "guaranteed"),
        ("GUARANTEEEED glow", "guarantee", "GUARANTEEEED"),
        ("I garantee you'll love it", "guarantee", "I garantee you'll love"),
        ("💯 works every time", "guarantee", "💯 works every time"),
        ("Cura el acné en 3 días", "health", "Cura el acné"),
        ("¡El mejor sérum del mundo!", "superlative", "El mejor sérum del mundo"),
        ("Gana $4,000 al mes", "earnings", "Gana $4,000 al mes"),
        ("Mira mi antes y después", "before_after", "antes y después"),
        ("0nly 5 l3ft, hurry", "price_scarcity", "0nly 5 l3ft"),
        ("Dermatoligist recommended 🩺", "health", "Dermatoligist recommended"),
    ],
)
def test_disguised_spellings_are_found_at_their_place_in_the_original(text: str, category: str, matched: str) -> None:
    found = [(f.category, f.text) for f in check_text(text)]
    assert (category, matched) in found


@pytest.mark.parametrize(
    "text",
    [
        "This is not a cure for anything, it's a moisturizer",
        "It won't treat acne, it just cleans",
        "These statements have not been evaluated by the FDA. Not intended to diagnose, treat, cure or prevent any disease.",
        "Gel polish cures under the lamp in 60 seconds",
        "My #1 fan is here!",
        "Free shipping on orders over $35",
        "We have 40 left, you can see the stock counter",
        "#ad the brand pays me for this LIVE, use my code GLOW10",
        "Concealer covers dark circles for today, it's makeup, it washes off",
        "Someone asked if it cures acne: no, it's a cleanser",
    ],
)
def test_context_turns_matches_off(text: str) -> None:
    assert check_text(text) == []


def test_a_rules_file_change_needs_no_code_change(tmp_path: Path) -> None:
    packaged = Path(load_rules().source).read_text(encoding="utf-8")
    custom = tmp_path / "rules.toml"
    custom.write_text(packaged + '\n[[rule]]\ncategory = "guarantee"\nphrases = ["works like a charm"]\n', encoding="utf-8")
    assert check_text("It works like a charm") == []
    assert [f.category for f in check_text("It works like a charm", load_rules(custom))] == ["guarantee"]


@pytest.mark.parametrize(
    ("tail", "line"),
    [
        ('\n[[rule]]\ncategory = "health"\nregex = ["(unclosed"]\n', "bad regex"),
        ('\n[[rule]]\ncategory = "nope"\nphrases = ["x"]\n', "category 'nope'"),
        ('\n[[context]]\nregex = ["x"]\n', "needs a 'why'"),
        ("\n[[rule]\n", "not valid TOML"),
    ],
)
def test_malformed_rules_fail_at_start_naming_file_and_line(tmp_path: Path, tail: str, line: str) -> None:
    from bot.services.claims.rules import ClaimRulesError

    packaged = Path(load_rules().source).read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(packaged + tail, encoding="utf-8")
    expected_line = packaged.count("\n") + 2
    with pytest.raises(ClaimRulesError) as caught:
        load_rules(bad)
    assert f"{bad}:{expected_line}:" in str(caught.value) and line in str(caught.value)


def test_opsbot_run_refuses_to_start_on_a_malformed_packaged_rules_file(tmp_path: Path) -> None:
    """`opsbot run` compiles the rules before anything else: a broken file names itself and its line."""
    import os
    import shutil
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    copy = tmp_path / "repo"
    shutil.copytree(repo / "bot", copy / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    rules = copy / "bot" / "data" / "claim_rules.toml"
    rules.write_text(rules.read_text(encoding="utf-8") + '\n[[rule]]\ncategory = "health"\nregex = ["(oops"]\n',
                     encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(copy), "SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=copy, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "claim_rules.toml:" in result.stderr and "bad regex" in result.stderr and "Traceback" not in result.stderr
