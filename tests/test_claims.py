"""Claim checker: the packaged rules, the matching rules they rely on, and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.services.claims.rules import ClaimRulesError, load_rules, parse_rules
from bot.services.claims.finding import Finding, summarize
from bot.services.claims.match import check_text

REPO = Path(__file__).resolve().parents[1]


def hits(text: str) -> list[tuple[str, str]]:
    return [(f.category, f.phrase) for f in check_text(text)]


# ----------------------------------------------------------------------------- each category hits


@pytest.mark.parametrize(
    ("text", "category", "phrase"),
    [
        # medical, with inflections
        ("This cures acne.", "health", "cures acne"),
        ("It cured my eczema.", "health", "cured my eczema"),
        ("A cure for dryness.", "health", "A cure for"),
        ("Curing breakouts overnight.", "health", "Curing breakouts"),
        ("It treats rosacea.", "health", "treats rosacea"),
        ("I treated my rash with it.", "health", "treated my rash"),
        ("Treating dandruff at home.", "health", "Treating dandruff"),
        ("Use it to treat psoriasis.", "health", "treat psoriasis"),
        ("It heals cuts.", "health", "heals cuts"),
        ("My skin healed.", "health", "skin healed"),
        ("A healing balm.", "health", "healing balm"),
        ("Helps prevent acne.", "health", "prevent acne"),
        ("It prevents hair loss.", "health", "prevents hair loss"),
        ("Preventing infection.", "health", "Preventing infection"),
        ("A true cure-all.", "health", "cure-all"),
        ("It is FDA approved.", "health", "FDA approved"),
        ("An FDA-approved formula.", "health", "FDA-approved"),
        # guarantee
        ("Guaranteed results!", "guarantee", "Guaranteed"),
        ("We guarantee it works.", "guarantee", "guarantee"),
        ("It's 100% safe for kids.", "guarantee", "100% safe"),
        ("Totally risk-free.", "guarantee", "risk-free"),
        ("Totally risk free.", "guarantee", "risk free"),
        ("No side effects at all.", "guarantee", "No side effects"),
        ("Money-back guarantee on every order.", "guarantee", "Money-back guarantee"),
        ("money back guaranteed", "guarantee", "money back guaranteed"),
        # superlative (no citation nearby)
        ("The best serum on the market.", "superlative", "The best serum on the market"),
        ("Our #1 serum.", "superlative", "#1"),
        ("The number one toner.", "superlative", "number one"),
        ("The No. 1 toner.", "superlative", "No. 1"),
        ("A best-selling kit.", "superlative", "best-selling"),
        ("Our bestseller is back.", "superlative", "bestseller"),
        ("Clinically proven to hydrate.", "health", "Clinically proven"),
        ("Dermatologist recommended.", "health", "Dermatologist recommended"),
        # price_scarcity
        ("Lowest price ever!", "price_scarcity", "Lowest price ever"),
        ("This price is only today.", "price_scarcity", "only today"),
        ("Today only: 40% off.", "price_scarcity", "Today only"),
        ("Last chance to grab it.", "price_scarcity", "Last chance to grab"),
        ("While supplies last!", "price_scarcity", "While supplies last"),
        ("Only 3 left in stock.", "price_scarcity", "Only 3 left in stock"),
        ("Best price on TikTok.", "price_scarcity", "Best price"),
        # earnings
        ("Make money from home.", "earnings", "Make money"),
        ("Earn $500 a week.", "earnings", "Earn $500"),
        ("Hosts are making $1,200 a month.", "earnings", "making $1,200"),
        ("Build passive income.", "earnings", "passive income"),
        # before_after
        ("Look at this before and after!", "before_after", "before and after"),
        ("My before-and-after pics.", "before_after", "before-and-after"),
        ("Before & after, wow.", "before_after", "Before & after"),
        ("Visible results in 7 days.", "before_after", "Visible results in 7 days"),
        ("See results in just two weeks.", "before_after", "See results in just two weeks"),
        ("I lost 10 pounds.", "before_after", "lost 10 pounds"),
        ("Lose 5 lbs fast.", "health", "Lose 5 lbs"),
        ("Great for weight loss.", "health", "Great for weight loss"),
        # disclosure (no #ad / #sponsored / paid partnership anywhere)
        ("Use my code GLOW10 at checkout.", "disclosure", "Use my code"),
        ("Link is my affiliate link.", "disclosure", "my affiliate link"),
    ],
)
def test_each_category_hits(text: str, category: str, phrase: str) -> None:
    assert hits(text) == [(category, phrase)]


@pytest.mark.parametrize("text", ["CURES ACNE", "Cures acne", "cUrEs acne"])
def test_case_is_ignored_and_the_phrase_is_reported_as_written(text: str) -> None:
    assert hits(text) == [("health", text)]


# ----------------------------------------------------------------------------- false-positive guards


@pytest.mark.parametrize(
    "text",
    [
        # word boundaries
        "Secure checkout in the shop tab.",
        "Fresh manicure for the LIVE.",
        "Pretreat the stain, then wash.",
        "Healthy-looking glow.",
        "Our treatment line.",  # "treatment" is not the verb "treat"
        "The bestie bundle.",
        "Spot #10 on the list.",
        "Affiliated brands only.",
        "Security seals on every jar.",
        # allow-list: treat as a pleasure or a snack
        "A treat for yourself after a long day.",
        "Treat yourself this weekend!",
        "Treat yo self.",
        "Treated myself to a new lip kit.",
        "Grab the dog treats bundle.",
        "A little treat for the holidays.",
        "Pre-treat stains before washing.",
        # allow-list: nail gel curing, cosmetic 'prevent'
        "Cure under the LED lamp for 60 seconds.",
        "LED cured gel lasts two weeks.",
        "Helps prevent frizz and prevents breakage.",
        # allow-list: non-claim 'best' / ordinals
        "Best practices for layering serums.",
        "For best results, apply to damp skin.",
        "Best before: see the jar.",
        "Best regards, the studio team.",
        "Step #1: cleanse. Step #2: tone.",
        "Bundle #1 has the serum and toner.",
        "Look number one is the soft glam.",
        # citation nearby excuses superlatives
        "The #1 serum on TikTok Shop [1].",
        "Clinically proven to hydrate (source: 2024 in-house study, n=40).",
        "Clinically proven to hydrate.\n(source: 2024 in-house study, n=40)",
        "Best seller per study by Nielsen.",
        "Best toner, see https://example.com/study",
        # disclosure present anywhere in the text
        "#ad Use my code GLOW10.",
        "Use my code GLOW10.\n\nThanks for watching!\n\n#sponsored",
        "Paid partnership with Glow. Use my code GLOW10.",
        # a clear disclosure is not a missing one (FTC Disclosures 101)
        "I get a commission on this.",
        "This LIVE is sponsored by Glow.",
        # ordinary talk track
        "This serum feels light and layers well under makeup. Tap the orange cart to shop.",
        "",
    ],
)
def test_no_finding(text: str) -> None:
    assert hits(text) == []


def test_allow_list_only_suppresses_the_overlapping_phrase() -> None:
    assert hits("Treat yourself to a serum that treats acne.") == [("health", "treats acne")]


def test_allow_list_is_scoped_to_its_categories() -> None:
    # "for best results" excuses the "best", not the before/after claim it overlaps.
    assert hits("For best results in 7 days, use nightly.") == [("before_after", "results in 7 days")]


def test_hashtag_that_only_starts_with_ad_is_not_a_disclosure() -> None:
    assert hits("Use my code GLOW10 #adorable") == [("disclosure", "Use my code")]


# ----------------------------------------------------------------------------- citation rule


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Clinically proven to hydrate.", True),
        ("Clinically proven to hydrate [1].", False),
        ("Clinically proven to hydrate.\n[1] 2024 in-house study", False),  # same paragraph
        ("Clinically proven to hydrate.\n\n[1] 2024 in-house study", True),  # another paragraph
        ("#1 serum on TikTok Shop (source: Kalodata, Q3 2025)", False),
        ("#1 serum on TikTok Shop.\n\nOur best toner [2].", True),  # the [2] is not near the #1
        ("Number one toner, data on file.", False),
    ],
)
def test_citation_rule(text: str, flagged: bool) -> None:
    assert bool(hits(text)) is flagged


def test_citation_does_not_excuse_other_categories() -> None:
    assert hits("Cures acne [1].") == [("health", "Cures acne")]


# ----------------------------------------------------------------------------- positions and overlaps


def test_line_and_column_are_one_based_and_sorted() -> None:
    text = "Hello team!\n\n  Our #1 serum cures acne.\nRisk-free."
    findings = check_text(text)
    assert [(f.line, f.column, f.category, f.phrase) for f in findings] == [
        (3, 7, "superlative", "#1"),
        (3, 16, "health", "cures acne"),
        (4, 1, "guarantee", "Risk-free"),
    ]
    assert all(isinstance(f, Finding) and f.reason.endswith(".") for f in findings)


def test_windows_line_endings_keep_line_numbers() -> None:
    findings = check_text("one\r\ntwo\r\nit cures acne")
    assert [(f.line, f.column) for f in findings] == [(3, 4)]


def test_phrase_wrapped_over_two_lines_is_found_at_its_start() -> None:
    findings = check_text("It is clinically\nproven to work.")
    assert [(f.line, f.column, f.phrase) for f in findings] == [(1, 7, "clinically\nproven")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Money-back guarantee.", [("guarantee", "Money-back guarantee")]),
        ("Best price ever.", [("price_scarcity", "Best price")]),
        ("Lowest price ever.", [("price_scarcity", "Lowest price ever")]),
        ("The world's best serum.", [("superlative", "The world's best")]),
        ("The world’s best serum.", [("superlative", "The world’s best")]),
    ],
)
def test_overlapping_matches_give_one_finding(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(text) == expected


def test_summarize_counts_per_category() -> None:
    findings = check_text("It cures acne and heals scars. Guaranteed. #1.")
    assert summarize(findings) == {"guarantee": 1, "health": 2, "superlative": 1}
    assert summarize([]) == {}


# ----------------------------------------------------------------------------- rules file


def test_packaged_rules_load_and_are_cached() -> None:
    rules = load_rules()
    assert rules is load_rules()
    assert set(rules.categories) == {
        "health", "guarantee", "superlative", "price_scarcity", "earnings", "before_after", "disclosure"
    }
    assert all(entry.why for entry in rules.allow)


CUSTOM = """
[categories]
pets = "Don't promise pet health results."

