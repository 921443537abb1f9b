"""LIVE metrics: what a session sold and who watched, from the Log metrics modal or a Seller Center export.

Open `store.py` first (which session a row belongs to, writing it with an audit record); `parsing.py` reads an
export's rows, `values.py` parses one cell, `files.py` gets the cells out of an .xlsx or .csv file.
"""
