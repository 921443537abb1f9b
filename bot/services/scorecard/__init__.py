"""Scorecard: the weekly (and monthly) report to leadership on LIVE sales, hosts, SKUs and operations.

Open compute.py first (`build` turns a week of sessions, metrics and time clock into a `Scorecard`);
model.py holds its shapes, definitions.py the metric definitions, insights.py the rules, xlsx.py/chart.py the files.
"""
