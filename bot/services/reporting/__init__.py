"""Reporting for the associate: the weekly ops-sync pack (meeting prep) and meetings proposed around LIVE shifts.

Open sync.py first (`build` gathers last week's numbers, this week's gaps and the open items into a `Pack`);
meetings.py proposes meeting slots that never clash with an attendee's LIVE shift or time off.
"""
