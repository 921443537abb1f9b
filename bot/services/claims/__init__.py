"""Claim checker: finds claims in a talk track or brief that live-selling rules restrict.

Pure Python on purpose (no Slack, no database) so the same check runs in the brief flow, the
CLI, the bench and tests. Everything it knows lives in `bot/data/claim_rules.toml`:
normalise.py undoes disguised spellings, rules.py reads the file, match.py finds claims,
context.py turns off negated, sourced and other-sense matches; feedback.py is legal's loop.
"""

from bot.services.claims.finding import Finding, summarize, top_finding
from bot.services.claims.match import check_text
from bot.services.claims.rules import ClaimRulesError, Context, RuleSet, load_rules, parse_rules

__all__ = ["ClaimRulesError", "Context", "Finding", "RuleSet", "check_text", "load_rules", "parse_rules",
           "summarize", "top_finding"]
