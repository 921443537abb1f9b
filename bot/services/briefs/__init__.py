"""Brief approval routing: talk tracks and briefs drafted, submitted as versions, and decided by legal.

Open `drafting.py` first (saving and submitting), then `decisions.py` (legal's decisions, reminders, digest);
`records.py` reads briefs, `approved.py` says which briefs a LIVE may use, `export.py` writes legal's record.
"""
