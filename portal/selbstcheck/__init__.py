"""Selbstcheck (annex 3): fill in, evaluate, review and compare across years.

What the feature adds to the portal is declared in `feature.py` (see portal/features.py)."""
