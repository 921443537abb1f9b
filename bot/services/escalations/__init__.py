"""Escalations: a problem on set gets an owner fast, or more people hear about it until it does.

Open `lifecycle.py` first (raise, acknowledge, update, resolve); `core.py` holds the card and the timeline,
`reescalation.py` and `policy.py` who is paged again and when, `guard.py` the checks on the Update modal.
"""
