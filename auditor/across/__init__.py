"""Analyses across reports of a batch: pairing each report with last year's of the same agency
(pairing.py) and paragraphs copied between reports (similarity.py)."""
