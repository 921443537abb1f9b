"""Talent: the associate casts hosts (candidates, auditions), onboards them (checklists), coaches them
(feedback) and moves them through host tiers (weekly evaluation, leadership approval). Open `casting.py`
first; `home.py` gathers what each role's App Home shows."""
