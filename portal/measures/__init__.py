"""Measures of the Aktionsplan: catalogue, reporting periods, OE status reports,
working-group assessment and the council table.

What the feature adds to the portal is declared in `feature.py` (see portal/features.py)."""
