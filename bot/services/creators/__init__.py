"""Creators and affiliates: the roster, campaigns and their deliverables, readiness, the weekly digest, highlight clips.

Open `campaigns.py` first (a campaign ties creators, catalog products, approved briefs and LIVE sessions together);
`deliverables.py` holds the status machine, `readiness.py` the checklist computed from data, `clips.py` the editor queue.
"""
