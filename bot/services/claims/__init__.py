"""Claim checker: finds claims in a talk track or brief that live-selling rules restrict (bot/data/claim_rules.toml).
Open `match.py` first (check_text); `normalise.py` undoes disguised spellings, `rules.py` reads the file,
`context.py` turns off negated, sourced and other-sense matches, `feedback.py` is legal's loop.
"""
