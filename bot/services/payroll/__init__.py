"""Payroll and timekeeping: pay periods, California pay rules, approved timesheets, payroll files, invoices.

Built on the time clock's entries (no second model of time). Open `engine.py` first: pure pay functions
over entries; `compute.py` feeds it from the database, `timesheets.py` approves and locks, `exports.py` writes files.
"""