[[rule]]
category = "pets"
phrases = ["deworm~", "flea-free"]
unless = ["vet approved"]
unless_scope = "line"

[[allow]]
phrases = ["deworming schedule"]
why = "A schedule is a reminder, not a claim."
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Deworms in a day. Flea free all summer.", [("pets", "Deworms"), ("pets", "Flea free")]),
        ("Dewormed, vet approved.", []),
        ("Dewormed.\nVet approved.", [("pets", "Dewormed")]),  # scope is the line
        ("Keep a deworming schedule.", []),
        ("It cures fleas.", []),  # only the custom rules apply
    ],
)
def test_custom_rules_file(text: str, expected: list[tuple[str, str]]) -> None:
    rules = parse_rules(CUSTOM, "custom.toml")
    assert [(f.category, f.phrase) for f in check_text(text, rules)] == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not toml [", "not valid TOML"),
        ('[[rule]]\ncategory = "x"\nphrases = ["a"]', "missing [categories]"),
        ('[categories]\nx = "r"', "no [[rule]] entries"),
        ('[categories]\nx = "r"\n[[rule]]\ncategory = "y"\nphrases = ["a"]', "category 'y' is not one of"),
        ('[categories]\nx = "r"\n[[rule]]\ncategory = "x"\nphrase = ["a"]', "unknown key 'phrase'"),
        ('[categories]\nx = "r"\n[[rule]]\ncategory = "x"', "needs at least one entry in 'phrases'"),
        ('[categories]\nx = "r"\n[[rule]]\ncategory = "x"\nphrases = "a"\nregex = ["(unclosed"]', "bad regex"),
        ('[categories]\nx = "r"\n[[rule]]\ncategory = "x"\nregex = ["a*"]', "matches empty text"),
        ('[categories]\nx = "r"\n[[rule]]\ncategory = "x"\nphrases = [""]', "non-empty strings"),
        ('[categories]\nx = "r"\n[[rule]]\ncategory = "x"\nphrases = ["a"]\nunless_scope = "page"', "unless_scope"),
        ('[categories]\nx = ""\n[[rule]]\ncategory = "x"\nphrases = ["a"]', "needs a reason"),
        ('[categories]\nx = "r"\n[[rule]]\ncategory = "x"\nphrases = ["a"]\n[[allow]]\nphrases = ["b"]', "needs a 'why'"),
        (
            '[categories]\nx = "r"\n[[rule]]\ncategory = "x"\nphrases = ["a"]\n'
            '[[allow]]\nphrases = ["b"]\nwhy = "w"\ncategories = ["z"]',
            "not in [categories]",
        ),
    ],
)
def test_malformed_rules_raise_a_plain_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ClaimRulesError, match=message.replace("[", r"\[").replace("(", r"\(")) as caught:
        load_rules(path)
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_missing_rules_file_raises_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(ClaimRulesError, match="cannot read claim rules file"):
        load_rules(tmp_path / "nope.toml")


