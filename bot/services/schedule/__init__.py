"""The livestream calendar: LIVE sessions, their shifts, who may work them, and publishing a week.

Open `calendar.py` first (sessions, slots, assignment); `rules.py` holds the checks every assignment runs,
`publishing.py` copies and publishes weeks, `xlsx.py`/`export.py` are the calendar workbook's import and export.
"""
