"""Shift swaps and covers: a host offers a shift to one person, trades it for one of theirs, or opens it to
anyone eligible; the taker accepts; the associate approves; only then does the schedule change.
Open `lifecycle.py` first; `eligibility.py` says who may take a shift.
"""