# ----------------------------------------------------------------------------- CLI


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "claims", "check", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        timeout=60,
    )


TALK_TRACK = "Welcome in!\nThis serum cures acne.\nLowest price ever!\n"


@pytest.mark.parametrize("args", [(), ("-",)])
def test_cli_reads_stdin(args: tuple[str, ...]) -> None:
    result = run_cli(*args, stdin=TALK_TRACK)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith('2:12  health  "cures acne"  ')
    assert lines[1].startswith('3:1  price_scarcity  "Lowest price ever"  ')
    assert len(lines) == 2
    assert result.stderr == ""


def test_cli_reads_a_file_and_exits_0_when_clean(tmp_path: Path) -> None:
    path = tmp_path / "track.txt"
    path.write_text("Tap the orange cart to shop.\n", encoding="utf-8")
    result = run_cli(str(path))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_cli_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "track.txt"
    path.write_text(TALK_TRACK, encoding="utf-8")
    result = run_cli(str(path), "--json")
    assert result.returncode == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3]  # one object per input line, clean lines too
    found = [(r["line"], f["category"], f["text"], f["start"], f["end"]) for r in rows for f in r["findings"]]
    assert found == [(2, "health", "cures acne", 11, 21), (3, "price_scarcity", "Lowest price ever", 0, 17)]
    lines = TALK_TRACK.splitlines()
    assert all(lines[r["line"] - 1][f["start"]:f["end"]] == f["text"] for r in rows for f in r["findings"])
    assert all(set(f) == {"category", "text", "start", "end", "severity", "rule", "suggestion"}
               for r in rows for f in r["findings"])
    assert {f["severity"] for r in rows for f in r["findings"]} <= {"block", "warn"}
    assert all(f["rule"] and f["suggestion"] for r in rows for f in r["findings"])


