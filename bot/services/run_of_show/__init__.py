"""Run-of-show: each LIVE's segments and the day's plan posted to the ops channel, kept current as things change.
Open `plan.py` first (the day's plan, the daily post, refreshes); `segments.py` edits a session's segments,
`featured.py` picks the SKUs a plan shows, `day_facts.py` loads a whole day in a few statements.
"""
