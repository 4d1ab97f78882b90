"""The start page: each feature's section (`Feature.start_section`) in order.

What the feature adds to the portal is declared in `feature.py` (see portal/features.py)."""