def test_cli_custom_rules(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(CUSTOM, encoding="utf-8")
    result = run_cli("--rules", str(rules), stdin="Deworms fast. Cures acne.")
    assert result.returncode == 1
    assert result.stdout.splitlines() == ['1:1  pets  "Deworms"  Don\'t promise pet health results.']


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda d: [str(d / "missing.txt")], "cannot read"),
        (lambda d: [str(d)], "cannot read"),
        (lambda d: ["--rules", str(d / "missing.toml"), "-"], "cannot read claim rules file"),
        (lambda d: ["--rules", str(d / "bad.toml"), "-"], "not valid TOML"),
        (lambda d: [str(d / "latin1.txt")], "not UTF-8"),
    ],
)
def test_cli_errors_exit_2_with_one_line_and_no_traceback(
    tmp_path: Path, make_args: Callable[[Path], list[str]], message: str
) -> None:
    (tmp_path / "bad.toml").write_text("not toml [", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 cures".encode("latin-1"))
    result = run_cli(*make_args(tmp_path), stdin="it cures")
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_findings_stored_before_the_rename_read_as_health() -> None:
    """Brief versions saved by the old checker keep their record; legal reads today's category name."""
    old = {"line": 2, "column": 12, "category": "medical", "phrase": "cures", "reason": "r"}
    f = Finding.from_dict(old)
    assert (f.category, f.text, f.line, f.column, f.reason) == ("health", "cures", 2, 12, "r")
    assert f.start == -1 and f.severity == "block"
    new = check_text("This serum cures acne.")[0]
    assert Finding.from_dict(new.as_dict()) == new
