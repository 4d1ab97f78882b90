"""Review desk: one queue for the integration office over every kind of submission (each
feature names its kinds), bulk decisions, the start page's "what next" section and the per-OE
dossiers (each feature adds its section).

What the feature adds to the portal is declared in `feature.py` (see portal/features.py)."""
