"""Administration: OEs, users and their roles.

What the feature adds to the portal is declared in `feature.py` (see portal/features.py)."""
